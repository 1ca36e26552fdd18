// SPDX-License-Identifier: GPL-2.0

//! The frozen envelope: which memory a handover keeps alive across kexec.
//!
//! The envelope is the start of the handover area, the bytes published as
//! the KHO subtree. Its layout never changes, in any version of any rkm
//! module, so that a later kernel can always find and free the preserved
//! memory, even when it cannot read the payload that follows. It therefore
//! carries its own magic and CRC and is validated on its own.

use core::mem::{
    offset_of,
    size_of, //
};

use zerocopy::{
    little_endian::{
        U32,
        U64, //
    },
    FromBytes, //
};
use zerocopy_derive::{
    FromBytes,
    Immutable,
    IntoBytes,
    KnownLayout,
    Unaligned, //
};

use super::{
    crc32c::Crc32c,
    error::{
        Error,
        Part,
        SegmentFault, //
    },
};

/// Magic number at the start of every envelope.
pub const ENVELOPE_MAGIC: [u8; 8] = *b"RKMHOENV";

/// Envelope header, at offset 0 of the handover area.
///
/// The segment table follows it directly, then the payload.
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct EnvelopeHeader {
    /// [`ENVELOPE_MAGIC`].
    pub magic: [u8; 8],
    /// CRC32C of the rest of the header and of the segment table.
    pub crc: U32,
    /// Page shift of the kernel that wrote the envelope.
    pub page_shift: U32,
    /// Number of [`SegmentDescriptor`]s in the segment table.
    pub segment_count: U32,
    /// Length of the payload that follows the segment table.
    pub payload_len: U32,
}

/// One entry of the segment table: a physically contiguous run of preserved
/// pages.
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SegmentDescriptor {
    /// Physical address of the first page.
    pub phys: U64,
    /// Number of pages.
    pub pages: U64,
    /// Tag of what the segment holds, see [`Segment::owner`].
    pub owner: U32,
    /// [`SegmentKind`] as a number.
    pub kind: U32,
}

// The layout is frozen: a change here strands the memory of every handover
// written before it.
const _: () = assert!(size_of::<EnvelopeHeader>() == 24);
const _: () = assert!(size_of::<SegmentDescriptor>() == 24);

/// Start of the bytes the envelope CRC covers: everything after the CRC.
const CRC_FROM: usize = offset_of!(EnvelopeHeader, page_shift);

/// How a segment was preserved, which decides how the next kernel restores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// A folio preserved with `kho_preserve_folio()` or allocated with
    /// `kho_alloc_preserve()`; restored with `kho_restore_folio()`.
    Folio,
    /// Order-0 pages preserved with `kho_preserve_pages()`; restored with
    /// `kho_restore_pages()`.
    Pages,
}

impl SegmentKind {
    fn from_wire(kind: u32) -> Option<Self> {
        match kind {
            1 => Some(Self::Folio),
            2 => Some(Self::Pages),
            _ => None,
        }
    }

    fn to_wire(self) -> u32 {
        match self {
            Self::Folio => 1,
            Self::Pages => 2,
        }
    }
}

/// A run of preserved pages, as listed in the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Physical address of the first page.
    pub phys: u64,
    /// Number of pages.
    pub pages: u64,
    /// How the pages were preserved.
    pub kind: SegmentKind,
    /// Tag of what the segment holds. The envelope only carries it; the
    /// payload ABI gives it a meaning (see [`AREA_OWNER`](super::AREA_OWNER)).
    pub owner: u32,
}

impl Segment {
    fn from_descriptor(descriptor: &SegmentDescriptor) -> Option<Self> {
        Some(Self {
            phys: descriptor.phys.get(),
            pages: descriptor.pages.get(),
            kind: SegmentKind::from_wire(descriptor.kind.get())?,
            owner: descriptor.owner.get(),
        })
    }

