// SPDX-License-Identifier: GPL-2.0

//! TDX and SNP request splitting, failures in the middle of a range, and what the acceptor makes
//! of them.

use accept_core::{
    accept_snp, accept_tdx, psc_batches, AcceptFailure, Acceptor, Begin, Chunk, ChunkOutcome,
    PageSize, PscBatch, RunError, Table, UnitRange, Wakeup, PSC_MAX_ENTRY,
};
use proptest::prelude::*;

const K4: u64 = 4096;
const M2: u64 = 2 << 20;
const G1: u64 = 1 << 30;

fn tdx_plan(start: u64, end: u64) -> (Vec<Chunk>, Result<(), AcceptFailure>) {
    let mut chunks = Vec::new();
    let result = accept_tdx(start, end, |chunk| {
        chunks.push(chunk);
        ChunkOutcome::Accepted
    });
    (chunks, result)
}

fn chunk(start: u64, size: PageSize) -> Chunk {
    Chunk { start, size }
}

#[test]
fn tdx_uses_the_largest_page_that_fits() {
    let (chunks, result) = tdx_plan(0, G1 + M2 + K4);
    assert_eq!(result, Ok(()));
    assert_eq!(
        chunks,
        [
            chunk(0, PageSize::Size1G),
            chunk(G1, PageSize::Size2M),
            chunk(G1 + M2, PageSize::Size4K)
        ]
    );
}

#[test]
fn tdx_climbs_to_larger_pages_as_alignment_allows() {
    let (chunks, result) = tdx_plan(G1 - K4, 2 * G1 + 2 * K4);
    assert_eq!(result, Ok(()));
    assert_eq!(
        chunks,
        [
            chunk(G1 - K4, PageSize::Size4K),
            chunk(G1, PageSize::Size1G),
            chunk(2 * G1, PageSize::Size4K),
            chunk(2 * G1 + K4, PageSize::Size4K),
        ]
    );
}

#[test]
fn tdx_declined_page_falls_back_to_smaller_pages() {
    let mut tried = Vec::new();
    let result = accept_tdx(0, G1, |chunk| {
        tried.push(chunk);
        if chunk.size == PageSize::Size1G {
            ChunkOutcome::Declined
        } else {
            ChunkOutcome::Accepted
        }
    });
    assert_eq!(result, Ok(()));
    assert_eq!(tried.len(), 1 + 512);
    assert_eq!(tried[0], chunk(0, PageSize::Size1G));
    assert!(tried[1..].iter().all(|c| c.size == PageSize::Size2M));
}

#[test]
fn tdx_all_sizes_declined_stops_with_nothing_unknown() {
    let result = accept_tdx(0, 2 * M2, |chunk| {
        if chunk.start == M2 {
            ChunkOutcome::Declined
        } else {
            ChunkOutcome::Accepted
        }
    });
    assert_eq!(
        result,
        Err(AcceptFailure {
            accepted_end: M2,
            failed_end: M2
        })
    );
}

#[test]
fn tdx_failed_page_stops_the_range() {
    let mut calls = 0;
    let result = accept_tdx(0, 8 * M2, |chunk| {
        calls += 1;
        if chunk.start == 3 * M2 {
            ChunkOutcome::Failed
        } else {
            ChunkOutcome::Accepted
        }
    });
    assert_eq!(calls, 4);
    assert_eq!(
        result,
        Err(AcceptFailure {
            accepted_end: 3 * M2,
            failed_end: 4 * M2
        })
    );
}

#[test]
fn tdx_unaligned_range_is_refused() {
    let (chunks, result) = tdx_plan(100, M2);
    assert!(chunks.is_empty());
    assert_eq!(
        result,
        Err(AcceptFailure {
            accepted_end: 100,
            failed_end: 100
        })
    );
    let (chunks, result) = tdx_plan(0, K4 + 10);
    assert_eq!(chunks, [chunk(0, PageSize::Size4K)]);
    assert_eq!(
        result,
        Err(AcceptFailure {
            accepted_end: K4,
            failed_end: K4
        })
    );
}

#[test]
fn tdx_empty_range_needs_nothing() {
    assert_eq!(tdx_plan(M2, M2), (vec![], Ok(())));
    assert_eq!(tdx_plan(M2, 0), (vec![], Ok(())));
}

#[test]
fn snp_batch_mixes_2m_and_4k_entries() {
    let batches: Vec<PscBatch> = psc_batches(0, 2 * M2 + 3 * K4).collect();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].entries(), 5);
    let sizes: Vec<PageSize> = batches[0].pages().map(|c| c.size).collect();
    assert_eq!(
        sizes,
        [
            PageSize::Size2M,
            PageSize::Size2M,
            PageSize::Size4K,
            PageSize::Size4K,
            PageSize::Size4K
        ]
    );
}

#[test]
fn snp_batches_hold_at_most_64_entries() {
    let batches: Vec<PscBatch> = psc_batches(K4, K4 + 100 * K4).collect();
    let entries: Vec<usize> = batches.iter().map(PscBatch::entries).collect();
    assert_eq!(entries, [64, 36]);
    assert_eq!(batches[0].end(), batches[1].start());
    assert_eq!(batches[1].end(), 101 * K4);
}

