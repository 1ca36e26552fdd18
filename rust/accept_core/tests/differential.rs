// SPDX-License-Identifier: GPL-2.0

//! Differential test of the acceptor against a literal transcription of `accept_memory()` and
//! `range_contains_unaccepted_memory()` from drivers/firmware/efi/unaccepted_memory.c (Linux
//! 7.3.4, lines 33-216).

use accept_core::{Acceptor, Begin, RangeOverflow, Table, Wakeup};
use proptest::prelude::*;

mod kernel {
    //! The C code, statement by statement, with `unsigned long` wrap-around made explicit so
    //! the test can tell when the C arithmetic went wrong.

    pub(crate) const PAGE_SIZE: u64 = 4096;
    const BITS_PER_BYTE: u64 = 8;
    const BITS_PER_LONG: u64 = 64;

    /// `struct efi_unaccepted_memory` (include/linux/efi.h:546).
    #[derive(Clone, Debug)]
    pub(crate) struct EfiUnacceptedMemory {
        pub(crate) version: u32,
        pub(crate) unit_size: u32,
        pub(crate) phys_base: u64,
        pub(crate) size: u64,
        pub(crate) bitmap: Vec<u64>,
    }

    /// Which `unsigned long` operations wrapped.
    #[derive(Clone, Copy, Debug, Default)]
    pub(crate) struct Wrapped {
        /// `start + size` or `PAGE_ALIGN()` of it.
        pub(crate) range: bool,
        /// `end += unit_size`.
        pub(crate) guard: bool,
    }

    fn add(a: u64, b: u64, wrapped: &mut bool) -> u64 {
        let (sum, carry) = a.overflowing_add(b);
        *wrapped |= carry;
        sum
    }

    fn page_align(addr: u64, wrapped: &mut bool) -> u64 {
        add(addr, PAGE_SIZE - 1, wrapped) & !(PAGE_SIZE - 1)
    }

    fn page_align_down(addr: u64) -> u64 {
        addr.wrapping_sub(PAGE_SIZE - 1).wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
    }

    fn div_round_up(n: u64, d: u64) -> u64 {
        n.wrapping_add(d).wrapping_sub(1) / d
    }

    fn test_bit(nr: u64, addr: &[u64]) -> bool {
        addr[(nr / BITS_PER_LONG) as usize] >> (nr % BITS_PER_LONG) & 1 != 0
    }

    fn find_next_bit(addr: &[u64], size: u64, offset: u64) -> u64 {
        (offset..size)
            .find(|nr| test_bit(*nr, addr))
            .unwrap_or(size)
    }

    fn find_next_zero_bit(addr: &[u64], size: u64, offset: u64) -> u64 {
        (offset..size)
            .find(|nr| !test_bit(*nr, addr))
            .unwrap_or(size)
    }

    fn bitmap_clear(map: &mut [u64], start: u64, len: u64) {
        for nr in start..start + len {
            map[(nr / BITS_PER_LONG) as usize] &= !(1 << (nr % BITS_PER_LONG));
        }
    }

    /// `accept_memory()`, single-threaded: the `accepting_list` is always empty.
    pub(crate) fn accept_memory(
        unaccepted: &mut EfiUnacceptedMemory,
        start: u64,
        size: u64,
        mut arch_accept_memory: impl FnMut(u64, u64),
    ) -> Wrapped {
        let mut wrapped = Wrapped::default();
        let mut start = start;

        let mut end = page_align(add(start, size, &mut wrapped.range), &mut wrapped.range);
        start = page_align_down(start);

        let unit_size = u64::from(unaccepted.unit_size);

        if start < unaccepted.phys_base {
            start = unaccepted.phys_base;
        }
        if end < unaccepted.phys_base {
            return wrapped;
        }

        start -= unaccepted.phys_base;
        end -= unaccepted.phys_base;

        if end % unit_size == 0 {
            end = add(end, unit_size, &mut wrapped.guard);
        }

        if end > unaccepted.size * unit_size * BITS_PER_BYTE {
            end = unaccepted.size * unit_size * BITS_PER_BYTE;
        }

        let range_start_units = start / unit_size;
        let range_end_units = div_round_up(end, unit_size);

        // `for_each_set_bitrange_from(range_start, range_end, bitmap, range.end)`.
        let mut range_start = range_start_units;
        loop {
            range_start = find_next_bit(&unaccepted.bitmap, range_end_units, range_start);
            let range_end =
                find_next_zero_bit(&unaccepted.bitmap, range_end_units, range_start + 1);
            if range_start >= range_end_units {
                break;
            }
            let len = range_end - range_start;

            let phys_start = range_start * unit_size + unaccepted.phys_base;
            let phys_end = range_end * unit_size + unaccepted.phys_base;

            arch_accept_memory(phys_start, phys_end);

            bitmap_clear(&mut unaccepted.bitmap, range_start, len);
            range_start = range_end + 1;
        }
        wrapped
    }

