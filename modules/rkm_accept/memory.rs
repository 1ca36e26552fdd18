// SPDX-License-Identifier: GPL-2.0

//! The memory of the region and what accepting it does.
//!
//! The region is made of order-0 pages the module owns; an address of the acceptor is a byte
//! offset into the region. A unit's pages are allocated the first time it is accepted, as KVM
//! backs a TDX or SNP guest's private memory when the guest accepts it, and kept until unload.
//! Nothing can see unaccepted memory (user space only ever maps accepted units), so what matters
//! is what a unit holds once accepted, and accepting writes every page of it: under TDX semantics
//! zeros (the TDX module clears a page it accepts), under SNP semantics [`POISON`], standing for
//! what the page held (the contents of a page validated after a conversion are unspecified). So
//! loading a lazy region costs neither memory nor a pass over it, and no page ever shows user
//! space what it held in the kernel before. The real backends
//! convert the pages to shared and back to private, which on TDX is `MapGPA` plus
//! `TDG.MEM.PAGE.ACCEPT` and on SNP a page state change plus `PVALIDATE`: the same work as
//! accepting firmware-unaccepted memory, on pages a module may own.

#[cfg(any(CONFIG_INTEL_TDX_GUEST, CONFIG_AMD_MEM_ENCRYPT))]
use crate::kernel_ext::coco;
use crate::{
    accept::{
        AcceptBackend,
        AcceptFailure,
        UnitRange, //
    },
    config::{
        BackendKind,
        Config, //
    },
    ffi_ext,
    kernel_ext::mm::{
        ExclusivePages,
        Pages, //
    }, //
};
use core::num::{
    NonZeroU64,
    NonZeroUsize, //
};
use kernel::{
    alloc::{
        flags::{
            __GFP_NOWARN,
            GFP_KERNEL, //
        },
        Flags, //
    },
    mm::virt::VmaMixedMap,
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Mutex, //
    },
    time::{
        delay::fsleep,
        Delta, //
    }, //
};

/// The byte accepted memory holds under SNP semantics.
pub(crate) const POISON: u8 = ffi_ext::RKM_ACCEPT_POISON as u8;

/// `PAGE_SIZE` in the acceptor's address type.
const PAGE_BYTES: u64 = PAGE_SIZE as u64;

/// How the region's memory is allocated: no warning and no OOM report for memory that is not
/// there, since the caller fails with ENOMEM and says so.
fn alloc_flags() -> Flags {
    GFP_KERNEL | __GFP_NOWARN
}

/// What the module knows of one unit besides its bit in the acceptor.
struct Unit {
    /// The unit is accepted as far as the backend knows. A second accept while it is set is a
    /// double accept, which is fatal on real hardware.
    accepted: Atomic<bool>,
    /// The unit's `pages_per_unit` pages, from the first time it is accepted on; locked while
    /// they are allocated, written or mapped.
    pages: Pin<KBox<Mutex<Option<Pages>>>>,
}

/// The pages of the region and the backend that accepts them.
///
/// A unit's pages are allocated ([`Memory::populate`]) before it is accepted, so an accepted unit
/// has pages. They are written (by the backend, [`Memory::clear`] or at load) only while the
/// acceptor hands the unit out to exactly one caller, when no user maps them: user space maps a
/// page only while its unit is accepted. [`Pages::exclusive`] checks the last part.
pub(crate) struct Memory {
    /// Pages in the region.
    page_count: usize,
    /// Pages in one unit.
    pages_per_unit: NonZeroUsize,
    /// Bytes in one unit.
    unit_bytes: NonZeroU64,
    /// One entry per unit.
    units: KVVec<Unit>,
    /// What accepting does.
    backend: BackendKind,
    /// Extra time an emulated accept takes per unit.
    accept_delay: Delta,
    /// Unit on which the emulated backends fail.
    fail_unit: Option<u64>,
    /// Units a backend was asked to accept while accepted.
    double_accepts: Atomic<u64>,
}

