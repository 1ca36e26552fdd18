/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kthread part calls beyond the tree's bindings crate: its C shim.
 * kthread_create_on_node(), kthread_stop_put() and the signal functions come
 * from kernel::bindings.
 */
#include "kthread_shim.h"
