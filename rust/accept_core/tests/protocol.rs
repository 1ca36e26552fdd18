// SPDX-License-Identifier: GPL-2.0

//! The accept protocol step by step, with one caller playing several.

use accept_core::{
    AcceptFailure, Acceptor, Begin, RunError, Table, Ticket, Unaccept, UnitRange, Wakeup,
};

const MIB: u64 = 1 << 20;
const UNIT: u64 = 2 * MIB;

/// 64 unaccepted units of 2 MiB from 0.
fn acceptor<const SLOTS: usize>() -> Acceptor<Vec<u64>, SLOTS> {
    Acceptor::new(Table::new(2 << 20, 0, 64, vec![u64::MAX]).unwrap())
}

fn ticket<const SLOTS: usize>(
    acceptor: &mut Acceptor<Vec<u64>, SLOTS>,
    start: u64,
    size: u64,
) -> Ticket {
    match acceptor.begin(start, size).unwrap() {
        Begin::Ticket(ticket) => ticket,
        other => panic!("expected a ticket, got {other:?}"),
    }
}

/// Accepts every run of `ticket` successfully and ends it.
fn finish<const SLOTS: usize>(
    acceptor: &mut Acceptor<Vec<u64>, SLOTS>,
    mut ticket: Ticket,
) -> Wakeup {
    while acceptor.next_run(&mut ticket).is_some() {
        acceptor.complete_run(&mut ticket, Ok(())).unwrap();
    }
    acceptor.end(ticket)
}

#[test]
fn overlapping_range_waits_and_disjoint_range_proceeds() {
    let mut acceptor = acceptor::<4>();
    let a = ticket(&mut acceptor, 0, 3 * MIB);
    assert_eq!(a.units(), UnitRange::new(0, 2));
    assert!(matches!(
        acceptor.begin(3 * MIB, 2 * MIB),
        Ok(Begin::Blocked)
    ));
    let c = ticket(&mut acceptor, 10 * UNIT, 4096);
    assert_eq!(acceptor.stats().waits, 1);

    assert_eq!(finish(&mut acceptor, c), Wakeup::Nobody);
    assert_eq!(finish(&mut acceptor, a), Wakeup::Waiters);

    // The retry only has unit 2 left to accept.
    let mut b = ticket(&mut acceptor, 3 * MIB, 2 * MIB);
    let run = acceptor.next_run(&mut b).unwrap();
    assert_eq!(run.units(), UnitRange::new(2, 3));
    acceptor.complete_run(&mut b, Ok(())).unwrap();
    assert_eq!(acceptor.end(b), Wakeup::Nobody);
}

#[test]
fn different_pages_of_one_unit_wait_for_each_other() {
    let mut acceptor = acceptor::<4>();
    let a = ticket(&mut acceptor, 0, 4096);
    assert!(matches!(acceptor.begin(MIB, 4096), Ok(Begin::Blocked)));
    assert_eq!(finish(&mut acceptor, a), Wakeup::Waiters);
    assert!(matches!(acceptor.begin(MIB, 4096), Ok(Begin::Accepted)));
}

#[test]
fn full_in_flight_table_waits_for_any_slot() {
    let mut acceptor = acceptor::<1>();
    let a = ticket(&mut acceptor, 0, 4096);
    assert!(matches!(
        acceptor.begin(20 * UNIT, 4096),
        Ok(Begin::Blocked)
    ));
    assert_eq!(finish(&mut acceptor, a), Wakeup::Waiters);
    let b = ticket(&mut acceptor, 20 * UNIT, 4096);
    assert_eq!(finish(&mut acceptor, b), Wakeup::Nobody);
}

#[test]
fn bits_clear_only_when_the_run_completes() {
    let mut acceptor = acceptor::<2>();
    let mut a = ticket(&mut acceptor, 0, 4 * UNIT - 4096);
    let run = acceptor.next_run(&mut a).unwrap();
    assert_eq!((run.start(), run.end()), (0, 4 * UNIT));
    assert!(acceptor.table().contains_unaccepted(0, 4096).unwrap());
    assert_eq!(acceptor.table().unaccepted_units(), 64);
    acceptor.complete_run(&mut a, Ok(())).unwrap();
    assert!(!acceptor.table().contains_unaccepted(0, 4096).unwrap());
    assert_eq!(acceptor.table().unaccepted_units(), 60);
    assert_eq!(acceptor.end(a), Wakeup::Nobody);
}

