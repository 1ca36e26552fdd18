// SPDX-License-Identifier: GPL-2.0

//! The EFI unaccepted memory table and its range-to-unit arithmetic.
//!
//! C header: [`include/linux/efi.h`](srctree/include/linux/efi.h) (`struct
//! efi_unaccepted_memory`), arithmetic from
//! [`drivers/firmware/efi/unaccepted_memory.c`](srctree/drivers/firmware/efi/unaccepted_memory.c).

use core::{
    num::NonZeroU64,
    ops::{
        Deref,
        DerefMut, //
    },
};

/// Size of a page: `accept_memory()` widens every range to whole pages first.
pub const PAGE_SIZE: u64 = 4096;

/// The only version of the table the kernel understands (`efi_config_parse_tables()`).
pub const TABLE_VERSION: u32 = 1;

/// Bits in one word of the bitmap storage.
const BITS_PER_WORD: u64 = 64;

/// A half-open range `[start, end)` of unit indices in a [`Table`].
///
/// A range whose `start` is not below its `end` is empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitRange {
    /// First unit of the range.
    pub start: u64,
    /// First unit after the range.
    pub end: u64,
}

impl UnitRange {
    /// The empty range.
    pub const EMPTY: Self = Self { start: 0, end: 0 };

    /// Creates the range `[start, end)`.
    pub const fn new(start: u64, end: u64) -> Self {
        Self { start, end }
    }

    /// Returns `true` if the range holds no unit.
    pub const fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// Returns the number of units in the range.
    pub const fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Returns `true` if `unit` is in the range.
    pub const fn contains(&self, unit: u64) -> bool {
        self.start <= unit && unit < self.end
    }

    /// Returns `true` if the two ranges share a unit.
    ///
    /// This is the `accepting_list` test of `accept_memory()`, except that an empty range never
    /// overlaps: the kernel can register an inverted range (`start > end` once `end` is clamped
    /// to the bitmap) that then makes callers of a wide overlapping range wait for nothing.
    pub const fn overlaps(&self, other: &UnitRange) -> bool {
        !self.is_empty() && !other.is_empty() && self.start < other.end && other.start < self.end
    }
}

/// Why a [`Table`] could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The firmware table has a version other than [`TABLE_VERSION`].
    Version(u32),
    /// The unit size is zero or not a whole number of pages.
    UnitSize,
    /// The physical base is not page aligned.
    PhysBase,
    /// The bitmap storage holds fewer bits than the table has units.
    BitmapTooSmall,
    /// The memory the table describes does not fit below the top of the 64-bit address space.
    AddressOverflow,
}

/// The range wraps past the top of the 64-bit address space, even once widened to whole pages.
///
/// The kernel's `unsigned long` arithmetic would silently wrap here and accept the wrong units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeOverflow;

/// Model of `struct efi_unaccepted_memory`: one bit per unit of `unit_size` bytes starting at
/// `phys_base`, set while the unit is unaccepted.
///
/// The bitmap lives in storage the caller provides (a slice, a `Vec`, a `KVec`); bit `n` is bit
/// `n % 64` of word `n / 64`, which is the in-memory layout of the kernel's `unsigned long`
/// bitmap on a little-endian 64-bit machine. Bits at or above [`Table::units`] are not part of the
/// table: they are never read or written.
///
/// # Invariants
///
/// - `unit_size` is a whole number of pages and `phys_base` is page aligned.
/// - `bitmap` holds at least `units` bits.
/// - `phys_base + units * unit_size` fits in a `u64`, so the physical address of every unit
///   boundary is representable.
#[derive(Debug)]
pub struct Table<B> {
    /// Bytes per unit.
    unit_size: NonZeroU64,
    /// Physical address of unit 0.
    phys_base: u64,
    /// Number of units.
    units: u64,
    /// Bytes the units cover, `units * unit_size`: where `accept_memory()` clamps a range.
    coverage: u64,
    /// One bit per unit, set while the unit is unaccepted.
    bitmap: B,
}

