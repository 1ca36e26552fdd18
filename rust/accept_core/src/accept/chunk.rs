// SPDX-License-Identifier: GPL-2.0

//! How TDX and SEV-SNP split a physical range into the requests that accept it, and what a
//! failed request leaves behind.
//!
//! C sources: [`arch/x86/coco/tdx/tdx-shared.c`](srctree/arch/x86/coco/tdx/tdx-shared.c)
//! (`tdx_accept_memory()`) and [`arch/x86/coco/sev/core.c`](srctree/arch/x86/coco/sev/core.c)
//! (`snp_accept_memory()`, `set_pages_state()`, `__set_pages_state()`).
//!
//! The kernel treats any failure as fatal. A module that accepts its own pages can do better:
//! the run stops at the failed request, everything before it counts as accepted and the request
//! itself as failed, so the module leaks that memory instead of accepting or using it again.

use super::{
    AcceptFailure,
    PAGE_SIZE, //
};

/// Size of a 2 MiB page (`PMD_SIZE`), the large SNP entry.
const SIZE_2M: u64 = 2 << 20;

/// Size of a page that one accept request covers (`enum pg_level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageSize {
    /// A 4 KiB page (`PG_LEVEL_4K`).
    Size4K,
    /// A 2 MiB page (`PG_LEVEL_2M`).
    Size2M,
    /// A 1 GiB page (`PG_LEVEL_1G`).
    Size1G,
}

impl PageSize {
    /// Returns the size in bytes.
    pub const fn bytes(self) -> u64 {
        match self {
            Self::Size4K => PAGE_SIZE,
            Self::Size2M => SIZE_2M,
            Self::Size1G => 1 << 30,
        }
    }
}

/// One naturally aligned page handed to the hardware in one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Physical address of the page, aligned to its size.
    pub start: u64,
    /// Size of the page.
    pub size: PageSize,
}

impl Chunk {
    /// Returns the physical address after the page.
    pub const fn end(&self) -> u64 {
        self.start.saturating_add(self.size.bytes())
    }
}

/// What became of one TDX accept request (`TDG.MEM.PAGE.ACCEPT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkOutcome {
    /// The page is accepted.
    Accepted,
    /// The request was refused with nothing changed, for example because the host maps the
    /// memory with smaller pages: the next smaller size is tried, as `try_accept_one()`
    /// returning 0 does.
    Declined,
    /// The request failed and left the page in an unknown state.
    Failed,
}

/// Accepts `[start, end)` the way `tdx_accept_memory()` does, calling `accept` for each page.
///
/// At each address it tries a 1 GiB page, then 2 MiB, then 4 KiB, skipping sizes the address is
/// not aligned to or that do not fit before `end`, and moving to the next size when a request
/// is [`ChunkOutcome::Declined`]. When no size is left (all declined, or fewer than 4 KiB
/// remain, or `start` is not page aligned) it stops with nothing in an unknown state; when a
/// request reports [`ChunkOutcome::Failed`] it stops with that page in an unknown state.
pub fn accept_tdx(
    start: u64,
    end: u64,
    mut accept: impl FnMut(Chunk) -> ChunkOutcome,
) -> Result<(), AcceptFailure> {
    let mut addr = start;
    while addr < end {
        let len = end.saturating_sub(addr);
        let mut accepted = None;
        for size in [PageSize::Size1G, PageSize::Size2M, PageSize::Size4K] {
            if addr.checked_rem(size.bytes()) != Some(0) || len < size.bytes() {
                continue;
            }
            let chunk = Chunk { start: addr, size };
            match accept(chunk) {
                ChunkOutcome::Accepted => {
                    accepted = Some(chunk);
                    break;
                }
                ChunkOutcome::Declined => {}
                ChunkOutcome::Failed => {
                    return Err(AcceptFailure {
                        accepted_end: addr,
                        failed_end: chunk.end(),
                    })
                }
            }
        }
        let Some(chunk) = accepted else {
            return Err(AcceptFailure {
                accepted_end: addr,
                failed_end: addr,
            });
        };
        addr = chunk.end();
    }
    Ok(())
}

