// SPDX-License-Identifier: GPL-2.0

//! The versioned payload: the records a module hands over.
//!
//! The payload follows the envelope's segment table. Its header starts with a
//! prefix that every ABI version shares, so that any reader can check it and
//! tell a payload it cannot read from a corrupt one. A newer minor version
//! may only append fields to the header and to each record; a reader takes
//! the prefix it knows and skips the rest, which is why both sizes are stored.

use core::mem::{
    offset_of,
    size_of, //
};

use zerocopy::{
    little_endian::{
        U16,
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
    envelope::{
        Envelope,
        Segment,
        Segments, //
    },
    error::{
        Error,
        Part,
        RecordFault,
        SegmentFault, //
    },
    generation::Generation,
};

/// Magic number at the start of every payload.
pub const PAYLOAD_MAGIC: [u8; 8] = *b"RKMHOPLD";

/// Major ABI version written and read by this code.
///
/// A payload of another major version is refused as a whole.
pub const ABI_MAJOR: u16 = 1;

/// Minor ABI version written by this code.
///
/// Payloads of any minor version of [`ABI_MAJOR`] are read.
pub const ABI_MINOR: u16 = 0;

/// Longest key of a record, in bytes.
pub const KEY_MAX: usize = 64;

/// Longest value of a record, in bytes.
pub const VALUE_MAX: usize = 256;

/// Most blob records one payload may hold.
///
/// Bounds the work of matching blobs to their segments, which is done once
/// per blob over the whole segment table.
pub const MAX_BLOBS: u32 = 64;

/// Owner tag of the segments that hold the handover area itself.
///
/// The segments of a blob carry the blob's tag instead, numbered from 1 in
/// record order.
pub const AREA_OWNER: u32 = 0;

/// [`RecordSlot::kind`] of a record whose value is stored in the slot.
pub(super) const VALUE_KIND: u16 = 1;

/// [`RecordSlot::kind`] of a record whose value is a [`BlobRef`].
pub(super) const BLOB_KIND: u16 = 2;

/// [`PayloadPrefix::header_size`] written by this code.
pub(super) const HEADER_SIZE: u32 = 40;

/// [`PayloadHeader::record_size`] written by this code.
pub(super) const RECORD_SIZE: u32 = 328;

/// The part of the payload header that every ABI version shares.
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct PayloadPrefix {
    /// [`PAYLOAD_MAGIC`].
    pub magic: [u8; 8],
    /// CRC32C of the header bytes after this field, up to `header_size`.
    pub header_crc: U32,
    /// Major ABI version; readers refuse any other than their own.
    pub abi_major: U16,
    /// Minor ABI version; a newer one only appends fields.
    pub abi_minor: U16,
    /// Length of the header, the offset of the first record.
    pub header_size: U32,
}

/// The payload header of ABI version 1.
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct PayloadHeader {
    /// The part every ABI version shares.
    pub prefix: PayloadPrefix,
    /// Distance between two records, at least the size of a [`RecordSlot`].
    pub record_size: U32,
    /// Number of records.
    pub record_count: U32,
    /// CRC32C of all records.
    pub data_crc: U32,
    /// [`Generation`] of the kernel that wrote the payload.
    pub generation: U64,
}

/// One record of ABI version 1: a key and a value stored inline, or a key
/// and a [`BlobRef`].
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RecordSlot {
    /// What the value holds.
    pub kind: U16,
    /// Length of the key, 1 to [`KEY_MAX`].
    pub key_len: U16,
    /// Length of the value.
    pub value_len: U32,
    /// The key, zero padded.
    pub key: [u8; KEY_MAX],
    /// The value, zero padded.
    pub value: [u8; VALUE_MAX],
}

/// Value of a blob record: a large blob whose pages are handed over as they
/// are, listed in the envelope under the blob's tag.
///
/// The blob's bytes run through its segments in ascending physical order.
#[derive(Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct BlobRef {
    /// Owner tag of the blob's segments.
    pub tag: U32,
    /// Number of segments holding the blob.
    pub segments: U32,
    /// Length of the blob in bytes.
    pub len: U64,
}

