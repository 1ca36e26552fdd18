// SPDX-License-Identifier: GPL-2.0

//! The accept protocol of `accept_memory()` as a state machine driven under the caller's lock.

use super::{
    failed::FailedUnits,
    in_flight::InFlight,
    AcceptFailure,
    RangeOverflow,
    Table,
    UnitRange, //
};
use core::ops::DerefMut;

/// Counters of the work an [`Acceptor`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Units the backend accepted.
    pub units_accepted: u64,
    /// Runs handed to the backend, one backend call each.
    pub backend_calls: u64,
    /// Times a caller was told to wait ([`Begin::Blocked`] or [`Unaccept::Blocked`]).
    pub waits: u64,
    /// Units left in an unknown state by a failed or abandoned run.
    pub units_failed: u64,
    /// Units made unaccepted again by [`Acceptor::unaccept`].
    pub units_unaccepted: u64,
}

/// What [`Acceptor::begin`] tells the caller to do.
#[must_use]
#[derive(Debug)]
pub enum Begin {
    /// Every unit of the range is accepted: the memory can be used.
    Accepted,
    /// Somebody else is accepting part of the range, or the in-flight table is full: wait until
    /// an [`Acceptor::end`] asks for a wake-up, then call [`Acceptor::begin`] again.
    Blocked,
    /// The range holds units a backend failed on; they are never accepted nor usable.
    Failed,
    /// The range is now the caller's to accept: drive the ticket with [`Acceptor::next_run`] and
    /// [`Acceptor::complete_run`], then give it back with [`Acceptor::end`].
    Ticket(Ticket),
}

/// The right to accept a range of units; nobody else accepts any of them until it ends.
///
/// Only [`Acceptor::begin`] or [`Acceptor::begin_units`] makes one and only [`Acceptor::end`]
/// consumes one. A ticket that is dropped instead keeps its units registered, so everybody who
/// needs them waits forever.
#[must_use = "a ticket must be given back with `Acceptor::end`"]
#[derive(Debug)]
pub struct Ticket {
    /// Index of the ticket's entry in the in-flight table.
    slot: usize,
    /// The units registered in that entry.
    units: UnitRange,
    /// Where the search for the next run starts.
    next: u64,
    /// The run handed out and not completed yet.
    pending: Option<UnitRange>,
    /// Set once a run failed: the rest of the range is left alone.
    stopped: bool,
}

impl Ticket {
    /// Returns the units the ticket holds.
    pub fn units(&self) -> UnitRange {
        self.units
    }
}

/// A run of consecutive unaccepted units to hand to the backend in one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The units of the run.
    units: UnitRange,
    /// Physical address of the first unit.
    start: u64,
    /// Physical address after the last unit.
    end: u64,
}

impl Run {
    /// Returns the units of the run.
    pub fn units(&self) -> UnitRange {
        self.units
    }

    /// Returns the physical address of the first byte of the run.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Returns the physical address after the run.
    pub fn end(&self) -> u64 {
        self.end
    }
}

/// A run the backend did not fully accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunError {
    /// Units of the run that are accepted: they are marked so and never accepted again.
    pub accepted: UnitRange,
    /// Units in an unknown state: the module must leak their memory. The units after them stay
    /// unaccepted and can be accepted later.
    pub failed: UnitRange,
}

/// What [`Acceptor::unaccept`] did.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unaccept {
    /// The units are unaccepted; this many of them were accepted before.
    Done(u64),
    /// Somebody is accepting part of the range: wait as for [`Begin::Blocked`] and retry.
    Blocked,
    /// The range holds units a backend failed on, which stay as they are.
    Failed,
}

/// Whom to wake after [`Acceptor::end`].
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wakeup {
    /// Somebody was told to wait for these units or for a free slot: wake all waiters.
    Waiters,
    /// Nobody waits.
    Nobody,
}

