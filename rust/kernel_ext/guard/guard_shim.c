// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the guard library: see guard_shim.h. The initialisers take the
 * name and lockdep class key from Rust (the C macros would give every lock
 * initialised here one class, named after this file's variable).
 */
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include "guard_shim.h"

#ifdef CONFIG_PREEMPT_RT
#error "the guard library knows the !PREEMPT_RT lock types only"
#endif

__rkm_shim int guard_shim_mutex_lock_interruptible(struct mutex *lock)
{
	return mutex_lock_interruptible(lock);
}

__rkm_shim int guard_shim_mutex_lock_killable(struct mutex *lock)
{
	return mutex_lock_killable(lock);
}

__rkm_shim void guard_shim_mutex_lock_nested(struct mutex *lock, unsigned int subclass)
{
	mutex_lock_nested(lock, subclass);
}

__rkm_shim void guard_shim_raw_spin_lock_init(raw_spinlock_t *lock, const char *name,
					      struct lock_class_key *key)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	__raw_spin_lock_init(lock, name, key, LD_WAIT_SPIN);
#else
	raw_spin_lock_init(lock);
#endif
}

__rkm_shim void guard_shim_raw_spin_lock(raw_spinlock_t *lock)
{
	raw_spin_lock(lock);
}

__rkm_shim int guard_shim_raw_spin_trylock(raw_spinlock_t *lock)
{
	return raw_spin_trylock(lock);
}

__rkm_shim void guard_shim_raw_spin_unlock(raw_spinlock_t *lock)
{
	raw_spin_unlock(lock);
}

__rkm_shim void guard_shim_raw_spin_assert_held(raw_spinlock_t *lock)
{
	lockdep_assert_held(lock);
}

__rkm_shim void guard_shim_spin_lock_bh(spinlock_t *lock)
{
	spin_lock_bh(lock);
}

__rkm_shim int guard_shim_spin_trylock_bh(spinlock_t *lock)
{
	return spin_trylock_bh(lock);
}

__rkm_shim void guard_shim_spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock_bh(lock);
}

__rkm_shim void guard_shim_rwlock_init(rwlock_t *lock, const char *name, struct lock_class_key *key)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	__rwlock_init(lock, name, key);
#else
	rwlock_init(lock);
#endif
}

__rkm_shim void guard_shim_read_lock(rwlock_t *lock)
{
	read_lock(lock);
}

__rkm_shim int guard_shim_read_trylock(rwlock_t *lock)
{
	return read_trylock(lock);
}

__rkm_shim void guard_shim_read_unlock(rwlock_t *lock)
{
	read_unlock(lock);
}

__rkm_shim void guard_shim_write_lock(rwlock_t *lock)
{
	write_lock(lock);
}

__rkm_shim int guard_shim_write_trylock(rwlock_t *lock)
{
	return write_trylock(lock);
}

__rkm_shim void guard_shim_write_unlock(rwlock_t *lock)
{
	write_unlock(lock);
}

/*
 * seqlock_init() with the caller's names and keys: one class for the embedded
 * spinlock, another for the sequence count that readers are checked against.
 */
__rkm_shim void guard_shim_seqlock_init(seqlock_t *lock, const char *name,
					struct lock_class_key *lock_key,
					struct lock_class_key *seq_key)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	__raw_spin_lock_init(spinlock_check(&lock->lock), name, lock_key, LD_WAIT_CONFIG);
#else
	spin_lock_init(&lock->lock);
#endif
	__seqcount_init(&lock->seqcount.seqcount, name, seq_key);
	__SEQ_LOCK(lock->seqcount.lock = &lock->lock);
}

__rkm_shim void guard_shim_write_seqlock(seqlock_t *lock)
{
	write_seqlock(lock);
}

__rkm_shim void guard_shim_write_sequnlock(seqlock_t *lock)
{
	write_sequnlock(lock);
}

__rkm_shim unsigned int guard_shim_read_seqbegin(const seqlock_t *lock)
{
	return read_seqbegin(lock);
}

__rkm_shim bool guard_shim_read_seqretry(const seqlock_t *lock, unsigned int start)
{
	return read_seqretry(lock, start);
}

__rkm_shim void guard_shim_preempt_disable(void)
{
	preempt_disable();
}

__rkm_shim void guard_shim_preempt_enable(void)
{
	preempt_enable();
}

__rkm_shim unsigned long guard_shim_local_irq_save(void)
{
	unsigned long flags;

	local_irq_save(flags);
	return flags;
}

__rkm_shim void guard_shim_local_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

/* What the context guards change, for their users to check. */
__rkm_shim int guard_shim_preempt_count(void)
{
	return preempt_count();
}

__rkm_shim bool guard_shim_irqs_disabled(void)
{
	return irqs_disabled();
}

__rkm_shim bool guard_shim_in_softirq(void)
{
	return in_softirq();
}
