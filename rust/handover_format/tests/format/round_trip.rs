// SPDX-License-Identifier: GPL-2.0

//! Encoding then decoding gives back the state, and the writer refuses what
//! the next kernel would refuse.

use std::collections::{
    BTreeMap,
    BTreeSet, //
};

use handover_format::{
    retire,
    Contents,
    Error,
    Generation,
    Part,
    Plan,
    RecordFault,
    Segment,
    SegmentFault,
    SegmentKind,
    Writer,
    KEY_MAX,
    MAX_BLOBS,
    VALUE_MAX, //
};
use proptest::{
    collection::{btree_map, btree_set, vec},
    prelude::*, //
};

use super::common::{
    decode,
    folio,
    pages,
    sample,
    Item,
    State,
    PAGE,
    SPACE, //
};

/// Shape of one generated segment.
#[derive(Clone, Debug)]
struct Shape {
    gap: u64,
    order: u32,
    folio: bool,
    owner: u8,
}

fn shape() -> impl Strategy<Value = Shape> {
    (0..4u64, 0..4u32, any::<bool>(), any::<u8>()).prop_map(|(gap, order, folio, owner)| Shape {
        gap,
        order,
        folio,
        owner,
    })
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 1..=KEY_MAX)
}

/// Lays out `shapes` as ascending segments and gives every one of `blobs`
/// blobs at least one of them.
fn lay_out(shapes: &[Shape], blobs: usize) -> Vec<Segment> {
    let mut cursor = 0x10_0000;
    shapes
        .iter()
        .enumerate()
        .map(|(index, shape)| {
            let owner = if index < blobs {
                index as u32 + 1
            } else {
                u32::from(shape.owner) % (blobs as u32 + 1)
            };
            let (kind, count, align) = if shape.folio {
                let count = 1 << shape.order;
                (SegmentKind::Folio, count, count * PAGE)
            } else {
                (SegmentKind::Pages, u64::from(shape.order) + 1, PAGE)
            };
            let phys = (cursor + shape.gap * PAGE).next_multiple_of(align);
            cursor = phys + count * PAGE;
            Segment {
                phys,
                pages: count,
                kind,
                owner,
            }
        })
        .collect()
}

/// Builds a state whose blobs fit the segments laid out for them.
fn build(
    generation: u64,
    values: BTreeMap<Vec<u8>, Vec<u8>>,
    blob_keys: BTreeSet<Vec<u8>>,
    shapes: Vec<Shape>,
    slack: Vec<u64>,
) -> State {
    let segments = lay_out(&shapes, blob_keys.len());
    let mut records: BTreeMap<_, _> = values
        .into_iter()
        .map(|(key, value)| (key, Item::Value(value)))
        .collect();
    for (tag, (key, slack)) in (1..).zip(blob_keys.into_iter().zip(slack)) {
        let owned: Vec<_> = segments.iter().filter(|s| s.owner == tag).collect();
        let bytes: u64 = owned.iter().map(|s| s.pages * PAGE).sum();
        let last = owned.last().unwrap().pages * PAGE;
        let item = Item::Blob {
            len: bytes - slack % last,
            segments: owned.len() as u32,
        };
        records.insert(key, item);
    }
    State {
        generation: Generation::new(generation).unwrap(),
        records,
        segments,
    }
}

/// Any state a module could hand over.
pub fn state() -> impl Strategy<Value = State> {
    (
        1..=u64::MAX,
        btree_map(key(), vec(any::<u8>(), 0..=VALUE_MAX), 0..24),
        btree_set(key(), 0..=4),
    )
        .prop_flat_map(|(generation, values, blob_keys)| {
            let blobs = blob_keys.len();
            (
                Just(generation),
                Just(values),
                Just(blob_keys),
                vec(shape(), blobs..=blobs + 6),
                vec(any::<u64>(), blobs),
            )
        })
        .prop_map(|(generation, values, blob_keys, shapes, slack)| {
            build(generation, values, blob_keys, shapes, slack)
        })
}

