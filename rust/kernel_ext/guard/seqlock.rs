// SPDX-License-Identifier: GPL-2.0

//! `seqlock_t`: writers serialise on its spinlock and bump a sequence count; readers take no
//! lock and start over when a write overlapped their read (`read_seqbegin()`/`read_seqretry()`,
//! `scoped_seqlock_read()` in C).

use super::ffi;
use core::{
    cell::UnsafeCell,
    marker::PhantomPinned,
    ops::{
        Deref,
        DerefMut, //
    },
    pin::Pin, //
};
use kernel::{
    bindings,
    prelude::*,
    sync::LockClassKey,
    transmute::FromBytes,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};

/// Makes a [`SeqLock`] with lockdep classes of its own (one for the writers' spinlock, one for
/// the sequence count); the name defaults to the call site.
#[macro_export]
macro_rules! new_seqlock {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::SeqLock::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
            ::kernel::static_lock_class!(),
        )
    };
}

/// A sequence lock protecting a small `T` that readers copy.
///
/// Readers never block writers: a reader copies the value, and copies again if a write ran
/// meanwhile. A copy taken during a write may be torn, which is why `T` must be [`FromBytes`]
/// (any bytes are a valid `T`) and [`Copy`]; torn copies are thrown away, never returned.
///
/// ```ignore
/// let clock = KBox::pin_init(new_seqlock!([0u64; 2], "clock"), GFP_KERNEL)?;
/// clock.with_write(|c| { c[0] += 1; c[1] += 1; });   // write_seqlock() ... write_sequnlock()
/// let [a, b] = clock.read(|c| *c);                   // always a == b
/// ```
#[pin_data]
pub struct SeqLock<T> {
    #[pin]
    lock: Opaque<bindings::seqlock_t>,
    // The sequence count points at the embedded spinlock (for lockdep).
    #[pin]
    _pin: PhantomPinned,
    data: UnsafeCell<T>,
}

// SAFETY: The lock may be used from any thread; moving it moves the `T`.
unsafe impl<T: Send> Send for SeqLock<T> {}

// SAFETY: Writers on any CPU get `&mut T` (`T: Send`); readers get copies, made while a writer
// may be writing, which `T: FromBytes` makes harmless (any bytes are a valid `T`).
unsafe impl<T: Send + FromBytes> Sync for SeqLock<T> {}

impl<T: FromBytes + Copy> SeqLock<T> {
    /// A lock named `name`, its spinlock in lockdep class `lock_key` and its sequence count in
    /// `seq_key`, protecting `data`.
    pub fn new(
        data: T,
        name: &'static CStr,
        lock_key: Pin<&'static LockClassKey>,
        seq_key: Pin<&'static LockClassKey>,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            data: UnsafeCell::new(data),
            _pin: PhantomPinned,
            // SAFETY: `slot` is valid for writes while the closure runs; `name` and the keys
            // are static, so they outlive the lock.
            lock <- Opaque::ffi_init(|slot| unsafe {
                ffi::guard_shim_seqlock_init(
                    slot,
                    name.as_char_ptr(),
                    lock_key.as_ptr(),
                    seq_key.as_ptr(),
                )
            }),
        })
    }

    fn raw(&self) -> *mut bindings::seqlock_t {
        self.lock.get()
    }

    /// Runs `f` on a copy of the value, over again until no write overlapped the copy or `f`,
    /// and returns what that run of `f` returned.
    ///
    /// `f` may run more than once, and the runs a write overlapped may see a torn value:
    /// compute from the copy, act on the result.
    #[inline]
    pub fn read<R>(&self, mut f: impl FnMut(&T) -> R) -> R {
        loop {
            // SAFETY: `new` initialised the lock.
            let start = unsafe { ffi::guard_shim_read_seqbegin(self.raw()) };
            // SAFETY: `data` is valid for reads. A writer may be changing it; the volatile read
            // then yields some bytes, a valid `T` by `T: FromBytes`, which the retry check
            // below throws away.
            let copy = unsafe { core::ptr::read_volatile(self.data.get()) };
            let result = f(&copy);
            // SAFETY: `start` came from `read_seqbegin()` on this lock.
            if !unsafe { ffi::guard_shim_read_seqretry(self.raw(), start) } {
                return result;
            }
        }
    }

    /// Waits for the writers' spinlock and opens a write section (`write_seqlock()`): readers
    /// that overlap it will retry.
    #[inline]
    pub fn write(&self) -> SeqLockWriteGuard<'_, T> {
        // SAFETY: `new` initialised the lock.
        unsafe { ffi::guard_shim_write_seqlock(self.raw()) };
        // INVARIANT: `write_seqlock()` returned with the write section open.
        SeqLockWriteGuard {
            lock: self,
            _not_send: NotThreadSafe,
        }
    }

    /// Runs `f` in a write section.
    #[inline]
    pub fn with_write<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.write())
    }
}

/// An open write section of a [`SeqLock`]; `write_sequnlock()` on drop.
///
/// # Invariants
///
/// The guard's CPU holds `lock`'s spinlock and has bumped its sequence count to odd.
#[must_use = "the write section closes at once when the guard is unused"]
pub struct SeqLockWriteGuard<'a, T: FromBytes + Copy> {
    lock: &'a SeqLock<T>,
    _not_send: NotThreadSafe,
}

impl<T: FromBytes + Copy> Deref for SeqLockWriteGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: Writers are serialised; readers only copy.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: FromBytes + Copy> DerefMut for SeqLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: Writers are serialised by the spinlock, so this is the only writer; readers
        // only copy, and discard what they copied during this section.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: FromBytes + Copy> Drop for SeqLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this CPU opened the write section.
        unsafe { ffi::guard_shim_write_sequnlock(self.lock.raw()) };
    }
}
