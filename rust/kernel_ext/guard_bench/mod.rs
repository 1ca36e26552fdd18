// SPDX-License-Identifier: GPL-2.0

//! The C side of the guard part's benchmarks: the lock operations the [`guard`] types perform,
//! written in C as a C user writes them, raw (`mutex_lock()`, `spin_lock_bh()`, ...) and with
//! cleanup.h's `guard()`, in loops that a benchmark times beside the same loops in Rust.
//!
//! The kernel crate has no C to compare its Rust with. The loops are guard_bench.c, an object
//! of its own compiled as C code is (not a shim, whose bitcode would be inlined into Rust), on
//! locks of that file; this file runs them: an operation is an [`Op`], [`pairs_ns`] times a
//! counted loop and [`contend`] runs one until the caller's flag turns true.
//!
//! [`guard`]: super::guard

use super::guard_bench_ffi as ffi;
use kernel::{
    prelude::*,
    sync::atomic::Atomic, //
};

/// Lock/unlock pairs between two looks at the stop flag in [`contend`]; a Rust loop that
/// competes with it looks as often.
pub const BATCH: u32 = ffi::GUARD_BENCH_BATCH;

/// A lock/unlock pair of the C loops (`enum guard_bench_op`), around an update of a counter
/// (or, for readers, a read). The raw calls, then cleanup.h's guard, of each:
#[derive(Clone, Copy)]
pub struct Op(ffi::guard_bench_op);

impl Op {
    /// `mutex_lock()`; `guard(mutex)`.
    pub const MUTEX: Self = Self(ffi::GUARD_BENCH_MUTEX);
    /// `mutex_lock_interruptible()`; `scoped_cond_guard(mutex_intr)`.
    pub const MUTEX_INTR: Self = Self(ffi::GUARD_BENCH_MUTEX_INTR);
    /// `down_read()`; `guard(rwsem_read)`.
    pub const RWSEM_READ: Self = Self(ffi::GUARD_BENCH_RWSEM_READ);
    /// `down_write()`; `guard(rwsem_write)`.
    pub const RWSEM_WRITE: Self = Self(ffi::GUARD_BENCH_RWSEM_WRITE);
    /// `spin_lock()`; `guard(spinlock)`.
    pub const SPINLOCK: Self = Self(ffi::GUARD_BENCH_SPINLOCK);
    /// `raw_spin_lock()`; `guard(raw_spinlock)`.
    pub const RAW_SPINLOCK: Self = Self(ffi::GUARD_BENCH_RAW_SPINLOCK);
    /// `raw_spin_lock_irqsave()`; `guard(raw_spinlock_irqsave)`.
    pub const RAW_SPINLOCK_IRQSAVE: Self = Self(ffi::GUARD_BENCH_RAW_SPINLOCK_IRQSAVE);
    /// `spin_lock_bh()`; `guard(spinlock_bh)`.
    pub const SPINLOCK_BH: Self = Self(ffi::GUARD_BENCH_SPINLOCK_BH);
    /// `read_lock()`; `guard(read_lock)`.
    pub const RWLOCK_READ: Self = Self(ffi::GUARD_BENCH_RWLOCK_READ);
    /// `write_lock()`; `guard(write_lock)`.
    pub const RWLOCK_WRITE: Self = Self(ffi::GUARD_BENCH_RWLOCK_WRITE);
    /// `read_seqbegin()` and `read_seqretry()`; `scoped_seqlock_read()`.
    pub const SEQLOCK_READ: Self = Self(ffi::GUARD_BENCH_SEQLOCK_READ);
    /// `write_seqlock()`; cleanup.h has no guard for it.
    pub const SEQLOCK_WRITE: Self = Self(ffi::GUARD_BENCH_SEQLOCK_WRITE);
    /// `preempt_disable()`; `guard(preempt)`.
    pub const PREEMPT: Self = Self(ffi::GUARD_BENCH_PREEMPT);
    /// `migrate_disable()`; `guard(migrate)`.
    pub const MIGRATE: Self = Self(ffi::GUARD_BENCH_MIGRATE);
    /// `local_irq_save()`; `guard(irqsave)`.
    pub const IRQSAVE: Self = Self(ffi::GUARD_BENCH_IRQSAVE);
}

/// Nanoseconds that `iterations` pairs of `op` take in C: the raw calls, or with `guard`
/// cleanup.h's guard. `EOPNOTSUPP` where cleanup.h has no guard for `op`, `EINTR` when an
/// interruptible lock was interrupted.
pub fn pairs_ns(op: Op, guard: bool, iterations: u32) -> Result<u64> {
    // SAFETY: `guard_bench_pairs()` has no precondition: it takes any arguments (an unknown
    // operation is `-EINVAL`).
    count(unsafe { ffi::guard_bench_pairs(op.0, guard, iterations) })
}

/// Pairs of `op` in C, the raw calls, until `stop` is true (looked at every [`BATCH`] pairs),
/// counted: what one of the threads contending for a lock runs. `EINTR` when an interruptible
/// lock was interrupted.
pub fn contend(op: Op, stop: &Atomic<bool>) -> Result<u64> {
    // SAFETY: `stop` is valid for the whole call, which only reads it with `READ_ONCE()`, an
    // atomic load as every access to an `Atomic` must be.
    count(unsafe { ffi::guard_bench_contend(op.0, stop.as_ptr()) })
}

/// A count, or a negative errno, as C returns them.
fn count(ret: i64) -> Result<u64> {
    u64::try_from(ret).map_err(|_| i32::try_from(ret).map_or(EINVAL, Error::from_errno))
}
