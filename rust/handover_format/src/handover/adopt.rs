// SPDX-License-Identifier: GPL-2.0

//! Taking over a handover area left by the previous kernel: what may be
//! trusted, adopted and reclaimed.
//!
//! The area itself is the KHO subtree blob. It is never freed by the kernel
//! that takes it over: KHO keeps listing (and its debugfs keeps showing) the
//! subtree for the life of that kernel, and a module loaded again must find
//! it retired rather than memory that may since hold anything.

use super::{
    envelope::{
        Envelope,
        PhysSpace,
        Segment,
        Segments,
        ENVELOPE_MAGIC, //
    },
    error::{
        Error,
        SegmentFault, //
    },
    payload::Handover,
};

/// What a handover area turned out to be.
#[derive(Clone, Copy, Debug)]
pub enum Examined<'a> {
    /// Taken over earlier in this kernel: nothing left to do.
    Retired,
    /// The envelope is damaged: nothing in the area can be trusted, not
    /// even which memory it preserves, so that memory stays reserved.
    Corrupt(Error),
    /// The payload was refused, but the envelope is intact: the memory it
    /// lists can be reclaimed.
    Refused {
        /// Why the payload was refused.
        error: Error,
        /// The memory to reclaim.
        envelope: Envelope<'a>,
    },
    /// Everything checks out.
    Accepted(Handover<'a>),
}

/// Examines `area`, the handover area at physical address `area_phys`.
///
/// Besides the checks of [`Envelope::parse`] and [`Handover::parse`], no
/// segment may overlap the area except the area's own (which starts at
/// `area_phys`): reclaiming such a segment would free the area while it is
/// being read.
pub fn examine(area: &[u8], space: PhysSpace, area_phys: u64) -> Examined<'_> {
    if retired(area) {
        return Examined::Retired;
    }
    let envelope = match Envelope::parse(area, space) {
        Ok(envelope) => envelope,
        Err(error) => return Examined::Corrupt(error),
    };
    let area_end = u64::try_from(area.len())
        .ok()
        .and_then(|len| area_phys.checked_add(len));
    for (index, segment) in (0..=u32::MAX).zip(envelope.segments()) {
        let end = segment
            .bytes(space.page_shift)
            .and_then(|bytes| segment.phys.checked_add(bytes));
        let overlaps = match (end, area_end) {
            (Some(end), Some(area_end)) => segment.phys < area_end && area_phys < end,
            _ => true,
        };
        if overlaps && segment.phys != area_phys {
            return Examined::Corrupt(Error::BadSegment {
                index,
                fault: SegmentFault::Overlap,
            });
        }
    }
    match Handover::parse(envelope) {
        Ok(handover) => Examined::Accepted(handover),
        Err(error) => Examined::Refused { error, envelope },
    }
}

/// Returns whether `area` was retired with [`retire`](super::retire).
pub fn retired(area: &[u8]) -> bool {
    area.get(..ENVELOPE_MAGIC.len())
        .is_some_and(|magic| magic.iter().all(|&byte| byte == 0))
}

/// Iterator over the segments of an envelope that the kernel taking it over
/// frees or adopts: all but the area's own.
#[derive(Clone, Debug)]
pub struct Reclaimable<'a> {
    segments: Segments<'a>,
    area_phys: u64,
}

/// Returns the segments of `envelope` other than the area at `area_phys`.
pub fn reclaimable<'a>(envelope: &Envelope<'a>, area_phys: u64) -> Reclaimable<'a> {
    Reclaimable {
        segments: envelope.segments(),
        area_phys,
    }
}

impl Iterator for Reclaimable<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        let area_phys = self.area_phys;
        self.segments.find(|segment| segment.phys != area_phys)
    }
}
