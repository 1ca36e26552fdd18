// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the kthread part (see kthread_shim.h): each function wraps one
 * static inline or macro.
 */
#include <linux/cpumask.h>
#include <linux/signal.h>
#include <linux/smp.h>
#include "kthread_shim.h"

/* Kernel threads ignore signals unless they ask for them. */
__rkm_shim void kthread_shim_allow_signal(int sig)
{
	allow_signal(sig);
}

/* An online CPU other than this one, or -1. */
__rkm_shim int kthread_shim_other_online_cpu(void)
{
	unsigned int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());

	return cpu < nr_cpu_ids ? cpu : -1;
}
