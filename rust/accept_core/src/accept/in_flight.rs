// SPDX-License-Identifier: GPL-2.0

//! The ranges being accepted right now: the kernel's `accepting_list`, with a fixed capacity.

use super::UnitRange;

/// A registered range and whether anybody waited for it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The registered units.
    units: UnitRange,
    /// Set when a caller was told to wait for these units.
    contended: bool,
}

/// At most `SLOTS` unit ranges, pairwise disjoint, each owned by one [`super::Ticket`].
///
/// It also remembers who was turned away, so that releasing a range wakes waiters only when
/// there are some: a fault on an accepted page then costs no wake-up.
#[derive(Debug)]
pub(super) struct InFlight<const SLOTS: usize> {
    /// The registered ranges.
    slots: [Option<Entry>; SLOTS],
    /// Set when a caller was told to wait because every slot was taken.
    full_contended: bool,
}

impl<const SLOTS: usize> InFlight<SLOTS> {
    /// Creates an empty table.
    pub(super) const fn new() -> Self {
        Self {
            slots: [None; SLOTS],
            full_contended: false,
        }
    }

    /// Returns `true` if a registered range overlaps `units`, and marks those ranges contended.
    pub(super) fn contend(&mut self, units: UnitRange) -> bool {
        let mut found = false;
        for entry in self.slots.iter_mut().flatten() {
            if entry.units.overlaps(&units) {
                entry.contended = true;
                found = true;
            }
        }
        found
    }

    /// Registers `units` and returns its slot, or `None` if it overlaps a registered range or
    /// the table is full; the caller then has to wait for a [`InFlight::release`].
    pub(super) fn claim(&mut self, units: UnitRange) -> Option<usize> {
        if self.contend(units) {
            return None;
        }
        let Some((slot, free)) = self
            .slots
            .iter_mut()
            .enumerate()
            .find(|(_, entry)| entry.is_none())
        else {
            self.full_contended = true;
            return None;
        };
        *free = Some(Entry {
            units,
            contended: false,
        });
        Some(slot)
    }

    /// Returns `true` if `slot` holds `units`.
    pub(super) fn holds(&self, slot: usize, units: UnitRange) -> bool {
        matches!(self.slots.get(slot), Some(Some(entry)) if entry.units == units)
    }

    /// Unregisters `units` from `slot` and returns `true` if somebody waits for it.
    pub(super) fn release(&mut self, slot: usize, units: UnitRange) -> bool {
        let Some(entry) = self.slots.get_mut(slot) else {
            return false;
        };
        match entry {
            Some(registered) if registered.units == units => {
                let contended = registered.contended;
                *entry = None;
                // Any release makes room, so whoever found the table full may go on.
                let was_full = core::mem::take(&mut self.full_contended);
                contended || was_full
            }
            _ => false,
        }
    }

    /// Returns `true` if a registered range holds `unit`.
    pub(super) fn contains(&self, unit: u64) -> bool {
        self.slots
            .iter()
            .flatten()
            .any(|entry| entry.units.contains(unit))
    }
}
