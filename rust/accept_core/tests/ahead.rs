// SPDX-License-Identifier: GPL-2.0

//! Accept-ahead proposals.

use accept_core::{AcceptAhead, AcceptFailure, Acceptor, Begin, Table, UnitRange, Wakeup};

const UNIT: u64 = 2 << 20;

/// 32 unaccepted units of 2 MiB from 0.
fn acceptor() -> Acceptor<Vec<u64>, 4> {
    Acceptor::new(Table::new(2 << 20, 0, 32, vec![u64::MAX]).unwrap())
}

fn accept(acceptor: &mut Acceptor<Vec<u64>, 4>, units: UnitRange) {
    let Begin::Ticket(mut ticket) = acceptor.begin_units(units) else {
        panic!("expected a ticket");
    };
    while acceptor.next_run(&mut ticket).is_some() {
        acceptor.complete_run(&mut ticket, Ok(())).unwrap();
    }
    assert_eq!(acceptor.end(ticket), Wakeup::Nobody);
}

#[test]
fn proposes_after_threshold_within_window() {
    let acceptor = acceptor();
    let mut ahead = AcceptAhead::new(3, 4);
    assert_eq!(ahead.touch(0, &acceptor), None);
    assert_eq!(ahead.touch(1, &acceptor), None);
    assert_eq!(ahead.touch(2, &acceptor), Some(UnitRange::new(3, 7)));
    // Only units not proposed yet, still bounded by the window past the touched unit.
    assert_eq!(ahead.touch(3, &acceptor), Some(UnitRange::new(7, 8)));
}

#[test]
fn more_pages_of_the_same_unit_change_nothing() {
    let acceptor = acceptor();
    let mut ahead = AcceptAhead::new(2, 4);
    assert_eq!(ahead.touch(5, &acceptor), None);
    assert_eq!(ahead.touch(5, &acceptor), None);
    assert_eq!(ahead.touch(6, &acceptor), Some(UnitRange::new(7, 11)));
    assert_eq!(ahead.touch(6, &acceptor), None);
}

#[test]
fn a_jump_starts_over() {
    let acceptor = acceptor();
    let mut ahead = AcceptAhead::new(2, 2);
    assert_eq!(ahead.touch(0, &acceptor), None);
    assert_eq!(ahead.touch(1, &acceptor), Some(UnitRange::new(2, 4)));
    assert_eq!(ahead.touch(10, &acceptor), None);
    assert_eq!(ahead.touch(9, &acceptor), None);
    assert_eq!(ahead.touch(10, &acceptor), Some(UnitRange::new(11, 13)));
}

#[test]
fn skips_accepted_in_flight_and_failed_units() {
    let mut acceptor = acceptor();
    accept(&mut acceptor, UnitRange::new(3, 4));
    let Begin::Ticket(in_flight) = acceptor.begin_units(UnitRange::new(5, 6)) else {
        panic!("expected a ticket");
    };
    let Begin::Ticket(mut failing) = acceptor.begin_units(UnitRange::new(7, 8)) else {
        panic!("expected a ticket");
    };
    let run = acceptor.next_run(&mut failing).unwrap();
    let failure = AcceptFailure {
        accepted_end: run.start(),
        failed_end: run.end(),
    };
    assert!(acceptor.complete_run(&mut failing, Err(failure)).is_err());
    assert_eq!(acceptor.end(failing), Wakeup::Nobody);

    let mut ahead = AcceptAhead::new(1, 8);
    // Units 3, 5 and 7 are out; each touch proposes the next stretch of candidates.
    assert_eq!(ahead.touch(1, &acceptor), Some(UnitRange::new(2, 3)));
    assert_eq!(ahead.touch(2, &acceptor), Some(UnitRange::new(4, 5)));
    assert_eq!(ahead.touch(3, &acceptor), Some(UnitRange::new(6, 7)));
    assert_eq!(ahead.touch(4, &acceptor), Some(UnitRange::new(8, 13)));
    assert_eq!(acceptor.end(in_flight), Wakeup::Nobody);
}

#[test]
fn never_proposes_past_the_table() {
    let acceptor = acceptor();
    let mut ahead = AcceptAhead::new(1, u64::MAX);
    assert_eq!(ahead.touch(29, &acceptor), Some(UnitRange::new(30, 32)));
    assert_eq!(ahead.touch(30, &acceptor), None);
    assert_eq!(ahead.touch(31, &acceptor), None);
    assert_eq!(ahead.touch(u64::MAX, &acceptor), None);
    assert_eq!(ahead.touch(40, &acceptor), None);
}

#[test]
fn zero_window_disables() {
    let acceptor = acceptor();
    let mut ahead = AcceptAhead::new(0, 0);
    for unit in 0..8 {
        assert_eq!(ahead.touch(unit, &acceptor), None);
    }
}

#[test]
fn accepting_a_proposal_unit_by_unit() {
    let mut acceptor = acceptor();
    let mut ahead = AcceptAhead::new(2, 3);
    for unit in 0..2 {
        accept(&mut acceptor, UnitRange::new(unit, unit + 1));
    }
    let _ = ahead.touch(0, &acceptor);
    let proposal = ahead.touch(1, &acceptor).unwrap();
    for unit in proposal.start..proposal.end {
        accept(&mut acceptor, UnitRange::new(unit, unit + 1));
    }
    // The walk reaches the accepted units without waiting.
    assert!(matches!(
        acceptor.begin(2 * UNIT, 4096),
        Ok(Begin::Accepted)
    ));
    assert!(matches!(
        acceptor.begin(4 * UNIT - 4096, 4096),
        Ok(Begin::Accepted)
    ));
    assert!(matches!(
        acceptor.begin(5 * UNIT - 4096, 4096),
        Ok(Begin::Ticket(_))
    ));
}
