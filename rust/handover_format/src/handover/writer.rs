// SPDX-License-Identifier: GPL-2.0

//! Encoding a handover into a caller-provided area.

use core::mem::size_of;

use zerocopy::{
    little_endian::{
        U16,
        U32,
        U64, //
    },
    FromZeros,
    IntoBytes, //
};

use super::{
    envelope::{
        self,
        Envelope,
        EnvelopeHeader,
        PhysSpace,
        Segment,
        SegmentDescriptor,
        ENVELOPE_MAGIC, //
    },
    error::{
        Error,
        RecordFault, //
    },
    generation::Generation,
    payload::{
        self,
        BlobRef,
        Handover,
        PayloadHeader,
        PayloadPrefix,
        RecordSlot,
        ABI_MAJOR,
        ABI_MINOR,
        MAX_BLOBS,
        PAYLOAD_MAGIC, //
    },
};

/// What a handover will hold, fixed before any of it is written.
///
/// Knowing the counts up front fixes every offset, so the area can be sized
/// and allocated long before kexec, and segments and records can be written
/// in any interleaving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Where the segments lie.
    pub space: PhysSpace,
    /// Generation of the kernel writing the handover.
    pub generation: Generation,
    /// Number of segments, including those of the handover area itself.
    pub segments: u32,
    /// Number of records, blobs included.
    pub records: u32,
}

impl Plan {
    /// Returns the length of the handover area, or [`None`] if it does not
    /// fit in the format.
    pub fn area_len(&self) -> Option<usize> {
        let payload_len = record_offset(self.records)?;
        // The envelope stores the payload length in 32 bits.
        u32::try_from(payload_len).ok()?;
        self.payload_start()?.checked_add(payload_len)
    }

    /// Returns the offset of the payload in the area.
    fn payload_start(&self) -> Option<usize> {
        segment_offset(self.segments)
    }
}

/// Returns the offset of segment descriptor `index` in the area.
fn segment_offset(index: u32) -> Option<usize> {
    usize::try_from(index)
        .ok()?
        .checked_mul(size_of::<SegmentDescriptor>())?
        .checked_add(size_of::<EnvelopeHeader>())
}

/// Returns the offset of record `index` in the payload.
fn record_offset(index: u32) -> Option<usize> {
    usize::try_from(index)
        .ok()?
        .checked_mul(size_of::<RecordSlot>())?
        .checked_add(size_of::<PayloadHeader>())
}

/// Writes a handover into an area, one segment and record at a time.
///
/// Records must be written in strictly ascending key order. Segments must
/// be written in ascending physical order, and a blob's bytes must run
/// through its segments in that order too. [`Writer::finish`] validates the
/// result as the next kernel will, so nothing is published that it would
/// refuse.
///
/// # Examples
///
/// ```
/// use handover_format::{
///     Contents, Envelope, Generation, Handover, PhysSpace, Plan, Segment, SegmentKind, Writer,
///     AREA_OWNER,
/// };
///
/// let space = PhysSpace { page_shift: 12, limit: 1 << 46 };
/// let plan = Plan { space, generation: Generation::FIRST, segments: 1, records: 1 };
/// let mut area = [0; 4096];
/// let mut writer = Writer::new(&mut area, plan)?;
/// // The area itself, as `kho_alloc_preserve()` returned it.
/// writer.push_segment(Segment {
///     phys: 0x10_0000,
///     pages: 1,
///     kind: SegmentKind::Folio,
///     owner: AREA_OWNER,
/// })?;
/// writer.push_value(b"mtu", &9000u32.to_le_bytes())?;
/// let len = writer.finish()?;
///
/// // In the next kernel.
/// let handover = Handover::parse(Envelope::parse(&area[..len], space)?)?;
/// assert_eq!(handover.generation().next()?.get(), 2);
/// let record = handover.records().next().unwrap();
/// assert_eq!(record.contents, Contents::Value(&9000u32.to_le_bytes()));
/// # Ok::<(), handover_format::Error>(())
/// ```
#[derive(Debug)]
pub struct Writer<'a> {
    area: &'a mut [u8],
    plan: Plan,
    segments: u32,
    records: u32,
    blobs: u32,
}

impl<'a> Writer<'a> {
    /// Starts writing the handover `plan` describes into the front of `area`.
    pub fn new(area: &'a mut [u8], plan: Plan) -> Result<Self, Error> {
        let needed = plan
            .area_len()
            .ok_or(Error::NoSpace { needed: usize::MAX })?;
        let area = area.get_mut(..needed).ok_or(Error::NoSpace { needed })?;
        Ok(Self {
            area,
            plan,
            segments: 0,
            records: 0,
            blobs: 0,
        })
    }

    /// Writes the next segment.
    pub fn push_segment(&mut self, segment: Segment) -> Result<(), Error> {
        let written = one_more(self.segments, self.plan.segments)?;
        let offset = segment_offset(self.segments);
        write(self.area, offset, segment.to_descriptor().as_bytes())?;
        self.segments = written;
        Ok(())
    }