proptest! {
    #[test]
    fn decode_returns_what_was_encoded(state in state()) {
        let area = state.encode().unwrap();
        let handover = decode(&area).unwrap();
        prop_assert_eq!(State::decoded(&handover), state.clone());
        let preserved: u64 = state.segments.iter().map(|s| s.pages * PAGE).sum();
        prop_assert_eq!(handover.envelope().preserved_bytes(), preserved);
        prop_assert_eq!(handover.records().len(), state.records.len());
    }

    #[test]
    fn blobs_keep_their_segments_in_order(state in state()) {
        let area = state.encode().unwrap();
        let handover = decode(&area).unwrap();
        for (tag, record) in (1..).zip(handover.records().filter_map(|r| match r.contents {
            Contents::Blob(blob) => Some(blob),
            Contents::Value(_) => None,
        })) {
            prop_assert_eq!(record.tag, tag);
            let expected: Vec<_> = state.segments.iter().copied().filter(|s| s.owner == tag).collect();
            let found: Vec<_> = handover.blob_segments(&record).collect();
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn encoding_is_deterministic(state in state()) {
        prop_assert_eq!(state.encode().unwrap(), state.encode().unwrap());
    }
}

#[test]
fn empty_state_round_trips() {
    let state = State {
        generation: Generation::FIRST,
        records: BTreeMap::new(),
        segments: vec![folio(0x10_0000, 1, 0)],
    };
    let area = state.encode().unwrap();
    assert_eq!(State::decoded(&decode(&area).unwrap()), state);
}

#[test]
fn retired_area_is_refused() {
    let mut area = sample().encode().unwrap();
    retire(&mut area);
    assert_eq!(decode(&area).unwrap_err(), Error::BadMagic(Part::Envelope));
}

#[test]
fn area_len_matches_layout() {
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: 4,
        records: 5,
    };
    assert_eq!(plan.area_len(), Some(24 + 4 * 24 + 40 + 5 * 328));
    assert_eq!(sample().encode().unwrap().len(), 24 + 4 * 24 + 40 + 5 * 328);
}

#[test]
fn area_len_refuses_what_does_not_fit() {
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: 1,
        records: u32::MAX,
    };
    assert_eq!(plan.area_len(), None);
}

#[test]
fn generation_advances_by_one() {
    assert_eq!(Generation::FIRST.get(), 1);
    assert_eq!(Generation::FIRST.next().unwrap().get(), 2);
    assert_eq!(Generation::new(0), None);
    let last = Generation::new(u64::MAX).unwrap();
    assert_eq!(last.next(), Err(Error::GenerationExhausted));
}

#[test]
fn writer_needs_room_for_the_plan() {
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: 1,
        records: 1,
    };
    let needed = plan.area_len().unwrap();
    let mut area = vec![0; needed - 1];
    assert_eq!(
        Writer::new(&mut area, plan).unwrap_err(),
        Error::NoSpace { needed }
    );
}

#[test]
fn writer_holds_to_the_plan() {
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: 1,
        records: 1,
    };
    let mut area = vec![0; plan.area_len().unwrap()];
    let mut writer = Writer::new(&mut area, plan).unwrap();
    writer.push_segment(folio(0x10_0000, 1, 0)).unwrap();
    assert_eq!(
        writer.push_segment(folio(0x20_0000, 1, 0)),
        Err(Error::PlanMismatch)
    );
    writer.push_value(b"a", b"").unwrap();
    assert_eq!(writer.push_value(b"b", b""), Err(Error::PlanMismatch));
    writer.finish().unwrap();

    let mut area = vec![0; plan.area_len().unwrap()];
    let mut writer = Writer::new(&mut area, plan).unwrap();
    writer.push_segment(folio(0x10_0000, 1, 0)).unwrap();
    assert_eq!(writer.finish(), Err(Error::PlanMismatch));
}

fn refusal(state: &State) -> Error {
    state.encode().unwrap_err()
}

#[test]
fn writer_refuses_bad_keys_and_values() {
    let mut state = sample();
    state
        .records
        .insert(vec![b'k'; KEY_MAX + 1], Item::Value(Vec::new()));
    assert!(matches!(
        refusal(&state),
        Error::BadRecord {
            fault: RecordFault::KeyLength,
            ..
        }
    ));

    let mut state = sample();
    state.records.insert(Vec::new(), Item::Value(Vec::new()));
    assert_eq!(
        refusal(&state),
        Error::BadRecord {
            index: 0,
            fault: RecordFault::KeyLength
        }
    );

    let mut state = sample();
    state
        .records
        .insert(b"big".to_vec(), Item::Value(vec![0; VALUE_MAX + 1]));
    assert_eq!(
        refusal(&state),
        Error::BadRecord {
            index: 1,
            fault: RecordFault::ValueLength
        }
    );
}

