// SPDX-License-Identifier: GPL-2.0

//! Reader-writer locks: one type and one pair of guards for every kernel lock with a shared
//! and an exclusive side, as the kernel crate's `Lock` and `Backend` are for exclusive locks.

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
    ffi::c_char,
    prelude::*,
    sync::LockClassKey,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};
use pin_init::Wrapper as _;

/// The kernel lock behind a [`ReadWriteLock`].
///
/// # Safety
///
/// - Between `read_lock` (or a `read_trylock` that returned true) and `read_unlock` no writer
///   holds the lock; between `write_lock` (or a successful `write_trylock`) and `write_unlock`
///   nobody else holds it.
/// - `init` leaves the lock ready for the other functions.
pub unsafe trait RwBackend {
    /// The C lock.
    type State;

    /// Initialises the lock with a name and a lockdep class.
    ///
    /// # Safety
    ///
    /// `ptr` is valid for writes; `name` and `key` are valid forever.
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key);

    /// Waits for shared access.
    ///
    /// # Safety
    ///
    /// `ptr` was initialised with `init`.
    unsafe fn read_lock(ptr: *mut Self::State);

    /// Takes shared access if no writer holds the lock; true if it did.
    ///
    /// # Safety
    ///
    /// `ptr` was initialised with `init`.
    unsafe fn read_trylock(ptr: *mut Self::State) -> bool;

    /// Gives up shared access.
    ///
    /// # Safety
    ///
    /// The caller holds the lock for reading.
    unsafe fn read_unlock(ptr: *mut Self::State);

    /// Waits for exclusive access.
    ///
    /// # Safety
    ///
    /// `ptr` was initialised with `init`.
    unsafe fn write_lock(ptr: *mut Self::State);

    /// Takes exclusive access if nobody holds the lock; true if it did.
    ///
    /// # Safety
    ///
    /// `ptr` was initialised with `init`.
    unsafe fn write_trylock(ptr: *mut Self::State) -> bool;

    /// Gives up exclusive access.
    ///
    /// # Safety
    ///
    /// The caller holds the lock for writing.
    unsafe fn write_unlock(ptr: *mut Self::State);
}

/// A reader-writer lock protecting a `T`: many readers or one writer. Readers get `&T`
/// through a [`ReadGuard`], a writer `&mut T` through a [`WriteGuard`].
#[pin_data]
pub struct ReadWriteLock<T: ?Sized, B: RwBackend> {
    #[pin]
    state: Opaque<B::State>,
    // Kernel locks may point at themselves (lockdep, CONFIG_DEBUG_RWSEMS): never moved.
    #[pin]
    _pin: PhantomPinned,
    #[pin]
    data: UnsafeCell<T>,
}

// SAFETY: The lock may be used from any thread; moving it moves the `T`.
unsafe impl<T: ?Sized + Send, B: RwBackend> Send for ReadWriteLock<T, B> {}

// SAFETY: Readers on several threads share `&T` (hence `T: Sync`); a writer on any thread gets
// `&mut T` (hence `T: Send`); the backend keeps readers and writers apart.
unsafe impl<T: ?Sized + Send + Sync, B: RwBackend> Sync for ReadWriteLock<T, B> {}

impl<T, B: RwBackend> ReadWriteLock<T, B> {
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
            state <- Opaque::ffi_init(|slot| unsafe {
                B::init(slot, name.as_char_ptr(), key.as_ptr())
            }),
        })
    }
}

impl<T: ?Sized, B: RwBackend> ReadWriteLock<T, B> {
    pub(super) fn raw(&self) -> *mut B::State {
        self.state.get()
    }

