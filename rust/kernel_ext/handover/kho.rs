// SPDX-License-Identifier: GPL-2.0

//! Thin glue over Kexec HandOver and the page allocator: every C call of
//! the handover part is here.
//!
//! The C functions come from the part's generated bindings
//! (`handover_bindings.h`), the static inlines from `handover_shim.c`.

use core::{
    ptr::NonNull,
    slice, //
};

use kernel::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    page::PAGE_SHIFT,
    prelude::*, //
};

use super::ffi;

use super::format::PhysSpace;

/// Largest folio order the page allocator (and `kho_alloc_preserve()`)
/// hands out.
pub(super) const MAX_ORDER: u32 = bindings::MAX_PAGE_ORDER;

/// Returns whether the kernel was booted with `kho=on`.
pub(super) fn enabled() -> bool {
    // SAFETY: Reads a flag set during early boot; no preconditions.
    unsafe { ffi::kho_is_enabled() }
}

/// Returns whether this kernel was started by a kexec that handed state
/// over.
pub(super) fn boot() -> bool {
    // SAFETY: Reads the address of the incoming KHO tree, fixed after early
    // boot; no preconditions.
    unsafe { ffi::is_kho_boot() }
}

/// Returns the physical memory of the running kernel, where every segment
/// it can restore lies.
pub(super) fn phys_space() -> PhysSpace {
    PhysSpace {
        page_shift: PAGE_SHIFT as u32,
        // SAFETY: Reads `high_memory`, set during boot; no preconditions.
        limit: unsafe { ffi::rkm_ho_phys_limit() },
    }
}

/// A folio this code holds a reference to.
///
/// # Invariants
///
/// `0` points to a folio with an elevated reference count owned by this
/// value, of order at most [`MAX_ORDER`] and in the direct map.
pub(super) struct Folio(NonNull<bindings::folio>);

// SAFETY: A folio reference may be dropped and its memory accessed from any
// thread.
unsafe impl Send for Folio {}
// SAFETY: Shared references only read the folio's memory.
unsafe impl Sync for Folio {}

impl Folio {
    /// Allocates a folio of 2^`order` pages (not zeroed).
    pub(super) fn alloc(order: u32) -> Result<Self> {
        if order > MAX_ORDER {
            return Err(EINVAL);
        }
        // SAFETY: Any order up to MAX_PAGE_ORDER may be asked for.
        let folio = unsafe { ffi::rkm_ho_folio_alloc(order) };
        // INVARIANT: A newly allocated folio holds one reference, ours.
        NonNull::new(folio).map(Self).ok_or(ENOMEM)
    }

    /// Takes over the folio the previous kernel preserved at `phys`.
    ///
    /// Returns [`None`] if KHO has no preserved folio there (after a warning
    /// of its own).
    ///
    /// # Safety
    ///
    /// `phys` must be the address of a folio the previous kernel preserved,
    /// not restored since, and no other code may restore it.
    pub(super) unsafe fn restore(phys: u64) -> Option<Self> {
        // SAFETY: The caller guarantees that the folio is preserved and not
        // restored by anyone else.
        let folio = unsafe { ffi::kho_restore_folio(phys) };
        // INVARIANT: A restored folio holds one reference, now ours.
        let folio = Self(NonNull::new(folio)?);
        if folio.order() > MAX_ORDER {
            // A folio the allocator could not have made: freed, not used.
            return None;
        }
        Some(folio)
    }

    /// Returns the physical address of the folio.
    pub(super) fn phys(&self) -> u64 {
        // SAFETY: The folio is valid by the type invariants.
        unsafe { ffi::rkm_ho_folio_phys(self.0.as_ptr()) }
    }

    /// Returns the order of the folio.
    pub(super) fn order(&self) -> u32 {
        // SAFETY: The folio is valid by the type invariants.
        unsafe { ffi::rkm_ho_folio_order(self.0.as_ptr()) }
    }

    /// Returns the size of the folio in bytes.
    pub(super) fn size(&self) -> usize {
        (1usize << PAGE_SHIFT) << self.order()
    }

    /// Returns the memory of the folio.
    pub(super) fn bytes(&self) -> &[u8] {
        // SAFETY: The folio is in the direct map and `size()` bytes long by
        // the type invariants; shared references only read it.
        unsafe {
            slice::from_raw_parts(
                ffi::rkm_ho_folio_address(self.0.as_ptr()).cast(),
                self.size(),
            )
        }
    }