#[test]
fn accepted_units_need_no_ticket_even_while_in_flight() {
    let mut acceptor = acceptor::<2>();
    let b = ticket(&mut acceptor, UNIT, 4096);
    assert_eq!(finish(&mut acceptor, b), Wakeup::Nobody);
    // A ticket over units 0..3 is in flight, and unit 1 in it is already accepted.
    let a = ticket(&mut acceptor, 0, 3 * UNIT - 4096);
    assert!(matches!(acceptor.begin(UNIT, 4096), Ok(Begin::Accepted)));
    assert!(matches!(acceptor.begin(0, 4096), Ok(Begin::Blocked)));
    assert_eq!(finish(&mut acceptor, a), Wakeup::Waiters);
}

#[test]
fn runs_are_the_set_bit_ranges() {
    let mut acceptor = acceptor::<2>();
    for unit in [1, 4] {
        let t = ticket(&mut acceptor, unit * UNIT, 4096);
        assert_eq!(finish(&mut acceptor, t), Wakeup::Nobody);
    }
    let mut t = ticket(&mut acceptor, 0, 7 * UNIT - 4096);
    let mut runs = Vec::new();
    while let Some(run) = acceptor.next_run(&mut t) {
        runs.push(run.units());
        acceptor.complete_run(&mut t, Ok(())).unwrap();
    }
    assert_eq!(acceptor.end(t), Wakeup::Nobody);
    assert_eq!(
        runs,
        [
            UnitRange::new(0, 1),
            UnitRange::new(2, 4),
            UnitRange::new(5, 7)
        ]
    );
    assert_eq!(acceptor.stats().backend_calls, 5);
    assert_eq!(acceptor.stats().units_accepted, 7);
}

#[test]
fn uncompleted_run_is_never_handed_out_again() {
    let mut acceptor = acceptor::<2>();
    let mut a = ticket(&mut acceptor, 0, 2 * UNIT - 4096);
    assert!(acceptor.next_run(&mut a).is_some());
    // The caller asks again without reporting the first run.
    assert!(acceptor.next_run(&mut a).is_none());
    assert_eq!(acceptor.end(a), Wakeup::Nobody);
    // Whether the backend accepted the run is unknown: it is neither accepted nor usable.
    assert!(matches!(acceptor.begin(0, 4096), Ok(Begin::Failed)));
    assert_eq!(acceptor.stats().units_failed, 2);
    assert!(acceptor.table().contains_unaccepted(0, 4096).unwrap());
}

#[test]
fn failed_run_keeps_accepted_part_and_fences_off_unknown_part() {
    let mut acceptor = acceptor::<2>();
    let mut a = ticket(&mut acceptor, 0, 4 * UNIT - 4096);
    let run = acceptor.next_run(&mut a).unwrap();
    assert_eq!(run.units(), UnitRange::new(0, 4));
    // Accepted up to the middle of unit 1, unknown up to the middle of unit 2.
    let failure = AcceptFailure {
        accepted_end: 3 * MIB,
        failed_end: 5 * MIB,
    };
    assert_eq!(
        acceptor.complete_run(&mut a, Err(failure)),
        Err(RunError {
            accepted: UnitRange::new(0, 1),
            failed: UnitRange::new(1, 3),
        })
    );
    assert!(acceptor.next_run(&mut a).is_none());
    assert_eq!(acceptor.end(a), Wakeup::Nobody);

    assert!(matches!(acceptor.begin(0, 4096), Ok(Begin::Accepted)));
    assert!(matches!(acceptor.begin(UNIT, 4096), Ok(Begin::Failed)));
    assert!(
        matches!(acceptor.begin(0, UNIT), Ok(Begin::Failed)),
        "guard unit failed"
    );
    assert!(acceptor.table().contains_unaccepted(UNIT, 4096).unwrap());
    assert_eq!(acceptor.unaccept(0, 3 * UNIT), Ok(Unaccept::Failed));

    // Unit 3 was never touched and can still be accepted.
    let mut b = ticket(&mut acceptor, 3 * UNIT, 4096);
    assert_eq!(
        acceptor.next_run(&mut b).unwrap().units(),
        UnitRange::new(3, 4)
    );
    acceptor.complete_run(&mut b, Ok(())).unwrap();
    assert_eq!(acceptor.end(b), Wakeup::Nobody);

    let stats = acceptor.stats();
    assert_eq!((stats.units_accepted, stats.units_failed), (2, 2));
}