#[test]
fn snp_counts_whole_pages_from_start_rounded_down() {
    // npages = (end - start) >> PAGE_SHIFT, applied from the page of `start`.
    let batches: Vec<PscBatch> = psc_batches(K4 + 100, K4 + 100 + 2 * K4 + 50).collect();
    assert_eq!(batches.len(), 1);
    assert_eq!((batches[0].start(), batches[0].end()), (K4, 3 * K4));
    assert_eq!(psc_batches(2 * K4, K4).count(), 0);
}

#[test]
fn snp_failed_batch_is_unknown_and_stops_the_range() {
    let mut seen = Vec::new();
    let result = accept_snp(0, 200 * K4, |batch| {
        seen.push(batch.start());
        seen.len() < 2
    });
    assert_eq!(seen, [0, 64 * K4]);
    assert_eq!(
        result,
        Err(AcceptFailure {
            accepted_end: 64 * K4,
            failed_end: 128 * K4
        })
    );
    assert_eq!(accept_snp(0, 200 * K4, |_| true), Ok(()));
}

/// A TDX failure in the middle of a run, as the acceptor sees it.
#[test]
fn acceptor_with_tdx_failure_in_the_middle_of_a_run() {
    // Units of 2 MiB at 1 GiB; the tdcall fails on the 4K page in the middle of unit 2.
    let mut acceptor = Acceptor::<_, 2>::new(Table::new(2 << 20, G1, 8, vec![0xff]).unwrap());
    let Begin::Ticket(mut ticket) = acceptor.begin(G1, 4 * M2 - K4).unwrap() else {
        panic!("expected a ticket");
    };
    let run = acceptor.next_run(&mut ticket).unwrap();
    assert_eq!(run.units(), UnitRange::new(0, 4));
    let bad = G1 + 2 * M2 + M2 / 2;
    let result = accept_tdx(run.start(), run.end(), |chunk| match chunk.size {
        PageSize::Size4K if chunk.start == bad => ChunkOutcome::Failed,
        PageSize::Size4K => ChunkOutcome::Accepted,
        _ if chunk.start <= bad && bad < chunk.end() => ChunkOutcome::Declined,
        _ => ChunkOutcome::Accepted,
    });
    assert_eq!(
        acceptor.complete_run(&mut ticket, result),
        Err(RunError {
            accepted: UnitRange::new(0, 2),
            failed: UnitRange::new(2, 3),
        })
    );
    assert_eq!(acceptor.end(ticket), Wakeup::Nobody);
    assert!(matches!(acceptor.begin(G1 + M2, K4), Ok(Begin::Accepted)));
    assert!(matches!(acceptor.begin(G1 + 2 * M2, K4), Ok(Begin::Failed)));
    assert!(matches!(
        acceptor.begin(G1 + 3 * M2, K4),
        Ok(Begin::Ticket(_))
    ));
}

proptest! {
    /// TDX chunks tile the range, each the largest page aligned at its address that fits.
    #[test]
    fn tdx_chunks_tile_with_largest_pages(start in 0u64..1 << 22, pages in 0u64..1 << 19) {
        let start = start * K4;
        let end = start + pages * K4;
        let (chunks, result) = tdx_plan(start, end);
        prop_assert_eq!(result, Ok(()));
        let mut addr = start;
        for c in chunks {
            prop_assert_eq!(c.start, addr);
            let largest = [PageSize::Size1G, PageSize::Size2M, PageSize::Size4K]
                .into_iter()
                .find(|s| addr % s.bytes() == 0 && end - addr >= s.bytes())
                .unwrap();
            prop_assert_eq!(c.size, largest);
            addr = c.end();
        }
        prop_assert_eq!(addr, end);
    }

    /// SNP requests tile the range; only the last one has fewer than 64 entries.
    #[test]
    fn snp_batches_tile(start in 0u64..1 << 12, pages in 0u64..1 << 14) {
        let start = start * K4;
        let end = start + pages * K4;
        let batches: Vec<PscBatch> = psc_batches(start, end).collect();
        let mut addr = start;
        for (i, batch) in batches.iter().enumerate() {
            prop_assert_eq!(batch.start(), addr);
            prop_assert!(batch.entries() == PSC_MAX_ENTRY || i + 1 == batches.len());
            prop_assert_eq!(batch.pages().count(), batch.entries());
            for page in batch.pages() {
                prop_assert_eq!(page.start, addr);
                prop_assert_eq!(page.start % page.size.bytes(), 0);
                addr = page.end();
            }
            prop_assert_eq!(batch.end(), addr);
        }
        prop_assert_eq!(addr, end);
    }

    /// Near the top of the address space nothing overflows.
    #[test]
    fn chunking_at_top_of_address_space(back in 0u64..1 << 14, len in 0u64..1 << 14) {
        let start = (u64::MAX - back * K4) & !(K4 - 1);
        let end = start.saturating_add(len * K4);
        let _ = tdx_plan(start, end);
        let _ = psc_batches(start, end).count();
        let _ = psc_batches(u64::MAX - back, u64::MAX).count();
    }
}
