// SPDX-License-Identifier: GPL-2.0

//! `struct rw_semaphore`: the `rwsem_read` and `rwsem_write` guards of cleanup.h and their
//! conditional forms (`_try`, `_intr`, `_kill`), plus `downgrade_write()`.

use super::check;
use core::{
    cell::UnsafeCell,
    marker::PhantomPinned,
    mem::ManuallyDrop,
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

/// Makes a [`RwSem`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_rwsem {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::guard::RwSem::new(
            $inner,
            ::kernel::optional_name!($($name)?),
            ::kernel::static_lock_class!(),
        )
    };
}

/// A reader-writer semaphore protecting a `T`: many readers or one writer, all of whom may
/// sleep while waiting.
///
/// ```ignore
/// let sem = KBox::pin_init(new_rwsem!(0u64, "example"), GFP_KERNEL)?;
/// *sem.write() += 1;                     // guard(rwsem_write)(&sem)
/// let n = *sem.read();                   // guard(rwsem_read)(&sem)
/// let mut w = sem.write_killable()?;     // ACQUIRE(rwsem_write_kill, w)(&sem) + ACQUIRE_ERR
/// *w += 1;
/// let r = w.downgrade();                 // downgrade_write(): readers may now enter
/// ```
#[pin_data]
pub struct RwSem<T: ?Sized> {
    #[pin]
    sem: Opaque<bindings::rw_semaphore>,
    // With CONFIG_DEBUG_RWSEMS the semaphore records its own address.
    #[pin]
    _pin: PhantomPinned,
    #[pin]
    data: UnsafeCell<T>,
}

// SAFETY: The semaphore may be used from any thread; moving it moves the `T`.
unsafe impl<T: ?Sized + Send> Send for RwSem<T> {}

// SAFETY: Readers on several threads share `&T` (hence `T: Sync`); a writer on any thread gets
// `&mut T` (hence `T: Send`); the semaphore keeps readers and writers apart.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwSem<T> {}

impl<T> RwSem<T> {
    /// A semaphore named `name` in lockdep class `key`, protecting `data`.
    pub fn new(
        data: impl PinInit<T>,
        name: &'static CStr,
        key: Pin<&'static LockClassKey>,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            data <- UnsafeCell::pin_init(data),
            _pin: PhantomPinned,
            // SAFETY: `slot` is valid for writes while the closure runs; `name` and `key` are
            // static, so they outlive the semaphore.
            sem <- Opaque::ffi_init(|slot| unsafe {
                bindings::__init_rwsem(slot, name.as_char_ptr(), key.as_ptr())
            }),
        })
    }
}

impl<T: ?Sized> RwSem<T> {
    fn raw(&self) -> *mut bindings::rw_semaphore {
        self.sem.get()
    }

    /// Waits for shared access (`guard(rwsem_read)`).
    #[inline]
    pub fn read(&self) -> RwSemReadGuard<'_, T> {
        // SAFETY: `new` initialised the semaphore.
        unsafe { bindings::down_read(self.raw()) };
        // SAFETY: `down_read()` returned with the semaphore held for reading.
        unsafe { RwSemReadGuard::new(self) }
    }

    /// Shared access if no writer holds or waits for the semaphore (`rwsem_read_try`).
    #[must_use = "if unused, the semaphore is released at once"]
    #[inline]
    pub fn try_read(&self) -> Option<RwSemReadGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        let taken = unsafe { bindings::down_read_trylock(self.raw()) } != 0;
        // SAFETY: `down_read_trylock()` returned 1: the semaphore is held for reading.
        taken.then(|| unsafe { RwSemReadGuard::new(self) })
    }

    /// Waits for shared access unless a signal arrives: `EINTR` then (`rwsem_read_intr`).
    #[inline]
    pub fn read_interruptible(&self) -> Result<RwSemReadGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_read_interruptible(self.raw()) })?;
        // SAFETY: `down_read_interruptible()` returned 0: the semaphore is held for reading.
        Ok(unsafe { RwSemReadGuard::new(self) })
    }

    /// Waits for shared access unless a fatal signal arrives: `EINTR` then.
    #[inline]
    pub fn read_killable(&self) -> Result<RwSemReadGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_read_killable(self.raw()) })?;
        // SAFETY: `down_read_killable()` returned 0: the semaphore is held for reading.
        Ok(unsafe { RwSemReadGuard::new(self) })
    }

    /// Waits for exclusive access (`guard(rwsem_write)`).
    #[inline]
    pub fn write(&self) -> RwSemWriteGuard<'_, T> {
        // SAFETY: `new` initialised the semaphore.
        unsafe { bindings::down_write(self.raw()) };
        // SAFETY: `down_write()` returned with the semaphore held for writing.
        unsafe { RwSemWriteGuard::new(self) }
    }

    /// Exclusive access if nobody holds the semaphore (`rwsem_write_try`).
    #[must_use = "if unused, the semaphore is released at once"]
    #[inline]
    pub fn try_write(&self) -> Option<RwSemWriteGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        let taken = unsafe { bindings::down_write_trylock(self.raw()) } != 0;
        // SAFETY: `down_write_trylock()` returned 1: the semaphore is held for writing.
        taken.then(|| unsafe { RwSemWriteGuard::new(self) })
    }

    /// Waits for exclusive access unless a fatal signal arrives: `EINTR` then
    /// (`rwsem_write_kill`).
    #[inline]
    pub fn write_killable(&self) -> Result<RwSemWriteGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_write_killable(self.raw()) })?;
        // SAFETY: `down_write_killable()` returned 0: the semaphore is held for writing.
        Ok(unsafe { RwSemWriteGuard::new(self) })
    }

    /// Runs `f` with shared access (`scoped_guard(rwsem_read, ...) { ... }`).
    #[inline]
    pub fn with_read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.read())
    }

    /// Runs `f` with exclusive access (`scoped_guard(rwsem_write, ...) { ... }`).
    #[inline]
    pub fn with_write<R>(&self, f: impl FnOnce(&mut T) -> R) -> R
    where
        T: Unpin,
    {
        f(&mut self.write())
    }
}

