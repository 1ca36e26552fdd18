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
    // SAFETY: the kernel keeps the firmware's table, its bitmap included, reserved and mapped for
    // as long as it runs; the header is never written after boot.
    unsafe { show_table(f, table) }
}

/// Writes the header of `table`, then how many units it has and how many are unaccepted, or why
/// it is invalid.
///
/// # Safety
///
/// `table` points to a `struct efi_unaccepted_memory` whose header does not change while this
/// runs, followed by its bitmap of `size` bytes.
unsafe fn show_table(
    f: &mut impl fmt::Write,
    table: *const ffi_ext::efi_unaccepted_memory,
) -> fmt::Result {
    // SAFETY: `table` is valid for reading its header, by the function's requirement.
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

    // SAFETY: by the function's requirement the bitmap after the header is `size` bytes long.
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

#[kunit_tests(rkm_accept_firmware)]
mod tests {
    use super::*;
    use core::{
        mem::size_of,
        ptr, //
    };
    use kernel::str::Formatter;

    /// A firmware table in memory the test owns: the header, then `bitmap`, in 8-byte words as
    /// the kernel's `unsigned long` bitmap is aligned.
    fn table(version: u32, unit_size: u32, phys_base: u64, bitmap: &[u8]) -> Result<KVec<u64>> {
        let header = size_of::<ffi_ext::efi_unaccepted_memory>() / 8;
        let mut words = KVec::from_elem(0u64, header + bitmap.len().div_ceil(8), GFP_KERNEL)?;
        let table = words.as_mut_ptr().cast::<ffi_ext::efi_unaccepted_memory>();
        // SAFETY: `words` is aligned for the header and holds it and `bitmap.len()` more bytes,
        // where the header's flexible array starts.
        unsafe {
            (*table).version = version;
            (*table).unit_size = unit_size;
            (*table).phys_base = phys_base;
            (*table).size = bitmap.len() as u64;
            ptr::copy_nonoverlapping(
                bitmap.as_ptr(),
                (*table).bitmap.as_mut_ptr().cast::<u8>(),
                bitmap.len(),
            );
        }
        Ok(words)
    }

    /// Runs `show_table` over `words`, a table from [`table`], and compares what it wrote.
    fn shows(words: &KVec<u64>, expected: &str) -> bool {
        let mut buf = [0u8; 256];
        let mut f = Formatter::new(&mut buf);
        let table = words.as_ptr().cast::<ffi_ext::efi_unaccepted_memory>();
        // SAFETY: `table` made `words` a header followed by its `size` bitmap bytes; nothing
        // writes it meanwhile.
        let written = unsafe { show_table(&mut f, table) };
        let len = f.bytes_written();
        if written.is_err() || len > buf.len() {
            pr_err!("the report does not fit in {} bytes\n", buf.len());
            return false;
        }
        if &buf[..len] != expected.as_bytes() {
            pr_err!(
                "the report is:\n{}",
                core::str::from_utf8(&buf[..len]).unwrap_or("(not UTF-8)")
            );
            return false;
        }
        true
    }

    /// A bitmap whose size is no multiple of 8 bytes, with bits at both ends of its first word
    /// and in its last, partial word: 72 units, 10 of them unaccepted. A byte copied to another
    /// place in its word, or a partial word dropped, changes the count or the table.
    #[test]
    fn table_header_and_unaccepted_units() -> Result {
        let bitmap = [0x01, 0, 0, 0, 0, 0, 0, 0x80, 0xff];
        let words = table(1, 2 << 20, 1 << 32, &bitmap)?;
        assert!(shows(
            &words,
            "table: present\nversion: 1\nunit_size: 2097152\nphys_base: 0x100000000\n\
             bitmap_bytes: 9\nunits: 72\nunaccepted_units: 10\n"
        ));
        Ok(())
    }

    /// A table the kernel would not accept is reported as invalid, with the reason.
    #[test]
    fn invalid_tables_say_why() -> Result {
        let words = table(2, 2 << 20, 0, &[0xff])?;
        assert!(shows(
            &words,
            "table: present\nversion: 2\nunit_size: 2097152\nphys_base: 0x0\nbitmap_bytes: 1\n\
             invalid: Version(2)\n"
        ));
        let words = table(1, 4096 + 512, 0, &[0xff])?;
        assert!(shows(
            &words,
            "table: present\nversion: 1\nunit_size: 4608\nphys_base: 0x0\nbitmap_bytes: 1\n\
             invalid: UnitSize\n"
        ));
        Ok(())
    }
}
