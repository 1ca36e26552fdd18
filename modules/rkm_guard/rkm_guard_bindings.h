/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_guard uses beyond the tree's bindings crate: the C comparison
 * object of its benchmarks and its tests' shim.
 */
#include "rkm_guard_bench.h"
#include "rkm_guard_shim.h"
