// SPDX-License-Identifier: GPL-2.0

//! The region: its memory, its acceptor, and the paths that accept it.
//!
//! The acceptor core is a state machine with no lock of its own. Here it lives under a
//! [`Mutex`], and a [`CondVar`] stands for the kernel's busy retry: a caller whose units are
//! being accepted by another sleeps until a ticket ends. Every caller runs in process context
//! (ioctl, page fault, workqueue), so unlike `accept_memory()` nothing needs interrupts off, and
//! the backend, which may sleep, always runs with the lock dropped.
//!
//! Lock order: the mm's lock (`mmap_lock` or the VMA lock, held by the fault and `mmap()`
//! paths) before [`Region::state`], before the lock of a unit's pages (in [`Memory`], held alone
//! while the backend writes them), before the `i_mmap_rwsem` and page table locks that mapping
//! and unmapping take. Nothing here touches user memory with a lock held.

use crate::{
    accept::{
        AcceptAhead,
        AcceptBackend,
        Acceptor,
        Begin,
        RangeOverflow,
        Table,
        Ticket,
        Unaccept,
        UnitRange,
        Wakeup, //
    },
    config::{
        Config,
        Mode, //
    },
    ffi_ext,
    kernel_ext::{
        self,
        miscdev::{
            VmFault,
            VmFaultReason, //
        },
        mm::FileMapping, //
    },
    memory::Memory, //
};
use core::num::NonZeroU64;
use kernel::{
    alloc::flags::{
        __GFP_NOWARN,
        GFP_KERNEL, //
    },
    fs::File,
    mm::virt::VmaMixedMap,
    new_condvar,
    new_mutex,
    new_work,
    page::{
        PAGE_MASK,
        PAGE_SIZE, //
    },
    prelude::*,
    sync::{
        Arc,
        ArcBorrow,
        CondVar,
        Mutex,
        MutexGuard, //
    },
    time::{
        Instant,
        Monotonic, //
    },
    workqueue::{
        self,
        impl_has_work,
        Work,
        WorkItem, //
    }, //
};

/// Ranges that can be accepted at the same time; a caller beyond that waits for a slot.
const SLOTS: usize = 16;

/// Units touched in a row before accept-ahead starts.
const AHEAD_THRESHOLD: u32 = 2;

/// `PAGE_SIZE` in the acceptor's address type.
const PAGE_BYTES: u64 = PAGE_SIZE as u64;

/// The acceptor over the region's bitmap.
type RegionAcceptor = Acceptor<KVec<u64>, SLOTS>;

/// Counters the core does not keep.
#[derive(Default)]
struct Counters {
    /// Page faults handled.
    faults: u64,
    /// Faults whose unit was not accepted yet.
    faults_waited: u64,
    /// Units the accept-ahead worker accepted.
    ahead_units: u64,
    /// Nanoseconds spent in backend calls.
    accept_ns: u64,
    /// Nanoseconds callers spent waiting for someone else's accept.
    wait_ns: u64,
}

/// Everything [`Region::state`] protects.
struct State {
    /// The bitmap and the accept protocol.
    acceptor: RegionAcceptor,
    /// The sequential-walk detector of the fault path.
    ahead: AcceptAhead,
    /// Units the accept-ahead worker still has to look at.
    ahead_pending: UnitRange,
    /// Counters.
    counters: Counters,
    /// Every mapping (`struct address_space`) a VMA of the region was created through.
    mappings: KVec<FileMapping>,
}

/// How a caller waits for units somebody else is accepting.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// A signal ends the wait with `ERESTARTSYS` (ioctls).
    Interruptible,
    /// Until the units are accepted (page faults, load, the worker).
    Uninterruptible,
}

/// What [`Region::claim`] got.
struct Claim {
    /// The units to accept, or `None` if they are accepted already.
    ticket: Option<Ticket>,
    /// Whether the caller had to wait for another's accept first.
    waited: bool,
}

