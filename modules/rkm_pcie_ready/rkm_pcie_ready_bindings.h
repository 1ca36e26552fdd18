/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_pcie_ready uses beyond the tree's bindings crate: only the C shim;
 * the exported PCI and sysfs functions it calls are in the bindings crate.
 */
#include "rkm_pcie_ready_shim.h"
