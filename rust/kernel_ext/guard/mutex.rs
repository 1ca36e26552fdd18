// SPDX-License-Identifier: GPL-2.0

//! What cleanup.h has for `struct mutex` beyond the kernel crate's `lock()` and `try_lock()`:
//! `mutex_intr` and `mutex_kill` conditional guards, and `mutex_lock_nested()`.

use super::{
    check,
    ffi, //
};
use kernel::{
    bindings,
    prelude::*,
    sync::{
        lock::Guard,
        Mutex,
        MutexGuard, //
    },
};

/// Interruptible, killable and nested locking of the kernel crate's [`Mutex`].
///
/// Each returns the kernel crate's own [`MutexGuard`], so a guard from here works wherever one
/// from `lock()` does (condition variables, `LockedBy`).
pub trait MutexExt<T: ?Sized> {
    /// Locks, giving up with `EINTR` when a signal is pending while waiting
    /// (`ACQUIRE(mutex_intr, ...)` in C). On error no guard exists.
    fn lock_interruptible(&self) -> Result<MutexGuard<'_, T>>;

    /// Locks, giving up with `EINTR` only when a fatal signal is pending while waiting
    /// (`ACQUIRE(mutex_kill, ...)` in C).
    fn lock_killable(&self) -> Result<MutexGuard<'_, T>>;

    /// Locks as lockdep subclass `SUBCLASS` (`mutex_lock_nested()`), for taking two mutexes of
    /// one class in a fixed order, such as parent and child. `SUBCLASS` must be below
    /// lockdep's limit of 8; a larger one does not compile.
    fn lock_nested<const SUBCLASS: u32>(&self) -> MutexGuard<'_, T>;
}

/// The `struct mutex` of `lock`.
fn raw<T: ?Sized>(lock: &Mutex<T>) -> *mut bindings::mutex {
    // `Lock` is `#[repr(C)]` with its `Opaque<bindings::mutex>` state first (the kernel crate's
    // `Lock::from_raw` relies on the same layout), so the lock's address is the mutex's.
    core::ptr::from_ref(lock)
        .cast::<bindings::mutex>()
        .cast_mut()
}

/// Turns the return value of a conditional lock into a guard, as `DEFINE_GUARD_COND` with the
/// condition `_RET == 0` does.
///
/// # Safety
///
/// When `ret` is zero the caller owns `lock`.
unsafe fn guard_on_success<T: ?Sized>(lock: &Mutex<T>, ret: i32) -> Result<MutexGuard<'_, T>> {
    check(ret)?;
    // SAFETY: `ret` is zero, so by the function's requirement the caller owns the lock.
    Ok(unsafe { Guard::new(lock, ()) })
}

impl<T: ?Sized> MutexExt<T> for Mutex<T> {
    #[inline]
    fn lock_interruptible(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: The mutex was initialised by `Mutex::new`, as the existence of `self` proves.
        let ret = unsafe { ffi::guard_shim_mutex_lock_interruptible(raw(self)) };
        // SAFETY: `mutex_lock_interruptible()` returns 0 exactly when it took the lock.
        unsafe { guard_on_success(self, ret) }
    }

    #[inline]
    fn lock_killable(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: As in `lock_interruptible`.
        let ret = unsafe { ffi::guard_shim_mutex_lock_killable(raw(self)) };
        // SAFETY: `mutex_lock_killable()` returns 0 exactly when it took the lock.
        unsafe { guard_on_success(self, ret) }
    }

    #[inline]
    fn lock_nested<const SUBCLASS: u32>(&self) -> MutexGuard<'_, T> {
        const { assert!(SUBCLASS < bindings::MAX_LOCKDEP_SUBCLASSES) };
        // SAFETY: As in `lock_interruptible`; `SUBCLASS` is within lockdep's range.
        unsafe { ffi::guard_shim_mutex_lock_nested(raw(self), SUBCLASS) };
        // SAFETY: `mutex_lock_nested()` returns with the lock held.
        unsafe { Guard::new(self, ()) }
    }
}
