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
    ffi_ext, //
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
    page::{
        Page,
        PAGE_SIZE, //
    },
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SetOnce, //
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
struct UnitFlags {
    /// The unit is accepted as far as the backend knows. A second accept while it is set is a
    /// double accept, which is fatal on real hardware.
    accepted: Atomic<bool>,
    /// The unit's pages, from the first time it is accepted on.
    pages: SetOnce<UnitPages>,
}

/// The pages of one unit, in order.
struct UnitPages {
    /// `pages_per_unit` pages.
    pages: KVVec<Page>,
    /// Real backends: a conversion failed on the unit and its pages are in an unknown state, so
    /// they are never given back to the page allocator.
    leaked: Atomic<bool>,
}

impl Drop for UnitPages {
    fn drop(&mut self) {
        if self.leaked.load(Relaxed) {
            // Their state is unknown: handing them back could give the next user a page that is
            // shared with the host, or not accepted.
            while let Some(page) = self.pages.pop() {
                core::mem::forget(page);
            }
        }
    }
}

/// The pages of the region and the backend that accepts them.
///
/// # Invariants
///
/// - A unit's pages are allocated ([`Memory::populate`]) before it is accepted, so an accepted
///   unit has pages.
/// - A page is only written by the backend (or [`Memory::clear`]) while the acceptor hands its
///   unit out to exactly one caller, or at load;
///   user space maps a page only while its unit is accepted.
pub(crate) struct Memory {
    /// Pages in the region.
    page_count: usize,
    /// Pages in one unit.
    pages_per_unit: NonZeroUsize,
    /// Bytes in one unit.
    unit_bytes: NonZeroU64,
    /// One entry per unit.
    units: KVVec<UnitFlags>,
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
                UnitFlags {
                    accepted: Atomic::new(unit < pre_accepted_units),
                    pages: SetOnce::new(),
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
        memory.fill_accepted(pre_accepted);
        Ok(memory)
    }

    /// Returns the page at `index`, if the region has one there and it is allocated.
    pub(crate) fn page(&self, index: usize) -> Option<&Page> {
        let unit = self.units.get(index / self.pages_per_unit)?;
        unit.pages.as_ref()?.pages.get(index % self.pages_per_unit)
    }

    /// Returns the number of pages of the region.
    pub(crate) fn page_count(&self) -> usize {
        self.page_count
    }

    /// Returns `true` if every unit of `units` (clamped to the region) has its pages.
    pub(crate) fn is_populated(&self, units: UnitRange) -> bool {
        self.unit_flags(units)
            .all(|flags| flags.pages.as_ref().is_some())
    }

