/* SPDX-License-Identifier: GPL-2.0 */
/* What rkm_handover uses beyond the tree's bindings crate: its shim. */
#include "rkm_handover_shim.h"
