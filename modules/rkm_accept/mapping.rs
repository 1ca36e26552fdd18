// SPDX-License-Identifier: GPL-2.0

//! Mapping the region into user space: the `mmap()` checks, the VMA's fault handler and the
//! mappings an unaccept tears down.
//!
//! The VMA is `VM_MIXEDMAP` with a `fault` handler of its own, as binder's page range does
//! (drivers/android/binder/page_range.rs): nothing is mapped at `mmap()` time, and the first
//! touch of a page accepts its unit and then maps the page with `vm_insert_page()`.

use crate::region::Region;
use kernel::{
    bindings,
    fs::File,
    mm::virt::{
        flags,
        VmaNew,
        VmaRef, //
    },
    page::PAGE_SHIFT,
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    }, //
};

/// The VMA operations of the region.
struct VmOps(bindings::vm_operations_struct);

// SAFETY: the table is never written after it is built; the kernel only reads it.
unsafe impl Sync for VmOps {}

/// The VMA operations of every mapping of the region: the fault handler only.
static REGION_VM_OPS: VmOps = VmOps(bindings::vm_operations_struct {
    fault: Some(region_fault),
    ..pin_init::zeroed()
});

/// Sets up `vma` to map the region from `file` (the `mmap()` file operation).
///
/// Errors: `EINVAL` for a private mapping (a write would copy the page away from the region,
/// and the region must stay the only copy), for `PROT_EXEC`, and for an offset and length that
/// go beyond the region.
pub(crate) fn mmap(region: ArcBorrow<'_, Region>, file: &File, vma: &VmaNew) -> Result {
    if vma.flags() & flags::MAYSHARE == 0 {
        return Err(EINVAL);
    }
    vma.try_clear_mayexec()?;

    // SAFETY: the VMA is being set up by this `mmap()` call, so reading its fields is no race.
    let first = unsafe { (*vma.as_ptr()).vm_pgoff };
    let pages = (vma.end() - vma.start()) >> PAGE_SHIFT;
    let end = first.checked_add(pages).ok_or(EINVAL)?;
    if end > region.page_count() {
        return Err(EINVAL);
    }
    region.hold_mapping(file)?;

    // VM_IO keeps get_user_pages() away, so no page of the region is ever pinned behind a
    // mapping that an unaccept tears down; a fork does not copy the mapping, nor does mremap()
    // grow it.
    vma.set_io();
    vma.set_dontcopy();
    vma.set_dontexpand();
    let vma = vma.set_mixedmap();
    let region = Arc::as_ptr(&Arc::from(region));
    // SAFETY: the VMA is being set up, and nothing of `VmaNew` relies on these two fields. The
    // pointer stays valid as long as the VMA: the VMA holds a reference to `file`, whose private
    // data holds an `Arc<Region>` until the file is released, after the last VMA is gone.
    unsafe {
        (*vma.as_ptr()).vm_private_data = region.cast_mut().cast();
        (*vma.as_ptr()).vm_ops = &REGION_VM_OPS.0;
    }
    Ok(())
}

/// The `fault` operation of the region's VMAs.
///
/// # Safety
///
/// Called by the mm with a valid `vmf` for a VMA set up by [`mmap`], with its mmap or VMA lock
/// held for reading.
unsafe extern "C" fn region_fault(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
    // SAFETY: the caller passes a valid `vmf`.
    let fault = unsafe { (*vmf).__bindgen_anon_1 };
    // SAFETY: the VMA is valid and read-locked for the duration of the fault.
    let vma = unsafe { VmaRef::from_raw(fault.vma) };
    // Set in `mmap()`; a VMA without it would not be ours.
    let Some(vma) = vma.as_mixedmap_vma() else {
        return bindings::vm_fault_reason_VM_FAULT_SIGBUS;
    };
    // SAFETY: `mmap()` set `vm_private_data` to the `Arc<Region>` of the VMA's file, which
    // outlives the VMA.
    let region = unsafe { ArcBorrow::from_raw((*vma.as_ptr()).vm_private_data.cast::<Region>()) };
    Region::fault(region, vma, fault.address, fault.pgoff)
}

/// A `struct address_space` through which VMAs of the region were created.
///
/// A VMA is linked into the `i_mmap` tree of its file's mapping, which for a character device is
/// the mapping of the device node's inode, so an unaccept must visit the mapping of every node
/// the region was mapped through.
///
/// # Invariants
///
/// `inode` is valid and this holds a reference to it; `mapping` is its file's `f_mapping`, which
/// the inode keeps alive.
pub(crate) struct HeldMapping {
    /// The inode whose reference keeps `mapping` alive.
    inode: *mut bindings::inode,
    /// The mapping the VMAs are linked into.
    mapping: *mut bindings::address_space,
}

// SAFETY: the inode reference may be dropped on any thread, and `unmap_mapping_range()` may be
// called on any thread.
unsafe impl Send for HeldMapping {}

impl HeldMapping {
    /// Takes a reference to the inode of `file`.
    pub(crate) fn new(file: &File) -> Self {
        let file = file.as_ptr();
        // SAFETY: `file` is valid; an open file's inode is valid and holds its mapping.
        let (inode, mapping) = unsafe { ((*file).f_inode, (*file).f_mapping) };
        // SAFETY: `inode` is valid, and the open file already holds a reference to it.
        unsafe { bindings::ihold(inode) };
        // INVARIANT: the reference was just taken.
        Self { inode, mapping }
    }

    /// Returns `true` if `file` maps through this mapping.
    pub(crate) fn is_of(&self, file: &File) -> bool {
        // SAFETY: `file` is valid.
        core::ptr::eq(unsafe { (*file.as_ptr()).f_mapping }, self.mapping)
    }

    /// Removes every user mapping of the region bytes `[start, start + len)`.
    pub(crate) fn unmap(&self, start: u64, len: u64) {
        let (Ok(start), Ok(len)) = (i64::try_from(start), i64::try_from(len)) else {
            return;
        };
        // SAFETY: by the type invariants `mapping` is alive. The file offset of a region page
        // is its region offset, and `even_cows` also removes private copies, of which there are
        // none since `mmap()` refuses private mappings.
        unsafe { bindings::unmap_mapping_range(self.mapping, start, len, 1) };
    }
}

impl Drop for HeldMapping {
    fn drop(&mut self) {
        // SAFETY: by the type invariants this holds a reference to `inode`.
        unsafe { bindings::iput(self.inode) };
    }
}
