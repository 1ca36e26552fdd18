// SPDX-License-Identifier: GPL-2.0

//! Units a backend failed on.
//!
//! Their state is unknown: some pages may be accepted, so accepting them again could be a double
//! accept, and some may not, so using them could touch unaccepted memory. They are kept out of
//! both for good; the module leaks their memory.

use super::UnitRange;

/// Number of disjoint failed ranges remembered before every unit counts as failed.
const FAILED_RANGES: usize = 8;

/// A small set of failed unit ranges.
///
/// A backend failure is fatal in the kernel, so even one is unexpected; rather than needing
/// storage per unit, this remembers a few ranges and, once they run out, gives up on the whole
/// table, which is safe.
#[derive(Debug)]
pub(super) struct FailedUnits {
    /// Disjoint failed ranges.
    ranges: [Option<UnitRange>; FAILED_RANGES],
    /// Set when a failure did not fit: every unit counts as failed.
    overflowed: bool,
}

impl FailedUnits {
    /// Creates an empty set.
    pub(super) const fn new() -> Self {
        Self {
            ranges: [None; FAILED_RANGES],
            overflowed: false,
        }
    }

    /// Adds `units` to the set.
    pub(super) fn record(&mut self, units: UnitRange) {
        if units.is_empty() {
            return;
        }
        // Merging touching ranges keeps a failure that spans several runs in one slot.
        for range in self.ranges.iter_mut().flatten() {
            if range.start <= units.end && units.start <= range.end {
                *range = UnitRange::new(range.start.min(units.start), range.end.max(units.end));
                return;
            }
        }
        match self.ranges.iter_mut().find(|range| range.is_none()) {
            Some(free) => *free = Some(units),
            None => self.overflowed = true,
        }
    }

    /// Returns `true` if any unit of `units` failed.
    pub(super) fn intersects(&self, units: UnitRange) -> bool {
        !units.is_empty()
            && (self.overflowed || self.ranges.iter().flatten().any(|r| r.overlaps(&units)))
    }

    /// Returns `true` if `unit` failed.
    pub(super) fn contains(&self, unit: u64) -> bool {
        self.intersects(UnitRange::new(unit, unit.saturating_add(1)))
    }
}
