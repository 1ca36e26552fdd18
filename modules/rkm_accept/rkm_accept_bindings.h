/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_accept uses beyond the tree's bindings crate: the uapi structures
 * and constants. Its kernel calls go through the parts of rust/kernel_ext.
 */
#include "uapi/rkm_accept.h"
