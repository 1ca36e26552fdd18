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
pub struct Span {
    /// Position of the chunk in the blob.
    pub chunk: usize,
    /// Offset of the run in the chunk.
    pub start: u64,
    /// Length of the run.
    pub len: u64,
    /// Offset of the run in the blob.
    pub blob_offset: u64,
}

/// Iterator over the [`Span`]s that hold a range of a blob.
#[derive(Clone, Debug)]
pub struct Spans<I> {
    sizes: I,
    chunk: usize,
    chunk_start: u64,
    offset: u64,
    end: u64,
}

/// Returns the runs that hold bytes `offset..offset + len` of a blob whose
/// chunks are `sizes` bytes long, in blob order.
///
/// The range is cut short where the chunks end; the caller bounds it by the
/// blob's length.
pub fn spans<I: IntoIterator<Item = u64>>(sizes: I, offset: u64, len: u64) -> Spans<I::IntoIter> {
    Spans {
        sizes: sizes.into_iter(),
        chunk: 0,
        chunk_start: 0,
        offset,
        end: offset.saturating_add(len),
    }
}

impl<I: Iterator<Item = u64>> Iterator for Spans<I> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        while self.offset < self.end {
            let size = self.sizes.next()?;
            let chunk = self.chunk;
            let chunk_start = self.chunk_start;
            let chunk_end = chunk_start.checked_add(size)?;
            self.chunk = chunk.checked_add(1)?;
            self.chunk_start = chunk_end;
            if chunk_end <= self.offset {
                continue;
            }
            let run_end = chunk_end.min(self.end);
            let span = Span {
                chunk,
                start: self.offset - chunk_start,
                len: run_end - self.offset,
                blob_offset: self.offset,
            };
            self.offset = run_end;
            return Some(span);
        }
        None
    }
}
