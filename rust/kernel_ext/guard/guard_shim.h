/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_GUARD_SHIM_H
#define RKM_EXT_GUARD_SHIM_H

/*
 * C shim of the guard library (rust/kernel_ext/guard/): the lock operations that
 * are macros or static inlines in C, and those whose symbol depends on the
 * configuration (mutex_lock_interruptible() is a macro for
 * mutex_lock_interruptible_nested() under CONFIG_DEBUG_LOCK_ALLOC), as plain
 * functions, and the macros that tell which context the CPU is in. No logic:
 * each calls exactly the C operation it is named after.
 */
#include <linux/seqlock_types.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct lock_class_key;
struct mutex;

int guard_shim_mutex_lock_interruptible(struct mutex *lock);
int guard_shim_mutex_lock_killable(struct mutex *lock);
void guard_shim_mutex_lock_nested(struct mutex *lock, unsigned int subclass);

void guard_shim_raw_spin_lock_init(raw_spinlock_t *lock, const char *name,
				   struct lock_class_key *key);
void guard_shim_raw_spin_lock(raw_spinlock_t *lock);
int guard_shim_raw_spin_trylock(raw_spinlock_t *lock);
void guard_shim_raw_spin_unlock(raw_spinlock_t *lock);
void guard_shim_raw_spin_assert_held(raw_spinlock_t *lock);

void guard_shim_spin_lock_bh(spinlock_t *lock);
int guard_shim_spin_trylock_bh(spinlock_t *lock);
void guard_shim_spin_unlock_bh(spinlock_t *lock);

void guard_shim_rwlock_init(rwlock_t *lock, const char *name, struct lock_class_key *key);
void guard_shim_read_lock(rwlock_t *lock);
int guard_shim_read_trylock(rwlock_t *lock);
void guard_shim_read_unlock(rwlock_t *lock);
void guard_shim_write_lock(rwlock_t *lock);
int guard_shim_write_trylock(rwlock_t *lock);
void guard_shim_write_unlock(rwlock_t *lock);

void guard_shim_seqlock_init(seqlock_t *lock, const char *name,
			     struct lock_class_key *lock_key,
			     struct lock_class_key *seq_key);
void guard_shim_write_seqlock(seqlock_t *lock);
void guard_shim_write_sequnlock(seqlock_t *lock);
unsigned int guard_shim_read_seqbegin(const seqlock_t *lock);
bool guard_shim_read_seqretry(const seqlock_t *lock, unsigned int start);

void guard_shim_preempt_disable(void);
void guard_shim_preempt_enable(void);
unsigned long guard_shim_local_irq_save(void);
void guard_shim_local_irq_restore(unsigned long flags);
int guard_shim_preempt_count(void);
bool guard_shim_irqs_disabled(void);
bool guard_shim_in_softirq(void);

#endif