#[test]
fn failure_on_a_unit_boundary_fails_no_unit() {
    let mut acceptor = acceptor::<2>();
    let mut a = ticket(&mut acceptor, 0, 4 * UNIT - 4096);
    let _ = acceptor.next_run(&mut a).unwrap();
    let failure = AcceptFailure {
        accepted_end: 2 * UNIT,
        failed_end: 2 * UNIT,
    };
    assert_eq!(
        acceptor.complete_run(&mut a, Err(failure)),
        Err(RunError {
            accepted: UnitRange::new(0, 2),
            failed: UnitRange::new(2, 2),
        })
    );
    assert_eq!(acceptor.end(a), Wakeup::Nobody);
    assert!(matches!(
        acceptor.begin(2 * UNIT, 4096),
        Ok(Begin::Ticket(_))
    ));
}

#[test]
fn nonsense_failure_bounds_fail_the_whole_run() {
    let mut acceptor = acceptor::<2>();
    let mut a = ticket(&mut acceptor, 4 * UNIT, 2 * UNIT - 4096);
    let _ = acceptor.next_run(&mut a).unwrap();
    let failure = AcceptFailure {
        accepted_end: 0,
        failed_end: u64::MAX,
    };
    assert_eq!(
        acceptor.complete_run(&mut a, Err(failure)),
        Err(RunError {
            accepted: UnitRange::new(4, 4),
            failed: UnitRange::new(4, 6),
        })
    );
    assert_eq!(acceptor.end(a), Wakeup::Nobody);
}

#[test]
fn too_many_failures_fail_everything() {
    let mut acceptor = acceptor::<2>();
    for unit in (0..18).step_by(2) {
        let mut t = ticket(&mut acceptor, unit * UNIT, 4096);
        let _ = acceptor.next_run(&mut t).unwrap();
        let failure = AcceptFailure {
            accepted_end: unit * UNIT,
            failed_end: (unit + 1) * UNIT,
        };
        assert!(acceptor.complete_run(&mut t, Err(failure)).is_err());
        assert_eq!(acceptor.end(t), Wakeup::Nobody);
    }
    // Eight failed ranges fit; the ninth made every unit count as failed.
    assert!(matches!(acceptor.begin(40 * UNIT, 4096), Ok(Begin::Failed)));
}

#[test]
fn unaccept_waits_for_acceptance_then_accepts_again() {
    let mut acceptor = acceptor::<2>();
    let a = ticket(&mut acceptor, 0, UNIT - 4096);
    assert_eq!(acceptor.unaccept(0, 4096), Ok(Unaccept::Blocked));
    assert_eq!(finish(&mut acceptor, a), Wakeup::Waiters);

    assert_eq!(acceptor.unaccept(0, 0), Ok(Unaccept::Done(0)));
    // One byte of unit 0 gives the whole unit back, and no guard unit.
    assert_eq!(acceptor.unaccept(UNIT - 1, 1), Ok(Unaccept::Done(1)));
    assert_eq!(acceptor.table().unaccepted_units(), 64);
    let a = ticket(&mut acceptor, 0, 4096);
    assert_eq!(finish(&mut acceptor, a), Wakeup::Nobody);
    let stats = acceptor.stats();
    assert_eq!((stats.units_accepted, stats.units_unaccepted), (2, 1));
}

#[test]
fn begin_units_for_everything() {
    let mut acceptor = acceptor::<1>();
    let Begin::Ticket(t) = acceptor.begin_units(UnitRange::new(0, u64::MAX)) else {
        panic!("expected a ticket");
    };
    assert_eq!(t.units(), UnitRange::new(0, 64));
    assert_eq!(finish(&mut acceptor, t), Wakeup::Nobody);
    assert_eq!(acceptor.table().unaccepted_units(), 0);
    assert_eq!(acceptor.stats().backend_calls, 1);
    assert!(matches!(
        acceptor.begin_units(UnitRange::new(70, 80)),
        Begin::Accepted
    ));
}