    pub(super) fn to_descriptor(self) -> SegmentDescriptor {
        SegmentDescriptor {
            phys: U64::new(self.phys),
            pages: U64::new(self.pages),
            owner: U32::new(self.owner),
            kind: U32::new(self.kind.to_wire()),
        }
    }

    /// Returns the size of the segment in bytes, or [`None`] if it does not
    /// fit in 64 bits.
    pub fn bytes(&self, page_shift: u32) -> Option<u64> {
        self.pages.checked_mul(1u64.checked_shl(page_shift)?)
    }

    /// Returns the end of the segment if it is a well-formed run of pages
    /// inside `space`.
    fn end(&self, space: PhysSpace) -> Result<u64, SegmentFault> {
        if self.pages == 0 {
            return Err(SegmentFault::Empty);
        }
        let bytes = self
            .bytes(space.page_shift)
            .ok_or(SegmentFault::OutOfRange)?;
        // A folio is a naturally aligned power of two pages; anything else
        // would make `kho_restore_folio()` find no preserved folio.
        let alignment = match self.kind {
            SegmentKind::Folio if self.pages.is_power_of_two() => bytes,
            SegmentKind::Folio => return Err(SegmentFault::Misaligned),
            SegmentKind::Pages => space.page_size().ok_or(SegmentFault::OutOfRange)?,
        };
        if self.phys.checked_rem(alignment) != Some(0) {
            return Err(SegmentFault::Misaligned);
        }
        match self.phys.checked_add(bytes) {
            Some(end) if end <= space.limit => Ok(end),
            _ => Err(SegmentFault::OutOfRange),
        }
    }
}

/// The physical memory a handover's segments must lie in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhysSpace {
    /// `PAGE_SHIFT` of the running kernel.
    pub page_shift: u32,
    /// First physical address past the memory a segment may name.
    pub limit: u64,
}

impl PhysSpace {
    fn page_size(self) -> Option<u64> {
        1u64.checked_shl(self.page_shift)
    }
}

/// A validated envelope, borrowed from the handover area.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    descriptors: &'a [SegmentDescriptor],
    payload: &'a [u8],
    page_shift: u32,
    preserved_bytes: u64,
}

impl<'a> Envelope<'a> {
    /// Validates the envelope at the start of `area`, the handover area as
    /// published by the previous kernel: exactly the bytes whose address and
    /// length `kho_retrieve_subtree()` returns.
    ///
    /// On success every segment is a page-aligned run inside `space`, and
    /// the segments are sorted by address and do not overlap, so each can be
    /// restored exactly once. Nothing in the payload is looked at.
    pub fn parse(area: &'a [u8], space: PhysSpace) -> Result<Self, Error> {
        let (header, _) =
            EnvelopeHeader::ref_from_prefix(area).map_err(|_| Error::Truncated(Part::Envelope))?;
        if header.magic != ENVELOPE_MAGIC {
            return Err(Error::BadMagic(Part::Envelope));
        }
        let table_end = table_end(header).ok_or(Error::Truncated(Part::Envelope))?;
        let (envelope, payload) = area
            .split_at_checked(table_end)
            .ok_or(Error::Truncated(Part::Envelope))?;
        let covered = envelope
            .get(CRC_FROM..)
            .ok_or(Error::Truncated(Part::Envelope))?;
        if Crc32c::new().update(covered).finish() != header.crc.get() {
            return Err(Error::EnvelopeCrc);
        }
        if header.page_shift.get() != space.page_shift {
            return Err(Error::PageSize {
                found: header.page_shift.get(),
            });
        }
        let payload_len = usize::try_from(header.payload_len.get())
            .map_err(|_| Error::Truncated(Part::Envelope))?;
        if payload.len() < payload_len {
            return Err(Error::Truncated(Part::Envelope));
        }
        if payload.len() > payload_len {
            return Err(Error::SizeMismatch(Part::Envelope));
        }
        let table = envelope
            .get(size_of::<EnvelopeHeader>()..)
            .ok_or(Error::Truncated(Part::Envelope))?;
        let descriptors = <[SegmentDescriptor]>::ref_from_bytes(table)
            .map_err(|_| Error::Truncated(Part::Envelope))?;
        let preserved_bytes = check_segments(descriptors, space)?;
        Ok(Self {
            descriptors,
            payload,
            page_shift: space.page_shift,
            preserved_bytes,
        })
    }