const _: () = assert!(size_of::<PayloadPrefix>() == 20);
const _: () = assert!(size_of::<PayloadHeader>() == HEADER_SIZE as usize);
const _: () = assert!(size_of::<RecordSlot>() == RECORD_SIZE as usize);
const _: () = assert!(size_of::<BlobRef>() == 16);
const _: () = assert!(size_of::<BlobRef>() <= VALUE_MAX);

/// Start of the bytes the header CRC covers: everything after the CRC.
const HEADER_CRC_FROM: usize = offset_of!(PayloadPrefix, abi_major);

/// A record handed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The key, unique among the records of a payload.
    pub key: &'a [u8],
    /// What the key maps to.
    pub contents: Contents<'a>,
}

/// What a [`Record`] maps its key to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents<'a> {
    /// A value stored in the payload.
    Value(&'a [u8]),
    /// A blob whose pages are adopted rather than copied.
    Blob(Blob),
}

/// A large blob handed over in preserved pages of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blob {
    /// Owner tag of the blob's segments in the envelope.
    pub tag: u32,
    /// Number of segments holding the blob.
    pub segments: u32,
    /// Length of the blob in bytes.
    pub len: u64,
}

impl<'a> Record<'a> {
    fn decode(slot: &'a RecordSlot) -> Result<Self, RecordFault> {
        let key_len = usize::from(slot.key_len.get());
        let (key, key_padding) = slot
            .key
            .split_at_checked(key_len)
            .ok_or(RecordFault::KeyLength)?;
        if key.is_empty() {
            return Err(RecordFault::KeyLength);
        }
        let value_len =
            usize::try_from(slot.value_len.get()).map_err(|_| RecordFault::ValueLength)?;
        let (value, value_padding) = slot
            .value
            .split_at_checked(value_len)
            .ok_or(RecordFault::ValueLength)?;
        // Zero padding makes the encoding canonical, so a length that lies
        // about where the bytes end is caught even with a matching CRC.
        if key_padding
            .iter()
            .chain(value_padding)
            .any(|&byte| byte != 0)
        {
            return Err(RecordFault::Padding);
        }
        let contents = match slot.kind.get() {
            VALUE_KIND => Contents::Value(value),
            BLOB_KIND => {
                let blob = BlobRef::ref_from_bytes(value).map_err(|_| RecordFault::ValueLength)?;
                Contents::Blob(Blob {
                    tag: blob.tag.get(),
                    segments: blob.segments.get(),
                    len: blob.len.get(),
                })
            }
            _ => return Err(RecordFault::Kind),
        };
        Ok(Self { key, contents })
    }
}

/// A validated payload together with the envelope it came in.
#[derive(Clone, Copy, Debug)]
pub struct Handover<'a> {
    envelope: Envelope<'a>,
    records: &'a [u8],
    record_size: usize,
    generation: Generation,
}