    /// Allocates the pages of the units of `units` (clamped to the region) that have none.
    ///
    /// The caller holds a ticket of the acceptor for `units`, or is loading the region, so
    /// nobody else allocates them. On failure the units allocated so far keep their pages.
    pub(crate) fn populate(&self, units: UnitRange) -> Result {
        for flags in self.unit_flags(units) {
            if flags.pages.as_ref().is_some() {
                continue;
            }
            let mut pages = KVVec::with_capacity(self.pages_per_unit.get(), alloc_flags())?;
            for _ in 0..self.pages_per_unit.get() {
                pages.push(Page::alloc_page(alloc_flags())?, alloc_flags())?;
            }
            // Cannot be set already: only the holder of the unit's ticket gets here.
            flags.pages.populate(UnitPages {
                pages,
                leaked: Atomic::new(false),
            });
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
        for flags in self.unit_flags(units) {
            flags.accepted.store(false, Relaxed);
        }
    }

    /// Clears the pages of `units` (clamped to the region) with the kernel's
    /// `clear_highpage()`, and returns how many there were: the work of an accept under TDX
    /// semantics without the acceptor, the benchmark's baseline. Emulated backends only: a
    /// real backend's unaccepted pages are not the kernel's to write.
    ///
    /// The caller holds a ticket of the acceptor for `units`, all of them unaccepted.
    pub(crate) fn clear(&self, units: UnitRange) -> Result<u64> {
        if self.backend.is_real() {
            return Err(EOPNOTSUPP);
        }
        let mut cleared = 0;
        for page in self.unit_pages(units) {
            // SAFETY: `page` is a valid page the region owns. Its unit is unaccepted, so no
            // user maps it, and the caller's ticket keeps the backend away from it: nobody
            // else reads or writes it meanwhile.
            unsafe { ffi_ext::rkm_accept_clear_page(page.as_ptr()) };
            cleared += 1;
        }
        Ok(cleared)
    }

    /// Records that a backend failed on `units`; a real backend's pages there are then leaked.
    pub(crate) fn record_failure(&self, units: UnitRange) {
        if !self.backend.is_real() {
            return;
        }
        for pages in self
            .unit_flags(units)
            .filter_map(|flags| flags.pages.as_ref())
        {
            pages.leaked.store(true, Relaxed);
        }
    }

    /// Returns the flags of `units`, clamped to the region.
    fn unit_flags(&self, units: UnitRange) -> impl Iterator<Item = &UnitFlags> {
        let end = usize::try_from(units.end).unwrap_or(usize::MAX);
        let start = usize::try_from(units.start).unwrap_or(usize::MAX);
        self.units.iter().take(end).skip(start)
    }

    /// Returns the allocated pages of `units`, clamped to the region.
    fn unit_pages(&self, units: UnitRange) -> impl Iterator<Item = &Page> {
        self.unit_flags(units)
            .filter_map(|flags| flags.pages.as_ref())
            .flat_map(|unit| unit.pages.iter())
    }

    /// Writes the pages of `units` as accepting leaves them: zeros under TDX semantics,
    /// [`POISON`] under SNP semantics.
    fn fill_accepted(&self, units: UnitRange) {
        let clear = self.backend.accept_clears();
        for page in self.unit_pages(units) {
            if clear {
                // SAFETY: by the type invariants the caller is the only one using these pages,
                // which no user maps.
                // Cannot fail: the range is the whole page.
                let _ = unsafe { page.fill_zero_raw(0, PAGE_SIZE) };
            } else {
                // SAFETY: `page` is a valid page the region owns, and as above nobody else uses
                // it.
                unsafe { ffi_ext::rkm_accept_fill_page(page.as_ptr(), POISON) };
            }
        }
    }

    /// Accepts `units` in an emulated backend.
    fn accept_emulated(&self, units: UnitRange) -> Result<(), AcceptFailure> {
        let unit_bytes = self.unit_bytes.get();
        for unit in units.start..units.end {
            // A unit without pages is a bug of the caller (the invariants say it cannot be); its
            // acceptance fails rather than pretend.
            if self.fail_unit == Some(unit) || !self.is_populated(UnitRange::new(unit, unit + 1)) {
                // As a real conversion that fails half-way: the unit is in an unknown state.
                let start = unit.saturating_mul(unit_bytes);
                return Err(AcceptFailure {
                    accepted_end: start,
                    failed_end: start.saturating_add(unit_bytes),
                });
            }
            self.fill_accepted(UnitRange::new(unit, unit + 1));
            if !self.accept_delay.is_zero() {
                fsleep(self.accept_delay);
            }
        }
        Ok(())
    }
}

impl AcceptBackend for Memory {
    fn accept(&self, start: u64, end: u64) -> Result<(), AcceptFailure> {
        let result = match self.backend {
            BackendKind::EmulatedTdx | BackendKind::EmulatedSnp => self.accept_emulated(
                UnitRange::new(start / self.unit_bytes, end / self.unit_bytes),
            ),
            #[cfg(CONFIG_INTEL_TDX_GUEST)]
            BackendKind::Tdx => self.convert(start, end),
            #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
            BackendKind::Snp => self.convert(start, end),
        };
        // Only whole units count as accepted, as in the acceptor.
        let accepted_end = result.map_or_else(|failure| failure.accepted_end.min(end), |()| end);
        let units = UnitRange::new(start / self.unit_bytes, accepted_end / self.unit_bytes);
        for flags in self.unit_flags(units) {
            if flags.accepted.xchg(true, Relaxed) {
                self.double_accepts.add(1, Relaxed);
            }
        }
        result
    }
}

#[cfg(any(CONFIG_INTEL_TDX_GUEST, CONFIG_AMD_MEM_ENCRYPT))]
impl Memory {
    /// Accepts the region bytes `[start, end)` for real.
    ///
    /// Each physically contiguous stretch of pages is split into the requests the hardware
    /// takes (`accept_tdx()`, `accept_snp()` of the core), and each request is one conversion to
    /// shared and back. The first failed request stops the run; the failure is translated back
    /// to region offsets.
    fn convert(&self, start: u64, end: u64) -> Result<(), AcceptFailure> {
        // On SNP a page comes back from the conversion with what it held before: make that
        // poison rather than what the kernel left there. TDX clears the pages itself.
        if !self.backend.accept_clears() {
            self.fill_accepted(UnitRange::new(
                start / self.unit_bytes,
                end / self.unit_bytes,
            ));
        }
        let last = usize::try_from(end / PAGE_BYTES).unwrap_or(usize::MAX);
        let mut index = usize::try_from(start / PAGE_BYTES).unwrap_or(usize::MAX);
        while index < last {
            let Some(phys) = self.phys(index) else {
                break;
            };
            let mut next = index.saturating_add(1);
            let mut phys_end = phys.saturating_add(PAGE_BYTES);
            while next < last && self.phys(next) == Some(phys_end) {
                next = next.saturating_add(1);
                phys_end = phys_end.saturating_add(PAGE_BYTES);
            }

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
            let offset = (index as u64).saturating_mul(PAGE_BYTES);
            result.map_err(|failure| AcceptFailure {
                accepted_end: offset.saturating_add(failure.accepted_end.saturating_sub(phys)),
                failed_end: offset.saturating_add(failure.failed_end.saturating_sub(phys)),
            })?;
            index = next;
        }
        Ok(())
    }