impl Memory {
    /// Sets the region up: units below `pre_accepted_units` are allocated and accepted (as
    /// firmware leaves them), the others unaccepted, with no pages yet.
    pub(crate) fn new(config: &Config, pre_accepted_units: u64) -> Result<Self> {
        let page_count = usize::try_from(config.size / PAGE_BYTES).map_err(|_| ENOMEM)?;
        let unit_bytes = NonZeroU64::from(config.unit_size);
        let pages_per_unit =
            NonZeroUsize::new(config.unit_size.get() as usize / PAGE_SIZE).ok_or(EINVAL)?;
        let unit_count = usize::try_from(config.units()).map_err(|_| ENOMEM)?;

        let mut units = KVVec::with_capacity(unit_count, alloc_flags())?;
        for unit in 0..config.units() {
            units.push(
                Unit {
                    accepted: Atomic::new(unit < pre_accepted_units),
                    pages: KBox::pin_init(new_mutex!(None), alloc_flags())?,
                },
                alloc_flags(),
            )?;
        }

        let memory = Self {
            page_count,
            pages_per_unit,
            unit_bytes,
            units,
            backend: config.backend,
            accept_delay: config.accept_delay,
            fail_unit: config.fail_unit,
            double_accepts: Atomic::new(0),
        };
        // Accepted by "firmware": they hold what an accept leaves.
        let pre_accepted = UnitRange::new(0, pre_accepted_units);
        memory.populate(pre_accepted)?;
        for unit in pre_accepted.start..pre_accepted.end {
            memory
                .with_exclusive(unit, |pages| memory.fill_accepted(pages))
                .ok_or(EBUSY)?;
        }
        Ok(memory)
    }

    /// Maps the page at `index` at `address` of `vma`, or returns `None` if the region has no
    /// page there or it is not allocated.
    pub(crate) fn insert_page(
        &self,
        index: usize,
        vma: &VmaMixedMap,
        address: usize,
    ) -> Option<Result> {
        let unit = self.units.get(index / self.pages_per_unit)?;
        let pages = unit.pages.lock();
        let page = pages.as_ref()?.get(index % self.pages_per_unit)?;
        Some(vma.vm_insert_page(address, page))
    }

    /// Returns the number of pages of the region.
    pub(crate) fn page_count(&self) -> usize {
        self.page_count
    }

    /// Returns `true` if every unit of `units` (clamped to the region) has its pages.
    pub(crate) fn is_populated(&self, units: UnitRange) -> bool {
        self.unit_list(units)
            .all(|unit| unit.pages.lock().is_some())
    }

    /// Allocates the pages of the units of `units` (clamped to the region) that have none.
    ///
    /// The caller holds a ticket of the acceptor for `units`, or is loading the region, so
    /// nobody else allocates them. On failure the units allocated so far keep their pages.
    pub(crate) fn populate(&self, units: UnitRange) -> Result {
        for unit in self.unit_list(units) {
            let mut pages = unit.pages.lock();
            if pages.is_none() {
                *pages = Some(Pages::alloc(self.pages_per_unit.get(), alloc_flags())?);
            }
        }
        Ok(())
    }

    /// Returns the number of units a backend was asked to accept while accepted.
    pub(crate) fn double_accepts(&self) -> u64 {
        self.double_accepts.load(Relaxed)
    }

    /// Makes `units` unaccepted as far as the backend goes.
    ///
    /// The caller holds the acceptor's lock, nobody accepts these units and their mappings are
    /// gone, so their contents no longer matter: the next accept writes them. A real backend's
    /// pages stay private, and the next accept converts them again.
    pub(crate) fn unaccept(&self, units: UnitRange) {
        for unit in self.unit_list(units) {
            unit.accepted.store(false, Relaxed);
        }
    }

    /// Clears the pages of `units` (clamped to the region) with the kernel's
    /// `clear_highpage()`, and returns how many there were: the work of an accept under TDX
    /// semantics without the acceptor, the benchmark's baseline. Emulated backends only: a
    /// real backend's unaccepted pages are not the kernel's to write.
    ///
    /// The caller holds a ticket of the acceptor for `units`, all of them unaccepted, so no
    /// user maps their pages; `EBUSY` if one is held all the same.
    pub(crate) fn clear(&self, units: UnitRange) -> Result<u64> {
        if self.backend.is_real() {
            return Err(EOPNOTSUPP);
        }
        let mut cleared = 0;
        for unit in self.unit_list(units) {
            if let Some(pages) = &mut *unit.pages.lock() {
                cleared += pages.exclusive().ok_or(EBUSY)?.clear() as u64;
            }
        }
        Ok(cleared)
    }

    /// Records that a backend failed on `units`; a real backend's pages there are then leaked.
    pub(crate) fn record_failure(&self, units: UnitRange) {
        if !self.backend.is_real() {
            return;
        }
        for unit in self.unit_list(units) {
            if let Some(pages) = &mut *unit.pages.lock() {
                pages.leak_on_drop();
            }
        }
    }

