/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_GUARD_BENCH_H
#define RKM_GUARD_BENCH_H

/*
 * The C side of the rkm_guard benchmarks: the same lock operations the Rust
 * guards perform, called directly from C ("raw") and through cleanup.h's
 * guard()/scoped_guard() ("guard"), on locks of this file.
 */
#include <linux/types.h>

/* Pairs between two looks at the stop flag in the contended loops, on both sides. */
#define RKM_GUARD_BENCH_BATCH 64

/* What one lock/unlock pair is; the Rust side measures the same list. */
enum rkm_guard_bench_op {
	RKM_GUARD_BENCH_MUTEX,
	RKM_GUARD_BENCH_MUTEX_INTR,
	RKM_GUARD_BENCH_RWSEM_READ,
	RKM_GUARD_BENCH_RWSEM_WRITE,
	RKM_GUARD_BENCH_SPINLOCK,
	RKM_GUARD_BENCH_RAW_SPINLOCK,
	RKM_GUARD_BENCH_RAW_SPINLOCK_IRQSAVE,
	RKM_GUARD_BENCH_SPINLOCK_BH,
	RKM_GUARD_BENCH_RWLOCK_READ,
	RKM_GUARD_BENCH_RWLOCK_WRITE,
	RKM_GUARD_BENCH_SEQLOCK_READ,
	RKM_GUARD_BENCH_SEQLOCK_WRITE,
	RKM_GUARD_BENCH_PREEMPT,
	RKM_GUARD_BENCH_MIGRATE,
	RKM_GUARD_BENCH_IRQSAVE,
};

/*
 * Nanoseconds taken by @iterations lock/unlock pairs of @op, each around an
 * update (or, for readers, a read) of one counter. With @guard, through
 * cleanup.h; -EOPNOTSUPP when cleanup.h has no guard for @op, -EINVAL for an
 * unknown @op, -EINTR when an interruptible lock was interrupted.
 */
s64 rkm_guard_bench_pairs(unsigned int op, bool guard, u32 iterations);

/*
 * Lock/unlock pairs of @op, called directly, until *@stop becomes true (looked
 * at every RKM_GUARD_BENCH_BATCH pairs): what one of the contending threads
 * runs. Errors as for rkm_guard_bench_pairs().
 */
s64 rkm_guard_bench_contend(unsigned int op, const bool *stop);

#endif
