// SPDX-License-Identifier: GPL-2.0

//! Scope-guarded locking for the locks the kernel crate lacks, after `include/linux/cleanup.h`.
//!
//! The kernel crate gives Rust `Mutex`, `SpinLock` and `SpinLockIrq` with `lock()` and
//! `try_lock()`. This library adds, in the same RAII model (a guard releases on drop, including
//! on early return and `?`):
//!
//! - [`RwSem`]: `struct rw_semaphore` with read and write guards, `try_*` returning `Option`,
//!   `read_interruptible`/`read_killable`/`write_killable` returning `Err(EINTR)`, and
//!   [`RwSemWriteGuard::downgrade`].
//! - [`MutexExt`]: `lock_interruptible`, `lock_killable` and `lock_nested::<SUBCLASS>` for the
//!   kernel crate's `Mutex`, returning its own `MutexGuard`, and for [`Mutex`], the same lock
//!   without the crate guard's out-of-line lockdep assertion when lockdep is off.
//! - [`SeqLock`]: `seqlock_t` with a writer guard and a reader that retries a closure until it
//!   ran on a consistent snapshot.
//! - [`RwLock`]: `rwlock_t`, the same [`ReadWriteLock`] as [`RwSem`] with another
//!   [`RwBackend`]; [`RawSpinLock`] (`raw_spinlock_t`, also `lock_irqsave` through
//!   [`RawSpinLockExt`]); [`SpinLockBh`] (`spin_lock_bh`).
//! - Context guards: [`preempt_disable`], [`migrate_disable`], [`local_irq_save`]; and what they
//!   change, to check it: [`preempt_count`], [`irqs_disabled`], [`in_softirq`],
//!   [`migration_disabled`].
//!
//! A read guard gives `&T` only, a write guard `&mut T`. A conditional acquisition follows
//! `DEFINE_GUARD_COND`: when it fails it returns the error (or `None`) and no guard exists, so
//! the code that needs the lock cannot run. Every lock is created with a name and a lockdep
//! class (the `new_*!` macros make a static class per call site), so lockdep reports name it.
//! Documentation/rkm_guard.rst puts each cleanup.h construct beside its Rust counterpart.
//!
//! # Using it in a module
//!
//! The library is compiled into each module that uses it, through `rust/kernel_ext/Kbuild.ext`
//! (Documentation/kernel_ext.rst): `$(call rkm_rust,my_main.o,,guard)` in the module's Kbuild
//! and `#[path = "kernel_ext_generated.rs"] pub mod kernel_ext;` in its crate root give
//! `crate::kernel_ext::guard`.

use super::guard_ffi as ffi;
use kernel::{
    ffi::c_int,
    prelude::*, //
};

mod context;
mod mutex;
mod rw;
mod rwlock;
mod rwsem;
mod seqlock;
mod spinlock;

pub use self::{
    context::{
        in_softirq,
        irqs_disabled,
        local_irq_save,
        migrate_disable,
        migration_disabled,
        preempt_count,
        preempt_disable,
        IrqSaveGuard,
        MigrateGuard,
        PreemptGuard, //
    },
    mutex::{
        Mutex,
        MutexBackend,
        MutexExt,
        MutexGuard,
        MutexKind, //
    },
    rw::{
        ReadGuard,
        ReadWriteLock,
        RwBackend,
        WriteGuard, //
    },
    rwlock::{
        RwLock,
        RwLockBackend,
        RwLockReadGuard,
        RwLockWriteGuard, //
    },
    rwsem::{
        RwSem,
        RwSemBackend,
        RwSemReadGuard,
        RwSemWriteGuard, //
    },
    seqlock::{
        SeqLock,
        SeqLockWriteGuard, //
    },
    spinlock::{
        RawSpinLock,
        RawSpinLockBackend,
        RawSpinLockExt,
        RawSpinLockGuard,
        RawSpinLockIrqSaveGuard,
        SpinLockBh,
        SpinLockBhBackend,
        SpinLockBhGuard, //
    },
};

/// `0` or a negative errno, as a `Result`. The kernel crate's `to_result` does the same, but as
/// an out-of-line call (it is not `#[inline]`) on every conditional lock.
#[inline]
fn check(ret: c_int) -> Result {
    if ret == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(ret))
    }
}