impl<B: Deref<Target = [u64]>> Table<B> {
    /// Creates a table of `units` units of `unit_size` bytes from `phys_base`.
    ///
    /// The caller initialises `bitmap`: a set bit marks an unaccepted unit.
    pub fn new(unit_size: u32, phys_base: u64, units: u64, bitmap: B) -> Result<Self, TableError> {
        let unit_size = NonZeroU64::new(u64::from(unit_size))
            .filter(|u| u.get() % PAGE_SIZE == 0)
            .ok_or(TableError::UnitSize)?;
        if phys_base % PAGE_SIZE != 0 {
            return Err(TableError::PhysBase);
        }
        // Storage so large that its bit count overflows a `u64` holds any number of units.
        let capacity = u64::try_from(bitmap.len())
            .ok()
            .and_then(|words| words.checked_mul(BITS_PER_WORD))
            .unwrap_or(u64::MAX);
        if units > capacity {
            return Err(TableError::BitmapTooSmall);
        }
        let coverage = units
            .checked_mul(unit_size.get())
            .filter(|coverage| phys_base.checked_add(*coverage).is_some())
            .ok_or(TableError::AddressOverflow)?;

        Ok(Self {
            unit_size,
            phys_base,
            units,
            coverage,
            bitmap,
        })
    }

    /// Creates a table from the fields of a firmware `struct efi_unaccepted_memory`.
    ///
    /// `size` is the size of the bitmap in bytes, as in the firmware table, so the table has
    /// `size * 8` units.
    pub fn from_efi(
        version: u32,
        unit_size: u32,
        phys_base: u64,
        size: u64,
        bitmap: B,
    ) -> Result<Self, TableError> {
        if version != TABLE_VERSION {
            return Err(TableError::Version(version));
        }
        let units = size.checked_mul(8).ok_or(TableError::AddressOverflow)?;
        Self::new(unit_size, phys_base, units, bitmap)
    }

    /// Returns the size of a unit in bytes.
    pub fn unit_size(&self) -> u64 {
        self.unit_size.get()
    }

    /// Returns the physical address of unit 0.
    pub fn phys_base(&self) -> u64 {
        self.phys_base
    }

    /// Returns the number of units the table describes.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Returns the bitmap storage; see [`Table`] for its layout.
    pub fn bitmap(&self) -> &[u64] {
        &self.bitmap
    }

    /// Returns `true` if `unit` is in the table and not accepted yet.
    pub fn is_unaccepted(&self, unit: u64) -> bool {
        if unit >= self.units {
            return false;
        }
        word_index(unit)
            .and_then(|index| self.bitmap.get(index))
            .is_some_and(|word| word & bit_mask(unit) != 0)
    }

    /// Returns the number of units not accepted yet.
    pub fn unaccepted_units(&self) -> u64 {
        (0..self.units).fold(0, |count: u64, unit| {
            count.saturating_add(u64::from(self.is_unaccepted(unit)))
        })
    }

    /// Returns the unit holding physical address `addr`, if the table covers it.
    pub fn unit_of(&self, addr: u64) -> Option<u64> {
        let unit = addr.checked_sub(self.phys_base)? / self.unit_size;
        (unit < self.units).then_some(unit)
    }

    /// Returns the units `accept_memory(start, size)` accepts.
    ///
    /// As the kernel does: the range is widened to whole pages, the part below `phys_base` is
    /// dropped, one more unit is added when the range ends on a unit boundary (so that
    /// `load_unaligned_zeropad()` reading past the end never touches unaccepted memory), and the
    /// result is clamped to the units the bitmap covers. A size of zero still names the unit
    /// holding `start`, as in the kernel.
    pub fn accept_units(&self, start: u64, size: u64) -> Result<UnitRange, RangeOverflow> {
        let Some((start, end)) = self.offsets(start, size)? else {
            return Ok(UnitRange::EMPTY);
        };
        // Saturating is exact here: a guard unit past the top of the address space is past the
        // bitmap too, and the clamp below removes it.
        let end = if end % self.unit_size == 0 {
            end.saturating_add(self.unit_size.get())
        } else {
            end
        };
        Ok(self.units_between(start, end))
    }

    /// Returns `true` if any unit that [`Table::accept_units`] names for the range is
    /// unaccepted.
    ///
    /// This is `range_contains_unaccepted_memory()` with one deliberate difference: the kernel
    /// walks the range in steps of `unit_size` from `start`, which skips the last unit when the
    /// range ends inside a unit at an offset no larger than the offset of `start` in its own
    /// unit (for example `[1M, 3M)` with 2 MiB units only tests unit 0). Its callers pass
    /// naturally aligned blocks, which never hit this; here the answer always agrees with what an
    /// accept of the same range would do.
    pub fn contains_unaccepted(&self, start: u64, size: u64) -> Result<bool, RangeOverflow> {
        let units = self.accept_units(start, size)?;
        Ok(self.next_unaccepted(units).is_some())
    }

    /// Returns the units holding any byte of `[start, start + size)`, without a guard unit:
    /// those [`super::Acceptor::unaccept`] marks unaccepted for the same range.
    pub fn covering_units(&self, start: u64, size: u64) -> Result<UnitRange, RangeOverflow> {
        if size == 0 {
            return Ok(UnitRange::EMPTY);
        }
        match self.offsets(start, size)? {
            Some((start, end)) => Ok(self.units_between(start, end)),
            None => Ok(UnitRange::EMPTY),
        }
    }