impl<'a> Handover<'a> {
    /// Validates the payload of `envelope`.
    ///
    /// On success every record is well formed, the keys are unique and
    /// sorted, and every blob is matched by segments of the right number and
    /// size. On failure the envelope is still valid: its segments can be
    /// reclaimed even though the payload is refused.
    pub fn parse(envelope: Envelope<'a>) -> Result<Self, Error> {
        let payload = envelope.payload();
        let (prefix, _) =
            PayloadPrefix::ref_from_prefix(payload).map_err(|_| Error::Truncated(Part::Payload))?;
        if prefix.magic != PAYLOAD_MAGIC {
            return Err(Error::BadMagic(Part::Payload));
        }
        let header_size = usize::try_from(prefix.header_size.get())
            .map_err(|_| Error::Truncated(Part::Payload))?;
        if header_size < size_of::<PayloadPrefix>() {
            return Err(Error::SizeMismatch(Part::Payload));
        }
        let (header_bytes, records) = payload
            .split_at_checked(header_size)
            .ok_or(Error::Truncated(Part::Payload))?;
        if header_crc(header_bytes) != Some(prefix.header_crc.get()) {
            return Err(Error::HeaderCrc);
        }
        // Only now is the version trusted: a bit flip in it is corruption,
        // not a payload of another version.
        if prefix.abi_major.get() != ABI_MAJOR {
            return Err(Error::UnsupportedVersion {
                major: prefix.abi_major.get(),
                minor: prefix.abi_minor.get(),
            });
        }
        let (header, _) = PayloadHeader::ref_from_prefix(header_bytes)
            .map_err(|_| Error::SizeMismatch(Part::Payload))?;
        let record_size = usize::try_from(header.record_size.get())
            .map_err(|_| Error::Truncated(Part::Payload))?;
        if record_size < size_of::<RecordSlot>() {
            return Err(Error::SizeMismatch(Part::Payload));
        }
        // Only a later minor version may have grown them: sizes that differ
        // from this version's under its own version number are lies.
        let later_minor = prefix.abi_minor.get() > ABI_MINOR;
        if !later_minor
            && (header_size != size_of::<PayloadHeader>() || record_size != size_of::<RecordSlot>())
        {
            return Err(Error::SizeMismatch(Part::Payload));
        }
        let records_len = usize::try_from(header.record_count.get())
            .ok()
            .and_then(|count| count.checked_mul(record_size))
            .ok_or(Error::Truncated(Part::Payload))?;
        if records.len() < records_len {
            return Err(Error::Truncated(Part::Payload));
        }
        if records.len() > records_len {
            return Err(Error::SizeMismatch(Part::Payload));
        }
        if Crc32c::new().update(records).finish() != header.data_crc.get() {
            return Err(Error::DataCrc);
        }
        let generation = Generation::new(header.generation.get()).ok_or(Error::Generation)?;
        let handover = Self {
            envelope,
            records,
            record_size,
            generation,
        };
        let blobs = handover.check_records(header.record_count.get())?;
        handover.check_owners(blobs)?;
        Ok(handover)
    }

    /// Returns the envelope the payload came in.
    pub fn envelope(&self) -> Envelope<'a> {
        self.envelope
    }

    /// Returns the generation of the kernel that handed the state over.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// Returns the records, sorted by key.
    pub fn records(&self) -> Records<'a> {
        Records(self.slots())
    }

    /// Returns the segments holding `blob`, in the order its bytes run
    /// through them.
    pub fn blob_segments(&self, blob: &Blob) -> BlobSegments<'a> {
        BlobSegments {
            segments: self.envelope.segments(),
            tag: blob.tag,
        }
    }

    /// Checks every record and returns the number of blobs.
    fn check_records(&self, count: u32) -> Result<u32, Error> {
        let mut slots = self.slots();
        let mut previous_key: Option<&[u8]> = None;
        let mut blobs: u32 = 0;
        for index in 0..count {
            let fail = |fault| Error::BadRecord { index, fault };
            let slot = slots.next().ok_or(Error::Truncated(Part::Payload))?;
            let record = Record::decode(slot).map_err(fail)?;
            if previous_key.is_some_and(|previous| previous >= record.key) {
                return Err(fail(RecordFault::Unordered));
            }
            previous_key = Some(record.key);
            if let Contents::Blob(blob) = record.contents {
                blobs = blobs
                    .checked_add(1)
                    .filter(|&blobs| blobs <= MAX_BLOBS)
                    .ok_or(fail(RecordFault::TooManyBlobs))?;
                if blob.tag != blobs {
                    return Err(fail(RecordFault::BlobTag));
                }
                self.check_blob(&blob).map_err(fail)?;
            }
        }
        Ok(blobs)
    }

    /// Checks that the envelope holds `blob` in as many segments as it
    /// claims, each of which carries at least one of its bytes.
    fn check_blob(&self, blob: &Blob) -> Result<(), RecordFault> {
        let page_shift = self.envelope.page_shift();
        let mut segments: u32 = 0;
        let mut bytes: u64 = 0;
        let mut last_bytes: u64 = 0;
        for segment in self.blob_segments(blob) {
            segments = segments.saturating_add(1);
            last_bytes = segment.bytes(page_shift).ok_or(RecordFault::BlobLength)?;
            bytes = bytes.saturating_add(last_bytes);
        }
        if segments != blob.segments {
            return Err(RecordFault::BlobSegments);
        }
        // The last segment must hold part of the blob, or the blob claims
        // memory it does not use.
        if blob.len == 0 || blob.len > bytes || blob.len <= bytes.saturating_sub(last_bytes) {
            return Err(RecordFault::BlobLength);
        }
        Ok(())
    }

    /// Checks that every segment belongs to the area or to one of `blobs`
    /// blobs.
    fn check_owners(&self, blobs: u32) -> Result<(), Error> {
        for (index, segment) in (0..=u32::MAX).zip(self.envelope.segments()) {
            if segment.owner != AREA_OWNER && segment.owner > blobs {
                return Err(Error::BadSegment {
                    index,
                    fault: SegmentFault::Owner,
                });
            }
        }
        Ok(())
    }

    fn slots(&self) -> Slots<'a> {
        Slots {
            rest: self.records,
            record_size: self.record_size,
        }
    }
}