    /// Returns the units of `units`, clamped to the region.
    fn unit_list(&self, units: UnitRange) -> impl Iterator<Item = &Unit> {
        let end = usize::try_from(units.end).unwrap_or(usize::MAX);
        let start = usize::try_from(units.start).unwrap_or(usize::MAX);
        self.units.iter().take(end).skip(start)
    }

    /// Runs `f` with write access to the pages of `unit`; `None` if the unit has no pages or
    /// something else holds one of them.
    fn with_exclusive<R>(
        &self,
        unit: u64,
        f: impl FnOnce(&mut ExclusivePages<'_>) -> R,
    ) -> Option<R> {
        let unit = self.units.get(usize::try_from(unit).ok()?)?;
        let mut pages = unit.pages.lock();
        let mut exclusive = Option::as_mut(&mut pages)?.exclusive()?;
        Some(f(&mut exclusive))
    }

    /// Writes `pages` as accepting leaves them: zeros under TDX semantics, [`POISON`] under SNP
    /// semantics.
    fn fill_accepted(&self, pages: &mut ExclusivePages<'_>) {
        if self.backend.accept_clears() {
            pages.fill_zero();
        } else {
            pages.fill(POISON);
        }
    }

    /// The failure of `unit` as a whole: nothing of it accepted, all of it in an unknown state.
    fn unit_failure(&self, unit: u64) -> AcceptFailure {
        let start = unit.saturating_mul(self.unit_bytes.get());
        AcceptFailure {
            accepted_end: start,
            failed_end: start.saturating_add(self.unit_bytes.get()),
        }
    }

    /// Accepts `units` in an emulated backend.
    fn accept_emulated(&self, units: UnitRange) -> Result<(), AcceptFailure> {
        for unit in units.start..units.end {
            // A unit without pages, or whose pages something else holds, is a bug of the caller
            // (the acceptor says it cannot be); its acceptance fails rather than pretend. As a
            // real conversion that fails half-way, it is then in an unknown state.
            let filled = self.fail_unit != Some(unit)
                && self
                    .with_exclusive(unit, |pages| self.fill_accepted(pages))
                    .is_some();
            if !filled {
                return Err(self.unit_failure(unit));
            }
            if !self.accept_delay.is_zero() {
                fsleep(self.accept_delay);
            }
        }
        Ok(())
    }
}

impl AcceptBackend for Memory {
    fn accept(&self, start: u64, end: u64) -> Result<(), AcceptFailure> {
        let units = UnitRange::new(start / self.unit_bytes, end / self.unit_bytes);
        let result = match self.backend {
            BackendKind::EmulatedTdx | BackendKind::EmulatedSnp => self.accept_emulated(units),
            #[cfg(CONFIG_INTEL_TDX_GUEST)]
            BackendKind::Tdx => self.convert(units),
            #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
            BackendKind::Snp => self.convert(units),
        };
        // Only whole units count as accepted, as in the acceptor.
        let accepted_end = result.map_or_else(|failure| failure.accepted_end.min(end), |()| end);
        let units = UnitRange::new(start / self.unit_bytes, accepted_end / self.unit_bytes);
        for unit in self.unit_list(units) {
            if unit.accepted.xchg(true, Relaxed) {
                self.double_accepts.add(1, Relaxed);
            }
        }
        result
    }
}

#[cfg(any(CONFIG_INTEL_TDX_GUEST, CONFIG_AMD_MEM_ENCRYPT))]
impl Memory {
    /// Accepts `units` for real, one unit at a time.
    ///
    /// Each physically contiguous stretch of a unit's pages is split into the requests the
    /// hardware takes (`accept_tdx()`, `accept_snp()` of the core), and each request is one
    /// conversion to shared and back. The first failed request stops the run; the failure is
    /// translated back to region offsets.
    fn convert(&self, units: UnitRange) -> Result<(), AcceptFailure> {
        for unit in units.start..units.end {
            let offset = unit.saturating_mul(self.unit_bytes.get());
            self.with_exclusive(unit, |pages| {
                // On SNP a page comes back from the conversion with what it held before: make
                // that poison rather than what the kernel left there. TDX clears the pages
                // itself.
                if !self.backend.accept_clears() {
                    pages.fill(POISON);
                }
                self.convert_unit(pages, offset)
            })
            .unwrap_or(Err(self.unit_failure(unit)))?;
        }
        Ok(())
    }

