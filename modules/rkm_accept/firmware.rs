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
    kernel_ext::coco::{
        self,
        UnacceptedTable, //
    }, //
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
    writeln!(
        f,
        "meminfo_unaccepted_kb: {}",
        coco::unaccepted_pages().saturating_mul(PAGE_SIZE / 1024)
    )?;
    match UnacceptedTable::firmware() {
        Some(table) => show_table(f, &table),
        None => writeln!(f, "table: none"),
    }
}

/// Writes the header of `table`, then how many units it has and how many are unaccepted, or why
/// it is invalid.
fn show_table(f: &mut impl fmt::Write, table: &UnacceptedTable<'_>) -> fmt::Result {
    let (version, unit_size, phys_base, size) = (
        table.version(),
        table.unit_size(),
        table.phys_base(),
        table.size(),
    );
    writeln!(f, "table: present")?;
    writeln!(f, "version: {version}")?;
    writeln!(f, "unit_size: {unit_size}")?;
    writeln!(f, "phys_base: {phys_base:#x}")?;
    writeln!(f, "bitmap_bytes: {size}")?;

    let Some(bitmap) = table.bitmap(GFP_KERNEL | __GFP_NOWARN) else {
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

#[kunit_tests(rkm_accept_firmware)]
mod tests {
    use super::*;
    use kernel::str::Formatter;

    /// Words of the header of `struct efi_unaccepted_memory`: `u32 version`, `u32 unit_size`,
    /// `u64 phys_base`, `u64 size`.
    const HEADER_WORDS: usize = 3;

    /// A firmware table in memory the test owns, laid out as the firmware lays it out on this
    /// little-endian machine: the header, then `bitmap`, in 8-byte words as the kernel's
    /// `unsigned long` bitmap is aligned.
    fn table(version: u32, unit_size: u32, phys_base: u64, bitmap: &[u8]) -> Result<KVec<u64>> {
        let mut words = KVec::from_elem(0u64, HEADER_WORDS + bitmap.len().div_ceil(8), GFP_KERNEL)?;
        words[0] = u64::from(version) | (u64::from(unit_size) << 32);
        words[1] = phys_base;
        words[2] = bitmap.len() as u64;
        for (offset, byte) in bitmap.iter().enumerate() {
            words[HEADER_WORDS + offset / 8] |= u64::from(*byte) << (8 * (offset % 8));
        }
        Ok(words)
    }

    /// Runs `show_table` over `words`, a table from [`table`], and compares what it wrote.
    fn shows(words: &KVec<u64>, expected: &str) -> bool {
        let mut buf = [0u8; 256];
        let mut f = Formatter::new(&mut buf);
        let Some(table) = UnacceptedTable::from_words(words) else {
            pr_err!("not a table\n");
            return false;
        };
        let written = show_table(&mut f, &table);
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