/// The region of memory behind `/dev/rkm_accept`.
#[pin_data]
pub(crate) struct Region {
    /// The acceptor and what goes with it.
    #[pin]
    state: Mutex<State>,
    /// Notified when a ticket that somebody waited for ends.
    #[pin]
    settled: CondVar,
    /// Runs [`Region::accept_ahead`].
    #[pin]
    ahead_work: Work<Region>,
    /// The pages and the backend.
    memory: Memory,
    /// Bytes per unit.
    unit_size: NonZeroU64,
    /// Bytes in the region.
    size: u64,
}

impl_has_work! {
    impl HasWork<Self> for Region { self.ahead_work }
}

impl WorkItem for Region {
    type Pointer = Arc<Region>;

    fn run(this: Arc<Region>) {
        this.accept_ahead();
    }
}

impl Region {
    /// Sets up the region described by `config` and, in eager mode, allocates and accepts all of
    /// it.
    pub(crate) fn new(config: &Config) -> Result<Arc<Self>> {
        let units = config.units();
        let unit_size = NonZeroU64::from(config.unit_size);
        // As the EFI stub does, firmware accepts partial units whole.
        let pre_accepted_units = config.pre_accepted.div_ceil(unit_size.get());

        let words = usize::try_from(units.div_ceil(64)).map_err(|_| ENOMEM)?;
        let mut bitmap = KVec::from_elem(0u64, words, GFP_KERNEL | __GFP_NOWARN)?;
        for unit in pre_accepted_units..units {
            if let Some(word) = usize::try_from(unit / 64)
                .ok()
                .and_then(|w| bitmap.get_mut(w))
            {
                *word |= 1 << (unit % 64);
            }
        }
        let table = Table::new(config.unit_size.get(), 0, units, bitmap).map_err(|_| EINVAL)?;
        let memory = Memory::new(config, pre_accepted_units)?;

        let region = Arc::pin_init(
            try_pin_init!(Self {
                state <- new_mutex!(State {
                    acceptor: Acceptor::new(table),
                    ahead: AcceptAhead::new(AHEAD_THRESHOLD, config.accept_ahead),
                    ahead_pending: UnitRange::EMPTY,
                    counters: Counters::default(),
                    mappings: KVec::new(),
                }),
                settled <- new_condvar!(),
                ahead_work <- new_work!("Region::ahead_work"),
                memory,
                unit_size,
                size: config.size,
            }),
            GFP_KERNEL,
        )?;

        if config.mode == Mode::Eager {
            let mut guard = region.state.lock();
            if let Begin::Ticket(ticket) = guard.acceptor.begin_units(UnitRange::new(0, units)) {
                let (_, outcome) = region.drive(guard, ticket);
                outcome?;
            }
        }
        Ok(region)
    }

    /// Returns the number of units.
    pub(crate) fn units(&self) -> u64 {
        self.size / self.unit_size
    }

    /// Returns the size of a unit in bytes.
    pub(crate) fn unit_size(&self) -> u64 {
        self.unit_size.get()
    }

    /// Returns the number of pages.
    pub(crate) fn page_count(&self) -> usize {
        self.memory.page_count()
    }

    /// Accepts what `accept_memory(start, size)` accepts (`RKM_ACCEPT_IOC_ACCEPT`).
    pub(crate) fn accept(&self, start: u64, size: u64) -> Result {
        self.check_range(start, size)?;
        let mut guard = self.state.lock();
        let claim = self.claim(
            &mut guard,
            |acceptor| acceptor.begin(start, size),
            Wait::Interruptible,
        )?;
        match claim.ticket {
            Some(ticket) => self.drive(guard, ticket).1,
            None => Ok(()),
        }
    }

    /// `range_contains_unaccepted_memory(start, size)` (`RKM_ACCEPT_IOC_QUERY`).
    pub(crate) fn contains_unaccepted(&self, start: u64, size: u64) -> Result<bool> {
        self.check_range(start, size)?;
        let guard = self.state.lock();
        guard
            .acceptor
            .table()
            .contains_unaccepted(start, size)
            .map_err(overflow)
    }

