// SPDX-License-Identifier: GPL-2.0

//! Whatever the bytes, decoding refuses damage with an error and never
//! panics or reads out of bounds.

use handover_format::{
    Envelope,
    Error,
    Fault,
    Handover,
    Part,
    RecordFault,
    SegmentFault,
    ENVELOPE_MAGIC,
    PAYLOAD_MAGIC, //
};
use proptest::{
    collection::vec,
    prelude::*,
    sample::Index, //
};

use super::{
    common::{
        decode,
        patch_envelope,
        patch_payload,
        patch_record,
        patch_segment,
        payload_start,
        reseal,
        sample,
        State,
        PAGE,
        SPACE, //
    },
    round_trip::state,
};

/// Decodes `area` and, if it is accepted, reads everything it holds.
fn decode_all(area: &[u8]) -> Result<State, Error> {
    let handover = decode(area)?;
    for record in handover.records() {
        if let handover_format::Contents::Blob(blob) = record.contents {
            assert_eq!(
                handover.blob_segments(&blob).count(),
                blob.segments as usize
            );
        }
    }
    Ok(State::decoded(&handover))
}

#[test]
fn every_truncation_is_refused() {
    let area = sample().encode().unwrap();
    for len in 0..area.len() {
        assert!(
            Envelope::parse(&area[..len], SPACE).is_err(),
            "length {len}"
        );
    }
}

#[test]
fn trailing_bytes_are_refused() {
    let mut area = sample().encode().unwrap();
    area.push(0);
    assert_eq!(
        Envelope::parse(&area, SPACE).unwrap_err(),
        Error::SizeMismatch(Part::Envelope)
    );
}

#[test]
fn every_bit_flip_is_refused() {
    let area = sample().encode().unwrap();
    let payload = payload_start(&area);
    for bit in 0..area.len() * 8 {
        let mut damaged = area.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        assert!(decode_all(&damaged).is_err(), "bit {bit}");
        // The envelope does not depend on the payload: damage there leaves
        // the memory list readable.
        if bit / 8 >= payload {
            assert!(Envelope::parse(&damaged, SPACE).is_ok(), "bit {bit}");
        }
    }
}

#[test]
fn faults_are_refused_as_what_they_are() {
    let cases = [
        (Fault::EnvelopeMagic, Error::BadMagic(Part::Envelope)),
        (Fault::EnvelopeCrc, Error::EnvelopeCrc),
        (
            Fault::SegmentAddress,
            Error::BadSegment {
                index: 0,
                fault: SegmentFault::OutOfRange,
            },
        ),
        (Fault::PayloadMagic, Error::BadMagic(Part::Payload)),
        (Fault::HeaderCrc, Error::HeaderCrc),
        (Fault::DataCrc, Error::DataCrc),
        (Fault::RecordCount, Error::Truncated(Part::Payload)),
        (
            Fault::ForeignAbi,
            Error::UnsupportedVersion { major: 2, minor: 0 },
        ),
    ];
    for (fault, error) in cases {
        let mut area = sample().encode().unwrap();
        fault.inject(&mut area).unwrap();
        assert_eq!(decode(&area).unwrap_err(), error, "{fault:?}");
    }
}

#[test]
fn faults_need_a_handover_to_damage() {
    for fault in [
        Fault::EnvelopeMagic,
        Fault::SegmentAddress,
        Fault::ForeignAbi,
    ] {
        assert!(fault.inject(&mut [0; 16]).is_err(), "{fault:?}");
    }
}

/// Damage done to a sample area.
type Patch = fn(&mut Vec<u8>);

/// Patches a fresh sample with `patch`, reseals it and returns the error.
fn refusal(patch: impl FnOnce(&mut Vec<u8>)) -> Error {
    let mut area = sample().encode().unwrap();
    patch(&mut area);
    decode_all(&area).unwrap_err()
}

#[test]
fn envelope_size_lies_are_refused() {
    let truncated = Error::Truncated(Part::Envelope);
    let mismatch = Error::SizeMismatch(Part::Envelope);
    let cases: [(Patch, Error); 6] = [
        (|a| patch_envelope(a, |h| h.segment_count += 1), truncated),
        (|a| patch_envelope(a, |h| h.segment_count -= 1), mismatch),
        (
            |a| patch_envelope(a, |h| h.segment_count.set(u32::MAX)),
            truncated,
        ),
        (|a| patch_envelope(a, |h| h.payload_len += 1), truncated),
        (|a| patch_envelope(a, |h| h.payload_len -= 1), mismatch),
        (
            |a| patch_envelope(a, |h| h.payload_len.set(u32::MAX)),
            truncated,
        ),
    ];
    for (index, (patch, error)) in cases.into_iter().enumerate() {
        assert_eq!(refusal(patch), error, "case {index}");
    }
}

#[test]
fn other_page_size_is_refused() {
    assert_eq!(
        refusal(|a| patch_envelope(a, |h| h.page_shift.set(16))),
        Error::PageSize { found: 16 }
    );
}

