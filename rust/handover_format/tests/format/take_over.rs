// SPDX-License-Identifier: GPL-2.0

//! The library's side of the format: composing a module's state, and
//! deciding at load what to adopt, reclaim or leave alone.

use handover_format::{
    compose,
    examine,
    reclaimable,
    retire,
    retired,
    Blob,
    Contents,
    Error,
    Examined,
    Fault,
    Generation,
    Outcome,
    Part,
    Plan,
    Record,
    Segment,
    SegmentFault, //
};
use proptest::{
    collection::vec,
    prelude::*, //
};

use super::common::{
    sample,
    State,
    PAGE,
    SPACE, //
};

/// Where the tests pretend the area lies.
const AREA_PHYS: u64 = 0x10_0000;

/// Composes `sample()` the way the library does: blob segments handed over
/// in no particular order, sorted by `compose`.
fn composed(state: &State, shuffle: impl FnOnce(&mut [Segment])) -> Vec<u8> {
    let plan = Plan {
        space: SPACE,
        generation: state.generation,
        segments: state.segments.len() as u32,
        records: state.records.len() as u32,
    };
    let mut segments = state.segments.clone();
    shuffle(&mut segments);
    let mut tag = 0;
    let records: Vec<Record<'_>> = state
        .records
        .iter()
        .map(|(key, item)| Record {
            key,
            contents: match item {
                super::common::Item::Value(value) => Contents::Value(value),
                super::common::Item::Blob { len, segments } => {
                    tag += 1;
                    Contents::Blob(Blob {
                        tag,
                        segments: *segments,
                        len: *len,
                    })
                }
            },
        })
        .collect();
    let mut area = vec![0; plan.area_len().unwrap()];
    let len = compose(&mut area, plan, &mut segments, records).unwrap();
    area.truncate(len);
    area
}

proptest! {
    #[test]
    fn compose_sorts_segments_whatever_their_order(seed in vec(any::<u32>(), 4)) {
        let state = sample();
        let area = composed(&state, |segments| {
            for (i, s) in seed.iter().enumerate() {
                segments.swap(i % segments.len(), *s as usize % segments.len());
            }
        });
        prop_assert_eq!(area, state.encode().unwrap());
    }
}

#[test]
fn compose_refuses_blob_tags_out_of_record_order() {
    let state = sample();
    let plan = Plan {
        space: SPACE,
        generation: state.generation,
        segments: state.segments.len() as u32,
        records: 1,
    };
    let mut segments = state.segments.clone();
    let mut area = vec![0; plan.area_len().unwrap()];
    let blob = Record {
        key: b"blob",
        contents: Contents::Blob(Blob {
            tag: 2,
            segments: 2,
            len: 20_000,
        }),
    };
    assert_eq!(
        compose(&mut area, plan, &mut segments, [blob]),
        Err(Error::PlanMismatch)
    );
}

#[test]
fn intact_area_is_accepted() {
    let area = sample().encode().unwrap();
    let Examined::Accepted(handover) = examine(&area, SPACE, AREA_PHYS) else {
        panic!("refused");
    };
    assert_eq!(handover.generation(), Generation::new(7).unwrap());
}

#[test]
fn retired_area_is_recognised_before_anything_else() {
    let mut area = sample().encode().unwrap();
    assert!(!retired(&area));
    retire(&mut area);
    assert!(retired(&area));
    assert!(matches!(
        examine(&area, SPACE, AREA_PHYS),
        Examined::Retired
    ));
    assert!(!retired(&[]));
}

#[test]
fn reclaiming_skips_the_area_itself() {
    let area = sample().encode().unwrap();
    let Examined::Accepted(handover) = examine(&area, SPACE, AREA_PHYS) else {
        panic!("refused");
    };
    let freed: Vec<_> = reclaimable(&handover.envelope(), AREA_PHYS).collect();
    assert_eq!(freed.len(), sample().segments.len() - 1);
    assert!(freed.iter().all(|segment| segment.phys != AREA_PHYS));
}

#[test]
fn a_segment_over_the_area_is_corruption() {
    let area = sample().encode().unwrap();
    // As if the area lay inside the folio of the blob listed second: freeing
    // that blob would free the area.
    assert!(matches!(
        examine(&area, SPACE, 0x20_0000 + PAGE),
        Examined::Corrupt(Error::BadSegment {
            index: 1,
            fault: SegmentFault::Overlap,
        })
    ));
}

