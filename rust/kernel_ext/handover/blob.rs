// SPDX-License-Identifier: GPL-2.0

//! Blobs: large state kept in folios of its own, handed over in place.

use core::{
    ops::Range,
    sync::atomic::{
        AtomicBool,
        Ordering, //
    },
};

use kernel::{
    page::PAGE_SHIFT,
    prelude::*,
    uaccess::{
        UserSliceReader,
        UserSliceWriter, //
    },
};

use super::{
    format::{
        chunk_order,
        clip,
        pages_for,
        sort_by_key,
        Run, //
    },
    kho::{
        Folio,
        MAX_ORDER, //
    },
};

/// A blob of bytes held in folios of up to 4 MiB.
///
/// The bytes run through the folios in ascending physical order, the order
/// the handover lists them in, so handing a blob over copies nothing: its
/// folios are preserved as they are and the next kernel adopts them.
///
/// A blob is filled when it is made and only read once shared (with
/// [`Arc`]).
pub struct Blob {
    /// Sorted by physical address.
    chunks: KVec<Folio>,
    len: u64,
    /// Whether a handover preserves the folios; one at a time may.
    preserved: AtomicBool,
}

impl Blob {
    /// Makes a blob of `len` zeroed bytes, to fill with [`Blob::write`].
    pub fn new_zeroed(len: u64) -> Result<Self> {
        let mut blob = Self::alloc(len)?;
        for chunk in blob.chunks.iter_mut() {
            chunk.bytes_mut().fill(0);
        }
        Ok(blob)
    }

    /// Makes a blob of the `len` bytes `reader` holds.
    pub fn from_user(reader: &mut UserSliceReader, len: u64) -> Result<Self> {
        let mut blob = Self::alloc(len)?;
        blob.for_each_run_mut(0, len, |bytes, _| reader.read_slice(bytes))?;
        blob.zero_tail()?;
        Ok(blob)
    }

    /// Makes a copy of the blob in folios of its own.
    pub fn duplicate(&self) -> Result<Self> {
        let mut copy = Self::alloc(self.len)?;
        let mut offset = 0;
        self.for_each_run(0, self.len, |run| {
            copy.write(offset, run)?;
            offset += u64::try_from(run.len())?;
            Ok(())
        })?;
        copy.zero_tail()?;
        Ok(copy)
    }

    /// Adopts the folios the previous kernel handed over, which hold `len`
    /// bytes and are sorted by physical address.
    pub(super) fn adopt(chunks: KVec<Folio>, len: u64) -> Self {
        Self {
            chunks,
            len,
            preserved: AtomicBool::new(false),
        }
    }

    /// Allocates folios for `len` bytes, largest first, falling back to
    /// smaller ones when memory is fragmented.
    fn alloc(len: u64) -> Result<Self> {
        let mut remaining = pages_for(len, PAGE_SHIFT as u32).ok_or(EINVAL)?;
        if remaining == 0 {
            return Err(EINVAL);
        }
        let mut chunks = KVec::new();
        while let Some(mut order) = chunk_order(remaining, MAX_ORDER) {
            let folio = loop {
                match Folio::alloc(order) {
                    Ok(folio) => break folio,
                    Err(_) if order > 0 => order -= 1,
                    Err(error) => return Err(error),
                }
            };
            chunks.push(folio, GFP_KERNEL)?;
            remaining -= 1u64 << order;
        }
        sort_by_key(&mut chunks, Folio::phys);
        Ok(Self::adopt(chunks, len))
    }

    /// Returns the length of the blob in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Returns whether the blob is empty; a blob holds a byte at least.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies `bytes` into the blob at `offset`; fails if they do not fit.
    pub fn write(&mut self, offset: u64, bytes: &[u8]) -> Result {
        let len = u64::try_from(bytes.len())?;
        if offset.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(EINVAL);
        }
        self.for_each_run_mut(offset, len, |run, blob_offset| {
            let from = usize::try_from(blob_offset - offset)?;
            let source = bytes.get(from..from + run.len()).ok_or(EINVAL)?;
            run.copy_from_slice(source);
            Ok(())
        })
    }

    /// Copies bytes of the blob from `offset` into `out` and returns how
    /// many: fewer than asked past the end of the blob.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> Result<usize> {
        let mut copied = 0;
        self.for_each_run(offset, u64::try_from(out.len())?, |run| {
            let target = out.get_mut(copied..copied + run.len()).ok_or(EINVAL)?;
            target.copy_from_slice(run);
            copied += run.len();
            Ok(())
        })?;
        Ok(copied)
    }

    /// Copies up to `len` bytes of the blob from `offset` to `writer` and
    /// returns how many: fewer than asked past the end of the blob.
    pub fn read_to_user(&self, offset: u64, len: u64, writer: &mut UserSliceWriter) -> Result<u64> {
        let mut copied = 0;
        self.for_each_run(offset, len, |run| {
            writer.write_slice(run)?;
            copied += u64::try_from(run.len())?;
            Ok(())
        })?;
        Ok(copied)
    }

    /// Returns the folios, in the order the bytes run through them.
    pub(super) fn chunks(&self) -> &[Folio] {
        &self.chunks
    }

    /// Claims the blob for a handover; fails if another one has it.
    pub(super) fn claim(&self) -> Result {
        match self
            .preserved
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Ok(()),
            Err(_) => Err(EBUSY),
        }
    }

    /// Gives up a [`Blob::claim`].
    pub(super) fn release(&self) {
        self.preserved.store(false, Ordering::Release);
    }

    fn capacity(&self) -> u64 {
        self.chunks.iter().map(|chunk| chunk.size() as u64).sum()
    }

    /// Zeroes the folios past the end of the blob: no stale memory is
    /// handed over.
    fn zero_tail(&mut self) -> Result {
        let tail = self.capacity() - self.len;
        self.for_each_run_mut(self.len, tail, |bytes, _| {
            bytes.fill(0);
            Ok(())
        })
    }

    /// Calls `f` on each run of bytes `offset..offset + len`, cut at the
    /// end of the blob, in order.
    fn for_each_run(&self, offset: u64, len: u64, mut f: impl FnMut(&[u8]) -> Result) -> Result {
        let len = len.min(self.len.saturating_sub(offset));
        let mut chunk_start = 0;
        for chunk in self.chunks.iter() {
            let size = chunk.size() as u64;
            if let Some(run) = clip(chunk_start, size, offset, len) {
                f(chunk.bytes().get(range(&run)?).ok_or(EINVAL)?)?;
            }
            chunk_start += size;
        }
        Ok(())
    }

    /// As [`Blob::for_each_run`], for writing, and not cut at the end of
    /// the blob; `f` also gets the offset of the run in the blob.
    fn for_each_run_mut(
        &mut self,
        offset: u64,
        len: u64,
        mut f: impl FnMut(&mut [u8], u64) -> Result,
    ) -> Result {
        let mut chunk_start = 0;
        for chunk in self.chunks.iter_mut() {
            let size = chunk.size() as u64;
            if let Some(run) = clip(chunk_start, size, offset, len) {
                f(
                    chunk.bytes_mut().get_mut(range(&run)?).ok_or(EINVAL)?,
                    run.blob_offset,
                )?;
            }
            chunk_start += size;
        }
        Ok(())
    }
}

/// Returns the bytes of a chunk that `run` covers.
fn range(run: &Run) -> Result<Range<usize>> {
    let start = usize::try_from(run.start)?;
    Ok(start..start + usize::try_from(run.len)?)
}