    /// Returns the memory of the folio for writing.
    pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: As in `bytes()`, and `&mut self` makes this the only
        // access.
        unsafe {
            slice::from_raw_parts_mut(
                ffi::rkm_ho_folio_address(self.0.as_ptr()).cast(),
                self.size(),
            )
        }
    }

    /// Marks the folio to be handed over at kexec.
    pub(super) fn preserve(&self) -> Result {
        // SAFETY: The folio is valid by the type invariants.
        to_result(unsafe { ffi::kho_preserve_folio(self.0.as_ptr()) })
    }

    /// Undoes [`Folio::preserve`].
    pub(super) fn unpreserve(&self) {
        // SAFETY: The folio is valid by the type invariants; unpreserving a
        // folio that is not preserved does nothing.
        unsafe { ffi::kho_unpreserve_folio(self.0.as_ptr()) }
    }
}

impl Drop for Folio {
    fn drop(&mut self) {
        // SAFETY: We own one reference by the type invariants.
        unsafe { ffi::rkm_ho_folio_put(self.0.as_ptr()) }
    }
}

/// Frees the memory the previous kernel preserved at `phys`: `pages` pages
/// as one folio, or as order-0 pages. Returns whether KHO had it preserved.
///
/// # Safety
///
/// The memory must have been preserved that way by the previous kernel, not
/// restored since, and not be in use by anything.
pub(super) unsafe fn reclaim(phys: u64, pages: u64, folio: bool) -> bool {
    if folio {
        // SAFETY: The caller guarantees the folio is preserved and unused;
        // it is freed right away.
        return unsafe { Folio::restore(phys) }.is_some();
    }
    let Ok(nr_pages) = usize::try_from(pages) else {
        return false;
    };
    // SAFETY: The caller guarantees the pages are preserved and unused.
    let page = unsafe { ffi::kho_restore_pages(phys, nr_pages) };
    if page.is_null() {
        return false;
    }
    // SAFETY: `kho_restore_pages()` returned `nr_pages` order-0 pages with
    // one reference each, which we drop.
    unsafe { ffi::rkm_ho_free_restored_pages(page, nr_pages) };
    true
}

/// A zeroed, physically contiguous area allocated with
/// `kho_alloc_preserve()`: preserved across kexec until dropped.
///
/// # Invariants
///
/// `ptr` is what `kho_alloc_preserve()` returned for `len` bytes, not yet
/// freed.
pub(super) struct OutArea {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: The area is plain memory owned by this value.
unsafe impl Send for OutArea {}
// SAFETY: Shared references only read it.
unsafe impl Sync for OutArea {}

impl OutArea {
    /// Allocates and preserves an area of `len` bytes (at most 4 MiB).
    pub(super) fn alloc(len: usize) -> Result<Self> {
        // SAFETY: Any size may be asked for; too large fails with E2BIG.
        let ptr = from_err_ptr(unsafe { ffi::kho_alloc_preserve(len) })?;
        // INVARIANT: Allocated and preserved for `len` bytes.
        NonNull::new(ptr.cast())
            .map(|ptr| Self { ptr, len })
            .ok_or(ENOMEM)
    }

    /// Returns the area for writing.
    pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: The area is `len` bytes of memory we own by the type
        // invariants, and `&mut self` makes this the only access.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Returns the physical address of the area.
    pub(super) fn phys(&self) -> u64 {
        // SAFETY: The area is in the direct map.
        unsafe { ffi::rkm_ho_virt_to_phys(self.ptr.as_ptr().cast()) }
    }

