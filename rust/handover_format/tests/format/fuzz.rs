// SPDX-License-Identifier: GPL-2.0

//! A mutation fuzzer of what the next kernel reads, run as a test.
//!
//! Valid areas are damaged the way memory and bugs damage them (bit flips,
//! bytes and integers overwritten, truncation, growth, bytes moved, one slot
//! copied over another), half of them resealed so that the checks behind
//! the CRCs are reached too. Whatever the bytes:
//!
//! - decoding never panics (so never reads out of bounds);
//! - an area changed but not resealed is refused: every byte is under a CRC;
//! - an accepted area is a state the writer produces, byte for byte;
//! - what the next kernel would free or adopt is memory the previous kernel
//!   could have preserved: page-aligned runs inside physical memory, apart
//!   from the area and from one another.
//!
//! The generator is seeded: a failure repeats. RKM_FUZZ_ITERATIONS sets how
//! many areas are tried (default 40000, a few seconds), RKM_FUZZ_SEED the
//! seed, for longer runs than `make check` affords.

use handover_format::{
    examine,
    reclaimable,
    EnvelopeHeader,
    Examined,
    Generation,
    PayloadHeader,
    RecordSlot,
    Segment,
    SegmentDescriptor, //
    ABI_MINOR,
};
use proptest::{
    prelude::Rng as _,
    test_runner::{
        RngAlgorithm,
        TestRng, //
    },
};
use zerocopy::FromBytes;

use super::common::{
    decode,
    folio,
    pages,
    reseal,
    sample,
    Item,
    State,
    PAGE,
    SPACE,
    TABLE, //
};

/// Proptest's generator, seeded: the same sequence on every host.
struct Dice(TestRng);