    /// `range_contains_unaccepted_memory()`, also returning the units its loop tested.
    pub(crate) fn range_contains_unaccepted_memory(
        unaccepted: &EfiUnacceptedMemory,
        start: u64,
        size: u64,
    ) -> (bool, Vec<u64>, Wrapped) {
        let mut wrapped = Wrapped::default();
        let mut tested = Vec::new();
        let mut start = start;

        let mut end = page_align(add(start, size, &mut wrapped.range), &mut wrapped.range);
        start = page_align_down(start);

        let unit_size = u64::from(unaccepted.unit_size);

        if start < unaccepted.phys_base {
            start = unaccepted.phys_base;
        }
        if end < unaccepted.phys_base {
            return (false, tested, wrapped);
        }

        start -= unaccepted.phys_base;
        end -= unaccepted.phys_base;

        if end % unit_size == 0 {
            end = add(end, unit_size, &mut wrapped.guard);
        }

        if end > unaccepted.size * unit_size * BITS_PER_BYTE {
            end = unaccepted.size * unit_size * BITS_PER_BYTE;
        }

        let mut ret = false;
        while start < end {
            tested.push(start / unit_size);
            if test_bit(start / unit_size, &unaccepted.bitmap) {
                ret = true;
                break;
            }
            // The C addition cannot wrap before `start` passes `end`, which fits.
            start += unit_size;
        }
        (ret, tested, wrapped)
    }
}

use kernel::{EfiUnacceptedMemory, PAGE_SIZE};

/// Accepts a range through the acceptor, recording the backend calls.
fn accept(
    acceptor: &mut Acceptor<Vec<u64>, 2>,
    start: u64,
    size: u64,
    calls: &mut Vec<(u64, u64)>,
) -> Result<(), RangeOverflow> {
    let mut ticket = match acceptor.begin(start, size)? {
        Begin::Ticket(ticket) => ticket,
        Begin::Accepted => return Ok(()),
        other => panic!("single caller got {other:?}"),
    };
    while let Some(run) = acceptor.next_run(&mut ticket) {
        calls.push((run.start(), run.end()));
        acceptor.complete_run(&mut ticket, Ok(())).unwrap();
    }
    assert_eq!(acceptor.end(ticket), Wakeup::Nobody);
    Ok(())
}

fn unit_sizes() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(4096u32),
        Just(8192),
        Just(3 * 4096),
        Just(2 << 20),
        Just(1 << 30),
        (1u32..=1024).prop_map(|pages| pages * 4096),
    ]
}

/// A firmware table: unit size, bitmap bytes, a phys_base placement and random bits.
fn tables() -> impl Strategy<Value = EfiUnacceptedMemory> {
    (unit_sizes(), 0u64..=24, 0u8..4, any::<u64>()).prop_flat_map(
        |(unit_size, size, placement, seed)| {
            let words = size.div_ceil(8) as usize;
            let coverage = size * 8 * u64::from(unit_size);
            let top = (u64::MAX - coverage) & !(PAGE_SIZE - 1);
            let phys_base = match placement {
                0 => 0,
                1 => (seed % (1 << 40)) & !(PAGE_SIZE - 1),
                2 => top.saturating_sub((seed % 16) * PAGE_SIZE),
                _ => (seed % top.max(1)) & !(PAGE_SIZE - 1),
            };
            proptest::collection::vec(any::<u64>(), words).prop_map(move |bitmap| {
                EfiUnacceptedMemory {
                    version: 1,
                    unit_size,
                    phys_base,
                    size,
                    bitmap,
                }
            })
        },
    )
}

