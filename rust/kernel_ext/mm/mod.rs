// SPDX-License-Identifier: GPL-2.0

//! Memory a driver maps into user space itself: what the kernel crate's `kernel::mm` and
//! `kernel::page` lack for it.
//!
//! The kernel crate maps a [`Page`](kernel::page::Page) into a VMA (`vm_insert_page()`), but
//! writing a page it has handed out takes `unsafe` (`Page::fill_zero_raw()` and the others): the
//! caller must know that nothing else reads or writes it meanwhile, user space through a mapping
//! included. This part gives a driver that owns pages and maps them:
//!
//! - [`Pages`]: order-0 pages owned together, and [`ExclusivePages`], write access to them once
//!   the page allocator's reference count shows that nothing else, no mapping and no pin, holds
//!   any of them;
//! - [`FileMapping`]: a reference to the `struct address_space` a file maps through, to remove
//!   every user mapping of a range of it (`unmap_mapping_range()`), as truncation does;
//! - [`VmaExt::pgoff`]: the file page a VMA starts at (`vm_pgoff`);
//! - [`free_ram`]: the free memory `si_meminfo()` reports.

use super::mm_ffi as ffi;
use kernel::bindings;

mod mapping;
mod pages;
mod vma;

pub use self::{
    mapping::FileMapping,
    pages::{
        ExclusivePages,
        Pages, //
    },
    vma::VmaExt, //
};

/// Returns the bytes of free memory (`si_meminfo()`: `freeram` in units of `mem_unit`).
pub fn free_ram() -> u64 {
    let mut info = bindings::sysinfo::default();
    // SAFETY: `info` is a valid `struct sysinfo` to fill in.
    unsafe { bindings::si_meminfo(&mut info) };
    u64::try_from(info.freeram)
        .unwrap_or(u64::MAX)
        .saturating_mul(u64::from(info.mem_unit))
}
