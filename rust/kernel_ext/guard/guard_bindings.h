/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guard library calls beyond the tree's bindings crate: its C shim.
 * The lock types and the exported rw_semaphore, mutex and migrate functions
 * come from kernel::bindings.
 */
#include <linux/spinlock.h>
#include <linux/seqlock.h>
#include "guard_shim.h"