/// Number of entries in one page state change request (`VMGEXIT_PSC_MAX_ENTRY`).
pub const PSC_MAX_ENTRY: usize = 64;

/// One SNP page state change request: up to [`PSC_MAX_ENTRY`] consecutive pages, changed by the
/// hypervisor and validated by the guest as one unit of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PscBatch {
    /// Physical address of the first page.
    start: u64,
    /// Physical address after the last page.
    end: u64,
    /// Number of entries.
    entries: usize,
}

impl PscBatch {
    /// Returns the physical address of the first page.
    pub const fn start(&self) -> u64 {
        self.start
    }

    /// Returns the physical address after the last page.
    pub const fn end(&self) -> u64 {
        self.end
    }

    /// Returns the number of entries, at most [`PSC_MAX_ENTRY`].
    pub const fn entries(&self) -> usize {
        self.entries
    }

    /// Returns the pages of the request in order.
    pub const fn pages(&self) -> PscPages {
        PscPages {
            next: self.start,
            end: self.end,
        }
    }
}

/// The pages of one [`PscBatch`], from [`PscBatch::pages`].
#[derive(Clone, Debug)]
pub struct PscPages {
    /// Address of the next entry.
    next: u64,
    /// End of the batch.
    end: u64,
}

impl Iterator for PscPages {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.next >= self.end {
            return None;
        }
        let chunk = psc_entry(self.next, self.end);
        self.next = chunk.end();
        Some(chunk)
    }
}

/// The page state change requests `snp_accept_memory(start, end)` issues, in order.
#[derive(Clone, Debug)]
pub struct PscBatches {
    /// Address where the next request starts.
    next: u64,
    /// End of the whole page range; entries look at it to choose their size.
    end: u64,
}

/// Returns the requests `snp_accept_memory(start, end)` issues.
///
/// As the kernel does: the range holds `(end - start) / PAGE_SIZE` whole pages from `start`
/// rounded down to a page, and each request takes up to [`PSC_MAX_ENTRY`] entries, an entry
/// being a 2 MiB page where the address is 2 MiB aligned and 2 MiB remain, a 4 KiB page
/// otherwise. That is the rule for the direct map, whose virtual alignment matches the physical
/// one; `vmalloc` addresses only ever get 4 KiB entries. An `end` below `start` gives no request
/// (the kernel would wrap).
pub fn psc_batches(start: u64, end: u64) -> PscBatches {
    let first = start & !(PAGE_SIZE - 1);
    let bytes = end.saturating_sub(start) & !(PAGE_SIZE - 1);
    PscBatches {
        next: first,
        end: first.saturating_add(bytes),
    }
}

impl Iterator for PscBatches {
    type Item = PscBatch;

    fn next(&mut self) -> Option<PscBatch> {
        let start = self.next;
        let mut entries = 0;
        while self.next < self.end && entries < PSC_MAX_ENTRY {
            self.next = psc_entry(self.next, self.end).end();
            entries = entries.saturating_add(1);
        }
        (entries > 0).then_some(PscBatch {
            start,
            end: self.next,
            entries,
        })
    }
}

/// The entry `__set_pages_state()` makes at `addr` when the range ends at `end`.
fn psc_entry(addr: u64, end: u64) -> Chunk {
    let size = if addr.checked_rem(SIZE_2M) == Some(0) && end.saturating_sub(addr) >= SIZE_2M {
        PageSize::Size2M
    } else {
        PageSize::Size4K
    };
    Chunk { start: addr, size }
}

/// Accepts `[start, end)` the way `snp_accept_memory()` does, calling `accept` for each page
/// state change request.
///
/// `accept` returns `false` when a request fails; the hypervisor may have processed part of it,
/// so the whole request is left in an unknown state and nothing after it is touched.
pub fn accept_snp(
    start: u64,
    end: u64,
    mut accept: impl FnMut(&PscBatch) -> bool,
) -> Result<(), AcceptFailure> {
    for batch in psc_batches(start, end) {
        if !accept(&batch) {
            return Err(AcceptFailure {
                accepted_end: batch.start,
                failed_end: batch.end,
            });
        }
    }
    Ok(())
}
