// SPDX-License-Identifier: GPL-2.0

//! Confidential computing guests (Intel TDX, AMD SEV-SNP): what kind of guest this is, the
//! memory the firmware left unaccepted, and converting memory so that it is accepted again.
//!
//! The kernel crate has nothing of `include/linux/cc_platform.h`, the EFI unaccepted memory
//! table (`drivers/firmware/efi/unaccepted_memory.c`) or `set_memory_encrypted()`. This part
//! gives:
//!
//! - [`tdx_guest`], [`snp_guest`]: whether memory can be converted for real here;
//! - [`UnacceptedTable`]: the firmware's table of unaccepted memory, read-only, and
//!   [`unaccepted_pages`], the kernel's count of it (`Unaccepted:` in `/proc/meminfo`);
//! - [`reaccept`]: converting pages a driver owns alone ([`ExclusivePages`]) to shared and back
//!   to private, which in such a guest makes the host drop them and the guest accept them
//!   again: the work of accepting memory, on memory a module may own.
//!
//! It uses the `mm` part: a module that lists `coco` lists `mm` too.

use super::coco_ffi as ffi;
use crate::kernel_ext::mm::ExclusivePages;
use kernel::{
    bindings,
    ffi::c_int,
    page::PAGE_SIZE,
    prelude::*, //
};

mod table;

pub use self::table::UnacceptedTable;

/// Returns `true` in an Intel TDX guest (`CC_ATTR_GUEST_MEM_ENCRYPT` and
/// `X86_FEATURE_TDX_GUEST`).
pub fn tdx_guest() -> bool {
    // SAFETY: Both only read flags set at boot.
    unsafe {
        bindings::cc_platform_has(bindings::cc_attr_CC_ATTR_GUEST_MEM_ENCRYPT)
            && ffi::coco_shim_tdx_guest()
    }
}

/// Returns `true` in an AMD SEV-SNP guest (`CC_ATTR_GUEST_SEV_SNP`).
pub fn snp_guest() -> bool {
    // SAFETY: Only reads flags set at boot.
    unsafe { bindings::cc_platform_has(bindings::cc_attr_CC_ATTR_GUEST_SEV_SNP) }
}

/// Returns the number of pages of memory the kernel has not accepted yet (`NR_UNACCEPTED`), 0
/// without `CONFIG_UNACCEPTED_MEMORY`.
pub fn unaccepted_pages() -> usize {
    // SAFETY: Reads a counter; no preconditions.
    unsafe { ffi::coco_shim_nr_unaccepted() }
}

/// Converts the `count` pages of `pages` from `first` on to shared and back to private
/// (`set_memory_decrypted()`, then `set_memory_encrypted()`). In a TDX or SNP guest that is
/// `MapGPA` and `TDG.MEM.PAGE.ACCEPT`, or a page state change and `PVALIDATE`: the host drops
/// the pages and the guest accepts them again, their contents lost; elsewhere it changes
/// nothing. May sleep.
///
/// `EINVAL` if the pages are not all there or not physically contiguous, `EIO` if a conversion
/// failed: the pages are then in an unknown state, and are leaked when dropped
/// ([`ExclusivePages::leak_on_drop`]).
pub fn reaccept(pages: &mut ExclusivePages<'_>, first: usize, count: usize) -> Result {
    let numpages = c_int::try_from(count).map_err(|_| EINVAL)?;
    let phys = pages.phys(first).ok_or(EINVAL)?;
    let contiguous = (0..count).all(|page| {
        let expected = (page as u64)
            .checked_mul(PAGE_SIZE as u64)
            .and_then(|offset| phys.checked_add(offset));
        expected.is_some()
            && first.checked_add(page).and_then(|index| pages.phys(index)) == expected
    });
    if !contiguous {
        return Err(EINVAL);
    }
    // SAFETY: `phys` is the address of a page of RAM, which the direct map covers.
    let addr = unsafe { ffi::coco_shim_phys_to_virt(phys) };
    // SAFETY: `[addr, addr + count pages)` is the direct map of physically contiguous pages of
    // `pages`, which nothing else reads, writes or maps (the invariants of `ExclusivePages`), so
    // their contents may be lost and their mapping changed; on failure they are never freed.
    let converted = unsafe {
        ffi::set_memory_decrypted(addr, numpages) == 0
            && ffi::set_memory_encrypted(addr, numpages) == 0
    };
    if !converted {
        pages.leak_on_drop();
        return Err(EIO);
    }
    Ok(())
}
