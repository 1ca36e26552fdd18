// SPDX-License-Identifier: GPL-2.0

//! The guest's own unaccepted memory, read-only: `/sys/kernel/debug/rkm_accept/firmware`.
//!
//! When the firmware handed the kernel an EFI unaccepted memory table, the file shows its header
//! and how many of its units are still unaccepted, counted by the same [`Table`] model the region
//! uses. The kernel changes the bitmap under a lock a module cannot take
//! (`unaccepted_memory_lock` is static), so the count is a snapshot that may be slightly out of
//! date by the time it is read. The file also shows the kernel's own count of unaccepted memory,
//! the `Unaccepted:` line of `/proc/meminfo`.

use crate::{
    accept::Table,
    ffi_ext, //
};
use core::fmt;
use kernel::{
    alloc::flags::{
        __GFP_NOWARN,
        GFP_KERNEL, //
    },
    page::PAGE_SIZE,
    prelude::*, //
};

/// Writes the report; the debugfs file's read callback.
pub(crate) fn show(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // SAFETY: reads a counter; no preconditions.
    let pages = unsafe { ffi_ext::rkm_accept_kernel_unaccepted_pages() };
    writeln!(
        f,
        "meminfo_unaccepted_kb: {}",
        pages.saturating_mul(PAGE_SIZE / 1024)
    )?;

    // SAFETY: no preconditions.
    let table = unsafe { ffi_ext::rkm_accept_firmware_table() };
    if table.is_null() {
        return writeln!(f, "table: none");
    }
    // SAFETY: the kernel keeps the firmware's table reserved and mapped for as long as it runs;
    // the header is never written after boot.
    let (version, unit_size, phys_base, size) = unsafe {
        (
            (*table).version,
            (*table).unit_size,
            (*table).phys_base,
            (*table).size,
        )
    };
    writeln!(f, "table: present")?;
    writeln!(f, "version: {version}")?;
    writeln!(f, "unit_size: {unit_size}")?;
    writeln!(f, "phys_base: {phys_base:#x}")?;
    writeln!(f, "bitmap_bytes: {size}")?;

    // SAFETY: `table` is valid as above and its bitmap is `size` bytes long.
    let bitmap = unsafe { snapshot((*table).bitmap.as_ptr().cast::<u8>(), size) };
    let Some(bitmap) = bitmap else {
        return writeln!(f, "unaccepted_units: unknown (no memory for a snapshot)");
    };
    match Table::from_efi(version, unit_size, phys_base, size, bitmap) {
        Ok(table) => {
            writeln!(f, "units: {}", table.units())?;
            writeln!(f, "unaccepted_units: {}", table.unaccepted_units())
        }
        Err(err) => writeln!(f, "invalid: {err:?}"),
    }
}

/// Copies the `size`-byte bitmap at `bytes` into words, byte by byte with volatile reads since
/// the kernel clears bits concurrently.
///
/// # Safety
///
/// `bytes` is valid for reading `size` bytes.
unsafe fn snapshot(bytes: *const u8, size: u64) -> Option<KVVec<u64>> {
    let size = usize::try_from(size).ok()?;
    let mut words = KVVec::from_elem(0u64, size.div_ceil(8), GFP_KERNEL | __GFP_NOWARN).ok()?;
    for (index, word) in words.iter_mut().enumerate() {
        for byte in 0..8 {
            let offset = index * 8 + byte;
            if offset >= size {
                break;
            }
            // SAFETY: `offset < size`, and the caller guarantees `size` readable bytes.
            let value = unsafe { bytes.add(offset).read_volatile() };
            *word |= u64::from(value) << (8 * byte);
        }
    }
    Some(words)
}