#[test]
fn segment_lies_are_refused() {
    let cases: [(Patch, usize, SegmentFault); 10] = [
        (
            |a| patch_segment(a, 1, |s| s.kind.set(3)),
            1,
            SegmentFault::Kind,
        ),
        (
            |a| patch_segment(a, 1, |s| s.pages.set(0)),
            1,
            SegmentFault::Empty,
        ),
        (
            |a| patch_segment(a, 1, |s| s.phys += 1),
            1,
            SegmentFault::Misaligned,
        ),
        (
            |a| patch_segment(a, 1, |s| s.pages.set(3)),
            1,
            SegmentFault::Misaligned,
        ),
        (
            |a| patch_segment(a, 1, |s| s.phys += PAGE),
            1,
            SegmentFault::Misaligned,
        ),
        (
            |a| patch_segment(a, 3, |s| s.phys.set(!(PAGE - 1))),
            3,
            SegmentFault::OutOfRange,
        ),
        (
            |a| patch_segment(a, 3, |s| s.pages.set(u64::MAX)),
            3,
            SegmentFault::OutOfRange,
        ),
        (
            |a| patch_segment(a, 3, |s| s.phys.set(SPACE.limit - PAGE)),
            3,
            SegmentFault::OutOfRange,
        ),
        (
            |a| patch_segment(a, 1, |s| s.phys.set(0)),
            1,
            SegmentFault::Unordered,
        ),
        (
            |a| patch_segment(a, 2, |s| s.phys.set(0x20_2000)),
            2,
            SegmentFault::Overlap,
        ),
    ];
    for (patch, index, fault) in cases {
        let index = index as u32;
        assert_eq!(
            refusal(patch),
            Error::BadSegment { index, fault },
            "{fault:?}"
        );
    }
}

#[test]
fn segment_owner_lies_are_refused() {
    // The area's own folio claimed by a third blob that does not exist.
    assert_eq!(
        refusal(|a| patch_segment(a, 0, |s| s.owner.set(3))),
        Error::BadSegment {
            index: 0,
            fault: SegmentFault::Owner
        }
    );
    // A segment of blob 1 handed to blob 2.
    assert_eq!(
        refusal(|a| patch_segment(a, 3, |s| s.owner.set(2))),
        Error::BadRecord {
            index: 1,
            fault: RecordFault::BlobSegments
        }
    );
}

#[test]
fn payload_size_lies_are_refused() {
    let truncated = Error::Truncated(Part::Payload);
    let mismatch = Error::SizeMismatch(Part::Payload);
    let cases: [(Patch, Error); 10] = [
        (|a| patch_payload(a, |h| h.record_count += 1), truncated),
        (|a| patch_payload(a, |h| h.record_count -= 1), mismatch),
        (
            |a| patch_payload(a, |h| h.record_count.set(u32::MAX)),
            truncated,
        ),
        (|a| patch_payload(a, |h| h.record_size -= 1), mismatch),
        (|a| patch_payload(a, |h| h.record_size.set(0)), mismatch),
        (
            |a| patch_payload(a, |h| h.record_size.set(u32::MAX)),
            mismatch,
        ),
        (
            |a| patch_payload(a, |h| h.prefix.header_size.set(19)),
            mismatch,
        ),
        (
            |a| patch_payload(a, |h| h.prefix.header_size.set(39)),
            mismatch,
        ),
        (
            |a| patch_payload(a, |h| h.prefix.header_size += 1),
            mismatch,
        ),
        (
            |a| patch_payload(a, |h| h.prefix.header_size.set(u32::MAX)),
            truncated,
        ),
    ];
    for (index, (patch, error)) in cases.into_iter().enumerate() {
        assert_eq!(refusal(patch), error, "case {index}");
    }
}

#[test]
fn generation_zero_is_refused() {
    assert_eq!(
        refusal(|a| patch_payload(a, |h| h.generation.set(0))),
        Error::Generation
    );
}

#[test]
fn record_lies_are_refused() {
    let cases: [(Patch, u32, RecordFault); 10] = [
        (
            |a| patch_record(a, 0, |r| r.kind.set(9)),
            0,
            RecordFault::Kind,
        ),
        (
            |a| patch_record(a, 0, |r| r.key_len.set(0)),
            0,
            RecordFault::KeyLength,
        ),
        (
            |a| patch_record(a, 0, |r| r.key_len.set(65)),
            0,
            RecordFault::KeyLength,
        ),
        (
            |a| patch_record(a, 0, |r| r.key_len.set(4)),
            0,
            RecordFault::Padding,
        ),
        (
            |a| patch_record(a, 3, |r| r.value_len.set(257)),
            3,
            RecordFault::ValueLength,
        ),
        (
            |a| patch_record(a, 3, |r| r.value_len.set(255)),
            3,
            RecordFault::Padding,
        ),
        (
            |a| patch_record(a, 4, |r| r.value[0] = 1),
            4,
            RecordFault::Padding,
        ),
        (
            |a| patch_record(a, 1, |r| r.value_len.set(15)),
            1,
            RecordFault::ValueLength,
        ),
        (
            |a| patch_record(a, 1, |r| r.value[0] = 2),
            1,
            RecordFault::BlobTag,
        ),
        (
            |a| patch_record(a, 2, |r| r.key[63] = 1),
            2,
            RecordFault::Padding,
        ),
    ];
    for (patch, index, fault) in cases {
        assert_eq!(
            refusal(patch),
            Error::BadRecord { index, fault },
            "{fault:?}"
        );
    }
}

