// SPDX-License-Identifier: GPL-2.0

//! Why a handover could not be encoded or was refused when decoded.

use core::fmt;

/// The part of a handover area an [`Error`] was found in.
///
/// The distinction matters to the caller: as long as the envelope is intact,
/// the preserved memory it lists can be reclaimed even if the payload is
/// refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The frozen envelope: its header and segment table.
    Envelope,
    /// The versioned payload: its header and records.
    Payload,
}

/// Why a record was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordFault {
    /// The record kind is not one this ABI knows.
    Kind,
    /// The key is empty or longer than [`KEY_MAX`](super::KEY_MAX).
    KeyLength,
    /// The value is longer than its slot allows for the record kind.
    ValueLength,
    /// Bytes past the key or value length are not zero.
    Padding,
    /// The key does not sort strictly after the previous record's key.
    Unordered,
    /// The blob tag is not the next one in record order.
    BlobTag,
    /// More blob records than [`MAX_BLOBS`](super::MAX_BLOBS).
    TooManyBlobs,
    /// The envelope does not hold as many segments for the blob as it claims.
    BlobSegments,
    /// The blob's length is zero or does not match the size of its segments.
    BlobLength,
}

/// Why a preserved segment was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentFault {
    /// The segment kind is not one the envelope knows.
    Kind,
    /// The segment holds no page.
    Empty,
    /// The address is not page aligned, or a folio is not a naturally
    /// aligned power of two pages.
    Misaligned,
    /// The segment wraps around or ends past the physical address limit.
    OutOfRange,
    /// The segment starts below the previous one.
    Unordered,
    /// The segment overlaps the previous one.
    Overlap,
    /// No record owns the segment.
    Owner,
}

/// Why a handover could not be encoded, or was refused when decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The bytes end before the structure they are meant to hold, including
    /// when a count or size claims more than the bytes hold.
    Truncated(Part),
    /// A size disagrees with the layout: smaller than the layout this ABI
    /// knows, or leaving bytes that nothing accounts for.
    SizeMismatch(Part),
    /// The magic number is wrong: these bytes are no handover.
    BadMagic(Part),
    /// The envelope's checksum does not match its header and segment table.
    EnvelopeCrc,
    /// The payload header's checksum does not match.
    HeaderCrc,
    /// The checksum of the payload's records does not match.
    DataCrc,
    /// The envelope was written by a kernel with another page size.
    PageSize {
        /// The page shift the envelope was written with.
        found: u32,
    },
    /// The payload was written in a major ABI version this code cannot read.
    UnsupportedVersion {
        /// The major ABI version of the payload.
        major: u16,
        /// The minor ABI version of the payload.
        minor: u16,
    },
    /// The payload claims generation 0, which no kernel ever hands over.
    Generation,
    /// The generation cannot be advanced any further.
    GenerationExhausted,
    /// A record is malformed.
    BadRecord {
        /// Position of the record in the payload.
        index: u32,
        /// What is wrong with it.
        fault: RecordFault,
    },
    /// A preserved segment is malformed.
    BadSegment {
        /// Position of the segment in the envelope.
        index: u32,
        /// What is wrong with it.
        fault: SegmentFault,
    },
    /// The buffer is too small for the planned handover.
    NoSpace {
        /// Bytes the planned handover needs, or [`usize::MAX`] if the plan
        /// does not fit the format at all.
        needed: usize,
    },
    /// More or fewer segments or records were written than planned.
    PlanMismatch,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Envelope => f.write_str("envelope"),
            Self::Payload => f.write_str("payload"),
        }
    }
}

impl fmt::Display for RecordFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kind => "unknown kind",
            Self::KeyLength => "bad key length",
            Self::ValueLength => "bad value length",
            Self::Padding => "non-zero padding",
            Self::Unordered => "key out of order",
            Self::BlobTag => "unexpected blob tag",
            Self::TooManyBlobs => "too many blobs",
            Self::BlobSegments => "blob segment count mismatch",
            Self::BlobLength => "blob length mismatch",
        })
    }
}

impl fmt::Display for SegmentFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kind => "unknown kind",
            Self::Empty => "no pages",
            Self::Misaligned => "misaligned",
            Self::OutOfRange => "out of range",
            Self::Unordered => "out of order",
            Self::Overlap => "overlaps the previous segment",
            Self::Owner => "owned by no record",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(part) => write!(f, "{part} truncated"),
            Self::SizeMismatch(part) => write!(f, "{part} size mismatch"),
            Self::BadMagic(part) => write!(f, "{part} bad magic"),
            Self::EnvelopeCrc => f.write_str("envelope CRC mismatch"),
            Self::HeaderCrc => f.write_str("payload header CRC mismatch"),
            Self::DataCrc => f.write_str("payload data CRC mismatch"),
            Self::PageSize { found } => write!(f, "envelope page shift {found}"),
            Self::UnsupportedVersion { major, minor } => {
                write!(f, "unsupported payload ABI {major}.{minor}")
            }
            Self::Generation => f.write_str("payload generation 0"),
            Self::GenerationExhausted => f.write_str("generation exhausted"),
            Self::BadRecord { index, fault } => write!(f, "record {index}: {fault}"),
            Self::BadSegment { index, fault } => write!(f, "segment {index}: {fault}"),
            Self::NoSpace { needed } => write!(f, "handover needs {needed} bytes"),
            Self::PlanMismatch => f.write_str("handover written other than planned"),
        }
    }
}
