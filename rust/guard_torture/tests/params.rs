// SPDX-License-Identifier: GPL-2.0

//! Torture and benchmark parameter lines: defaults, ranges, and every way to get them wrong.

use guard_torture::{
    BenchParams,
    LockKind,
    ParamError,
    Params,
    MAX_DURATION_S,
    MAX_HOLD_US,
    MAX_THREADS, //
};
use proptest::prelude::*;

#[test]
fn kind_alone_takes_defaults() {
    let p = Params::parse(b"kind=mutex\n").unwrap();
    assert_eq!(
        p,
        Params {
            kind: LockKind::Mutex,
            writers: 2,
            readers: 0,
            duration_s: 2,
            hold_us: 0
        }
    );
    assert_eq!(Params::parse(b"kind=rwsem").unwrap().readers, 2);
    assert_eq!(Params::parse(b"kind=seqlock").unwrap().readers, 2);
}

#[test]
fn every_kind_parses_by_its_name() {
    for kind in LockKind::ALL {
        let line = format!("kind={}", kind.name());
        assert_eq!(Params::parse(line.as_bytes()).unwrap().kind, kind);
    }
}

#[test]
fn all_keys_in_any_order_with_any_whitespace() {
    let p =
        Params::parse(b"  hold_us=5\twriters=3  readers=0 kind=rwlock duration_s=10 \n").unwrap();
    assert_eq!(
        p,
        Params {
            kind: LockKind::Rwlock,
            writers: 3,
            readers: 0,
            duration_s: 10,
            hold_us: 5
        }
    );
}

#[test]
fn limits_are_inclusive() {
    let line = format!(
        "kind=rwsem writers={MAX_THREADS} readers={MAX_THREADS} duration_s={MAX_DURATION_S} hold_us={MAX_HOLD_US}"
    );
    let p = Params::parse(line.as_bytes()).unwrap();
    assert_eq!((p.writers, p.readers), (MAX_THREADS, MAX_THREADS));
    assert_eq!((p.duration_s, p.hold_us), (MAX_DURATION_S, MAX_HOLD_US));
}

#[test]
fn bad_lines_name_their_fault() {
    let cases: &[(&[u8], ParamError)] = &[
        (b"", ParamError::Empty),
        (b" \n", ParamError::Empty),
        (b"mutex", ParamError::Malformed),
        (b"=mutex", ParamError::Malformed),
        (b"kind=mutex \xff", ParamError::Malformed),
        (b"kind=mutex color=red", ParamError::UnknownKey),
        (b"kind=mutex kind=rwsem", ParamError::Duplicate),
        (b"writers=2", ParamError::MissingKind),
        (b"kind=futex", ParamError::UnknownKind),
        (b"kind=", ParamError::UnknownKind),
        (b"kind=MUTEX", ParamError::UnknownKind),
        (b"kind=mutex writers=-1", ParamError::NotANumber),
        (b"kind=mutex writers=+1", ParamError::NotANumber),
        (b"kind=mutex writers=", ParamError::NotANumber),
        (b"kind=mutex writers=0x10", ParamError::NotANumber),
        (
            b"kind=mutex readers=1",
            ParamError::NoReadSide(LockKind::Mutex),
        ),
        (
            b"kind=spinlock_bh readers=4",
            ParamError::NoReadSide(LockKind::SpinlockBh),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(
            Params::parse(line),
            Err(*want),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn zero_negative_and_huge_counts_are_out_of_range() {
    let writers = ParamError::OutOfRange {
        key: "writers",
        min: 1,
        max: MAX_THREADS,
    };
    assert_eq!(Params::parse(b"kind=mutex writers=0"), Err(writers));
    assert_eq!(Params::parse(b"kind=mutex writers=65"), Err(writers));
    assert_eq!(
        Params::parse(b"kind=mutex writers=99999999999999999999"),
        Err(writers)
    );
    let duration = ParamError::OutOfRange {
        key: "duration_s",
        min: 1,
        max: MAX_DURATION_S,
    };
    assert_eq!(Params::parse(b"kind=rwsem duration_s=0"), Err(duration));
    assert_eq!(
        Params::parse(b"kind=rwsem duration_s=4294967296"),
        Err(duration)
    );
    assert!(matches!(
        Params::parse(b"kind=rwsem hold_us=1001"),
        Err(ParamError::OutOfRange { key: "hold_us", .. })
    ));
    assert!(matches!(
        Params::parse(b"kind=rwsem readers=65"),
        Err(ParamError::OutOfRange { key: "readers", .. })
    ));
}

#[test]
fn errors_read_as_one_line() {
    let msg = ParamError::OutOfRange {
        key: "writers",
        min: 1,
        max: 64,
    }
    .to_string();
    assert_eq!(msg, "writers must be between 1 and 64");
    assert_eq!(
        ParamError::NoReadSide(LockKind::Spinlock).to_string(),
        "spinlock has no read side"
    );
}

#[test]
fn bench_line_needs_run_first() {
    assert_eq!(BenchParams::parse(b"run\n"), Ok(BenchParams::default()));
    assert_eq!(
        BenchParams::parse(b"run iterations=1000 samples=3 duration_ms=20 runs=4"),
        Ok(BenchParams {
            iterations: 1000,
            samples: 3,
            duration_ms: 20,
            runs: 4
        })
    );
    assert_eq!(
        BenchParams::parse(b"iterations=1000"),
        Err(ParamError::Malformed)
    );
    assert_eq!(BenchParams::parse(b"1"), Err(ParamError::Malformed));
    assert_eq!(BenchParams::parse(b""), Err(ParamError::Empty));
    assert_eq!(
        BenchParams::parse(b"run loops=3"),
        Err(ParamError::UnknownKey)
    );
    assert_eq!(
        BenchParams::parse(b"run samples=2 samples=3"),
        Err(ParamError::Duplicate)
    );
    assert!(matches!(
        BenchParams::parse(b"run samples=0"),
        Err(ParamError::OutOfRange { key: "samples", .. })
    ));
    assert!(matches!(
        BenchParams::parse(b"run samples=32"),
        Err(ParamError::OutOfRange { key: "samples", .. })
    ));
    assert!(matches!(
        BenchParams::parse(b"run runs=0"),
        Err(ParamError::OutOfRange { key: "runs", .. })
    ));
}

fn any_params() -> impl Strategy<Value = Params> {
    (
        0..LockKind::ALL.len(),
        1..=MAX_THREADS,
        0..=MAX_THREADS,
        1..=MAX_DURATION_S,
        0..=MAX_HOLD_US,
    )
        .prop_map(|(k, writers, readers, duration_s, hold_us)| {
            let kind = LockKind::ALL[k];
            Params {
                kind,
                writers,
                readers: if kind.has_read_side() { readers } else { 0 },
                duration_s,
                hold_us,
            }
        })
}

proptest! {
    /// Whatever a user writes, parsing answers without panicking.
    #[test]
    fn parse_never_panics(line in proptest::collection::vec(any::<u8>(), 0..128)) {
        let _ = Params::parse(&line);
        let _ = BenchParams::parse(&line);
    }

    /// The summary's first line can be pasted back into `start`.
    #[test]
    fn display_round_trips(p in any_params()) {
        prop_assert_eq!(Params::parse(p.to_string().as_bytes()), Ok(p));
    }
}