    /// Returns the physical address of the page at `index`.
    fn phys(&self, index: usize) -> Option<u64> {
        let page = self.page(index)?;
        // SAFETY: `page` is a valid page the region owns.
        Some(unsafe { ffi_ext::rkm_accept_page_to_phys(page.as_ptr()) })
    }
}

/// Converts the direct-mapped, physically contiguous `[phys, phys + bytes)` to shared and back
/// to private, which accepts it again; returns `false` if either conversion failed, leaving the
/// memory in an unknown state.
#[cfg(any(CONFIG_INTEL_TDX_GUEST, CONFIG_AMD_MEM_ENCRYPT))]
fn reaccept(phys: u64, bytes: u64) -> bool {
    let Ok(pages) = core::ffi::c_int::try_from(bytes / PAGE_BYTES) else {
        return false;
    };
    // SAFETY: `phys` is the address of pages the region owns, which are in the direct map.
    let addr = unsafe { ffi_ext::rkm_accept_phys_to_virt(phys) };
    // SAFETY: `[addr, addr + pages pages)` is direct-mapped memory of the region that nobody
    // maps or uses while its unit is being accepted, so its contents may be lost; both calls
    // may sleep, and no lock is held here.
    unsafe {
        ffi_ext::set_memory_decrypted(addr, pages) == 0
            && ffi_ext::set_memory_encrypted(addr, pages) == 0
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // The pages themselves are leaked by `UnitPages::drop`.
        let leaked = self
            .units
            .iter()
            .filter_map(|flags| flags.pages.as_ref())
            .filter(|unit| unit.leaked.load(Relaxed))
            .map(|unit| unit.pages.len())
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
        let mut buf = [0u8; 256];
        (unit * UNIT_PAGES..(unit + 1) * UNIT_PAGES).all(|index| {
            let page = memory.page(index as usize).unwrap();
            (0..PAGE_SIZE).step_by(buf.len()).all(|offset| {
                // SAFETY: nothing else uses the test's pages; `buf` is writable.
                unsafe { page.read_raw(buf.as_mut_ptr(), offset, buf.len()) }.unwrap();
                buf.iter().all(|byte| *byte == value)
            })
        })
    }

    /// Writes `value` all over `unit`, as a user of the accepted unit would.
    fn scribble(memory: &Memory, unit: u64, value: u8) {
        let buf = [value; PAGE_SIZE];
        for index in unit * UNIT_PAGES..(unit + 1) * UNIT_PAGES {
            let page = memory.page(index as usize).unwrap();
            // SAFETY: nothing else uses the test's pages; `buf` is a whole page.
            unsafe { page.write_raw(buf.as_ptr(), 0, PAGE_SIZE) }.unwrap();
        }
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
        assert!(memory
            .units
            .iter()
            .all(|flags| !flags.accepted.load(Relaxed)));
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
        let accepted: [bool; 4] =
            core::array::from_fn(|unit| memory.units[unit].accepted.load(Relaxed));
        assert_eq!(accepted, [true, true, false, false]);
        // Emulated pages are not leaked: only a real conversion leaves them unknown.
        memory.record_failure(UnitRange::new(2, 3));
        assert!(!memory
            .units
            .iter()
            .filter_map(|flags| flags.pages.as_ref())
            .any(|unit| unit.leaked.load(Relaxed)));
    }

    /// Only pre-accepted units have pages at load; a unit without pages is never accepted, and
    /// is once populated.
    #[test]
    fn pages_come_before_the_first_accept() {
        let memory = memory(BackendKind::EmulatedTdx, 1, None);
        assert!(memory.page(0).is_some());
        assert!(memory.page(UNIT_PAGES as usize).is_none());
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
        assert!(memory.page(4 * UNIT_PAGES as usize).is_none());
    }
}
