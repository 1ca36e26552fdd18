// SPDX-License-Identifier: GPL-2.0

//! `rwlock_t`: the `read_lock` and `write_lock` guards of cleanup.h, plus the trylocks.

use super::{
    ffi,
    rw::{
        ReadGuard,
        ReadWriteLock,
        RwBackend,
        WriteGuard, //
    },
};
use kernel::{
    bindings,
    ffi::c_char, //
};

/// Makes a [`RwLock`] with a lockdep class of its own; the name defaults to the call site.
#[macro_export]
macro_rules! new_rwlock {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::kernel_ext::guard::RwLock::new(
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
pub type RwLock<T> = ReadWriteLock<T, RwLockBackend>;

/// Shared access to the data of a [`RwLock`]; `read_unlock()` on drop.
pub type RwLockReadGuard<'a, T> = ReadGuard<'a, T, RwLockBackend>;

/// Exclusive access to the data of a [`RwLock`]; `write_unlock()` on drop.
pub type RwLockWriteGuard<'a, T> = WriteGuard<'a, T, RwLockBackend>;

/// `read_lock()`, `write_lock()` and their counterparts: macros, through the C shim.
pub struct RwLockBackend;

// SAFETY: `rwlock_t` admits many readers or one writer between these calls.
unsafe impl RwBackend for RwLockBackend {
    type State = bindings::rwlock_t;

    #[inline]
    unsafe fn init(ptr: *mut Self::State, name: *const c_char, key: *mut bindings::lock_class_key) {
        // SAFETY: The caller passes a writable lock and a name and key that live forever.
        unsafe { ffi::guard_shim_rwlock_init(ptr, name, key) }
    }

    #[inline]
    unsafe fn read_lock(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_read_lock(ptr) }
    }

    #[inline]
    unsafe fn read_trylock(ptr: *mut Self::State) -> bool {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_read_trylock(ptr) != 0 }
    }

    #[inline]
    unsafe fn read_unlock(ptr: *mut Self::State) {
        // SAFETY: The caller holds the lock for reading.
        unsafe { ffi::guard_shim_read_unlock(ptr) }
    }

    #[inline]
    unsafe fn write_lock(ptr: *mut Self::State) {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_write_lock(ptr) }
    }

    #[inline]
    unsafe fn write_trylock(ptr: *mut Self::State) -> bool {
        // SAFETY: The caller guarantees `init` was called.
        unsafe { ffi::guard_shim_write_trylock(ptr) != 0 }
    }

    #[inline]
    unsafe fn write_unlock(ptr: *mut Self::State) {
        // SAFETY: The caller holds the lock for writing.
        unsafe { ffi::guard_shim_write_unlock(ptr) }
    }
}