    /// Writes the next record, mapping `key` to `value`.
    pub fn push_value(&mut self, key: &[u8], value: &[u8]) -> Result<(), Error> {
        self.push_record(payload::VALUE_KIND, key, value)
    }

    /// Writes the next record, mapping `key` to a blob of `len` bytes held in
    /// `segments` segments, and returns the blob's tag, the owner of those
    /// segments.
    pub fn push_blob(&mut self, key: &[u8], len: u64, segments: u32) -> Result<u32, Error> {
        let tag = one_more(self.blobs, MAX_BLOBS).map_err(|_| Error::BadRecord {
            index: self.records,
            fault: RecordFault::TooManyBlobs,
        })?;
        let blob = BlobRef {
            tag: U32::new(tag),
            segments: U32::new(segments),
            len: U64::new(len),
        };
        self.push_record(payload::BLOB_KIND, key, blob.as_bytes())?;
        self.blobs = tag;
        Ok(tag)
    }

    fn push_record(&mut self, kind: u16, key: &[u8], value: &[u8]) -> Result<(), Error> {
        let index = self.records;
        let written = one_more(index, self.plan.records)?;
        let fail = |fault| Error::BadRecord { index, fault };
        let mut slot = RecordSlot::new_zeroed();
        if key.is_empty() {
            return Err(fail(RecordFault::KeyLength));
        }
        slot.key
            .get_mut(..key.len())
            .ok_or(fail(RecordFault::KeyLength))?
            .copy_from_slice(key);
        slot.value
            .get_mut(..value.len())
            .ok_or(fail(RecordFault::ValueLength))?
            .copy_from_slice(value);
        // Both fit in their slots, so they fit in their length fields.
        slot.kind = U16::new(kind);
        slot.key_len =
            U16::new(u16::try_from(key.len()).map_err(|_| fail(RecordFault::KeyLength))?);
        slot.value_len =
            U32::new(u32::try_from(value.len()).map_err(|_| fail(RecordFault::ValueLength))?);
        let offset = self
            .plan
            .payload_start()
            .zip(record_offset(index))
            .and_then(|(start, offset)| start.checked_add(offset));
        write(self.area, offset, slot.as_bytes())?;
        self.records = written;
        Ok(())
    }

    /// Writes the headers and checksums and returns the length of the
    /// handover, the number of bytes to publish.
    pub fn finish(self) -> Result<usize, Error> {
        if self.segments != self.plan.segments || self.records != self.plan.records {
            return Err(Error::PlanMismatch);
        }
        let plan = self.plan;
        let payload_start = plan.payload_start();
        let payload_len = payload_start
            .and_then(|start| self.area.len().checked_sub(start))
            .and_then(|len| u32::try_from(len).ok());
        let envelope_header = EnvelopeHeader {
            magic: ENVELOPE_MAGIC,
            crc: U32::new(0),
            page_shift: U32::new(plan.space.page_shift),
            segment_count: U32::new(plan.segments),
            payload_len: U32::new(payload_len.ok_or(Error::PlanMismatch)?),
        };
        let payload_header = PayloadHeader {
            prefix: PayloadPrefix {
                magic: PAYLOAD_MAGIC,
                header_crc: U32::new(0),
                abi_major: U16::new(ABI_MAJOR),
                abi_minor: U16::new(ABI_MINOR),
                header_size: U32::new(payload::HEADER_SIZE),
            },
            record_size: U32::new(payload::RECORD_SIZE),
            record_count: U32::new(plan.records),
            data_crc: U32::new(0),
            generation: U64::new(plan.generation.get()),
        };
        let Self { area, .. } = self;
        write(area, Some(0), envelope_header.as_bytes())?;
        write(area, payload_start, payload_header.as_bytes())?;
        let payload = payload_start
            .and_then(|start| area.get_mut(start..))
            .ok_or(Error::PlanMismatch)?;
        payload::seal_data(payload).ok_or(Error::PlanMismatch)?;
        payload::seal_header(payload).ok_or(Error::PlanMismatch)?;
        envelope::seal(area).ok_or(Error::PlanMismatch)?;
        Handover::parse(Envelope::parse(area, plan.space)?)?;
        Ok(area.len())
    }
}

/// Returns `count` plus one, if that stays within `planned`.
fn one_more(count: u32, planned: u32) -> Result<u32, Error> {
    count
        .checked_add(1)
        .filter(|&count| count <= planned)
        .ok_or(Error::PlanMismatch)
}

/// Copies `bytes` into `area` at `offset`.
///
/// Every offset lies inside the area [`Writer::new`] sized from the plan,
/// so failing here means the writer itself is wrong.
fn write(area: &mut [u8], offset: Option<usize>, bytes: &[u8]) -> Result<(), Error> {
    offset
        .and_then(|start| area.get_mut(start..)?.get_mut(..bytes.len()))
        .ok_or(Error::PlanMismatch)?
        .copy_from_slice(bytes);
    Ok(())
}