/// A range chosen to land on, next to or far from unit and table boundaries.
#[derive(Clone, Copy, Debug)]
struct RangeSpec {
    anchor: u8,
    unit: i64,
    nudge: u8,
    size: u8,
    units: u64,
    random: u64,
}

fn range_specs() -> impl Strategy<Value = RangeSpec> {
    (0u8..4, -3i64..200, 0u8..8, 0u8..10, 0u64..300, any::<u64>()).prop_map(
        |(anchor, unit, nudge, size, units, random)| RangeSpec {
            anchor,
            unit,
            nudge,
            size,
            units,
            random,
        },
    )
}

impl RangeSpec {
    fn resolve(&self, table: &EfiUnacceptedMemory) -> (u64, u64) {
        let unit_size = u64::from(table.unit_size);
        let nudge = match self.nudge {
            0 => 0,
            1 => PAGE_SIZE,
            2 => PAGE_SIZE.wrapping_neg(),
            3 => 1,
            4 => u64::MAX,
            5 => PAGE_SIZE - 1,
            6 => self.random % unit_size,
            _ => unit_size - PAGE_SIZE,
        };
        let start = match self.anchor {
            0 | 1 => table
                .phys_base
                .wrapping_add((self.unit as u64).wrapping_mul(unit_size))
                .wrapping_add(nudge),
            2 => u64::MAX - (self.random % (4 * unit_size)),
            _ => self.random,
        };
        let size = match self.size {
            0 => 0,
            1 => 1,
            2 => PAGE_SIZE,
            3 => unit_size,
            4 => unit_size - PAGE_SIZE,
            5 => self.units * unit_size,
            6 => (self.units * unit_size).wrapping_add(nudge),
            7 => self.random % (8 * unit_size),
            8 => u64::MAX - start,
            _ => self.random,
        };
        (start, size)
    }
}

