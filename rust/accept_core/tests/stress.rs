// SPDX-License-Identifier: GPL-2.0

//! Many threads accepting random overlapping ranges through one acceptor behind a `Mutex` and a
//! `Condvar`, the way the module drives it, against backends that catch double accepts.

use accept_core::{
    AcceptAhead, AcceptBackend, AcceptFailure, Acceptor, Begin, Table, Unaccept, UnitRange, Wakeup,
};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

const UNIT: u64 = 64 << 10;
const BASE: u64 = 1 << 32;
const UNITS: u64 = 512;
const SLOTS: usize = 4;

/// Longest any caller may wait before the test calls it a deadlock.
const DEADLOCK: Duration = Duration::from_secs(30);

/// xorshift64*: plenty for picking ranges, and keeps the test free of extra crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The acceptor as the module holds it.
struct Shared {
    acceptor: Mutex<Acceptor<Vec<u64>, SLOTS>>,
    cond: Condvar,
    /// Set when any thread panics, so that the others stop instead of waiting for it forever.
    aborted: AtomicBool,
}

/// Sets [`Shared::aborted`] if the thread holding it panics.
struct AbortOnPanic<'a>(&'a Shared);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.aborted.store(true, Ordering::Release);
        }
    }
}

impl Shared {
    fn new() -> Self {
        let table = Table::new(UNIT as u32, BASE, UNITS, vec![u64::MAX; 8]).unwrap();
        Self {
            acceptor: Mutex::new(Acceptor::new(table)),
            cond: Condvar::new(),
            aborted: AtomicBool::new(false),
        }
    }

    /// Returns a guard to hold for the life of each thread.
    fn guard(&self) -> AbortOnPanic<'_> {
        AbortOnPanic(self)
    }

    fn check(&self) {
        assert!(
            !self.aborted.load(Ordering::Acquire),
            "another thread panicked"
        );
    }

    fn lock(&self) -> MutexGuard<'_, Acceptor<Vec<u64>, SLOTS>> {
        self.acceptor.lock().unwrap()
    }

    /// Waits for a wake-up; a waiter nobody wakes within [`DEADLOCK`] is a deadlock.
    fn wait<'a>(
        &self,
        mut guard: MutexGuard<'a, Acceptor<Vec<u64>, SLOTS>>,
    ) -> MutexGuard<'a, Acceptor<Vec<u64>, SLOTS>> {
        let started = Instant::now();
        loop {
            let (woken, timeout) = self
                .cond
                .wait_timeout(guard, Duration::from_millis(50))
                .unwrap();
            guard = woken;
            if !timeout.timed_out() {
                return guard;
            }
            self.check();
            assert!(
                started.elapsed() < DEADLOCK,
                "deadlock: nobody woke a waiter"
            );
        }
    }

    /// Drives `begin` to a ticket, or returns `None` when there is nothing to accept.
    fn begin<'a>(
        &'a self,
        mut begin: impl FnMut(&mut Acceptor<Vec<u64>, SLOTS>) -> Begin,
    ) -> (
        MutexGuard<'a, Acceptor<Vec<u64>, SLOTS>>,
        Option<accept_core::Ticket>,
    ) {
        let mut guard = self.lock();
        loop {
            match begin(&mut guard) {
                Begin::Ticket(ticket) => return (guard, Some(ticket)),
                Begin::Accepted => return (guard, None),
                Begin::Blocked => guard = self.wait(guard),
                Begin::Failed => panic!("no backend here fails"),
            }
        }
    }

    /// `accept_memory(start, size)`; returns with the lock held so the caller can check the
    /// result before anybody unaccepts it.
    fn accept(
        &self,
        backend: &impl AcceptBackend,
        start: u64,
        size: u64,
    ) -> MutexGuard<'_, Acceptor<Vec<u64>, SLOTS>> {
        let (guard, ticket) = self.begin(|a| a.begin(start, size).unwrap());
        match ticket {
            Some(ticket) => self.run(guard, ticket, backend),
            None => guard,
        }
    }

    /// Accepts every run of `ticket`, dropping the lock around each backend call.
    fn run<'a>(
        &'a self,
        mut guard: MutexGuard<'a, Acceptor<Vec<u64>, SLOTS>>,
        mut ticket: accept_core::Ticket,
        backend: &impl AcceptBackend,
    ) -> MutexGuard<'a, Acceptor<Vec<u64>, SLOTS>> {
        while let Some(run) = guard.next_run(&mut ticket) {
            drop(guard);
            let result = backend.accept(run.start(), run.end());
            guard = self.lock();
            guard.complete_run(&mut ticket, result).unwrap();
        }
        if guard.end(ticket) == Wakeup::Waiters {
            self.cond.notify_all();
        }
        guard
    }
}