/// What the next kernel makes of each injected fault: damage to the
/// envelope leaves nothing to trust; damage to the payload still lets the
/// memory be reclaimed.
#[test]
fn fault_matrix() {
    for fault in Fault::ALL {
        let mut area = sample().encode().unwrap();
        fault.inject(&mut area).unwrap();
        let examined = examine(&area, SPACE, AREA_PHYS);
        match fault {
            Fault::EnvelopeMagic => assert!(matches!(
                examined,
                Examined::Corrupt(Error::BadMagic(Part::Envelope))
            )),
            Fault::EnvelopeCrc => {
                assert!(matches!(examined, Examined::Corrupt(Error::EnvelopeCrc)))
            }
            Fault::SegmentAddress => assert!(matches!(
                examined,
                Examined::Corrupt(Error::BadSegment {
                    index: 0,
                    fault: SegmentFault::OutOfRange
                })
            )),
            Fault::PayloadMagic => assert!(matches!(
                examined,
                Examined::Refused {
                    error: Error::BadMagic(Part::Payload),
                    ..
                }
            )),
            Fault::HeaderCrc => assert!(matches!(
                examined,
                Examined::Refused {
                    error: Error::HeaderCrc,
                    ..
                }
            )),
            Fault::DataCrc => assert!(matches!(
                examined,
                Examined::Refused {
                    error: Error::DataCrc,
                    ..
                }
            )),
            Fault::RecordCount => assert!(matches!(
                examined,
                Examined::Refused {
                    error: Error::Truncated(Part::Payload),
                    ..
                }
            )),
            Fault::ForeignAbi => assert!(matches!(
                examined,
                Examined::Refused {
                    error: Error::UnsupportedVersion { major: 2, minor: 0 },
                    ..
                }
            )),
        }
        if let Examined::Refused { envelope, .. } = examined {
            let bytes: u64 = reclaimable(&envelope, AREA_PHYS)
                .map(|segment| segment.pages * PAGE)
                .sum();
            assert_eq!(bytes, envelope.preserved_bytes() - PAGE, "{fault:?}");
        }
    }
}

/// Whatever the size of the first segment, moving it is caught as out of
/// range, not as some other fault.
#[test]
fn segment_address_fault_is_out_of_range_for_any_segment() {
    let mut state = sample();
    state.segments[0] = super::common::folio(0x10_0000, 16, 0);
    let mut area = state.encode().unwrap();
    Fault::SegmentAddress.inject(&mut area).unwrap();
    assert!(matches!(
        examine(&area, SPACE, AREA_PHYS),
        Examined::Corrupt(Error::BadSegment {
            index: 0,
            fault: SegmentFault::OutOfRange
        })
    ));
}

#[test]
fn fault_names_round_trip() {
    for fault in Fault::ALL {
        assert_eq!(Fault::from_name(fault.name().as_bytes()), Some(fault));
    }
    assert_eq!(Fault::from_name(b"none"), None);
    assert_eq!(Fault::from_name(b"envelope_magic\n"), None);
}

#[test]
fn outcome_lines() {
    let lines = [
        (
            Outcome::Restored {
                generation: 2,
                records: 5,
                blobs: 1,
                blob_bytes: 4096,
                copied: false,
            },
            "restored: from generation 2, 5 records, 1 blobs, 4096 blob bytes adopted",
        ),
        (
            Outcome::Restored {
                generation: 2,
                records: 2,
                blobs: 1,
                blob_bytes: 1 << 20,
                copied: true,
            },
            "restored: from generation 2, 2 records, 1 blobs, 1048576 blob bytes copied",
        ),
        (
            Outcome::Refused {
                error: Error::UnsupportedVersion { major: 2, minor: 0 },
                reclaimed: 65536,
            },
            "refused: unsupported payload ABI 2.0; reclaimed 65536 bytes",
        ),
        (
            Outcome::Corrupt {
                error: Error::EnvelopeCrc,
            },
            "corrupt: envelope CRC mismatch; nothing trusted, its memory stays reserved until reboot",
        ),
        (
            Outcome::Absent,
            "none: not a KHO boot, nothing handed over; fresh start",
        ),
        (
            Outcome::Missing,
            "missing: KHO boot, but nothing handed over under this name (module not loaded \
             in the previous kernel, or unloaded before kexec); fresh start",
        ),
        (Outcome::TakenOver, "taken: taken over earlier in this kernel"),
    ];
    for (outcome, line) in lines {
        assert_eq!(outcome.to_string(), line);
        assert!(line.starts_with(outcome.word()));
    }
}

/// Nothing under a name is a lost state only in a KHO boot: elsewhere nothing
/// was handed over at all.
#[test]
fn nothing_found_tells_a_kho_boot() {
    assert_eq!(Outcome::nothing_found(true), Outcome::Missing);
    assert_eq!(Outcome::nothing_found(false), Outcome::Absent);
    assert_ne!(Outcome::Missing.word(), Outcome::Absent.word());
}
