// SPDX-License-Identifier: GPL-2.0
/*
 * C comparison object of the guard benchmarks (see guard_bench.h).
 *
 * Each loop is written out per operation, so that the compiler sees the lock
 * calls exactly as a C user writes them: the raw loop calls the primitive, the
 * guard loop uses cleanup.h. The counter is a static the compiler must load
 * and store around every (opaque) lock call, as the Rust side must.
 */
#include <linux/cleanup.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include "guard_bench.h"

static DEFINE_MUTEX(bench_mutex);
static DECLARE_RWSEM(bench_rwsem);
static DEFINE_SPINLOCK(bench_spinlock);
static DEFINE_RAW_SPINLOCK(bench_raw_spinlock);
static DEFINE_RWLOCK(bench_rwlock);
static DEFINE_SEQLOCK(bench_seqlock);
static u64 bench_counter;
static u64 bench_sink;

#define WRITE_BODY	WRITE_ONCE(bench_counter, bench_counter + 1)
#define READ_BODY	WRITE_ONCE(bench_sink, READ_ONCE(bench_counter))
/* The context guards protect no data: a counter, as the Rust side's count(). */
#define COUNT_BODY	WRITE_ONCE(bench_counter, READ_ONCE(bench_counter) + 1)

/*
 * Every operation as a C user writes it: X(op, lock, critical section,
 * unlock). Expanded into a counted loop per operation and into the loop until
 * told to stop.
 */
#define RAW_OPS(X)								\
	X(MUTEX, mutex_lock(&bench_mutex), WRITE_BODY, mutex_unlock(&bench_mutex))	\
	X(MUTEX_INTR, if (mutex_lock_interruptible(&bench_mutex)) return -EINTR,	\
	  WRITE_BODY, mutex_unlock(&bench_mutex))				\
	X(RWSEM_READ, down_read(&bench_rwsem), READ_BODY, up_read(&bench_rwsem))	\
	X(RWSEM_WRITE, down_write(&bench_rwsem), WRITE_BODY, up_write(&bench_rwsem))	\
	X(SPINLOCK, spin_lock(&bench_spinlock), WRITE_BODY, spin_unlock(&bench_spinlock))	\
	X(RAW_SPINLOCK, raw_spin_lock(&bench_raw_spinlock), WRITE_BODY,		\
	  raw_spin_unlock(&bench_raw_spinlock))					\
	X(RAW_SPINLOCK_IRQSAVE, raw_spin_lock_irqsave(&bench_raw_spinlock, flags),	\
	  WRITE_BODY, raw_spin_unlock_irqrestore(&bench_raw_spinlock, flags))	\
	X(SPINLOCK_BH, spin_lock_bh(&bench_spinlock), WRITE_BODY,		\
	  spin_unlock_bh(&bench_spinlock))					\
	X(RWLOCK_READ, read_lock(&bench_rwlock), READ_BODY, read_unlock(&bench_rwlock))	\
	X(RWLOCK_WRITE, write_lock(&bench_rwlock), WRITE_BODY,			\
	  write_unlock(&bench_rwlock))						\
	X(SEQLOCK_READ, do {							\
		seq = read_seqbegin(&bench_seqlock);				\
		READ_BODY;							\
	  } while (read_seqretry(&bench_seqlock, seq)), , )			\
	X(SEQLOCK_WRITE, write_seqlock(&bench_seqlock), WRITE_BODY,		\
	  write_sequnlock(&bench_seqlock))					\
	X(PREEMPT, preempt_disable(), COUNT_BODY, preempt_enable())		\
	X(MIGRATE, migrate_disable(), COUNT_BODY, migrate_enable())		\
	X(IRQSAVE, local_irq_save(flags), COUNT_BODY, local_irq_restore(flags))

/*
 * The counted loops, a function each (bench_raw_<op>), so that make check
 * finds each loop in the disassembly and counts its instructions beside the
 * Rust guard's (scripts/harness/disasm.py).
 */
#define COUNTED(op, lock_stmt, body, unlock_stmt)			\
	static noinline s64 bench_raw_##op(u32 n)			\
	{								\
		unsigned long flags __maybe_unused;			\
		unsigned int seq __maybe_unused;			\
		u32 i;							\
									\
		for (i = 0; i < n; i++) {				\
			lock_stmt;					\
			body;						\
			unlock_stmt;					\
		}							\
		return 0;						\
	}
RAW_OPS(COUNTED)
#undef COUNTED

static s64 bench_raw(unsigned int op, u32 n)
{
#define COUNTED_CASE(op, ...)			\
	case GUARD_BENCH_##op:		\
		return bench_raw_##op(n);
	switch (op) {
	RAW_OPS(COUNTED_CASE)
	}
#undef COUNTED_CASE
	return -EINVAL;
}