    /// Waits for shared access (`guard(rwsem_read)`, `guard(read_lock)`).
    #[inline]
    pub fn read(&self) -> ReadGuard<'_, T, B> {
        // SAFETY: `new` initialised the lock.
        unsafe { B::read_lock(self.raw()) };
        // SAFETY: The lock is held for reading.
        unsafe { ReadGuard::new(self) }
    }

    /// Shared access if no writer holds the lock (`rwsem_read_try`).
    #[must_use = "if unused, the lock is released at once"]
    #[inline]
    pub fn try_read(&self) -> Option<ReadGuard<'_, T, B>> {
        // SAFETY: `new` initialised the lock.
        let taken = unsafe { B::read_trylock(self.raw()) };
        // SAFETY: The trylock succeeded: the lock is held for reading.
        taken.then(|| unsafe { ReadGuard::new(self) })
    }

    /// Waits for exclusive access (`guard(rwsem_write)`, `guard(write_lock)`).
    #[inline]
    pub fn write(&self) -> WriteGuard<'_, T, B> {
        // SAFETY: `new` initialised the lock.
        unsafe { B::write_lock(self.raw()) };
        // SAFETY: The lock is held for writing.
        unsafe { WriteGuard::new(self) }
    }

    /// Exclusive access if nobody holds the lock (`rwsem_write_try`).
    #[must_use = "if unused, the lock is released at once"]
    #[inline]
    pub fn try_write(&self) -> Option<WriteGuard<'_, T, B>> {
        // SAFETY: `new` initialised the lock.
        let taken = unsafe { B::write_trylock(self.raw()) };
        // SAFETY: The trylock succeeded: the lock is held for writing.
        taken.then(|| unsafe { WriteGuard::new(self) })
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

/// Shared access to the data of a [`ReadWriteLock`]; released on drop.
///
/// # Invariants
///
/// The guard's task (or CPU, for spinning locks) holds `lock` for reading.
#[must_use = "the lock is released at once when the guard is unused"]
pub struct ReadGuard<'a, T: ?Sized, B: RwBackend> {
    pub(super) lock: &'a ReadWriteLock<T, B>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync, B: RwBackend> Sync for ReadGuard<'_, T, B> {}

impl<'a, T: ?Sized, B: RwBackend> ReadGuard<'a, T, B> {
    /// # Safety
    ///
    /// The current task holds `lock` for reading.
    pub(super) unsafe fn new(lock: &'a ReadWriteLock<T, B>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            lock,
            _not_send: NotThreadSafe,
        }
    }
}

impl<T: ?Sized, B: RwBackend> Deref for ReadGuard<'_, T, B> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: Readers only share `&T`; no writer holds the lock while the guard exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, B: RwBackend> Drop for ReadGuard<'_, T, B> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant the lock is held for reading.
        unsafe { B::read_unlock(self.lock.raw()) };
    }
}

/// Exclusive access to the data of a [`ReadWriteLock`]; released on drop.
///
/// # Invariants
///
/// The guard's task (or CPU, for spinning locks) holds `lock` for writing.
#[must_use = "the lock is released at once when the guard is unused"]
pub struct WriteGuard<'a, T: ?Sized, B: RwBackend> {
    pub(super) lock: &'a ReadWriteLock<T, B>,
    _not_send: NotThreadSafe,
}

// SAFETY: Sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Sync, B: RwBackend> Sync for WriteGuard<'_, T, B> {}

impl<'a, T: ?Sized, B: RwBackend> WriteGuard<'a, T, B> {
    /// # Safety
    ///
    /// The current task holds `lock` for writing.
    pub(super) unsafe fn new(lock: &'a ReadWriteLock<T, B>) -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            lock,
            _not_send: NotThreadSafe,
        }
    }

    /// Pinned exclusive access, for data that must not move.
    pub fn as_mut(&mut self) -> Pin<&mut T> {
        // SAFETY: `data` is structurally pinned and the guard gives exclusive access.
        unsafe { Pin::new_unchecked(&mut *self.lock.data.get()) }
    }
}

impl<T: ?Sized, B: RwBackend> Deref for WriteGuard<'_, T, B> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: The writer has exclusive access.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized + Unpin, B: RwBackend> DerefMut for WriteGuard<'_, T, B> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: The writer has exclusive access; `T: Unpin`, so handing out `&mut T` cannot
        // break pinning.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, B: RwBackend> Drop for WriteGuard<'_, T, B> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant the lock is held for writing.
        unsafe { B::write_unlock(self.lock.raw()) };
    }
}