impl Dice {
    fn new(seed: u64) -> Self {
        let mut bytes = [0; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        Self(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The seeds: the sample, an empty state, and one with many records and
/// segments.
fn seeds() -> Vec<State> {
    let mut big = State {
        generation: Generation::new(u64::MAX - 1).unwrap(),
        records: Default::default(),
        segments: vec![folio(0x100_0000, 2, 0)],
    };
    for blob in 1..=6u32 {
        let phys = 0x200_0000 * u64::from(blob);
        big.segments.push(folio(phys, 16, blob));
        big.segments.push(pages(phys + 0x10_0000, 3, blob));
        big.records.insert(
            format!("blob-{blob}").into_bytes(),
            Item::Blob {
                len: 19 * PAGE - u64::from(blob),
                segments: 2,
            },
        );
    }
    for key in 0..40u8 {
        big.records.insert(
            vec![b'k', key, 0xff],
            Item::Value(vec![key; usize::from(key) * 6]),
        );
    }
    let empty = State {
        generation: Generation::FIRST,
        records: Default::default(),
        segments: vec![folio(0x10_0000, 1, 0)],
    };
    vec![sample(), empty, big]
}

/// Integers worth writing over a field: limits, sizes, off-by-ones.
fn interesting(rng: &mut Dice, area_len: usize) -> u64 {
    let len = area_len as u64;
    let values = [
        0,
        1,
        2,
        0x7f,
        0x80,
        0xff,
        0xffff,
        u64::from(u32::MAX),
        u64::MAX,
        len - 1,
        len,
        len + 1,
        size_of::<SegmentDescriptor>() as u64,
        size_of::<PayloadHeader>() as u64,
        size_of::<RecordSlot>() as u64,
        PAGE,
        SPACE.limit,
        SPACE.limit - PAGE,
    ];
    values[rng.below(values.len())]
}

/// Damages `area` once.
fn mutate(rng: &mut Dice, area: &mut Vec<u8>) {
    // Headers, segment table and the first record: where lengths, counts
    // and addresses are. Most damage goes there.
    let table = match EnvelopeHeader::ref_from_prefix(area) {
        Ok((header, _)) => header.segment_count.get() as usize * size_of::<SegmentDescriptor>(),
        Err(_) => 0,
    };
    let hot = area
        .len()
        .min(TABLE + table + size_of::<PayloadHeader>() + 80);
    let at = |rng: &mut Dice, len: usize| {
        if rng.chance(70) {
            rng.below(hot)
        } else {
            rng.below(len)
        }
    };
    match rng.below(7) {
        0 => {
            let bit = rng.below(area.len() * 8);
            area[bit / 8] ^= 1 << (bit % 8);
        }
        1 => {
            let i = at(rng, area.len());
            area[i] = rng.next() as u8;
        }
        2 => {
            let width = [2, 4, 8][rng.below(3)];
            let value = interesting(rng, area.len()).to_le_bytes();
            let i = at(rng, area.len());
            let end = area.len().min(i + width);
            area[i..end].copy_from_slice(&value[..end - i]);
        }
        3 => area.truncate(rng.below(area.len())),
        4 => {
            let extra = 1 + rng.below(400);
            area.extend((0..extra).map(|_| rng.next() as u8));
        }
        5 => {
            // Bytes moved: a range deleted or doubled.
            let start = at(rng, area.len());
            let len = 1 + rng.below(64).min(area.len() - start - 1);
            if rng.chance(50) {
                area.drain(start..start + len);
            } else {
                let copy = area[start..start + len].to_vec();
                area.splice(start..start, copy);
            }
        }
        _ => {
            // One descriptor or record slot copied over another.
            let size = if rng.chance(50) {
                size_of::<SegmentDescriptor>()
            } else {
                size_of::<RecordSlot>()
            };
            if area.len() > 2 * size {
                let from = rng.below(area.len() - size);
                let to = rng.below(area.len() - size);
                area.copy_within(from..from + size, to);
            }
        }
    }
}

/// What the next kernel would free or adopt is memory a kernel could have
/// preserved: page-aligned runs inside physical memory, apart from the area
/// and from one another.
fn check_reclaimable(segments: &[Segment], area_phys: u64, area_len: usize) {
    let area_end = area_phys + area_len as u64;
    let mut runs = Vec::new();
    for segment in segments {
        assert_ne!(segment.phys, area_phys, "the area itself is never freed");
        let bytes = segment.bytes(SPACE.page_shift).expect("size in range");
        let end = segment.phys.checked_add(bytes).expect("end in range");
        assert!(bytes > 0 && segment.phys % PAGE == 0, "{segment:?}");
        assert!(end <= SPACE.limit, "{segment:?} past the end of memory");
        assert!(
            end <= area_phys || segment.phys >= area_end,
            "{segment:?} overlaps the area"
        );
        runs.push((segment.phys, end));
    }
    runs.sort();
    for pair in runs.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "{pair:?} overlap");
    }
}

#[test]
fn damaged_areas_are_refused_or_safe() {
    let iterations = std::env::var("RKM_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40_000);
    let seeds: Vec<(State, Vec<u8>)> = seeds()
        .into_iter()
        .map(|state| {
            let area = state.encode().unwrap();
            (state, area)
        })
        .collect();
    let seed = std::env::var("RKM_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_4a4d_0b7e_c0de);
    let mut rng = Dice::new(seed);
    let (mut accepted, mut refused, mut corrupt) = (0, 0, 0);
    for iteration in 0..iterations {
        let (state, original) = &seeds[rng.below(seeds.len())];
        let mut area = original.clone();
        for _ in 0..1 + rng.below(4) {
            if area.is_empty() {
                break;
            }
            mutate(&mut rng, &mut area);
        }
        let resealed = rng.chance(50);
        if resealed {
            reseal(&mut area);
        }
        let changed = area != *original;
        let context = format!("iteration {iteration}, resealed {resealed}");

        match decode(&area) {
            Ok(handover) => {
                let decoded = State::decoded(&handover);
                assert!(resealed || !changed, "{context}: accepted without a CRC");
                let payload = handover.envelope().payload();
                let (header, _) = PayloadHeader::ref_from_prefix(payload).unwrap();
                if header.prefix.abi_minor.get() == ABI_MINOR {
                    // Canonical: the writer makes exactly these bytes of it.
                    assert_eq!(decoded.encode().unwrap(), area, "{context}");
                } else {
                    // A later minor version, read through the known prefix.
                    let again = decoded.encode().unwrap();
                    assert_eq!(
                        State::decoded(&decode(&again).unwrap()),
                        decoded,
                        "{context}"
                    );
                }
                if !changed {
                    assert_eq!(&decoded, state, "{context}");
                }
            }
            Err(_) => assert!(changed, "{context}: the original was refused"),
        }

        // The area's own folio is the first segment of every seed.
        let area_phys = state.segments[0].phys;
        match examine(&area, SPACE, area_phys) {
            Examined::Accepted(handover) => {
                accepted += 1;
                let envelope = handover.envelope();
                let segments: Vec<_> = reclaimable(&envelope, area_phys).collect();
                check_reclaimable(&segments, area_phys, area.len());
            }
            Examined::Refused { envelope, .. } => {
                refused += 1;
                let segments: Vec<_> = reclaimable(&envelope, area_phys).collect();
                check_reclaimable(&segments, area_phys, area.len());
            }
            Examined::Corrupt(_) | Examined::Retired => corrupt += 1,
        }
    }
    // The fuzzer reached every verdict, the checks behind the CRCs included.
    assert!(
        accepted > 0 && refused > 0 && corrupt > 0,
        "{accepted} {refused} {corrupt}"
    );
}
