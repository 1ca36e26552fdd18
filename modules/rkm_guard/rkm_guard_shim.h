/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_GUARD_SHIM_H
#define RKM_GUARD_SHIM_H

/*
 * What rkm_guard's tests need from C beyond the guard library: static inlines
 * and macros that tell which context the CPU is in, allow_signal(), and an
 * online CPU to run a second thread on.
 */
#include <linux/types.h>

int rkm_guard_preempt_count(void);
bool rkm_guard_irqs_disabled(void);
bool rkm_guard_in_softirq(void);
void rkm_guard_allow_signal(int sig);
int rkm_guard_other_online_cpu(void);

#endif