    /// Returns the order of the folio the area was allocated as.
    pub(super) fn order(&self) -> u32 {
        // SAFETY: The area is the start of a folio.
        unsafe { ffi::rkm_ho_virt_order(self.ptr.as_ptr().cast()) }
    }
}

impl Drop for OutArea {
    fn drop(&mut self) {
        // SAFETY: Allocated with `kho_alloc_preserve()` by the type
        // invariants, and no longer published (see `Subtree`).
        unsafe { ffi::kho_unpreserve_free(self.ptr.as_ptr().cast()) }
    }
}

/// An area published as a KHO subtree: the next kernel finds it by name.
///
/// # Invariants
///
/// `blob` was added with `kho_add_subtree()` and is not removed yet.
pub(super) struct Subtree {
    blob: NonNull<u8>,
}

// SAFETY: Removing a subtree takes KHO's own lock; any thread may do it.
unsafe impl Send for Subtree {}
// SAFETY: `Subtree` has no `&self` methods.
unsafe impl Sync for Subtree {}

impl Subtree {
    /// Publishes the first `len` bytes of `area` as subtree `name`.
    ///
    /// The subtree must be dropped before `area`.
    pub(super) fn add(name: &CStr, area: &mut OutArea, len: usize) -> Result<Self> {
        if len > area.len {
            return Err(EINVAL);
        }
        // SAFETY: `name` is a valid C string (KHO copies it); the area is
        // preserved memory of at least `len` bytes.
        to_result(unsafe {
            ffi::kho_add_subtree(name.as_char_ptr(), area.ptr.as_ptr().cast(), len)
        })?;
        // INVARIANT: Just added.
        Ok(Self { blob: area.ptr })
    }
}

impl Drop for Subtree {
    fn drop(&mut self) {
        // SAFETY: Added with `kho_add_subtree()` by the type invariants.
        unsafe { ffi::kho_remove_subtree(self.blob.as_ptr().cast()) }
    }
}

/// A handover area the previous kernel left: the bytes of a KHO subtree.
///
/// The area stays reserved for the life of this kernel (it is never
/// restored or freed), so the reference can be `'static`.
pub(super) struct InArea {
    /// Physical address of the area.
    pub(super) phys: u64,
    /// Length of the area.
    pub(super) len: usize,
}

impl InArea {
    /// Looks up subtree `name` of the previous kernel.
    ///
    /// Returns [`None`] if there is none.
    pub(super) fn find(name: &CStr) -> Result<Option<Self>> {
        let mut phys = 0;
        let mut len = 0;
        // SAFETY: `name` is a valid C string and both outputs are valid.
        let ret = unsafe { ffi::kho_retrieve_subtree(name.as_char_ptr(), &mut phys, &mut len) };
        match to_result(ret) {
            Ok(()) => Ok(Some(Self { phys, len })),
            Err(error) if error == ENOENT => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Returns the bytes of the area.
    ///
    /// # Safety
    ///
    /// The area must be a subtree the previous kernel published (so it is
    /// preserved, mapped and never freed in this kernel), and no
    /// [`InArea::bytes_mut`] of it may be alive.
    pub(super) unsafe fn bytes(&self) -> &'static [u8] {
        // SAFETY: The caller guarantees that the area is reserved memory in
        // the direct map for the life of the kernel, and not written.
        unsafe { slice::from_raw_parts(ffi::rkm_ho_phys_to_virt(self.phys).cast(), self.len) }
    }

    /// Returns the bytes of the area for writing.
    ///
    /// # Safety
    ///
    /// As for [`InArea::bytes`], and no other reference to the area may be
    /// alive.
    pub(super) unsafe fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: As in `bytes()`; the caller guarantees exclusive access.
        unsafe { slice::from_raw_parts_mut(ffi::rkm_ho_phys_to_virt(self.phys).cast(), self.len) }
    }
}

/// A reboot notifier registered with `register_reboot_notifier()`.
pub(super) type NotifierBlock = bindings::notifier_block;

/// What a reboot notifier returns: nothing to stop.
pub(super) const NOTIFY_DONE: i32 = bindings::NOTIFY_DONE as i32;

/// The `action` of a reboot notifier for a restart, kexec included.
pub(super) const SYS_RESTART: u64 = ffi::SYS_RESTART as u64;

/// Registers `nb` as a reboot notifier.
///
/// # Safety
///
/// `nb` must be valid and stay at its address until unregistered with
/// [`unregister_reboot_notifier`], and its callback must be callable until
/// then.
pub(super) unsafe fn register_reboot_notifier(nb: *mut NotifierBlock) -> Result {
    // SAFETY: The caller guarantees `nb` is valid and pinned.
    to_result(unsafe { ffi::register_reboot_notifier(nb) })
}

/// Unregisters a notifier registered with [`register_reboot_notifier`];
/// returns once its callback no longer runs.
///
/// # Safety
///
/// `nb` must have been registered with [`register_reboot_notifier`].
pub(super) unsafe fn unregister_reboot_notifier(nb: *mut NotifierBlock) {
    // SAFETY: The caller guarantees `nb` is registered. It can only fail for
    // a notifier that is not.
    unsafe { ffi::unregister_reboot_notifier(nb) };
}
