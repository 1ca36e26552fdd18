/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_GUARD_BENCH_H
#define RKM_EXT_GUARD_BENCH_H

/*
 * The C side of the guard part's benchmarks (rkm_guard's debugfs file
 * "bench"): the same lock operations the Rust guards perform, called directly
 * from C ("raw") and through cleanup.h's guard()/scoped_guard() ("guard"), on
 * locks of guard_bench.c. Rust runs them through mod.rs.
 */
#include <linux/types.h>

/* Pairs between two looks at the stop flag in the contended loops, on both sides. */
#define GUARD_BENCH_BATCH 64

/* What one lock/unlock pair is; the Rust side measures the same list. */
enum guard_bench_op {
	GUARD_BENCH_MUTEX,
	GUARD_BENCH_MUTEX_INTR,
	GUARD_BENCH_RWSEM_READ,
	GUARD_BENCH_RWSEM_WRITE,
	GUARD_BENCH_SPINLOCK,
	GUARD_BENCH_RAW_SPINLOCK,
	GUARD_BENCH_RAW_SPINLOCK_IRQSAVE,
	GUARD_BENCH_SPINLOCK_BH,
	GUARD_BENCH_RWLOCK_READ,
	GUARD_BENCH_RWLOCK_WRITE,
	GUARD_BENCH_SEQLOCK_READ,
	GUARD_BENCH_SEQLOCK_WRITE,
	GUARD_BENCH_PREEMPT,
	GUARD_BENCH_MIGRATE,
	GUARD_BENCH_IRQSAVE,
};

/*
 * Nanoseconds taken by @iterations lock/unlock pairs of @op, each around an
 * update (or, for readers, a read) of one counter. With @guard, through
 * cleanup.h; -EOPNOTSUPP when cleanup.h has no guard for @op, -EINVAL for an
 * unknown @op, -EINTR when an interruptible lock was interrupted.
 */
s64 guard_bench_pairs(unsigned int op, bool guard, u32 iterations);

/*
 * Lock/unlock pairs of @op, called directly, until *@stop becomes true (looked
 * at every GUARD_BENCH_BATCH pairs): what one of the contending threads
 * runs. Errors as for guard_bench_pairs().
 */
s64 guard_bench_contend(unsigned int op, const bool *stop);

#endif