/// The acceptor: a [`Table`] plus the bookkeeping that makes concurrent accepts safe.
///
/// It does what `accept_memory()` does under `unaccepted_memory_lock`, but takes no lock itself:
/// the caller keeps it behind its own lock, calls every method with that lock held and drops
/// the lock around each backend call. The rules it enforces are the kernel's:
///
/// - Ranges are compared at unit granularity; a range that overlaps one being accepted waits,
///   disjoint ranges are accepted in parallel.
/// - A unit's bit is cleared only after the backend returned, so a clear bit always means
///   accepted memory, and nothing is handed to the backend twice.
///
/// Up to `SLOTS` ranges can be in flight at once (the kernel's `accepting_list` is unbounded);
/// with all slots taken a new range waits as if it overlapped.
///
/// # Examples
///
/// Accepting a range under a `std::sync::Mutex`, as a module does under its `Mutex`:
///
/// ```
/// use accept_core::{AcceptBackend, AcceptFailure, Acceptor, Begin, Table, Wakeup};
/// use std::sync::{Condvar, Mutex};
///
/// struct Backend;
///
/// impl AcceptBackend for Backend {
///     fn accept(&self, _start: u64, _end: u64) -> Result<(), AcceptFailure> {
///         Ok(())
///     }
/// }
///
/// fn accept(lock: &Mutex<Acceptor<Vec<u64>, 4>>, cond: &Condvar, start: u64, size: u64) -> bool {
///     let mut acceptor = lock.lock().unwrap();
///     let mut ticket = loop {
///         match acceptor.begin(start, size) {
///             Ok(Begin::Ticket(ticket)) => break ticket,
///             Ok(Begin::Blocked) => acceptor = cond.wait(acceptor).unwrap(),
///             Ok(Begin::Accepted) => return true,
///             Ok(Begin::Failed) | Err(_) => return false,
///         }
///     };
///     let mut ok = true;
///     while let Some(run) = acceptor.next_run(&mut ticket) {
///         drop(acceptor);
///         let result = Backend.accept(run.start(), run.end());
///         acceptor = lock.lock().unwrap();
///         ok &= acceptor.complete_run(&mut ticket, result).is_ok();
///     }
///     if acceptor.end(ticket) == Wakeup::Waiters {
///         cond.notify_all();
///     }
///     ok
/// }
///
/// let table = Table::new(2 << 20, 0, 64, vec![u64::MAX]).unwrap();
/// let acceptor = Mutex::new(Acceptor::<_, 4>::new(table));
/// assert!(accept(&acceptor, &Condvar::new(), 0, 4096));
/// // The first page of unit 0 needs unit 0 only.
/// assert_eq!(acceptor.lock().unwrap().table().bitmap(), &[u64::MAX << 1]);
/// ```
#[derive(Debug)]
pub struct Acceptor<B, const SLOTS: usize> {
    /// The bitmap; a clear bit means accepted.
    table: Table<B>,
    /// The ranges tickets hold.
    in_flight: InFlight<SLOTS>,
    /// Units in an unknown state after a backend failure.
    failed: FailedUnits,
    /// Counters.
    stats: Stats,
}

impl<B: DerefMut<Target = [u64]>, const SLOTS: usize> Acceptor<B, SLOTS> {
    /// Creates an acceptor over `table`, with no range in flight.
    pub fn new(table: Table<B>) -> Self {
        const { assert!(SLOTS > 0, "an acceptor needs at least one in-flight slot") };
        Self {
            table,
            in_flight: InFlight::new(),
            failed: FailedUnits::new(),
            stats: Stats::default(),
        }
    }

    /// Returns the table.
    pub fn table(&self) -> &Table<B> {
        &self.table
    }

    /// Returns the counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Starts `accept_memory(start, size)`: the units are those of [`Table::accept_units`].
    pub fn begin(&mut self, start: u64, size: u64) -> Result<Begin, RangeOverflow> {
        let units = self.table.accept_units(start, size)?;
        Ok(self.begin_units(units))
    }

    /// Starts accepting `units` exactly, clamped to the table: for accept-ahead proposals and
    /// for accepting everything at once.
    pub fn begin_units(&mut self, units: UnitRange) -> Begin {
        let units = self.table.clamp(units);
        if self.failed.intersects(units) {
            return Begin::Failed;
        }
        // Bits clear only once accepted, so with none set there is nothing to wait for even if
        // another ticket holds these units.
        if self.table.next_unaccepted(units).is_none() {
            return Begin::Accepted;
        }
        match self.in_flight.claim(units) {
            Some(slot) => Begin::Ticket(Ticket {
                slot,
                units,
                next: units.start,
                pending: None,
                stopped: false,
            }),
            None => {
                self.stats.waits = self.stats.waits.saturating_add(1);
                Begin::Blocked
            }
        }
    }