    /// Returns a copy of the bitmap (`RKM_ACCEPT_IOC_BITMAP`).
    pub(crate) fn bitmap(&self) -> Result<KVec<u64>> {
        let words = usize::try_from(self.units().div_ceil(64)).map_err(|_| ENOMEM)?;
        // Allocated before locking, so that the copy under the lock does not allocate.
        let mut copy = KVec::with_capacity(words, GFP_KERNEL)?;
        let guard = self.state.lock();
        let bitmap = guard.acceptor.table().bitmap();
        copy.extend_from_slice(bitmap.get(..words).unwrap_or(bitmap), GFP_KERNEL)?;
        Ok(copy)
    }

    /// Returns the counters and the state now (`RKM_ACCEPT_IOC_STATS`).
    pub(crate) fn stats(&self) -> ffi_ext::rkm_accept_stats {
        let guard = self.state.lock();
        let core = guard.acceptor.stats();
        let counters = &guard.counters;
        ffi_ext::rkm_accept_stats {
            units: self.units(),
            unit_size: self.unit_size.get(),
            unaccepted_units: guard.acceptor.table().unaccepted_units(),
            units_accepted: core.units_accepted,
            backend_calls: core.backend_calls,
            waits: core.waits,
            units_failed: core.units_failed,
            units_unaccepted: core.units_unaccepted,
            faults: counters.faults,
            faults_waited: counters.faults_waited,
            ahead_units: counters.ahead_units,
            double_accepts: self.memory.double_accepts(),
            accept_ns: counters.accept_ns,
            wait_ns: counters.wait_ns,
        }
    }

    /// Makes every unit holding a byte of `[start, start + size)` unaccepted again
    /// (`RKM_ACCEPT_IOC_UNACCEPT`), and returns how many of them were accepted.
    pub(crate) fn unaccept(&self, start: u64, size: u64) -> Result<u64> {
        self.check_range(start, size)?;
        let mut guard = self.state.lock();
        let units = guard
            .acceptor
            .table()
            .covering_units(start, size)
            .map_err(overflow)?;
        let first = units.start.saturating_mul(self.unit_size.get());
        let len = units.len().saturating_mul(self.unit_size.get());
        let mut waited_since = None;
        let outcome = loop {
            // Under the lock, so that no fault maps a page again before its bit is set; again
            // after each wait, since the units may have been mapped meanwhile.
            for mapping in &guard.mappings {
                mapping.unmap(first, len);
            }
            match guard.acceptor.unaccept(start, size).map_err(overflow) {
                Ok(Unaccept::Done(accepted)) => {
                    self.memory.unaccept(units);
                    break Ok(accepted);
                }
                Ok(Unaccept::Failed) => break Err(EIO),
                Ok(Unaccept::Blocked) => {
                    waited_since.get_or_insert_with(Instant::<Monotonic>::now);
                    if self.settled.wait_interruptible(&mut guard) {
                        break Err(ERESTARTSYS);
                    }
                }
                Err(err) => break Err(err),
            }
        };
        if let Some(since) = waited_since {
            add_elapsed(&mut guard.counters.wait_ns, since);
        }
        outcome
    }

    /// Clears every page of the region without the acceptor (`RKM_ACCEPT_IOC_CLEAR`, test
    /// only): the benchmark's baseline for the work of an accept. Returns the pages cleared.
    pub(crate) fn clear(&self) -> Result<u64> {
        let units = UnitRange::new(0, self.units());
        let mut guard = self.state.lock();
        // With every unit unaccepted no user maps a page, and the ticket keeps any accept
        // out until the pages are cleared.
        if guard.acceptor.table().unaccepted_units() != self.units() {
            return Err(EBUSY);
        }
        let Begin::Ticket(ticket) = guard.acceptor.begin_units(units) else {
            return Err(EBUSY);
        };
        drop(guard);
        let cleared = self.memory.clear(units);
        let mut guard = self.state.lock();
        if guard.acceptor.end(ticket) == Wakeup::Waiters {
            self.settled.notify_all();
        }
        cleared
    }

    /// Remembers the mapping `file` maps the region through, so that
    /// [`Region::unaccept`] can tear its VMAs down.
    pub(crate) fn hold_mapping(&self, file: &File) -> Result {
        let mut guard = self.state.lock();
        if guard.mappings.iter().any(|held| held.is_of(file)) {
            return Ok(());
        }
        let held = FileMapping::new(file)?;
        guard.mappings.push(held, GFP_KERNEL)?;
        Ok(())
    }

