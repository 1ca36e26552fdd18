// SPDX-License-Identifier: GPL-2.0

//! What cleanup.h has for `struct mutex` beyond the kernel crate's `lock()` and `try_lock()`:
//! `mutex_intr` and `mutex_kill` conditional guards, and `mutex_lock_nested()`; and a mutex
//! backend whose guard costs what C's does.

use super::{
    check,
    ffi, //
};
use kernel::{
    bindings,
    ffi::c_char,
    prelude::*,
    sync::lock::{
        self,
        Backend,
        Guard,
        Lock, //
    },
};

/// A `struct mutex`, the kernel crate's `Mutex` with one difference: its guard skips the
/// lockdep assertion the crate's makes on every lock when lockdep is off, where the assertion is
/// empty but still an out-of-line call from Rust (see Documentation/rkm_guard.rst, "What the
/// Rust guard costs"). [`MutexExt`] works on both.
///
/// ```ignore
/// let m = KBox::pin_init(new_guard_mutex!(0u32, "example"), GFP_KERNEL)?;
/// *m.lock() += 1;                        // guard(mutex)(&m)
/// *m.lock_interruptible()? += 1;         // ACQUIRE(mutex_intr, g)(&m) + ACQUIRE_ERR
/// ```
pub type Mutex<T> = Lock<T, MutexBackend>;

/// Guard of a [`Mutex`]; `mutex_unlock()` on drop.
pub type MutexGuard<'a, T> = Guard<'a, T, MutexBackend>;

/// Makes a [`Mutex`] with a lockdep class of its own; the name defaults to the call site. (Not
/// `new_mutex!`, which is the kernel crate's.)
#[macro_export]
macro_rules! new_guard_mutex {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::Mutex::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
        )
    };
}

/// `mutex_lock()` and `mutex_unlock()`, as the kernel crate's `MutexBackend` calls them.
pub struct MutexBackend;

// SAFETY: `struct mutex` gives one task at a time ownership from `mutex_lock()` (or a successful
// `mutex_trylock()`) until `mutex_unlock()`; the default `relock` locks the same way.
unsafe impl Backend for MutexBackend {
    type State = bindings::mutex;
    type GuardState = ();

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable mutex and a name and key that live forever.
        unsafe { bindings::__mutex_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { bindings::mutex_lock(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: The caller guarantees `init` was called.
        (unsafe { bindings::mutex_trylock(ptr) } != 0).then_some(())
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the mutex.
        unsafe { bindings::mutex_unlock(ptr) }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        if cfg!(CONFIG_LOCKDEP) {
            // SAFETY: The caller guarantees `init` was called.
            unsafe { bindings::mutex_assert_is_held(ptr) }
        }
    }
}

/// The backends of a `struct mutex`: the kernel crate's and [`MutexBackend`].
///
/// # Safety
///
/// The backend's `lock` takes the mutex the way `mutex_lock()` does and its `unlock` is
/// `mutex_unlock()`, so a mutex taken by any other `mutex_lock*()` may be released by its guard.
pub unsafe trait MutexKind: Backend<State = bindings::mutex, GuardState = ()> {}

// SAFETY: The kernel crate's mutex backend calls `mutex_lock()` and `mutex_unlock()`.
unsafe impl MutexKind for lock::mutex::MutexBackend {}

// SAFETY: See `MutexBackend`'s `Backend` implementation.
unsafe impl MutexKind for MutexBackend {}

/// Interruptible, killable and nested locking of the kernel crate's `Mutex` and of [`Mutex`].
///
/// Each returns the lock's own [`Guard`] (for the kernel crate's `Mutex`, its `MutexGuard`), so a
/// guard from here works wherever one from `lock()` does (condition variables, `LockedBy`).
pub trait MutexExt<T: ?Sized, B: MutexKind> {
    /// Locks, giving up with `EINTR` when a signal is pending while waiting
    /// (`ACQUIRE(mutex_intr, ...)` in C). On error no guard exists.
    fn lock_interruptible(&self) -> Result<Guard<'_, T, B>>;

    /// Locks, giving up with `EINTR` only when a fatal signal is pending while waiting
    /// (`ACQUIRE(mutex_kill, ...)` in C).
    fn lock_killable(&self) -> Result<Guard<'_, T, B>>;

    /// Locks as lockdep subclass `SUBCLASS` (`mutex_lock_nested()`), for taking two mutexes of
    /// one class in a fixed order, such as parent and child. `SUBCLASS` must be below
    /// lockdep's limit of 8; a larger one does not compile.
    fn lock_nested<const SUBCLASS: u32>(&self) -> Guard<'_, T, B>;
}

/// The `struct mutex` of `lock`.
fn raw<T: ?Sized, B: MutexKind>(lock: &Lock<T, B>) -> *mut bindings::mutex {
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
unsafe fn guard_on_success<T: ?Sized, B: MutexKind>(
    lock: &Lock<T, B>,
    ret: i32,
) -> Result<Guard<'_, T, B>> {
    check(ret)?;
    // SAFETY: `ret` is zero, so by the function's requirement the caller owns the lock.
    Ok(unsafe { Guard::new(lock, ()) })
}

impl<T: ?Sized, B: MutexKind> MutexExt<T, B> for Lock<T, B> {
    #[inline]
    fn lock_interruptible(&self) -> Result<Guard<'_, T, B>> {
        // SAFETY: The mutex was initialised by `Mutex::new`, as the existence of `self` proves.
        let ret = unsafe { ffi::guard_shim_mutex_lock_interruptible(raw(self)) };
        // SAFETY: `mutex_lock_interruptible()` returns 0 exactly when it took the lock.
        unsafe { guard_on_success(self, ret) }
    }

    #[inline]
    fn lock_killable(&self) -> Result<Guard<'_, T, B>> {
        // SAFETY: As in `lock_interruptible`.
        let ret = unsafe { ffi::guard_shim_mutex_lock_killable(raw(self)) };
        // SAFETY: `mutex_lock_killable()` returns 0 exactly when it took the lock.
        unsafe { guard_on_success(self, ret) }
    }

    #[inline]
    fn lock_nested<const SUBCLASS: u32>(&self) -> Guard<'_, T, B> {
        const { assert!(SUBCLASS < bindings::MAX_LOCKDEP_SUBCLASSES) };
        // SAFETY: As in `lock_interruptible`; `SUBCLASS` is within lockdep's range.
        unsafe { ffi::guard_shim_mutex_lock_nested(raw(self), SUBCLASS) };
        // SAFETY: `mutex_lock_nested()` returns with the lock held.
        unsafe { Guard::new(self, ()) }
    }
}