    /// Accepts the pages of one unit, the unit at region offset `offset`.
    fn convert_unit(
        &self,
        pages: &mut ExclusivePages<'_>,
        offset: u64,
    ) -> Result<(), AcceptFailure> {
        let mut index = 0;
        while index < pages.len() {
            let Some(phys) = pages.phys(index) else {
                break;
            };
            let mut next = index.saturating_add(1);
            let mut phys_end = phys.saturating_add(PAGE_BYTES);
            while next < pages.len() && pages.phys(next) == Some(phys_end) {
                next = next.saturating_add(1);
                phys_end = phys_end.saturating_add(PAGE_BYTES);
            }

            // Converts `bytes` at `start`, within the stretch that starts at page `index`.
            let mut reaccept = |start: u64, bytes: u64| {
                let first =
                    index.saturating_add((start.saturating_sub(phys) / PAGE_BYTES) as usize);
                let count = (bytes / PAGE_BYTES) as usize;
                coco::reaccept(pages, first, count).is_ok()
            };
            let result = match self.backend {
                #[cfg(CONFIG_INTEL_TDX_GUEST)]
                BackendKind::Tdx => crate::accept::accept_tdx(phys, phys_end, |chunk| {
                    if reaccept(chunk.start, chunk.size.bytes()) {
                        crate::accept::ChunkOutcome::Accepted
                    } else {
                        crate::accept::ChunkOutcome::Failed
                    }
                }),
                #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
                BackendKind::Snp => crate::accept::accept_snp(phys, phys_end, |batch| {
                    reaccept(batch.start(), batch.end().saturating_sub(batch.start()))
                }),
                _ => Ok(()),
            };
            let stretch = offset.saturating_add((index as u64).saturating_mul(PAGE_BYTES));
            result.map_err(|failure| AcceptFailure {
                accepted_end: stretch.saturating_add(failure.accepted_end.saturating_sub(phys)),
                failed_end: stretch.saturating_add(failure.failed_end.saturating_sub(phys)),
            })?;
            index = next;
        }
        Ok(())
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // The pages themselves are leaked when their `Pages` is dropped.
        let leaked = self
            .units
            .iter()
            .filter_map(|unit| {
                let pages = unit.pages.lock();
                pages
                    .as_ref()
                    .filter(|pages| pages.leaks_on_drop())
                    .map(Pages::len)
            })
            .fold(0usize, usize::saturating_add);
        if leaked != 0 {
            pr_warn!("leaked {leaked} pages a backend failed on\n");
        }
    }
}

#[kunit_tests(rkm_accept_memory)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use core::num::NonZeroU32;

    /// Pages per unit in these tests.
    const UNIT_PAGES: u64 = 4;
    /// Bytes per unit in these tests.
    const UNIT: u64 = UNIT_PAGES * PAGE_BYTES;

    /// A region of four small units.
    fn memory(backend: BackendKind, pre_accepted_units: u64, fail_unit: Option<u64>) -> Memory {
        let config = Config {
            size: 4 * UNIT,
            unit_size: NonZeroU32::new(UNIT as u32).unwrap(),
            mode: Mode::Lazy,
            pre_accepted: pre_accepted_units * UNIT,
            accept_ahead: 0,
            backend,
            accept_delay: Delta::from_micros(0),
            fail_unit,
        };
        Memory::new(&config, pre_accepted_units).unwrap()
    }

    /// Returns `true` if every byte of every page of `unit` is `value`.
    fn unit_holds(memory: &Memory, unit: u64, value: u8) -> bool {
        memory
            .with_exclusive(unit, |pages| {
                let mut buf = [0u8; 256];
                (0..pages.len()).all(|index| {
                    (0..PAGE_SIZE).step_by(buf.len()).all(|offset| {
                        pages.read(index, offset, &mut buf).unwrap();
                        buf.iter().all(|byte| *byte == value)
                    })
                })
            })
            .unwrap()
    }

    /// Writes `value` all over `unit`, as a user of the accepted unit would.
    fn scribble(memory: &Memory, unit: u64, value: u8) {
        let buf = [value; 256];
        memory
            .with_exclusive(unit, |pages| {
                for index in 0..pages.len() {
                    for offset in (0..PAGE_SIZE).step_by(buf.len()) {
                        pages.write(index, offset, &buf).unwrap();
                    }
                }
            })
            .unwrap();
    }

    /// Returns `true` if the page at `index` is allocated.
    fn has_page(memory: &Memory, index: u64) -> bool {
        memory
            .units
            .get((index / UNIT_PAGES) as usize)
            .is_some_and(|unit| unit.pages.lock().is_some())
    }

    /// Returns which units are accepted as far as the backend knows.
    fn accepted(memory: &Memory) -> [bool; 4] {
        core::array::from_fn(|unit| memory.units[unit].accepted.load(Relaxed))
    }

