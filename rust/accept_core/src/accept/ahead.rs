// SPDX-License-Identifier: GPL-2.0

//! Accept-ahead: spotting a sequential walk over the units and accepting in front of it.
//!
//! The kernel has no such thing: it accepts on demand, or up to a watermark from the page
//! allocator. A user that walks a region in order would otherwise wait on every unit.

use super::{
    Acceptor,
    UnitRange, //
};
use core::ops::DerefMut;

/// Detector of sequential unit touches that proposes units to accept in the background.
///
/// Feed it every unit a fault touches, under the same lock as the [`Acceptor`]. From the
/// `threshold`-th consecutive unit touched in increasing order on, each new unit of the walk
/// proposes the next units that are still to accept, up to `window` units past itself. A
/// proposal only holds units that are in the table, unaccepted, not in flight and not failed
/// when it is made; the caller accepts it later with [`Acceptor::begin_units`], best one unit at
/// a time so that a fault in the window waits for one unit rather than the whole window, and
/// may skip units that turn out [`super::Begin::Blocked`] since somebody else accepts them.
#[derive(Clone, Debug)]
pub struct AcceptAhead {
    /// Sequential units needed before proposing.
    threshold: u32,
    /// How many units past the touched one a proposal may reach.
    window: u64,
    /// The unit touched last.
    last: Option<u64>,
    /// Number of consecutive units touched in increasing order, ending at `last`.
    streak: u32,
    /// End of the units already looked at for this walk.
    proposed_end: u64,
}

impl AcceptAhead {
    /// Creates a detector that proposes after `threshold` sequential units (at least one),
    /// at most `window` units ahead; a `window` of zero never proposes anything.
    pub const fn new(threshold: u32, window: u64) -> Self {
        Self {
            threshold,
            window,
            last: None,
            streak: 0,
            proposed_end: 0,
        }
    }

    /// Records a touch of `unit` and returns units to accept ahead of it, if any.
    pub fn touch<B: DerefMut<Target = [u64]>, const SLOTS: usize>(
        &mut self,
        unit: u64,
        acceptor: &Acceptor<B, SLOTS>,
    ) -> Option<UnitRange> {
        match self.last {
            // Another page of the same unit neither extends nor breaks the walk.
            Some(last) if last == unit => return None,
            Some(last) if last.checked_add(1) == Some(unit) => {
                self.streak = self.streak.saturating_add(1);
            }
            _ => {
                self.streak = 1;
                self.proposed_end = 0;
            }
        }
        self.last = Some(unit);
        if self.window == 0 || self.streak < self.threshold {
            return None;
        }

        let next = unit.saturating_add(1);
        let limit = next
            .saturating_add(self.window)
            .min(acceptor.table().units());
        let mut start = next.max(self.proposed_end);
        while start < limit && !acceptor.is_acceptable(start) {
            start = start.saturating_add(1);
        }
        let mut end = start;
        while end < limit && acceptor.is_acceptable(end) {
            end = end.saturating_add(1);
        }
        // Units already scanned are not looked at again until the walk moves past them.
        self.proposed_end = end;
        let proposal = UnitRange::new(start, end);
        (!proposal.is_empty()).then_some(proposal)
    }
}