    /// Handles a fault on the page at `fault.pgoff` of the region, mapped at `fault.address` of
    /// `vma`.
    ///
    /// As `accept_memory(pgoff << PAGE_SHIFT, PAGE_SIZE)` would: the page's unit, and the next
    /// one when the page is the last of its unit, are accepted before the page is mapped.
    pub(crate) fn fault(
        this: ArcBorrow<'_, Self>,
        vma: &VmaMixedMap,
        fault: VmFault,
    ) -> VmFaultReason {
        let pgoff = fault.pgoff;
        if pgoff >= this.page_count() {
            return VmFaultReason::Sigbus;
        }
        // Cannot overflow: `pgoff` is a page of the region, whose size is a `u64`.
        let offset = pgoff as u64 * PAGE_BYTES;

        let mut guard = this.state.lock();
        guard.counters.faults = guard.counters.faults.saturating_add(1);
        let claim = match this.claim(
            &mut guard,
            |acceptor| acceptor.begin(offset, PAGE_BYTES),
            Wait::Uninterruptible,
        ) {
            Ok(claim) => claim,
            // A unit of the range failed: it is never usable.
            Err(_) => return VmFaultReason::Sigbus,
        };
        if claim.waited || claim.ticket.is_some() {
            guard.counters.faults_waited = guard.counters.faults_waited.saturating_add(1);
        }
        if let Some(ticket) = claim.ticket {
            let (relocked, outcome) = this.drive(guard, ticket);
            guard = relocked;
            match outcome {
                Ok(()) => {}
                Err(err) if err == ENOMEM => return VmFaultReason::Oom,
                Err(_) => return VmFaultReason::Sigbus,
            }
        }
        // Mapped under the lock: an unaccept cannot slip in between the accept and the map.
        // Accepted, so allocated.
        let Some(inserted) = this
            .memory
            .insert_page(pgoff, vma, fault.address & PAGE_MASK)
        else {
            return VmFaultReason::Sigbus;
        };

        let state = &mut *guard;
        let proposal = state.ahead.touch(offset / this.unit_size, &state.acceptor);
        if let Some(units) = proposal {
            state.ahead_pending = hull(state.ahead_pending, units);
        }
        drop(guard);

        if proposal.is_some() {
            // Already queued is fine: the worker takes the pending units under the lock.
            let _ = workqueue::system_unbound().enqueue(Arc::from(this));
        }
        match inserted {
            // EBUSY: another thread's fault mapped the page first.
            Ok(()) => VmFaultReason::NoPage,
            Err(err) if err == EBUSY => VmFaultReason::NoPage,
            Err(err) if err == ENOMEM => VmFaultReason::Oom,
            Err(_) => VmFaultReason::Sigbus,
        }
    }

    /// Waits for the work the accept-ahead worker was given to finish.
    pub(crate) fn flush_ahead(&self) {
        kernel_ext::workqueue::flush(&self.ahead_work);
    }

    /// Accepts the units accept-ahead proposed, one at a time, so that a fault in the window
    /// waits for at most one unit; units somebody else is accepting are skipped.
    fn accept_ahead(&self) {
        let mut guard = self.state.lock();
        loop {
            let pending = guard.ahead_pending;
            if pending.is_empty() {
                return;
            }
            let unit = pending.start;
            guard.ahead_pending = UnitRange::new(unit.saturating_add(1), pending.end);
            let units = UnitRange::new(unit, unit.saturating_add(1));
            if let Begin::Ticket(ticket) = guard.acceptor.begin_units(units) {
                let (relocked, outcome) = self.drive(guard, ticket);
                guard = relocked;
                match outcome {
                    Ok(()) => {
                        guard.counters.ahead_units = guard.counters.ahead_units.saturating_add(1);
                    }
                    // No memory to accept ahead with: the faults will ask again.
                    Err(err) if err == ENOMEM => {
                        guard.ahead_pending = UnitRange::EMPTY;
                    }
                    Err(_) => {}
                }
            }
        }
    }

