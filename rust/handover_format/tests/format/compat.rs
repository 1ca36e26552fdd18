// SPDX-License-Identifier: GPL-2.0

//! What survives a change of version: the envelope always, the payload
//! within one major ABI version.

use handover_format::{
    Envelope,
    Error,
    Fault,
    Handover,
    PayloadHeader,
    RecordSlot,
    ABI_MAJOR,
    ABI_MINOR, //
};
use zerocopy::FromBytes;

use super::common::{
    decode,
    patch_envelope,
    patch_payload,
    payload_start,
    reseal,
    sample,
    State,
    SPACE, //
};

/// Bytes a newer minor version appends to the header and to each record.
const EXTRA: usize = 8;

/// Rewrites `area` as a later minor version would, with fields appended to
/// the header and to every record.
fn as_newer_minor(area: &[u8]) -> Vec<u8> {
    let start = payload_start(area);
    let (header, records) = PayloadHeader::ref_from_prefix(&area[start..]).unwrap();
    let mut newer = area[..start].to_vec();
    newer.extend_from_slice(&area[start..start + size_of::<PayloadHeader>()]);
    newer.extend_from_slice(&[0xab; EXTRA]);
    let count = header.record_count.get() as usize;
    for record in records.chunks_exact(size_of::<RecordSlot>()).take(count) {
        newer.extend_from_slice(record);
        newer.extend_from_slice(&[0xcd; EXTRA]);
    }
    let payload_len = newer.len() - start;
    patch_envelope(&mut newer, |h| h.payload_len.set(payload_len as u32));
    patch_payload(&mut newer, |h| {
        h.prefix.abi_minor.set(ABI_MINOR + 1);
        h.prefix.header_size += EXTRA as u32;
        h.record_size += EXTRA as u32;
    });
    newer
}

#[test]
fn newer_minor_version_is_read_through_the_known_prefix() {
    let area = as_newer_minor(&sample().encode().unwrap());
    assert_eq!(State::decoded(&decode(&area).unwrap()), sample());
}

#[test]
fn other_major_version_is_refused_but_its_memory_is_listed() {
    let mut area = sample().encode().unwrap();
    Fault::ForeignAbi.inject(&mut area).unwrap();
    let envelope = Envelope::parse(&area, SPACE).unwrap();
    assert_eq!(
        Handover::parse(envelope).unwrap_err(),
        Error::UnsupportedVersion {
            major: ABI_MAJOR + 1,
            minor: ABI_MINOR
        }
    );
    assert_eq!(envelope.segments().collect::<Vec<_>>(), sample().segments);
    let preserved = decode(&sample().encode().unwrap())
        .unwrap()
        .envelope()
        .preserved_bytes();
    assert_eq!(envelope.preserved_bytes(), preserved);
}

#[test]
fn other_major_version_may_change_everything_after_the_prefix() {
    // A later major version with a header of its own size and a payload
    // this version cannot make sense of.
    let mut area = as_newer_minor(&sample().encode().unwrap());
    let start = payload_start(&area);
    for byte in &mut area[start + 20..] {
        *byte = 0x77;
    }
    patch_payload(&mut area, |h| {
        h.prefix.abi_major.set(7);
        h.prefix.header_size.set(200);
    });
    reseal(&mut area);
    let envelope = Envelope::parse(&area, SPACE).unwrap();
    assert_eq!(
        Handover::parse(envelope).unwrap_err(),
        Error::UnsupportedVersion {
            major: 7,
            minor: ABI_MINOR + 1
        }
    );
    assert_eq!(envelope.segments().count(), sample().segments.len());
}

#[test]
fn version_is_only_trusted_under_a_valid_header_crc() {
    let mut area = sample().encode().unwrap();
    let start = payload_start(&area);
    // Flip the major version without resealing: corruption, not another
    // version.
    area[start + 12] ^= 0x02;
    assert_eq!(decode(&area).unwrap_err(), Error::HeaderCrc);
}
