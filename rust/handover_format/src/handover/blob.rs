// SPDX-License-Identifier: GPL-2.0

//! How a blob's bytes lie in its folios.
//!
//! A blob is held in folios of up to 2^`max_order` pages, allocated apart
//! and handed over as they are. Its bytes run through them in ascending
//! physical order (the order the envelope lists them in), so a reader
//! needs no table beyond the segments themselves.

/// Returns the order of the next folio for a blob with `remaining_pages`
/// pages still to place, or [`None`] when none remain.
///
/// The largest power of two that does not exceed what remains, so a blob
/// wastes less than a page and its last segment always holds some of it.
pub fn chunk_order(remaining_pages: u64, max_order: u32) -> Option<u32> {
    let fits = remaining_pages.checked_ilog2()?;
    Some(fits.min(max_order))
}

/// Returns the number of pages `len` bytes occupy.
pub fn pages_for(len: u64, page_shift: u32) -> Option<u64> {
    let page = 1u64.checked_shl(page_shift)?;
    len.checked_add(page - 1).map(|end| end >> page_shift)
}

/// A run of a blob's bytes inside one of its chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// Offset of the run in the chunk.
    pub start: u64,
    /// Length of the run, never 0.
    pub len: u64,
    /// Offset of the run in the blob.
    pub blob_offset: u64,
}

/// Returns the part of bytes `offset..offset + len` of a blob that lies in
/// the chunk holding bytes `chunk_start..chunk_start + size`, if any.
///
/// Walking the chunks in order and clipping each gives the range run by
/// run, cut short where the chunks end.
pub fn clip(chunk_start: u64, size: u64, offset: u64, len: u64) -> Option<Run> {
    let chunk_end = chunk_start.checked_add(size)?;
    let start = offset.max(chunk_start);
    let end = offset.checked_add(len)?.min(chunk_end);
    if start >= end {
        return None;
    }
    Some(Run {
        start: start.checked_sub(chunk_start)?,
        len: end.checked_sub(start)?,
        blob_offset: start,
    })
}