    /// Fails with `EOVERFLOW` if `start + size` wraps and with `EINVAL` if it lies beyond the
    /// region (the kernel clamps such ranges silently; from user space they are a mistake).
    fn check_range(&self, start: u64, size: u64) -> Result {
        let end = start.checked_add(size).ok_or(EOVERFLOW)?;
        if end > self.size {
            return Err(EINVAL);
        }
        Ok(())
    }

    /// Calls `begin` until it hands out a ticket or says there is nothing to accept, waiting
    /// while others accept the units.
    fn claim<'a>(
        &'a self,
        guard: &mut MutexGuard<'a, State>,
        mut begin: impl FnMut(&mut RegionAcceptor) -> Result<Begin, RangeOverflow>,
        wait: Wait,
    ) -> Result<Claim> {
        let mut waited_since = None;
        let outcome = loop {
            match begin(&mut guard.acceptor).map_err(overflow) {
                Ok(Begin::Ticket(ticket)) => break Ok(Some(ticket)),
                Ok(Begin::Accepted) => break Ok(None),
                Ok(Begin::Failed) => break Err(EIO),
                Ok(Begin::Blocked) => {
                    waited_since.get_or_insert_with(Instant::<Monotonic>::now);
                    match wait {
                        // No ticket is held while blocked, so giving up here is safe.
                        Wait::Interruptible => {
                            if self.settled.wait_interruptible(guard) {
                                break Err(ERESTARTSYS);
                            }
                        }
                        Wait::Uninterruptible => self.settled.wait(guard),
                    }
                }
                Err(err) => break Err(err),
            }
        };
        if let Some(since) = waited_since {
            add_elapsed(&mut guard.counters.wait_ns, since);
        }
        outcome.map(|ticket| Claim {
            ticket,
            waited: waited_since.is_some(),
        })
    }

    /// Allocates the pages of the units of `ticket` that have none, then accepts its runs, with
    /// the lock dropped around the allocation and each backend call, then gives the ticket back
    /// and wakes whoever waits. Returns the lock, and `ENOMEM` if the pages could not be
    /// allocated (nothing was accepted then, and nothing is lost: a later accept tries again) or
    /// `EIO` if a run failed.
    fn drive<'a>(
        &'a self,
        mut guard: MutexGuard<'a, State>,
        mut ticket: Ticket,
    ) -> (MutexGuard<'a, State>, Result) {
        let mut outcome = Ok(());
        if !self.memory.is_populated(ticket.units()) {
            drop(guard);
            outcome = self.memory.populate(ticket.units());
            guard = self.state.lock();
        }
        while outcome.is_ok() {
            let Some(run) = guard.acceptor.next_run(&mut ticket) else {
                break;
            };
            drop(guard);
            let started = Instant::<Monotonic>::now();
            let result = self.memory.accept(run.start(), run.end());
            guard = self.state.lock();
            add_elapsed(&mut guard.counters.accept_ns, started);
            if let Err(err) = guard.acceptor.complete_run(&mut ticket, result) {
                pr_err!(
                    "backend failed on units {}..{}: never used again\n",
                    err.failed.start,
                    err.failed.end
                );
                self.memory.record_failure(err.failed);
                outcome = Err(EIO);
            }
        }
        if guard.acceptor.end(ticket) == Wakeup::Waiters {
            self.settled.notify_all();
        }
        (guard, outcome)
    }
}

/// The errno of a range that wraps around the address space.
fn overflow(_: RangeOverflow) -> Error {
    EOVERFLOW
}

/// Adds the nanoseconds since `since` to `counter`.
fn add_elapsed(counter: &mut u64, since: Instant<Monotonic>) {
    let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(0);
    *counter = counter.saturating_add(nanos);
}

/// The smallest range holding both `a` and `b` (either may be empty).
fn hull(a: UnitRange, b: UnitRange) -> UnitRange {
    if a.is_empty() {
        b
    } else if b.is_empty() {
        a
    } else {
        UnitRange::new(a.start.min(b.start), a.end.max(b.end))
    }
}