/// Backend that counts accepts per unit and fails the test on a second accept of a unit that
/// was not unaccepted in between.
struct CountingBackend<'a> {
    shared: &'a Shared,
    accepts: Vec<AtomicU32>,
    accepted: Vec<AtomicBool>,
    calls: AtomicU64,
}

impl<'a> CountingBackend<'a> {
    fn new(shared: &'a Shared) -> Self {
        Self {
            shared,
            accepts: (0..UNITS).map(|_| AtomicU32::new(0)).collect(),
            accepted: (0..UNITS).map(|_| AtomicBool::new(false)).collect(),
            calls: AtomicU64::new(0),
        }
    }

    fn units(start: u64, end: u64) -> std::ops::Range<usize> {
        ((start - BASE) / UNIT) as usize..((end - BASE) / UNIT) as usize
    }
}

impl AcceptBackend for CountingBackend<'_> {
    fn accept(&self, start: u64, end: u64) -> Result<(), AcceptFailure> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        {
            // The bits are still set while the backend works on them.
            let acceptor = self.shared.lock();
            for unit in Self::units(start, end) {
                assert!(
                    acceptor.table().is_unaccepted(unit as u64),
                    "unit {unit} cleared early"
                );
            }
        }
        for unit in Self::units(start, end) {
            self.accepts[unit].fetch_add(1, Ordering::Relaxed);
            assert!(
                !self.accepted[unit].swap(true, Ordering::AcqRel),
                "unit {unit} accepted twice"
            );
        }
        // Give the other threads time to pile up on these units.
        thread::yield_now();
        Ok(())
    }
}

/// A random range around the table, sometimes reaching past either end.
fn random_range(rng: &mut Rng) -> (u64, u64) {
    let start = BASE - 2 * UNIT + rng.below((UNITS + 4) * UNIT);
    let size = match rng.below(4) {
        0 => 4096,
        1 => rng.below(UNIT),
        2 => rng.below(8 * UNIT),
        _ => rng.below(64 * UNIT),
    };
    (start, size)
}

/// Checks, under the lock, that every unit of `[start, start + size)` is accepted.
fn assert_accepted(
    acceptor: &Acceptor<Vec<u64>, SLOTS>,
    backend: &CountingBackend<'_>,
    start: u64,
    size: u64,
) {
    let units = acceptor.table().accept_units(start, size).unwrap();
    for unit in units.start..units.end {
        assert!(!acceptor.table().is_unaccepted(unit));
        assert!(
            backend.accepted[unit as usize].load(Ordering::Acquire),
            "unit {unit} in use unaccepted"
        );
    }
}

