// SPDX-License-Identifier: GPL-2.0

//! The EFI unaccepted memory table.

use super::ffi;
use core::{
    marker::PhantomData,
    mem::size_of,
    ptr::NonNull, //
};
use kernel::{
    alloc::Flags,
    prelude::*, //
};

/// The firmware's table of the memory it left unaccepted (`struct efi_unaccepted_memory`): a
/// header and a bitmap with a bit per unit, set while the unit is unaccepted.
///
/// The kernel clears bits as it accepts memory, under a lock a module cannot take
/// (`unaccepted_memory_lock` is static), so the bitmap is read as a snapshot
/// ([`UnacceptedTable::bitmap`]) that may be slightly out of date by the time it is used.
///
/// # Invariants
///
/// `table` points to a header that is not written during `'a`, followed by at least
/// `table.size` bitmap bytes, readable during `'a`.
pub struct UnacceptedTable<'a> {
    table: NonNull<ffi::efi_unaccepted_memory>,
    _memory: PhantomData<&'a [u64]>,
}

impl UnacceptedTable<'static> {
    /// Returns the table the firmware handed the kernel, if any.
    pub fn firmware() -> Option<Self> {
        // SAFETY: No preconditions.
        let table = unsafe { ffi::coco_shim_efi_get_unaccepted_table() };
        // INVARIANT: The kernel keeps the firmware's table, its bitmap included, reserved and
        // mapped for as long as it runs, and never writes the header after boot.
        Some(Self {
            table: NonNull::new(table.cast_mut())?,
            _memory: PhantomData,
        })
    }
}

impl<'a> UnacceptedTable<'a> {
    /// Bytes of the header, where the bitmap starts.
    const HEADER: usize = size_of::<ffi::efi_unaccepted_memory>();

    /// Returns the table laid out in `words` as the firmware lays it out: the header (`u32
    /// version`, `u32 unit_size`, `u64 phys_base`, `u64 size`), then `size` bytes of bitmap.
    ///
    /// `None` if `words` is too short for that.
    pub fn from_words(words: &'a [u64]) -> Option<Self> {
        let bytes = words.len().checked_mul(8)?;
        if bytes < Self::HEADER {
            return None;
        }
        let table = NonNull::from(words).cast::<ffi::efi_unaccepted_memory>();
        // SAFETY: `words` is aligned for the header, which it holds.
        let size = unsafe { (*table.as_ptr()).size };
        if usize::try_from(size).ok()? > bytes - Self::HEADER {
            return None;
        }
        // INVARIANT: `words` is borrowed, so not written, during `'a`, and holds the header and
        // `size` more bytes.
        Some(Self {
            table,
            _memory: PhantomData,
        })
    }

    /// Returns the header.
    fn header(&self) -> &ffi::efi_unaccepted_memory {
        // SAFETY: By the type invariants the header is valid and not written during `'a`.
        unsafe { self.table.as_ref() }
    }

    /// Returns the format version (`version`).
    pub fn version(&self) -> u32 {
        self.header().version
    }

    /// Returns the bytes of memory per bit (`unit_size`).
    pub fn unit_size(&self) -> u32 {
        self.header().unit_size
    }

    /// Returns the physical address bit 0 stands for (`phys_base`).
    pub fn phys_base(&self) -> u64 {
        self.header().phys_base
    }

    /// Returns the bytes of the bitmap (`size`).
    pub fn size(&self) -> u64 {
        self.header().size
    }

    /// Copies the bitmap into words (byte `n` into bits `8 * (n % 8)` and up of word `n / 8`,
    /// as `unsigned long`s on a little-endian machine), byte by byte with volatile reads, since
    /// the kernel clears bits concurrently.
    ///
    /// `None` if there is no memory for the copy.
    pub fn bitmap(&self, flags: Flags) -> Option<KVVec<u64>> {
        let size = usize::try_from(self.size()).ok()?;
        let mut words = KVVec::from_elem(0u64, size.div_ceil(8), flags).ok()?;
        // SAFETY: By the type invariants `table` points to a valid table; this only takes the
        // address of its bitmap.
        let bytes = unsafe { &raw const (*self.table.as_ptr()).bitmap }.cast::<u8>();
        for (index, word) in words.iter_mut().enumerate() {
            for byte in 0..8 {
                let offset = index * 8 + byte;
                if offset >= size {
                    break;
                }
                // SAFETY: `offset < size`, and by the type invariants the bitmap has `size`
                // readable bytes.
                let value = unsafe { bytes.add(offset).read_volatile() };
                *word |= u64::from(value) << (8 * byte);
            }
        }
        Some(words)
    }
}