    /// Returns the preserved segments, sorted by physical address.
    pub fn segments(&self) -> Segments<'a> {
        Segments(self.descriptors.iter())
    }

    /// Returns the payload bytes, not yet validated.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Returns the page shift the segments are counted in.
    pub fn page_shift(&self) -> u32 {
        self.page_shift
    }

    /// Returns the number of bytes all segments preserve together.
    pub fn preserved_bytes(&self) -> u64 {
        self.preserved_bytes
    }
}

/// Iterator over the segments of an [`Envelope`].
#[derive(Clone, Debug)]
pub struct Segments<'a>(core::slice::Iter<'a, SegmentDescriptor>);

impl Iterator for Segments<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        // Every descriptor was validated, so the kind is known.
        self.0.next().and_then(Segment::from_descriptor)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

/// Returns the offset of the payload, right after the segment table.
fn table_end(header: &EnvelopeHeader) -> Option<usize> {
    usize::try_from(header.segment_count.get())
        .ok()?
        .checked_mul(size_of::<SegmentDescriptor>())?
        .checked_add(size_of::<EnvelopeHeader>())
}

/// Checks every segment and returns how many bytes they preserve together.
fn check_segments(descriptors: &[SegmentDescriptor], space: PhysSpace) -> Result<u64, Error> {
    let mut previous: Option<(u64, u64)> = None;
    let mut total: u64 = 0;
    for (index, descriptor) in (0..=u32::MAX).zip(descriptors) {
        let fail = |fault| Error::BadSegment { index, fault };
        let segment = Segment::from_descriptor(descriptor).ok_or(fail(SegmentFault::Kind))?;
        let end = segment.end(space).map_err(fail)?;
        if let Some((start, previous_end)) = previous {
            if segment.phys < start {
                return Err(fail(SegmentFault::Unordered));
            }
            if segment.phys < previous_end {
                return Err(fail(SegmentFault::Overlap));
            }
        }
        previous = Some((segment.phys, end));
        // Disjoint segments below a 64-bit limit cannot add up past it.
        total = total.saturating_add(end.saturating_sub(segment.phys));
    }
    Ok(total)
}

/// Marks a handover area as taken over, so that it is refused with
/// [`Error::BadMagic`] from then on.
///
/// KHO keeps listing the subtree for the whole life of the kernel it was
/// handed to, so a module loaded again would find the same area. Retiring it
/// before its memory is freed keeps the state from being taken over twice.
pub fn retire(area: &mut [u8]) {
    if let Some(magic) = area.get_mut(..ENVELOPE_MAGIC.len()) {
        magic.fill(0);
    }
}

/// Returns the payload of a handover area whose envelope header is in place.
pub(super) fn payload_mut(area: &mut [u8]) -> Option<&mut [u8]> {
    let (header, _) = EnvelopeHeader::ref_from_prefix(area).ok()?;
    let start = table_end(header)?;
    area.get_mut(start..)
}

/// Writes the envelope CRC of a handover area whose envelope header and
/// segment table are in place.
pub(super) fn seal(area: &mut [u8]) -> Option<()> {
    let (header, _) = EnvelopeHeader::ref_from_prefix(area).ok()?;
    let crc = Crc32c::new()
        .update(area.get(CRC_FROM..table_end(header)?)?)
        .finish();
    let (header, _) = EnvelopeHeader::mut_from_prefix(area).ok()?;
    header.crc.set(crc);
    Some(())
}
