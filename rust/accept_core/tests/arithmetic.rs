// SPDX-License-Identifier: GPL-2.0

//! Range-to-unit arithmetic: worked cases, and properties over the whole 64-bit address space
//! against the kernel's formula evaluated in 128 bits, where nothing can wrap.

use accept_core::{
    Acceptor, Begin, RangeOverflow, Table, TableError, Unaccept, UnitRange, Wakeup, PAGE_SIZE,
};
use proptest::prelude::*;

const UNIT: u32 = 2 << 20;
const MIB: u64 = 1 << 20;

fn table(phys_base: u64, units: u64) -> Table<Vec<u64>> {
    Table::new(
        UNIT,
        phys_base,
        units,
        vec![u64::MAX; units.div_ceil(64) as usize],
    )
    .unwrap()
}

#[test]
fn page_touch_accepts_its_unit() {
    let t = table(0, 8);
    assert_eq!(t.accept_units(0, 4096), Ok(UnitRange::new(0, 1)));
    assert_eq!(
        t.accept_units(2 * MIB + 8192, 4096),
        Ok(UnitRange::new(1, 2))
    );
}

#[test]
fn last_page_of_unit_also_accepts_next_unit() {
    let t = table(0, 8);
    // The range ends on the boundary of unit 1, so unit 1 is the load_unaligned_zeropad() guard.
    assert_eq!(
        t.accept_units(2 * MIB - 4096, 4096),
        Ok(UnitRange::new(0, 2))
    );
    // ... except past the last unit, where the bitmap ends.
    assert_eq!(
        t.accept_units(16 * MIB - 4096, 4096),
        Ok(UnitRange::new(7, 8))
    );
}

#[test]
fn ranges_are_widened_to_pages() {
    let t = table(0, 8);
    // One byte ending just below a unit boundary still ends on it once page aligned.
    assert_eq!(t.accept_units(2 * MIB - 1, 1), Ok(UnitRange::new(0, 2)));
    assert_eq!(t.accept_units(2 * MIB - 4097, 2), Ok(UnitRange::new(0, 2)));
}

#[test]
fn zero_size_names_the_unit_of_start() {
    let t = table(0, 8);
    assert_eq!(t.accept_units(4096, 0), Ok(UnitRange::new(0, 1)));
    // At a boundary the empty range still gets its guard unit, as in the kernel.
    assert_eq!(t.accept_units(2 * MIB, 0), Ok(UnitRange::new(1, 2)));
}

#[test]
fn covering_units_have_no_guard_unit() {
    let t = table(0, 8);
    // What an unaccept of the range gives back: the units holding its bytes, nothing more.
    assert_eq!(t.covering_units(0, 2 * MIB), Ok(UnitRange::new(0, 1)));
    assert_eq!(t.covering_units(2 * MIB - 1, 2), Ok(UnitRange::new(0, 2)));
    assert_eq!(t.covering_units(MIB, 0), Ok(UnitRange::EMPTY));
    assert_eq!(
        t.covering_units(14 * MIB, 4 * MIB),
        Ok(UnitRange::new(7, 8))
    );
    assert_eq!(t.covering_units(u64::MAX, 1), Err(RangeOverflow));
}

#[test]
fn memory_below_phys_base_needs_no_acceptance() {
    let t = table(64 * MIB, 8);
    assert_eq!(t.accept_units(0, 4096), Ok(UnitRange::EMPTY));
    // Ending exactly at phys_base puts the guard unit on unit 0.
    assert_eq!(
        t.accept_units(64 * MIB - 4096, 4096),
        Ok(UnitRange::new(0, 1))
    );
    assert_eq!(t.accept_units(0, 64 * MIB + 1), Ok(UnitRange::new(0, 1)));
}

#[test]
fn memory_beyond_the_bitmap_needs_no_acceptance() {
    let t = table(64 * MIB, 8);
    assert_eq!(t.accept_units(80 * MIB, 4096), Ok(UnitRange::EMPTY));
    assert_eq!(t.accept_units(78 * MIB, 8 * MIB), Ok(UnitRange::new(7, 8)));
    assert_eq!(t.accept_units(0, u64::MAX - 4095), Ok(UnitRange::new(0, 8)));
}

