// SPDX-License-Identifier: GPL-2.0

//! Mapping the region into user space: the `mmap()` checks and the VMA's fault handler.
//!
//! The VMA is `VM_MIXEDMAP` with a `fault` handler of its own, as binder's page range does
//! (drivers/android/binder/page_range.rs): nothing is mapped at `mmap()` time, and the first
//! touch of a page accepts its unit and then maps the page with `vm_insert_page()`
//! ([`Region::fault`]).

use crate::{
    kernel_ext::{
        miscdev::{
            VmFault,
            VmFaultReason, //
        },
        mm::VmaExt, //
    },
    region::Region, //
};
use kernel::{
    fs::File,
    mm::virt::{
        flags,
        VmaNew,
        VmaRef, //
    },
    page::PAGE_SHIFT,
    prelude::*,
    sync::ArcBorrow, //
};

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

    let pages = (vma.end() - vma.start()) >> PAGE_SHIFT;
    let end = vma.pgoff().checked_add(pages).ok_or(EINVAL)?;
    if end > region.page_count() {
        return Err(EINVAL);
    }
    region.hold_mapping(file)?;

    // VM_IO keeps get_user_pages() away, so no page of the region is pinned behind a mapping
    // that an unaccept tears down (a pin taken all the same, by its lockless fast path, makes
    // the next accept of the page's unit fail: `Pages::exclusive()`); a fork does not copy the
    // mapping, nor does mremap() grow it.
    vma.set_io();
    vma.set_dontcopy();
    vma.set_dontexpand();
    // The fault handler inserts the pages.
    vma.set_mixedmap();
    Ok(())
}

/// Handles a fault in `vma`, a mapping [`mmap`] set up (the VMA's `fault` operation).
pub(crate) fn fault(region: ArcBorrow<'_, Region>, vma: &VmaRef, fault: VmFault) -> VmFaultReason {
    // Set in `mmap()`.
    let Some(vma) = vma.as_mixedmap_vma() else {
        return VmFaultReason::Sigbus;
    };
    Region::fault(region, vma, fault)
}
