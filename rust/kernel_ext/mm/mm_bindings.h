/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mm part calls beyond the tree's bindings crate: its C shim. The
 * exported functions (si_meminfo, igrab, unmap_mapping_range) come from
 * kernel::bindings.
 */
#include "mm_shim.h"