#[test]
fn wrapping_ranges_are_refused() {
    let t = table(0, 8);
    assert_eq!(t.accept_units(u64::MAX, 1), Err(RangeOverflow));
    assert_eq!(t.accept_units(1, u64::MAX), Err(RangeOverflow));
    // Fits in 64 bits but not once aligned up to a page.
    assert_eq!(t.accept_units(u64::MAX - 10, 5), Err(RangeOverflow));
    assert_eq!(
        t.contains_unaccepted(u64::MAX, u64::MAX),
        Err(RangeOverflow)
    );
    // The last page of the address space ends at 2^64, which no range can express.
    assert_eq!(t.accept_units(u64::MAX - 4095, 4096), Err(RangeOverflow));
    assert_eq!(t.accept_units(u64::MAX - 8191, 4096), Ok(UnitRange::EMPTY));
}

#[test]
fn table_at_top_of_address_space() {
    // The end of the table must be an address, so the highest table ends one unit below 2^64.
    let base = 0u64.wrapping_sub(18 * MIB);
    assert_eq!(
        Table::new(UNIT, base, 9, vec![0]).err(),
        Some(TableError::AddressOverflow)
    );
    let t = table(base, 8);
    assert_eq!(t.accept_units(u64::MAX - 8191, 4096), Ok(UnitRange::EMPTY));
    assert_eq!(
        t.accept_units(base + 14 * MIB, 4096),
        Ok(UnitRange::new(7, 8))
    );
    assert_eq!(
        t.accept_units(base, u64::MAX - base - 4095),
        Ok(UnitRange::new(0, 8))
    );
    assert_eq!(t.unit_of(u64::MAX - 2 * MIB), Some(7));
    assert_eq!(t.unit_of(u64::MAX), None);
    assert_eq!(t.unit_of(base - 1), None);
}

#[test]
fn table_validation() {
    let bitmap = || vec![0u64; 2];
    assert_eq!(
        Table::from_efi(2, UNIT, 0, 1, bitmap()).err(),
        Some(TableError::Version(2))
    );
    assert_eq!(
        Table::new(0, 0, 8, bitmap()).err(),
        Some(TableError::UnitSize)
    );
    assert_eq!(
        Table::new(4097, 0, 8, bitmap()).err(),
        Some(TableError::UnitSize)
    );
    assert_eq!(
        Table::new(UNIT, 1, 8, bitmap()).err(),
        Some(TableError::PhysBase)
    );
    assert_eq!(
        Table::new(UNIT, 0, 129, bitmap()).err(),
        Some(TableError::BitmapTooSmall)
    );
    let t = Table::from_efi(1, UNIT, 0, 16, bitmap()).unwrap();
    assert_eq!(t.units(), 128);
    assert_eq!(t.unaccepted_units(), 0);
    assert_eq!(
        Table::from_efi(1, UNIT, 0, 17, bitmap()).err(),
        Some(TableError::BitmapTooSmall)
    );
}

#[test]
fn bits_past_the_table_are_left_alone() {
    let mut acceptor = Acceptor::<_, 1>::new(Table::new(UNIT, 0, 3, vec![u64::MAX]).unwrap());
    assert_eq!(acceptor.table().unaccepted_units(), 3);
    let Begin::Ticket(mut ticket) = acceptor.begin(0, u64::MAX - 4095).unwrap() else {
        panic!("expected a ticket");
    };
    let run = acceptor.next_run(&mut ticket).unwrap();
    assert_eq!((run.start(), run.end()), (0, 6 * MIB));
    acceptor.complete_run(&mut ticket, Ok(())).unwrap();
    assert!(acceptor.next_run(&mut ticket).is_none());
    assert_eq!(acceptor.end(ticket), Wakeup::Nobody);
    assert_eq!(acceptor.table().bitmap(), &[u64::MAX << 3]);
    assert_eq!(acceptor.unaccept(0, u64::MAX - 4095), Ok(Unaccept::Done(3)));
    assert_eq!(acceptor.table().bitmap(), &[u64::MAX]);
}

/// The kernel's formula in 128 bits: `None` where the 64-bit range itself wraps.
fn reference(t: &Table<Vec<u64>>, start: u64, size: u64) -> Option<UnitRange> {
    let page = u128::from(PAGE_SIZE);
    let unit = u128::from(t.unit_size());
    let base = u128::from(t.phys_base());
    let end = (u128::from(start) + u128::from(size)).next_multiple_of(page);
    if end > u128::from(u64::MAX) {
        return None;
    }
    if end < base {
        return Some(UnitRange::EMPTY);
    }
    let first = (u128::from(start) / page * page).max(base) - base;
    let mut last = end - base;
    if last % unit == 0 {
        last += unit;
    }
    let last = last.min(u128::from(t.units()) * unit);
    let range = (first / unit, last.div_ceil(unit));
    Some(if range.0 >= range.1 {
        UnitRange::EMPTY
    } else {
        UnitRange::new(range.0 as u64, range.1 as u64)
    })
}