fn acceptor_for(table: &EfiUnacceptedMemory) -> Acceptor<Vec<u64>, 2> {
    Acceptor::new(
        Table::from_efi(
            table.version,
            table.unit_size,
            table.phys_base,
            table.size,
            table.bitmap.clone(),
        )
        .unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// A sequence of accepts makes the same backend calls and leaves the same bitmap as the C
    /// code, whenever the C arithmetic does not wrap.
    #[test]
    fn accept_matches_kernel(
        table in tables(),
        ranges in proptest::collection::vec(range_specs(), 1..8),
    ) {
        let mut efi = table.clone();
        let mut acceptor = acceptor_for(&table);
        for spec in ranges {
            let (start, size) = spec.resolve(&efi);
            let mut kernel_calls = Vec::new();
            let mut before = efi.clone();
            let wrapped = kernel::accept_memory(&mut before, start, size, |s, e| {
                kernel_calls.push((s, e))
            });
            let mut calls = Vec::new();
            let result = accept(&mut acceptor, start, size, &mut calls);

            prop_assert_eq!(result.is_err(), wrapped.range, "overflow verdict for {:?}", spec);
            if wrapped.range {
                // The C code accepted garbage; the acceptor refused and changed nothing.
                prop_assert!(calls.is_empty());
                continue;
            }
            if wrapped.guard {
                // The guard unit wrapped the end to the bottom of the address space: the C code
                // accepts less than it should. Follow the acceptor from here.
                efi.bitmap = acceptor.table().bitmap().to_vec();
                continue;
            }
            prop_assert_eq!(&calls, &kernel_calls, "calls for [{:#x} + {:#x})", start, size);
            efi = before;
            prop_assert_eq!(acceptor.table().bitmap(), &efi.bitmap[..]);
        }
    }

    /// `contains_unaccepted` answers as `range_contains_unaccepted_memory()`, except where the
    /// C loop steps over the last unit.
    #[test]
    fn contains_matches_kernel(table in tables(), spec in range_specs()) {
        let (start, size) = spec.resolve(&table);
        let acceptor = acceptor_for(&table);
        let (kernel, tested, wrapped) =
            kernel::range_contains_unaccepted_memory(&table, start, size);
        let ours = acceptor.table().contains_unaccepted(start, size);

        prop_assert_eq!(ours.is_err(), wrapped.range);
        if wrapped.range || wrapped.guard {
            return Ok(());
        }
        let ours = ours.unwrap();
        let units = acceptor.table().accept_units(start, size).unwrap();
        // The C loop tests a prefix of the units accept_memory() would accept.
        for (i, unit) in tested.iter().enumerate() {
            prop_assert_eq!(*unit, units.start + i as u64);
        }
        if ours != kernel {
            prop_assert!(ours && !kernel);
            let missed = units.end - 1;
            prop_assert_eq!(tested.len() as u64, units.len() - 1, "only the last unit is skipped");
            prop_assert!(acceptor.table().is_unaccepted(missed));
            // It happens only when the range ends inside a unit, at an offset in it no larger
            // than the offset at which the range starts in its own unit.
            let unit_size = u64::from(table.unit_size);
            let coverage = table.size * 8 * unit_size;
            let first = (start & !(PAGE_SIZE - 1)).max(table.phys_base) - table.phys_base;
            let end = ((start + size).next_multiple_of(PAGE_SIZE) - table.phys_base).min(coverage);
            prop_assert!(end % unit_size != 0 && first % unit_size >= end % unit_size);
        }
    }
}

/// The case behind the one difference: `[1M, 3M)` with 2 MiB units reaches into unit 1, which
/// the C loop never tests.
#[test]
fn contains_tests_last_unit_kernel_skips() {
    let table = EfiUnacceptedMemory {
        version: 1,
        unit_size: 2 << 20,
        phys_base: 0,
        size: 1,
        bitmap: vec![0b10],
    };
    let (kernel, tested, _) = kernel::range_contains_unaccepted_memory(&table, 1 << 20, 2 << 20);
    assert!(!kernel);
    assert_eq!(tested, [0]);

    let acceptor = acceptor_for(&table);
    assert!(acceptor
        .table()
        .contains_unaccepted(1 << 20, 2 << 20)
        .unwrap());
    // And an accept of the same range does accept unit 1, in both.
    let mut efi = table.clone();
    let mut kernel_calls = Vec::new();
    kernel::accept_memory(&mut efi, 1 << 20, 2 << 20, |s, e| kernel_calls.push((s, e)));
    assert_eq!(kernel_calls, [(2 << 20, 4 << 20)]);
}

/// The one wrap the acceptor does not refuse: a range ending 2 MiB below the top of the address
/// space gets its guard unit added past the top, which the C code wraps to an end of zero.
#[test]
fn guard_unit_past_top_of_address_space() {
    let table = EfiUnacceptedMemory {
        version: 1,
        unit_size: 2 << 20,
        phys_base: 0,
        size: 1,
        bitmap: vec![0xff],
    };
    let size = 0u64.wrapping_sub(2 << 20);
    let mut efi = table.clone();
    let mut kernel_calls = Vec::new();
    let wrapped = kernel::accept_memory(&mut efi, 0, size, |s, e| kernel_calls.push((s, e)));
    assert!(wrapped.guard);
    assert!(kernel_calls.is_empty(), "the C code accepts nothing");

    let mut acceptor = acceptor_for(&table);
    let mut calls = Vec::new();
    accept(&mut acceptor, 0, size, &mut calls).unwrap();
    assert_eq!(
        calls,
        [(0, 16 << 20)],
        "the acceptor accepts the whole table"
    );
}