    /// Returns the next run of unaccepted units of `ticket`, or `None` when there is none left
    /// or the previous run was not completed.
    ///
    /// The caller drops its lock, hands the run to the backend, retakes the lock and reports the
    /// result with [`Acceptor::complete_run`].
    pub fn next_run(&mut self, ticket: &mut Ticket) -> Option<Run> {
        if ticket.stopped
            || ticket.pending.is_some()
            || !self.in_flight.holds(ticket.slot, ticket.units)
        {
            return None;
        }
        let first = self
            .table
            .next_unaccepted(UnitRange::new(ticket.next, ticket.units.end))?;
        let end = self
            .table
            .next_accepted(UnitRange::new(first, ticket.units.end));
        let units = UnitRange::new(first, end);
        let (start, end_addr) = self.table.phys_range(units);

        ticket.next = end;
        ticket.pending = Some(units);
        self.stats.backend_calls = self.stats.backend_calls.saturating_add(1);
        Some(Run {
            units,
            start,
            end: end_addr,
        })
    }

    /// Records the backend's `result` for the run [`Acceptor::next_run`] last returned for
    /// `ticket`.
    ///
    /// On success the run's units become accepted. On failure the units before the failure
    /// become accepted, the units in an unknown state are failed for good, and the ticket
    /// yields no further run.
    pub fn complete_run(
        &mut self,
        ticket: &mut Ticket,
        result: Result<(), AcceptFailure>,
    ) -> Result<(), RunError> {
        let Some(units) = ticket.pending.take() else {
            return Ok(());
        };
        let (accepted, failed) = match result {
            Ok(()) => (units, UnitRange::EMPTY),
            Err(failure) => {
                ticket.stopped = true;
                self.split_failed_run(units, failure)
            }
        };

        self.table.set_accepted(accepted);
        self.stats.units_accepted = self.stats.units_accepted.saturating_add(accepted.len());
        self.fail(failed);

        if result.is_ok() {
            Ok(())
        } else {
            Err(RunError { accepted, failed })
        }
    }

    /// Gives `ticket` back and tells whether waiters must be woken.
    ///
    /// A run handed out but never completed may or may not have been accepted, so its units are
    /// failed for good.
    pub fn end(&mut self, ticket: Ticket) -> Wakeup {
        if let Some(units) = ticket.pending {
            self.fail(units);
        }
        if self.in_flight.release(ticket.slot, ticket.units) {
            Wakeup::Waiters
        } else {
            Wakeup::Nobody
        }
    }

    /// Marks every unit holding a byte of `[start, start + size)` unaccepted again (no guard
    /// unit: this gives memory back rather than protecting a load).
    ///
    /// This is a test path with no counterpart in the kernel, which never unaccepts; the
    /// backend must make the memory unaccepted for real before or after, under the same lock.
    pub fn unaccept(&mut self, start: u64, size: u64) -> Result<Unaccept, RangeOverflow> {
        let units = self.table.covering_units(start, size)?;
        if self.failed.intersects(units) {
            return Ok(Unaccept::Failed);
        }
        if self.in_flight.contend(units) {
            self.stats.waits = self.stats.waits.saturating_add(1);
            return Ok(Unaccept::Blocked);
        }
        let changed = self.table.set_unaccepted(units);
        self.stats.units_unaccepted = self.stats.units_unaccepted.saturating_add(changed);
        Ok(Unaccept::Done(changed))
    }

    /// Returns `true` if `unit` is unaccepted and neither in flight nor failed, that is, a
    /// [`Acceptor::begin_units`] of it now would hand it to the backend.
    pub(super) fn is_acceptable(&self, unit: u64) -> bool {
        self.table.is_unaccepted(unit)
            && !self.in_flight.contains(unit)
            && !self.failed.contains(unit)
    }

    /// Splits a failed `run` into the units accepted before the failure and those left in an
    /// unknown state.
    fn split_failed_run(&self, run: UnitRange, failure: AcceptFailure) -> (UnitRange, UnitRange) {
        let (start, end) = self.table.phys_range(run);
        let accepted_end = failure.accepted_end.clamp(start, end);
        let failed_end = failure.failed_end.clamp(accepted_end, end);

        // A unit is accepted only if all of it is; one accepted in part is in an unknown state.
        let (accepted_units, _) = self.table.units_in(accepted_end.saturating_sub(start));
        let (_, failed_units) = self.table.units_in(failed_end.saturating_sub(start));
        let boundary = run.start.saturating_add(accepted_units);
        let failed_to = run.start.saturating_add(failed_units);
        (
            UnitRange::new(run.start, boundary),
            UnitRange::new(boundary, failed_to),
        )
    }

    /// Keeps `units` away from the backend and from users for good.
    fn fail(&mut self, units: UnitRange) {
        if units.is_empty() {
            return;
        }
        self.failed.record(units);
        self.stats.units_failed = self.stats.units_failed.saturating_add(units.len());
    }
}
