// SPDX-License-Identifier: GPL-2.0

//! `raw_spinlock_t` and `spin_lock_bh()` as backends of the kernel crate's `Lock`, so their
//! guards are the kernel crate's `Guard` (`guard(raw_spinlock)`, `guard(raw_spinlock_irqsave)`
//! and `guard(spinlock_bh)` in C).

use super::ffi;
use kernel::{
    bindings,
    ffi::{
        c_char,
        c_ulong, //
    },
    sync::lock::{
        Backend,
        Guard,
        Lock, //
    },
};

/// A `raw_spinlock_t`: spins even on PREEMPT_RT; holders run with preemption disabled.
///
/// Create one with [`new_raw_spinlock!`](crate::new_raw_spinlock); take it with `lock()` or
/// `try_lock()`, or with interrupts saved and disabled through [`RawSpinLockExt`].
pub type RawSpinLock<T> = Lock<T, RawSpinLockBackend>;

/// Guard of a [`RawSpinLock`].
pub type RawSpinLockGuard<'a, T> = Guard<'a, T, RawSpinLockBackend>;

/// Guard of a [`RawSpinLock`] taken with [`RawSpinLockExt::lock_irqsave`].
pub type RawSpinLockIrqSaveGuard<'a, T> = Guard<'a, T, RawSpinLockIrqSaveBackend>;

/// Makes a [`RawSpinLock`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_raw_spinlock {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::RawSpinLock::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
        )
    };
}

/// `lockdep_assert_held()` of a raw spinlock, which `Guard::new` calls on every lock. Without
/// lockdep it is empty: skip the call then, which Rust cannot inline, instead of paying for it.
///
/// # Safety
///
/// `ptr` is an initialised raw spinlock.
#[inline]
unsafe fn assert_raw_held(ptr: *mut bindings::raw_spinlock_t) {
    if cfg!(CONFIG_LOCKDEP) {
        // SAFETY: Guaranteed by the caller.
        unsafe { ffi::guard_shim_raw_spin_assert_held(ptr) }
    }
}

/// `raw_spin_lock()` and `raw_spin_unlock()`.
pub struct RawSpinLockBackend;

// SAFETY: `raw_spin_lock()` gives one CPU at a time ownership until `raw_spin_unlock()`, and the
// default `relock` takes the lock the same way.
unsafe impl Backend for RawSpinLockBackend {
    type State = bindings::raw_spinlock_t;
    type GuardState = ();

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable lock and a name and key that live forever.
        unsafe { ffi::guard_shim_raw_spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_raw_spin_lock(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: The caller guarantees `init` was called.
        (unsafe { ffi::guard_shim_raw_spin_trylock(ptr) } != 0).then_some(())
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the lock.
        unsafe { ffi::guard_shim_raw_spin_unlock(ptr) }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { assert_raw_held(ptr) }
    }
}

/// `raw_spin_lock_irqsave()` and `raw_spin_unlock_irqrestore()`; the guard keeps the flags.
pub struct RawSpinLockIrqSaveBackend;

// SAFETY: As for `RawSpinLockBackend`; `relock` (the default) saves the interrupt state anew.
unsafe impl Backend for RawSpinLockIrqSaveBackend {
    type State = bindings::raw_spinlock_t;
    type GuardState = c_ulong;

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable lock and a name and key that live forever.
        unsafe { ffi::guard_shim_raw_spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_raw_spin_lock_irqsave(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let mut flags: c_ulong = 0;
        // SAFETY: The caller guarantees `init` was called; `flags` is writable.
        let taken = unsafe { ffi::guard_shim_raw_spin_trylock_irqsave(ptr, &mut flags) } != 0;
        taken.then_some(flags)
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, flags: &Self::GuardState) {
        // SAFETY: The caller owns the lock and `flags` came from taking it on this CPU.
        unsafe { ffi::guard_shim_raw_spin_unlock_irqrestore(ptr, *flags) }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { assert_raw_held(ptr) }
    }
}

/// Taking a [`RawSpinLock`] with local interrupts saved and disabled.
pub trait RawSpinLockExt<T: ?Sized> {
    /// Saves and disables local interrupts and takes the lock; the guard releases the lock and
    /// restores the interrupt state (`guard(raw_spinlock_irqsave)` in C).
    fn lock_irqsave(&self) -> RawSpinLockIrqSaveGuard<'_, T>;

    /// Like [`lock_irqsave`](Self::lock_irqsave), but gives up at once when the lock is held,
    /// leaving the interrupt state as it was.
    fn try_lock_irqsave(&self) -> Option<RawSpinLockIrqSaveGuard<'_, T>>;
}

impl<T: ?Sized> RawSpinLockExt<T> for RawSpinLock<T> {
    #[inline]
    fn lock_irqsave(&self) -> RawSpinLockIrqSaveGuard<'_, T> {
        // SAFETY: Both backends have `raw_spinlock_t` as their state and differ only in how they
        // take it; `Lock` is `#[repr(C)]`, so the two lock types have the same layout. The kernel
        // crate's `SpinLockIrq::lock_with` makes the same conversion.
        let irqsave: &Lock<T, RawSpinLockIrqSaveBackend> = unsafe { core::mem::transmute(self) };
        irqsave.lock()
    }

    #[inline]
    fn try_lock_irqsave(&self) -> Option<RawSpinLockIrqSaveGuard<'_, T>> {
        // SAFETY: As in `lock_irqsave`.
        let irqsave: &Lock<T, RawSpinLockIrqSaveBackend> = unsafe { core::mem::transmute(self) };
        irqsave.try_lock()
    }
}

/// A `spinlock_t` taken with bottom halves (softirqs) disabled on this CPU, for data shared
/// with softirq context (`guard(spinlock_bh)` in C).
pub type SpinLockBh<T> = Lock<T, SpinLockBhBackend>;

/// Guard of a [`SpinLockBh`].
pub type SpinLockBhGuard<'a, T> = Guard<'a, T, SpinLockBhBackend>;

/// Makes a [`SpinLockBh`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::SpinLockBh::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
        )
    };
}

/// `spin_lock_bh()` and `spin_unlock_bh()`.
pub struct SpinLockBhBackend;

// SAFETY: `spin_lock_bh()` gives one CPU at a time ownership until `spin_unlock_bh()`, and the
// default `relock` takes the lock the same way.
unsafe impl Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable lock and a name and key that live forever.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_spin_lock_bh(ptr) }
    }

    #[inline]
    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: The caller guarantees `init` was called.
        (unsafe { ffi::guard_shim_spin_trylock_bh(ptr) } != 0).then_some(())
    }

    #[inline]
    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the lock.
        unsafe { ffi::guard_shim_spin_unlock_bh(ptr) }
    }

    #[inline]
    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // As in `assert_raw_held`: the assertion is empty without lockdep.
        if cfg!(CONFIG_LOCKDEP) {
            // SAFETY: The caller guarantees `init` was called.
            unsafe { bindings::spin_assert_is_held(ptr) }
        }
    }
}
