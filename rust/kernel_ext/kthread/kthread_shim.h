/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_KTHREAD_SHIM_H
#define RKM_EXT_KTHREAD_SHIM_H

/*
 * C shim of the kthread part (rust/kernel_ext/kthread/): a static inline of
 * the signal code and the online CPU mask's macros, as plain functions.
 */
#include <linux/types.h>

void kthread_shim_allow_signal(int sig);
int kthread_shim_other_online_cpu(void);

#endif
