/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pci part calls beyond the tree's bindings crate: its C shim. The
 * exported PCI functions it calls come from kernel::bindings.
 */
#include "pci_shim.h"