/// Shared access to the data of a [`RwSem`]; `up_read()` on drop.
///
/// # Invariants
///
/// The guard's task holds `sem` for reading.
#[must_use = "the semaphore is released at once when the guard is unused"]
pub struct RwSemReadGuard<'a, T: ?Sized> {
    sem: &'a RwSem<T>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwSemReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwSemReadGuard<'a, T> {
    /// # Safety
    ///
    /// The current task holds `sem` for reading.
    unsafe fn new(sem: &'a RwSem<T>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            sem,
            _not_send: NotThreadSafe,
        }
    }
}

impl<T: ?Sized> Deref for RwSemReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: Readers only share `&T`; no writer holds the semaphore while the guard exists.
        unsafe { &*self.sem.data.get() }
    }
}

impl<T: ?Sized> Drop for RwSemReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this task holds the semaphore for reading.
        unsafe { bindings::up_read(self.sem.raw()) };
    }
}

/// Exclusive access to the data of a [`RwSem`]; `up_write()` on drop.
///
/// # Invariants
///
/// The guard's task holds `sem` for writing.
#[must_use = "the semaphore is released at once when the guard is unused"]
pub struct RwSemWriteGuard<'a, T: ?Sized> {
    sem: &'a RwSem<T>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwSemWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwSemWriteGuard<'a, T> {
    /// # Safety
    ///
    /// The current task holds `sem` for writing.
    unsafe fn new(sem: &'a RwSem<T>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            sem,
            _not_send: NotThreadSafe,
        }
    }

    /// Turns exclusive into shared access without letting another writer in between
    /// (`downgrade_write()`): waiting readers may enter at once.
    #[inline]
    pub fn downgrade(self) -> RwSemReadGuard<'a, T> {
        // The write guard must not run `up_write()`: the read guard takes over the semaphore.
        let this = ManuallyDrop::new(self);
        // SAFETY: By the type invariant this task holds the semaphore for writing.
        unsafe { bindings::downgrade_write(this.sem.raw()) };
        // SAFETY: `downgrade_write()` leaves the semaphore held for reading by this task.
        unsafe { RwSemReadGuard::new(this.sem) }
    }

    /// Pinned exclusive access, for data that must not move.
    pub fn as_mut(&mut self) -> Pin<&mut T> {
        // SAFETY: `data` is structurally pinned and the guard gives exclusive access.
        unsafe { Pin::new_unchecked(&mut *self.sem.data.get()) }
    }
}

impl<T: ?Sized> Deref for RwSemWriteGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: The writer has exclusive access.
        unsafe { &*self.sem.data.get() }
    }
}

impl<T: ?Sized + Unpin> DerefMut for RwSemWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: The writer has exclusive access; `T: Unpin`, so handing out `&mut T` cannot
        // break pinning.
        unsafe { &mut *self.sem.data.get() }
    }
}

impl<T: ?Sized> Drop for RwSemWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this task holds the semaphore for writing.
        unsafe { bindings::up_write(self.sem.raw()) };
    }
}