#[test]
fn duplicate_and_unsorted_keys_are_refused() {
    let unordered = |index| Error::BadRecord {
        index,
        fault: RecordFault::Unordered,
    };
    // Record 4 ("zeta") takes the key of record 3 ("config").
    assert_eq!(
        refusal(|a| patch_record(a, 4, |r| {
            r.key[..6].copy_from_slice(b"config");
            r.key_len.set(6);
        })),
        unordered(4)
    );
    // Record 0 ("alpha") sorts after record 1 ("blob-a").
    assert_eq!(
        refusal(|a| patch_record(a, 0, |r| r.key[0] = b'c')),
        unordered(1)
    );
}

#[test]
fn blob_lies_are_refused() {
    // The blob length is stored at bytes 8..16 of the value.
    assert_eq!(
        refusal(|a| patch_record(a, 1, |r| r.value[8..16]
            .copy_from_slice(&0u64.to_le_bytes()))),
        Error::BadRecord {
            index: 1,
            fault: RecordFault::BlobLength
        }
    );
    assert_eq!(
        refusal(|a| patch_record(a, 1, |r| r.value[8..16]
            .copy_from_slice(&u64::MAX.to_le_bytes()))),
        Error::BadRecord {
            index: 1,
            fault: RecordFault::BlobLength
        }
    );
    // The segment count is stored at bytes 4..8.
    assert_eq!(
        refusal(|a| patch_record(a, 2, |r| r.value[4] = 9)),
        Error::BadRecord {
            index: 2,
            fault: RecordFault::BlobSegments
        }
    );
}

#[test]
fn magic_alone_is_not_enough() {
    let mut area = vec![0; 4096];
    area[..8].copy_from_slice(&ENVELOPE_MAGIC);
    assert_eq!(decode(&area).unwrap_err(), Error::EnvelopeCrc);
    let start = payload_start(&area);
    area[start..start + 8].copy_from_slice(&PAYLOAD_MAGIC);
    reseal(&mut area);
    assert!(decode(&area).is_err());
}

proptest! {
    #[test]
    fn random_bytes_are_refused(bytes in vec(any::<u8>(), 0..4096)) {
        prop_assert!(decode_all(&bytes).is_err());
    }

    #[test]
    fn random_bytes_behind_valid_magics_are_refused(bytes in vec(any::<u8>(), 64..4096)) {
        let mut area = bytes;
        area[..8].copy_from_slice(&ENVELOPE_MAGIC);
        // A small segment count keeps the payload magic inside the area.
        area[16..20].copy_from_slice(&1u32.to_le_bytes());
        area[48..56].copy_from_slice(&PAYLOAD_MAGIC);
        reseal(&mut area);
        prop_assert!(decode_all(&area).is_err());
    }

    #[test]
    fn truncated_states_are_refused(state in state(), cut in any::<Index>()) {
        let area = state.encode().unwrap();
        let len = cut.index(area.len());
        prop_assert!(decode_all(&area[..len]).is_err());
    }

    #[test]
    fn bit_flips_are_refused(state in state(), bit in any::<Index>()) {
        let mut area = state.encode().unwrap();
        let bit = bit.index(area.len() * 8);
        area[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(decode_all(&area).is_err());
    }

    /// Overwrites bytes, mostly in the headers and tables where the sizes,
    /// counts and addresses are, and reseals every CRC so that the lies
    /// themselves have to be caught. Whatever is accepted must be a state
    /// the writer would also produce.
    #[test]
    fn resealed_lies_never_panic(
        state in state(),
        edits in vec((any::<bool>(), any::<Index>(), any::<u8>()), 1..6),
    ) {
        let mut area = state.encode().unwrap();
        // The headers, and the start of the first record's slot if any.
        let headers = area.len().min(payload_start(&area) + 48);
        for (in_headers, at, byte) in edits {
            let at = at.index(if in_headers { headers } else { area.len() });
            area[at] = byte;
        }
        reseal(&mut area);
        if let Ok(accepted) = decode_all(&area) {
            let again = accepted.encode().unwrap();
            prop_assert_eq!(decode_all(&again).unwrap(), accepted);
        }
    }
}

#[test]
fn refusal_keeps_the_envelope_when_only_the_payload_is_bad() {
    let mut area = sample().encode().unwrap();
    let start = payload_start(&area);
    for byte in &mut area[start..] {
        *byte = 0xee;
    }
    let envelope = Envelope::parse(&area, SPACE).unwrap();
    assert_eq!(
        Handover::parse(envelope).unwrap_err(),
        Error::BadMagic(Part::Payload)
    );
    assert_eq!(envelope.segments().collect::<Vec<_>>(), sample().segments);
}