    /// TDX clears what it accepts, again after an unaccept; a second accept is counted.
    #[test]
    fn emulated_tdx_zeroes_and_counts_double_accepts() {
        let memory = memory(BackendKind::EmulatedTdx, 1, None);
        assert!(unit_holds(&memory, 0, 0));

        memory.populate(UnitRange::new(1, 3)).unwrap();
        scribble(&memory, 1, 0x5a);
        assert_eq!(memory.accept(UNIT, 3 * UNIT), Ok(()));
        assert!(unit_holds(&memory, 1, 0));
        assert!(unit_holds(&memory, 2, 0));
        assert_eq!(memory.double_accepts(), 0);

        // Unit 0 came accepted from "firmware": accepting it again is a double accept.
        assert_eq!(memory.accept(0, 2 * UNIT), Ok(()));
        assert_eq!(memory.double_accepts(), 2);

        scribble(&memory, 1, 0x5a);
        memory.unaccept(UnitRange::new(1, 2));
        assert_eq!(memory.accept(UNIT, 2 * UNIT), Ok(()));
        assert_eq!(memory.double_accepts(), 2);
        assert!(unit_holds(&memory, 1, 0));
    }

    /// SNP leaves poison for what the page held, pre-accepted units included.
    #[test]
    fn emulated_snp_leaves_poison() {
        let memory = memory(BackendKind::EmulatedSnp, 1, None);
        assert!(unit_holds(&memory, 0, POISON));
        memory.populate(UnitRange::new(1, 4)).unwrap();
        scribble(&memory, 2, 0x5a);
        assert_eq!(memory.accept(UNIT, 4 * UNIT), Ok(()));
        assert!((1..4).all(|unit| unit_holds(&memory, unit, POISON)));
        assert_eq!(memory.double_accepts(), 0);
    }

    /// The benchmark's clear writes zeros over every page that exists, and accepts nothing.
    #[test]
    fn clear_zeroes_the_pages_that_exist_and_accepts_nothing() {
        let memory = memory(BackendKind::EmulatedSnp, 0, None);
        memory.populate(UnitRange::new(1, 3)).unwrap();
        scribble(&memory, 1, 0x5a);
        scribble(&memory, 2, 0x5a);
        assert_eq!(memory.clear(UnitRange::new(0, 4)), Ok(2 * UNIT_PAGES));
        assert!(unit_holds(&memory, 1, 0) && unit_holds(&memory, 2, 0));
        assert_eq!(accepted(&memory), [false; 4]);
        assert_eq!(memory.double_accepts(), 0);
    }

    /// An injected failure stops the run at the failing unit, which is left unknown.
    #[test]
    fn failure_stops_at_the_failing_unit() {
        let memory = memory(BackendKind::EmulatedTdx, 0, Some(2));
        memory.populate(UnitRange::new(0, 4)).unwrap();
        assert_eq!(
            memory.accept(0, 4 * UNIT),
            Err(AcceptFailure {
                accepted_end: 2 * UNIT,
                failed_end: 3 * UNIT,
            })
        );
        assert!(unit_holds(&memory, 1, 0));
        assert_eq!(accepted(&memory), [true, true, false, false]);
        // Emulated pages are not leaked: only a real conversion leaves them unknown.
        memory.record_failure(UnitRange::new(2, 3));
        assert!(!memory.units.iter().any(|unit| unit
            .pages
            .lock()
            .as_ref()
            .is_some_and(Pages::leaks_on_drop)));
    }

    /// Only pre-accepted units have pages at load; a unit without pages is never accepted, and
    /// is once populated.
    #[test]
    fn pages_come_before_the_first_accept() {
        let memory = memory(BackendKind::EmulatedTdx, 1, None);
        assert!(has_page(&memory, 0));
        assert!(!has_page(&memory, UNIT_PAGES));
        assert!(memory.is_populated(UnitRange::new(0, 1)));
        assert!(!memory.is_populated(UnitRange::new(0, 2)));

        assert_eq!(
            memory.accept(UNIT, 2 * UNIT),
            Err(AcceptFailure {
                accepted_end: UNIT,
                failed_end: 2 * UNIT,
            })
        );
        memory.populate(UnitRange::new(1, 2)).unwrap();
        assert!(memory.is_populated(UnitRange::new(0, 2)));
        assert_eq!(memory.accept(UNIT, 2 * UNIT), Ok(()));
        assert!(unit_holds(&memory, 1, 0));
        assert_eq!(memory.page_count(), 4 * UNIT_PAGES as usize);
        assert!(!has_page(&memory, 4 * UNIT_PAGES));
    }
}
