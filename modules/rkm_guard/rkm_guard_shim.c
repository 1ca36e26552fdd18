// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of rkm_guard's tests (see rkm_guard_shim.h): each function wraps one
 * macro or static inline.
 */
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/signal.h>
#include <linux/smp.h>
#include "rkm_guard_shim.h"

__rkm_shim int rkm_guard_preempt_count(void)
{
	return preempt_count();
}

__rkm_shim bool rkm_guard_irqs_disabled(void)
{
	return irqs_disabled();
}

__rkm_shim bool rkm_guard_in_softirq(void)
{
	return in_softirq();
}

/* Kernel threads ignore signals unless they ask for them. */
__rkm_shim void rkm_guard_allow_signal(int sig)
{
	allow_signal(sig);
}

/* An online CPU other than this one, or -1. */
__rkm_shim int rkm_guard_other_online_cpu(void)
{
	unsigned int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());

	return cpu < nr_cpu_ids ? cpu : -1;
}
