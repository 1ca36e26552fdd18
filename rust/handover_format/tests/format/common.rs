// SPDX-License-Identifier: GPL-2.0

//! Building, decoding and patching handover areas for the tests.

use std::{
    collections::BTreeMap,
    vec::Vec, //
};

use handover_format::{
    crc32c,
    Blob,
    Contents,
    Envelope,
    EnvelopeHeader,
    Error,
    Generation,
    Handover,
    PayloadHeader,
    PhysSpace,
    Plan,
    RecordSlot,
    Segment,
    SegmentDescriptor,
    SegmentKind,
    Writer, //
};
use zerocopy::FromBytes;

/// Page size of the kernel the tests pretend to run in.
pub const PAGE: u64 = 4096;

/// 46-bit physical address space of 4 KiB pages.
pub const SPACE: PhysSpace = PhysSpace {
    page_shift: 12,
    limit: 1 << 46,
};

/// Offset of the segment table in an area.
pub const TABLE: usize = size_of::<EnvelopeHeader>();

/// What a record maps its key to, as the tests hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Value(Vec<u8>),
    Blob { len: u64, segments: u32 },
}

/// The state a module hands over, as the tests hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub generation: Generation,
    pub records: BTreeMap<Vec<u8>, Item>,
    pub segments: Vec<Segment>,
}

impl State {
    /// Encodes the state with a [`Writer`] and returns the handover area.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let plan = Plan {
            space: SPACE,
            generation: self.generation,
            segments: u32::try_from(self.segments.len()).unwrap(),
            records: u32::try_from(self.records.len()).unwrap(),
        };
        let mut area = vec![0xa5; plan.area_len().unwrap()];
        let mut writer = Writer::new(&mut area, plan)?;
        for segment in &self.segments {
            writer.push_segment(*segment)?;
        }
        for (key, item) in &self.records {
            match item {
                Item::Value(value) => writer.push_value(key, value)?,
                Item::Blob { len, segments } => {
                    writer.push_blob(key, *len, *segments)?;
                }
            }
        }
        let len = writer.finish()?;
        area.truncate(len);
        Ok(area)
    }

    /// Reads back the state a handover holds.
    pub fn decoded(handover: &Handover<'_>) -> Self {
        let records = handover
            .records()
            .map(|record| {
                let item = match record.contents {
                    Contents::Value(value) => Item::Value(value.to_vec()),
                    Contents::Blob(Blob { segments, len, .. }) => Item::Blob { len, segments },
                };
                (record.key.to_vec(), item)
            })
            .collect();
        Self {
            generation: handover.generation(),
            records,
            segments: handover.envelope().segments().collect(),
        }
    }
}

/// Validates an area the way the next kernel does.
pub fn decode(area: &[u8]) -> Result<Handover<'_>, Error> {
    Handover::parse(Envelope::parse(area, SPACE)?)
}

/// Returns a folio segment.
pub fn folio(phys: u64, pages: u64, owner: u32) -> Segment {
    Segment {
        phys,
        pages,
        kind: SegmentKind::Folio,
        owner,
    }
}

/// Returns a segment of order-0 pages.
pub fn pages(phys: u64, pages: u64, owner: u32) -> Segment {
    Segment {
        phys,
        pages,
        kind: SegmentKind::Pages,
        owner,
    }
}

/// A small state with values, two blobs and the area's own folio.
pub fn sample() -> State {
    let records = [
        (&b"alpha"[..], Item::Value(b"1".to_vec())),
        (
            b"blob-a",
            Item::Blob {
                len: 20_000,
                segments: 2,
            },
        ),
        (
            b"blob-b",
            Item::Blob {
                len: 3 * PAGE,
                segments: 1,
            },
        ),
        (b"config", Item::Value(vec![0x5a; 256])),
        (b"zeta", Item::Value(Vec::new())),
    ];
    State {
        generation: Generation::new(7).unwrap(),
        records: records
            .into_iter()
            .map(|(key, item)| (key.to_vec(), item))
            .collect(),
        segments: vec![
            folio(0x10_0000, 1, 0),
            folio(0x20_0000, 4, 1),
            pages(0x30_0000, 3, 2),
            pages(0x40_0000, 2, 1),
        ],
    }
}

/// Returns the offset of the payload in `area`.
pub fn payload_start(area: &[u8]) -> usize {
    let (header, _) = EnvelopeHeader::ref_from_prefix(area).unwrap();
    TABLE + size_of::<SegmentDescriptor>() * header.segment_count.get() as usize
}

/// Recomputes every CRC in `area` after its fields were patched, as far as
/// the fields still locate the bytes a CRC covers.
pub fn reseal(area: &mut [u8]) {
    let Ok((header, _)) = EnvelopeHeader::ref_from_prefix(area) else {
        return;
    };
    let table_end = TABLE + size_of::<SegmentDescriptor>() * header.segment_count.get() as usize;
    let Some(covered) = area.get(12..table_end) else {
        return;
    };
    let crc = crc32c(covered);
    EnvelopeHeader::mut_from_prefix(area)
        .unwrap()
        .0
        .crc
        .set(crc);
    let payload = &mut area[table_end..];
    let Ok((header, _)) = PayloadHeader::ref_from_prefix(payload) else {
        return;
    };
    let header_size = header.prefix.header_size.get() as usize;
    let records_len = header.record_count.get() as usize * header.record_size.get() as usize;
    if let Some(records) = header_size
        .checked_add(records_len)
        .and_then(|end| payload.get(header_size..end))
    {
        let crc = crc32c(records);
        PayloadHeader::mut_from_prefix(payload)
            .unwrap()
            .0
            .data_crc
            .set(crc);
    }
    if let Some(covered) = payload.get(12..header_size) {
        let crc = crc32c(covered);
        PayloadHeader::mut_from_prefix(payload)
            .unwrap()
            .0
            .prefix
            .header_crc
            .set(crc);
    }
}

/// Patches the envelope header of `area` and reseals it.
pub fn patch_envelope(area: &mut [u8], patch: impl FnOnce(&mut EnvelopeHeader)) {
    patch(EnvelopeHeader::mut_from_prefix(area).unwrap().0);
    reseal(area);
}

/// Patches segment `index` of `area` and reseals it.
pub fn patch_segment(area: &mut [u8], index: usize, patch: impl FnOnce(&mut SegmentDescriptor)) {
    let offset = TABLE + size_of::<SegmentDescriptor>() * index;
    patch(
        SegmentDescriptor::mut_from_prefix(&mut area[offset..])
            .unwrap()
            .0,
    );
    reseal(area);
}

/// Patches the payload header of `area` and reseals it.
pub fn patch_payload(area: &mut [u8], patch: impl FnOnce(&mut PayloadHeader)) {
    let start = payload_start(area);
    patch(
        PayloadHeader::mut_from_prefix(&mut area[start..])
            .unwrap()
            .0,
    );
    reseal(area);
}

/// Patches record `index` of `area` and reseals it.
pub fn patch_record(area: &mut [u8], index: usize, patch: impl FnOnce(&mut RecordSlot)) {
    let offset = payload_start(area) + size_of::<PayloadHeader>() + size_of::<RecordSlot>() * index;
    patch(RecordSlot::mut_from_prefix(&mut area[offset..]).unwrap().0);
    reseal(area);
}