/* cleanup.h's guard(): the lock is released at the end of each iteration. */
#define GUARD_LOOP(n, guard_stmt, body)		\
	do {					\
		u32 __i;			\
		for (__i = 0; __i < (n); __i++) {	\
			guard_stmt;		\
			body;			\
		}				\
	} while (0)

/* A scoped form (scoped_cond_guard(), scoped_seqlock_read()) around @body. */
#define SCOPED_LOOP(n, scope, body)		\
	do {					\
		u32 __i;			\
		for (__i = 0; __i < (n); __i++)	\
			scope { body; }		\
	} while (0)

static s64 bench_guard(unsigned int op, u32 n)
{
	switch (op) {
	case GUARD_BENCH_MUTEX:
		GUARD_LOOP(n, guard(mutex)(&bench_mutex), WRITE_BODY);
		return 0;
	case GUARD_BENCH_MUTEX_INTR:
		SCOPED_LOOP(n, scoped_cond_guard(mutex_intr, return -EINTR, &bench_mutex),
			    WRITE_BODY);
		return 0;
	case GUARD_BENCH_RWSEM_READ:
		GUARD_LOOP(n, guard(rwsem_read)(&bench_rwsem), READ_BODY);
		return 0;
	case GUARD_BENCH_RWSEM_WRITE:
		GUARD_LOOP(n, guard(rwsem_write)(&bench_rwsem), WRITE_BODY);
		return 0;
	case GUARD_BENCH_SPINLOCK:
		GUARD_LOOP(n, guard(spinlock)(&bench_spinlock), WRITE_BODY);
		return 0;
	case GUARD_BENCH_RAW_SPINLOCK:
		GUARD_LOOP(n, guard(raw_spinlock)(&bench_raw_spinlock), WRITE_BODY);
		return 0;
	case GUARD_BENCH_RAW_SPINLOCK_IRQSAVE:
		GUARD_LOOP(n, guard(raw_spinlock_irqsave)(&bench_raw_spinlock), WRITE_BODY);
		return 0;
	case GUARD_BENCH_SPINLOCK_BH:
		GUARD_LOOP(n, guard(spinlock_bh)(&bench_spinlock), WRITE_BODY);
		return 0;
	case GUARD_BENCH_RWLOCK_READ:
		GUARD_LOOP(n, guard(read_lock)(&bench_rwlock), READ_BODY);
		return 0;
	case GUARD_BENCH_RWLOCK_WRITE:
		GUARD_LOOP(n, guard(write_lock)(&bench_rwlock), WRITE_BODY);
		return 0;
	case GUARD_BENCH_SEQLOCK_READ:
		SCOPED_LOOP(n, scoped_seqlock_read(&bench_seqlock, ss_lockless), READ_BODY);
		return 0;
	case GUARD_BENCH_SEQLOCK_WRITE:
		/* cleanup.h has no guard for the write side of a seqlock_t. */
		return -EOPNOTSUPP;
	case GUARD_BENCH_PREEMPT:
		GUARD_LOOP(n, guard(preempt)(), COUNT_BODY);
		return 0;
	case GUARD_BENCH_MIGRATE:
		GUARD_LOOP(n, guard(migrate)(), COUNT_BODY);
		return 0;
	case GUARD_BENCH_IRQSAVE:
		GUARD_LOOP(n, guard(irqsave)(), COUNT_BODY);
		return 0;
	}
	return -EINVAL;
}

s64 guard_bench_pairs(unsigned int op, bool guard, u32 iterations)
{
	u64 start = ktime_get_ns();
	s64 ret = guard ? bench_guard(op, iterations) : bench_raw(op, iterations);

	return ret ? ret : (s64)(ktime_get_ns() - start);
}

s64 guard_bench_contend(unsigned int op, const bool *stop)
{
	unsigned long flags;
	unsigned int seq;
	s64 pairs = 0;
	u32 i;

#define UNTIL_STOP(op, lock_stmt, body, unlock_stmt)			\
	case GUARD_BENCH_##op:					\
		for (; !READ_ONCE(*stop); pairs += GUARD_BENCH_BATCH)	\
			for (i = 0; i < GUARD_BENCH_BATCH; i++) {	\
				lock_stmt;				\
				body;					\
				unlock_stmt;				\
			}						\
		break;
	switch (op) {
	RAW_OPS(UNTIL_STOP)
	default:
		return -EINVAL;
	}
#undef UNTIL_STOP
	return pairs;
}
