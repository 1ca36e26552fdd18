// SPDX-License-Identifier: GPL-2.0

//! `rwlock_t`: the `read_lock` and `write_lock` guards of cleanup.h, plus the trylocks.

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
    types::{
        NotThreadSafe,
        Opaque, //
    },
};
use pin_init::Wrapper as _;

/// Makes a [`RwLock`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_rwlock {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::guard::RwLock::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
        )
    };
}

/// A spinning reader-writer lock protecting a `T`: many readers or one writer, all running
/// with preemption disabled while they hold it.
///
/// ```ignore
/// let table = KBox::pin_init(new_rwlock!([0u32; 4], "table"), GFP_KERNEL)?;
/// table.write()[0] = 7;                  // guard(write_lock)(&table)
/// let first = table.with_read(|t| t[0]); // scoped_guard(read_lock, &table) { ... }
/// ```
#[pin_data]
pub struct RwLock<T: ?Sized> {
    #[pin]
    lock: Opaque<bindings::rwlock_t>,
    // Lock words are not moved once initialised, as in the kernel crate's `Lock`.
    #[pin]
    _pin: PhantomPinned,
    #[pin]
    data: UnsafeCell<T>,
}

// SAFETY: The lock may be used from any thread; moving it moves the `T`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

// SAFETY: Readers on several CPUs share `&T` (hence `T: Sync`); a writer on any CPU gets
// `&mut T` (hence `T: Send`); the lock keeps readers and writers apart.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A lock named `name` in lockdep class `key`, protecting `data`.
    pub fn new(
        data: impl PinInit<T>,
        name: &'static CStr,
        key: Pin<&'static LockClassKey>,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            data <- UnsafeCell::pin_init(data),
            _pin: PhantomPinned,
            // SAFETY: `slot` is valid for writes while the closure runs; `name` and `key` are
            // static, so they outlive the lock.
            lock <- Opaque::ffi_init(|slot| unsafe {
                ffi::guard_shim_rwlock_init(slot, name.as_char_ptr(), key.as_ptr())
            }),
        })
    }
}

impl<T: ?Sized> RwLock<T> {
    fn raw(&self) -> *mut bindings::rwlock_t {
        self.lock.get()
    }

    /// Spins for shared access (`guard(read_lock)`).
    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        // SAFETY: `new` initialised the lock.
        unsafe { ffi::guard_shim_read_lock(self.raw()) };
        // SAFETY: `read_lock()` returned with the lock held for reading.
        unsafe { RwLockReadGuard::new(self) }
    }

    /// Shared access if no writer holds the lock.
    #[must_use = "if unused, the lock is released at once"]
    #[inline]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        // SAFETY: `new` initialised the lock.
        let taken = unsafe { ffi::guard_shim_read_trylock(self.raw()) } != 0;
        // SAFETY: `read_trylock()` returned 1: the lock is held for reading.
        taken.then(|| unsafe { RwLockReadGuard::new(self) })
    }

    /// Spins for exclusive access (`guard(write_lock)`).
    #[inline]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        // SAFETY: `new` initialised the lock.
        unsafe { ffi::guard_shim_write_lock(self.raw()) };
        // SAFETY: `write_lock()` returned with the lock held for writing.
        unsafe { RwLockWriteGuard::new(self) }
    }

    /// Exclusive access if nobody holds the lock.
    #[must_use = "if unused, the lock is released at once"]
    #[inline]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        // SAFETY: `new` initialised the lock.
        let taken = unsafe { ffi::guard_shim_write_trylock(self.raw()) } != 0;
        // SAFETY: `write_trylock()` returned 1: the lock is held for writing.
        taken.then(|| unsafe { RwLockWriteGuard::new(self) })
    }

    /// Runs `f` with shared access (`scoped_guard(read_lock, ...) { ... }`).
    #[inline]
    pub fn with_read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.read())
    }

    /// Runs `f` with exclusive access (`scoped_guard(write_lock, ...) { ... }`).
    #[inline]
    pub fn with_write<R>(&self, f: impl FnOnce(&mut T) -> R) -> R
    where
        T: Unpin,
    {
        f(&mut self.write())
    }
}

/// Shared access to the data of a [`RwLock`]; `read_unlock()` on drop.
///
/// # Invariants
///
/// The guard's CPU holds `lock` for reading.
#[must_use = "the lock is released at once when the guard is unused"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// # Safety
    ///
    /// The current CPU holds `lock` for reading.
    unsafe fn new(lock: &'a RwLock<T>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            lock,
            _not_send: NotThreadSafe,
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: Readers only share `&T`; no writer holds the lock while the guard exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this CPU holds the lock for reading.
        unsafe { ffi::guard_shim_read_unlock(self.lock.raw()) };
    }
}

/// Exclusive access to the data of a [`RwLock`]; `write_unlock()` on drop.
///
/// # Invariants
///
/// The guard's CPU holds `lock` for writing.
#[must_use = "the lock is released at once when the guard is unused"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// # Safety
    ///
    /// The current CPU holds `lock` for writing.
    unsafe fn new(lock: &'a RwLock<T>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            lock,
            _not_send: NotThreadSafe,
        }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: The writer has exclusive access.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized + Unpin> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: The writer has exclusive access; `T: Unpin`, so handing out `&mut T` cannot
        // break pinning.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this CPU holds the lock for writing.
        unsafe { ffi::guard_shim_write_unlock(self.lock.raw()) };
    }
}