    /// Returns the physical range `[start, end)` of `units`.
    pub(super) fn phys_range(&self, units: UnitRange) -> (u64, u64) {
        // The invariants make `phys_base + units * unit_size` exact for every unit up to
        // `self.units`, so saturating never changes the result.
        let phys = |unit: u64| {
            unit.min(self.units)
                .saturating_mul(self.unit_size.get())
                .saturating_add(self.phys_base)
        };
        (phys(units.start), phys(units.end))
    }

    /// Returns how many whole units `bytes` holds and how many units it reaches into.
    pub(super) fn units_in(&self, bytes: u64) -> (u64, u64) {
        let whole = bytes / self.unit_size;
        (
            whole,
            whole.saturating_add(u64::from(bytes % self.unit_size != 0)),
        )
    }

    /// Returns the first unaccepted unit in `units`.
    pub(super) fn next_unaccepted(&self, units: UnitRange) -> Option<u64> {
        (units.start..units.end.min(self.units)).find(|unit| self.is_unaccepted(*unit))
    }

    /// Returns the first accepted unit in `units`, or `units.end` if there is none.
    pub(super) fn next_accepted(&self, units: UnitRange) -> u64 {
        (units.start..units.end)
            .find(|unit| !self.is_unaccepted(*unit))
            .unwrap_or(units.end)
    }

    /// Clamps `units` to the table.
    pub(super) fn clamp(&self, units: UnitRange) -> UnitRange {
        let end = units.end.min(self.units);
        if units.start >= end {
            UnitRange::EMPTY
        } else {
            UnitRange::new(units.start, end)
        }
    }

    /// Widens `[start, start + size)` to whole pages and translates it to offsets from
    /// `phys_base`, or returns `None` if it ends below `phys_base`.
    fn offsets(&self, start: u64, size: u64) -> Result<Option<(u64, u64)>, RangeOverflow> {
        let end = start
            .checked_add(size)
            .and_then(page_align_up)
            .ok_or(RangeOverflow)?;
        let start = page_align_down(start);
        let Some(end) = end.checked_sub(self.phys_base) else {
            return Ok(None);
        };
        Ok(Some((start.saturating_sub(self.phys_base), end)))
    }

    /// Returns `[start / unit_size, DIV_ROUND_UP(end, unit_size))` for byte offsets, with `end`
    /// clamped to the bitmap coverage first.
    fn units_between(&self, start: u64, end: u64) -> UnitRange {
        let (first, _) = self.units_in(start);
        let (_, last) = self.units_in(end.min(self.coverage));
        if first >= last {
            UnitRange::EMPTY
        } else {
            UnitRange::new(first, last)
        }
    }
}

impl<B: DerefMut<Target = [u64]>> Table<B> {
    /// Marks `units` accepted.
    pub(super) fn set_accepted(&mut self, units: UnitRange) {
        self.update(units, |word, mask| word & !mask);
    }

    /// Marks `units` unaccepted and returns how many of them were accepted.
    pub(super) fn set_unaccepted(&mut self, units: UnitRange) -> u64 {
        self.update(units, |word, mask| word | mask)
    }

    /// Replaces the word holding each unit of `units` with `f(word, mask of the unit)`, and
    /// returns how many bits changed.
    fn update(&mut self, units: UnitRange, f: impl Fn(u64, u64) -> u64) -> u64 {
        let units = self.clamp(units);
        let mut changed: u64 = 0;
        for unit in units.start..units.end {
            let Some(word) = word_index(unit).and_then(|index| self.bitmap.get_mut(index)) else {
                continue;
            };
            let new = f(*word, bit_mask(unit));
            changed = changed.saturating_add(u64::from(new != *word));
            *word = new;
        }
        changed
    }
}

/// Index of the word holding `unit`'s bit, if it can index a slice at all.
fn word_index(unit: u64) -> Option<usize> {
    usize::try_from(unit / BITS_PER_WORD).ok()
}

/// Mask of `unit`'s bit within its word.
fn bit_mask(unit: u64) -> u64 {
    1 << (unit % BITS_PER_WORD)
}

/// `PAGE_ALIGN()`, or `None` where the kernel's version wraps to zero.
fn page_align_up(addr: u64) -> Option<u64> {
    addr.checked_next_multiple_of(PAGE_SIZE)
}

/// `PAGE_ALIGN_DOWN()`.
fn page_align_down(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}