#[test]
fn writer_refuses_unsorted_keys() {
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: 0,
        records: 2,
    };
    let mut area = vec![0; plan.area_len().unwrap()];
    let mut writer = Writer::new(&mut area, plan).unwrap();
    writer.push_value(b"b", b"").unwrap();
    writer.push_value(b"a", b"").unwrap();
    assert_eq!(
        writer.finish(),
        Err(Error::BadRecord {
            index: 1,
            fault: RecordFault::Unordered
        })
    );
}

#[test]
fn writer_refuses_bad_segments() {
    let cases = [
        (
            folio(0x10_0000, 1, 0),
            folio(0x10_0000, 1, 0),
            SegmentFault::Overlap,
        ),
        (
            pages(0x10_0000, 2, 0),
            pages(0x10_1000, 1, 0),
            SegmentFault::Overlap,
        ),
        (
            folio(0x20_0000, 1, 0),
            folio(0x10_0000, 1, 0),
            SegmentFault::Unordered,
        ),
        (
            folio(0x10_0000, 1, 0),
            folio(0x20_0000, 3, 0),
            SegmentFault::Misaligned,
        ),
        (
            folio(0x10_0000, 1, 0),
            folio(0x20_1000, 2, 0),
            SegmentFault::Misaligned,
        ),
        (
            folio(0x10_0000, 1, 0),
            pages(0x20_0800, 1, 0),
            SegmentFault::Misaligned,
        ),
        (
            folio(0x10_0000, 1, 0),
            pages(0x20_0000, 0, 0),
            SegmentFault::Empty,
        ),
        (
            folio(0x10_0000, 1, 0),
            pages(SPACE.limit - PAGE, 2, 0),
            SegmentFault::OutOfRange,
        ),
        (
            folio(0x10_0000, 1, 0),
            pages(0x20_0000, u64::MAX, 0),
            SegmentFault::OutOfRange,
        ),
        (
            folio(0x10_0000, 1, 0),
            pages(0x20_0000, 1, 1),
            SegmentFault::Owner,
        ),
    ];
    for (first, second, fault) in cases {
        let state = State {
            generation: Generation::FIRST,
            records: BTreeMap::new(),
            segments: vec![first, second],
        };
        assert_eq!(
            refusal(&state),
            Error::BadSegment { index: 1, fault },
            "{first:?} then {second:?}"
        );
    }
}

#[test]
fn writer_refuses_blobs_that_do_not_fit_their_segments() {
    // Blob "blob-a" is record 1 and owns 6 pages in two segments, the last
    // of 2 pages.
    let cases = [
        (0, 2, RecordFault::BlobLength),
        (6 * PAGE + 1, 2, RecordFault::BlobLength),
        (4 * PAGE, 2, RecordFault::BlobLength),
        (4 * PAGE + 1, 1, RecordFault::BlobSegments),
        (4 * PAGE + 1, 3, RecordFault::BlobSegments),
    ];
    for (len, segments, fault) in cases {
        let mut state = sample();
        state
            .records
            .insert(b"blob-a".to_vec(), Item::Blob { len, segments });
        assert_eq!(
            refusal(&state),
            Error::BadRecord { index: 1, fault },
            "len {len} in {segments} segments"
        );
    }
}

#[test]
fn writer_refuses_too_many_blobs() {
    let blobs = MAX_BLOBS + 1;
    let plan = Plan {
        space: SPACE,
        generation: Generation::FIRST,
        segments: blobs,
        records: blobs,
    };
    let mut area = vec![0; plan.area_len().unwrap()];
    let mut writer = Writer::new(&mut area, plan).unwrap();
    for tag in 1..=MAX_BLOBS {
        let key = format!("blob{tag:03}");
        assert_eq!(writer.push_blob(key.as_bytes(), PAGE, 1), Ok(tag));
    }
    assert_eq!(
        writer.push_blob(b"one-too-many", PAGE, 1),
        Err(Error::BadRecord {
            index: MAX_BLOBS,
            fault: RecordFault::TooManyBlobs
        })
    );
}
