// SPDX-License-Identifier: GPL-2.0

//! `raw_spinlock_t` and `spin_lock_bh()` as backends of the kernel crate's `Lock`, so their
//! guards are the kernel crate's `Guard` (`guard(raw_spinlock)` and `guard(spinlock_bh)` in C),
//! and `guard(raw_spinlock_irqsave)`: that guard and the interrupt state saved before it.

use super::{
    context::{
        local_irq_save,
        IrqSaveGuard, //
    },
    ffi,
};
use core::ops::{
    Deref,
    DerefMut, //
};
use kernel::{
    bindings,
    ffi::c_char,
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
        let irq = local_irq_save();
        RawSpinLockIrqSaveGuard {
            guard: self.lock(),
            _irq: irq,
        }
    }

    #[inline]
    fn try_lock_irqsave(&self) -> Option<RawSpinLockIrqSaveGuard<'_, T>> {
        // On failure `irq` drops here: the interrupt state is restored.
        let irq = local_irq_save();
        Some(RawSpinLockIrqSaveGuard {
            guard: self.try_lock()?,
            _irq: irq,
        })
    }
}

/// Guard of a [`RawSpinLock`] taken with [`RawSpinLockExt::lock_irqsave`]: the lock's guard,
/// then the interrupt state saved before it was taken.
///
/// `raw_spin_lock_irqsave()` is `local_irq_save()` then `raw_spin_lock()`, and so is this
/// guard. On drop the lock is released, then interrupts are restored; C restores them before the
/// `preempt_enable()` of the unlock, this guard after it, so a reschedule that became due while
/// the lock was held waits for the next preemption point instead of happening at the unlock.
pub struct RawSpinLockIrqSaveGuard<'a, T: ?Sized> {
    // Fields drop in order: the lock, then the interrupt state.
    guard: RawSpinLockGuard<'a, T>,
    _irq: IrqSaveGuard,
}

impl<T: ?Sized> Deref for RawSpinLockIrqSaveGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for RawSpinLockIrqSaveGuard<'_, T>
where
    T: Unpin,
{
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
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
