// SPDX-License-Identifier: GPL-2.0

//! `struct rw_semaphore`: the `rwsem_read` and `rwsem_write` guards of cleanup.h and their
//! conditional forms (`_try`, `_intr`, `_kill`), plus `downgrade_write()`.

use super::{
    check,
    rw::{
        ReadGuard,
        ReadWriteLock,
        RwBackend,
        WriteGuard, //
    },
};
use core::mem::ManuallyDrop;
use kernel::{
    bindings,
    ffi::c_char,
    prelude::*, //
};

/// Makes a [`RwSem`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_rwsem {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::RwSem::new(
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
pub type RwSem<T> = ReadWriteLock<T, RwSemBackend>;

/// Shared access to the data of a [`RwSem`]; `up_read()` on drop.
pub type RwSemReadGuard<'a, T> = ReadGuard<'a, T, RwSemBackend>;

/// Exclusive access to the data of a [`RwSem`]; `up_write()` on drop.
pub type RwSemWriteGuard<'a, T> = WriteGuard<'a, T, RwSemBackend>;

/// `down_read()`, `down_write()` and their counterparts: exported functions, called directly.
pub struct RwSemBackend;

// SAFETY: `rw_semaphore` admits many readers or one writer between these calls.
unsafe impl RwBackend for RwSemBackend {
    type State = bindings::rw_semaphore;

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable semaphore and a name and key that live forever.
        unsafe { bindings::__init_rwsem(ptr, name, key) }
    }

    #[inline]
    unsafe fn read_lock(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { bindings::down_read(ptr) }
    }

    #[inline]
    unsafe fn read_trylock(ptr: *mut Self::State) -> bool {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { bindings::down_read_trylock(ptr) != 0 }
    }

    #[inline]
    unsafe fn read_unlock(ptr: *mut Self::State) {
        // SAFETY: The caller holds the semaphore for reading.
        unsafe { bindings::up_read(ptr) }
    }

    #[inline]
    unsafe fn write_lock(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { bindings::down_write(ptr) }
    }

    #[inline]
    unsafe fn write_trylock(ptr: *mut Self::State) -> bool {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { bindings::down_write_trylock(ptr) != 0 }
    }

    #[inline]
    unsafe fn write_unlock(ptr: *mut Self::State) {
        // SAFETY: The caller holds the semaphore for writing.
        unsafe { bindings::up_write(ptr) }
    }
}

impl<T: ?Sized> RwSem<T> {
    /// Waits for shared access unless a signal arrives: `EINTR` then (`rwsem_read_intr`).
    #[inline]
    pub fn read_interruptible(&self) -> Result<RwSemReadGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_read_interruptible(self.raw()) })?;
        // SAFETY: `down_read_interruptible()` returned 0: the semaphore is held for reading.
        Ok(unsafe { ReadGuard::new(self) })
    }

    /// Waits for shared access unless a fatal signal arrives: `EINTR` then.
    #[inline]
    pub fn read_killable(&self) -> Result<RwSemReadGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_read_killable(self.raw()) })?;
        // SAFETY: `down_read_killable()` returned 0: the semaphore is held for reading.
        Ok(unsafe { ReadGuard::new(self) })
    }

    /// Waits for exclusive access unless a fatal signal arrives: `EINTR` then
    /// (`rwsem_write_kill`).
    #[inline]
    pub fn write_killable(&self) -> Result<RwSemWriteGuard<'_, T>> {
        // SAFETY: `new` initialised the semaphore.
        check(unsafe { bindings::down_write_killable(self.raw()) })?;
        // SAFETY: `down_write_killable()` returned 0: the semaphore is held for writing.
        Ok(unsafe { WriteGuard::new(self) })
    }
}

impl<'a, T: ?Sized> RwSemWriteGuard<'a, T> {
    /// Turns exclusive into shared access without letting another writer in between
    /// (`downgrade_write()`): waiting readers may enter at once.
    #[inline]
    pub fn downgrade(self) -> RwSemReadGuard<'a, T> {
        // The write guard must not run `up_write()`: the read guard takes over the semaphore.
        let this = ManuallyDrop::new(self);
        // SAFETY: By the type invariant this task holds the semaphore for writing.
        unsafe { bindings::downgrade_write(this.lock.raw()) };
        // SAFETY: `downgrade_write()` leaves the semaphore held for reading by this task.
        unsafe { ReadGuard::new(this.lock) }
    }
}