/// Iterator over the raw slots of a payload's records.
#[derive(Clone, Debug)]
struct Slots<'a> {
    rest: &'a [u8],
    record_size: usize,
}

impl<'a> Iterator for Slots<'a> {
    type Item = &'a RecordSlot;

    fn next(&mut self) -> Option<&'a RecordSlot> {
        // A newer minor version may append fields to each record: take the
        // slot this ABI knows and skip the rest.
        let (slot, _) = RecordSlot::ref_from_prefix(self.rest).ok()?;
        self.rest = self.rest.get(self.record_size..).unwrap_or_default();
        Some(slot)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.rest.len().checked_div(self.record_size).unwrap_or(0);
        (len, Some(len))
    }
}

/// Iterator over the records of a [`Handover`].
#[derive(Clone, Debug)]
pub struct Records<'a>(Slots<'a>);

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        // Every record was validated, so decoding cannot fail here.
        self.0.next().and_then(|slot| Record::decode(slot).ok())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Records<'_> {}

/// Iterator over the segments holding a [`Blob`].
#[derive(Clone, Debug)]
pub struct BlobSegments<'a> {
    segments: Segments<'a>,
    tag: u32,
}

impl Iterator for BlobSegments<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        let tag = self.tag;
        self.segments.find(|segment| segment.owner == tag)
    }
}

/// Returns the header CRC of `header`, the bytes up to the first record.
fn header_crc(header: &[u8]) -> Option<u32> {
    Some(
        Crc32c::new()
            .update(header.get(HEADER_CRC_FROM..)?)
            .finish(),
    )
}

/// Writes the data CRC of a payload whose header and records are in place.
pub(super) fn seal_data(payload: &mut [u8]) -> Option<()> {
    let (header, records) = PayloadHeader::mut_from_prefix(payload).ok()?;
    let records_len = usize::try_from(header.record_count.get())
        .ok()?
        .checked_mul(usize::try_from(header.record_size.get()).ok()?)?;
    let crc = Crc32c::new().update(records.get(..records_len)?).finish();
    header.data_crc.set(crc);
    Some(())
}

/// Writes the header CRC of a payload whose header is in place.
pub(super) fn seal_header(payload: &mut [u8]) -> Option<()> {
    let (prefix, _) = PayloadPrefix::ref_from_prefix(payload).ok()?;
    let header_size = usize::try_from(prefix.header_size.get()).ok()?;
    let crc = header_crc(payload.get(..header_size)?)?;
    let (prefix, _) = PayloadPrefix::mut_from_prefix(payload).ok()?;
    prefix.header_crc.set(crc);
    Some(())
}