/// Addresses and sizes anywhere, crowded near both ends of the address space.
fn anywhere() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (0u64..1 << 24).prop_map(|d| u64::MAX - d),
        (0u64..1 << 24),
        Just(u64::MAX),
        Just(0),
    ]
}

/// Tables of random geometry, placed anywhere including against the top of the address space.
fn tables() -> impl Strategy<Value = Table<Vec<u64>>> {
    (
        // Unit sizes in pages: 4 KiB, 2 MiB, 1 GiB or anything below 4 GiB.
        prop_oneof![Just(1u32), Just(512), Just(1 << 18), (1u32..1 << 20)],
        0u64..300,
        any::<u64>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(pages, units, base, at_top, bits)| {
            let unit_size = pages * 4096;
            let coverage = units * u64::from(unit_size);
            let highest = (u64::MAX - coverage) & !(PAGE_SIZE - 1);
            let phys_base = if at_top {
                highest - (base % 4) * PAGE_SIZE
            } else {
                (base % (highest + 1)) & !(PAGE_SIZE - 1)
            };
            let words = units.div_ceil(64) as usize;
            let bitmap = (0..words).map(|i| bits.rotate_left(i as u32 * 7)).collect();
            Table::new(unit_size, phys_base, units, bitmap).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn accept_units_is_kernel_formula_without_wrap(
        t in tables(),
        start in anywhere(),
        size in anywhere(),
    ) {
        let units = t.accept_units(start, size);
        prop_assert_eq!(units.ok(), reference(&t, start, size));
        if let Ok(units) = units {
            prop_assert!(units.is_empty() || (units.start < units.end && units.end <= t.units()));
            let any_set = (units.start..units.end).any(|u| t.is_unaccepted(u));
            prop_assert_eq!(t.contains_unaccepted(start, size), Ok(any_set));
        }
    }

    #[test]
    fn protocol_stays_inside_the_table(
        t in tables(),
        start in anywhere(),
        size in anywhere(),
        unaccept_start in anywhere(),
        unaccept_size in anywhere(),
    ) {
        let (base, unit_size, units) = (t.phys_base(), t.unit_size(), t.units());
        let end = base + units * unit_size;
        let mut acceptor = Acceptor::<_, 2>::new(t);
        let before = acceptor.table().unaccepted_units();
        let mut accepted = 0;
        if let Ok(Begin::Ticket(mut ticket)) = acceptor.begin(start, size) {
            while let Some(run) = acceptor.next_run(&mut ticket) {
                prop_assert!(base <= run.start() && run.start() < run.end() && run.end() <= end);
                prop_assert_eq!((run.start() - base) % unit_size, 0);
                prop_assert_eq!((run.end() - run.start()) / unit_size, run.units().len());
                accepted += run.units().len();
                acceptor.complete_run(&mut ticket, Ok(())).unwrap();
            }
            prop_assert_eq!(acceptor.end(ticket), Wakeup::Nobody);
        }
        prop_assert_eq!(acceptor.table().unaccepted_units(), before - accepted);
        prop_assert_eq!(acceptor.stats().units_accepted, accepted);

        if let Ok(Unaccept::Done(n)) = acceptor.unaccept(unaccept_start, unaccept_size) {
            prop_assert!(n <= units);
            prop_assert_eq!(acceptor.table().unaccepted_units(), before - accepted + n);
        }
    }

    #[test]
    fn unit_of_agrees_with_unit_bounds(t in tables(), addr in anywhere()) {
        if let Some(unit) = t.unit_of(addr) {
            prop_assert!(unit < t.units());
            let start = t.phys_base() + unit * t.unit_size();
            prop_assert!(start <= addr && addr - start < t.unit_size());
        } else {
            let offset = addr.checked_sub(t.phys_base());
            prop_assert!(offset.is_none_or(|o| o / t.unit_size() >= t.units()));
        }
    }

    #[test]
    fn table_validation_never_panics(
        unit_size in any::<u32>(),
        phys_base in anywhere(),
        units in anywhere(),
        words in 0usize..4,
    ) {
        if let Ok(t) = Table::new(unit_size, phys_base, units, vec![0u64; words]) {
            prop_assert!(t.units() <= words as u64 * 64);
            prop_assert!(t.phys_base().checked_add(t.units() * t.unit_size()).is_some());
        }
    }
}