#[test]
fn every_unit_is_accepted_exactly_once() {
    let shared = Shared::new();
    let backend = CountingBackend::new(&shared);
    let stop = AtomicBool::new(false);
    let requested: Vec<AtomicBool> = (0..UNITS).map(|_| AtomicBool::new(false)).collect();

    thread::scope(|s| {
        // Watches that a clear bit always means the backend is done with the unit.
        s.spawn(|| {
            let _guard = shared.guard();
            while !stop.load(Ordering::Acquire) {
                shared.check();
                let acceptor = shared.lock();
                for unit in 0..UNITS {
                    if !acceptor.table().is_unaccepted(unit) {
                        assert!(backend.accepted[unit as usize].load(Ordering::Acquire));
                    }
                }
                drop(acceptor);
                thread::yield_now();
            }
        });
        let workers: Vec<_> = (0..8u64)
            .map(|seed| {
                let (shared, backend, requested) = (&shared, &backend, &requested);
                s.spawn(move || {
                    let _guard = shared.guard();
                    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seed + 1));
                    for _ in 0..2000 {
                        let (start, size) = random_range(&mut rng);
                        let acceptor = shared.accept(backend, start, size);
                        assert_accepted(&acceptor, backend, start, size);
                        let units = acceptor.table().accept_units(start, size).unwrap();
                        for unit in units.start..units.end {
                            requested[unit as usize].store(true, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        // Join them all before stopping the observer, even if one panicked.
        let panicked = workers
            .into_iter()
            .filter_map(|worker| worker.join().err())
            .count();
        stop.store(true, Ordering::Release);
        assert_eq!(panicked, 0, "a worker panicked");
    });

    let stats = shared.lock().stats();
    for (unit, (accepts, requested)) in backend.accepts.iter().zip(&requested).enumerate() {
        let expected = u32::from(requested.load(Ordering::Relaxed));
        assert_eq!(accepts.load(Ordering::Relaxed), expected, "unit {unit}");
    }
    let accepted: u64 = backend
        .accepts
        .iter()
        .map(|a| u64::from(a.load(Ordering::Relaxed)))
        .sum();
    assert_eq!(stats.units_accepted, accepted);
    assert_eq!(stats.backend_calls, backend.calls.load(Ordering::Relaxed));
    assert_eq!(shared.lock().table().unaccepted_units(), UNITS - accepted);
    assert!(
        stats.waits > 0,
        "the threads never met: the test proves nothing"
    );
}

#[test]
fn many_threads_on_one_unit_make_one_backend_call() {
    let shared = Shared::new();
    let backend = CountingBackend::new(&shared);
    thread::scope(|s| {
        for page in 0..32 {
            let (shared, backend) = (&shared, &backend);
            s.spawn(move || {
                let _guard = shared.guard();
                let start = BASE + 3 * UNIT + page * 4096 % (UNIT - 4096);
                drop(shared.accept(backend, start, 4096));
            });
        }
    });
    assert_eq!(backend.calls.load(Ordering::Relaxed), 1);
    assert_eq!(shared.lock().stats().backend_calls, 1);
}

#[test]
fn accepts_and_unaccepts_never_accept_twice() {
    let shared = Shared::new();
    let backend = CountingBackend::new(&shared);
    let unaccepted = AtomicU64::new(0);

    thread::scope(|s| {
        for seed in 0..6u64 {
            let (shared, backend, unaccepted) = (&shared, &backend, &unaccepted);
            s.spawn(move || {
                let _guard = shared.guard();
                let mut rng = Rng(0xdead_beef_cafe_f00d ^ (seed + 1));
                for _ in 0..2000 {
                    let (start, size) = random_range(&mut rng);
                    if rng.below(4) == 0 {
                        let mut acceptor = shared.lock();
                        loop {
                            let before: Vec<bool> = (0..UNITS)
                                .map(|u| acceptor.table().is_unaccepted(u))
                                .collect();
                            match acceptor.unaccept(start, size).unwrap() {
                                Unaccept::Done(n) => {
                                    // The emulated memory becomes unaccepted under the lock.
                                    for unit in 0..UNITS {
                                        if acceptor.table().is_unaccepted(unit)
                                            && !before[unit as usize]
                                        {
                                            backend.accepted[unit as usize]
                                                .store(false, Ordering::Release);
                                        }
                                    }
                                    unaccepted.fetch_add(n, Ordering::Relaxed);
                                    break;
                                }
                                Unaccept::Blocked => acceptor = shared.wait(acceptor),
                                Unaccept::Failed => panic!("no backend here fails"),
                            }
                        }
                    } else {
                        let acceptor = shared.accept(backend, start, size);
                        assert_accepted(&acceptor, backend, start, size);
                    }
                }
            });
        }
    });

    let acceptor = shared.lock();
    let stats = acceptor.stats();
    let accepts: u64 = backend
        .accepts
        .iter()
        .map(|a| u64::from(a.load(Ordering::Relaxed)))
        .sum();
    assert_eq!(stats.units_accepted, accepts);
    assert_eq!(stats.units_unaccepted, unaccepted.load(Ordering::Relaxed));
    assert_eq!(
        acceptor.table().unaccepted_units(),
        UNITS + stats.units_unaccepted - accepts
    );
}

#[test]
fn sequential_walk_with_accept_ahead_worker() {
    let shared = Shared::new();
    let backend = CountingBackend::new(&shared);
    let ahead = Mutex::new(AcceptAhead::new(4, 16));
    let (proposals, done) = (Mutex::new(Vec::<UnitRange>::new()), AtomicBool::new(false));

    thread::scope(|s| {
        // The background worker accepts proposals a unit at a time and skips contended ones.
        s.spawn(|| {
            let _guard = shared.guard();
            while !done.load(Ordering::Acquire) || !proposals.lock().unwrap().is_empty() {
                shared.check();
                let Some(proposal) = proposals.lock().unwrap().pop() else {
                    thread::yield_now();
                    continue;
                };
                for unit in proposal.start..proposal.end {
                    let mut acceptor = shared.lock();
                    if let Begin::Ticket(ticket) =
                        acceptor.begin_units(UnitRange::new(unit, unit + 1))
                    {
                        drop(shared.run(acceptor, ticket, &backend));
                    }
                }
            }
        });
        let _guard = shared.guard();
        for page in (0..UNITS * UNIT / 4096).step_by(4) {
            let addr = BASE + page * 4096;
            let acceptor = shared.accept(&backend, addr, 4096);
            assert_accepted(&acceptor, &backend, addr, 4096);
            let unit = acceptor.table().unit_of(addr).unwrap();
            if let Some(proposal) = ahead.lock().unwrap().touch(unit, &acceptor) {
                assert!(proposal.start > unit && proposal.end <= (unit + 17).min(UNITS));
                assert!((proposal.start..proposal.end).all(|u| acceptor.table().is_unaccepted(u)));
                proposals.lock().unwrap().push(proposal);
            }
        }
        done.store(true, Ordering::Release);
    });

    assert!(backend
        .accepts
        .iter()
        .all(|a| a.load(Ordering::Relaxed) == 1));
    assert_eq!(shared.lock().table().unaccepted_units(), 0);
}
