// SPDX-License-Identifier: GPL-2.0

//! Pages a driver owns, maps into user space, and writes while nothing else holds them.

use super::ffi;
use kernel::{
    alloc::Flags,
    page::{
        Page,
        PAGE_SIZE, //
    },
    prelude::*, //
};

/// Order-0 pages owned together, in order.
///
/// [`Pages::get`] lends a page out, to map it into user space for instance; writing one takes
/// [`Pages::exclusive`], which only succeeds while none is lent out any more.
pub struct Pages {
    pages: KVVec<Page>,
    /// Set when the pages' state is unknown: they are never given back to the page allocator.
    leak: bool,
}

impl Pages {
    /// Allocates `count` pages with `flags`.
    pub fn alloc(count: usize, flags: Flags) -> Result<Self> {
        let mut pages = KVVec::with_capacity(count, flags)?;
        for _ in 0..count {
            pages.push(Page::alloc_page(flags)?, flags)?;
        }
        Ok(Self { pages, leak: false })
    }

    /// Returns the number of pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Returns `true` if there are no pages.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Returns the page at `index`.
    pub fn get(&self, index: usize) -> Option<&Page> {
        self.pages.get(index)
    }

    /// Returns the physical address of the page at `index`.
    pub fn phys(&self, index: usize) -> Option<u64> {
        let page = self.pages.get(index)?;
        // SAFETY: `page` is a valid page, which `page_to_phys()` only reads the number of.
        Some(unsafe { ffi::mm_shim_page_to_phys(page.as_ptr()) })
    }

    /// Returns write access to every page, or `None` if something else holds one of them: a
    /// user mapping, a pin (`get_user_pages()`), any reference besides this one.
    pub fn exclusive(&mut self) -> Option<ExclusivePages<'_>> {
        let shared = self.pages.iter().any(|page| {
            // SAFETY: `page` is a valid page; its reference count is an atomic.
            let count = unsafe { ffi::mm_shim_page_count(page.as_ptr()) };
            count != 1
        });
        // INVARIANT: Each page has no reference but its own `Page`, and `&mut self` keeps any
        // new one from being made through `Pages::get`, as long as the result lives.
        (!shared).then_some(ExclusivePages { pages: self })
    }

    /// Makes the pages never go back to the page allocator: their state is unknown (shared
    /// with a host, or not accepted), so that handing them out again could give the next user
    /// memory it cannot use.
    pub fn leak_on_drop(&mut self) {
        self.leak = true;
    }

    /// Returns `true` if [`Pages::leak_on_drop`] was called.
    pub fn leaks_on_drop(&self) -> bool {
        self.leak
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        if self.leak {
            while let Some(page) = self.pages.pop() {
                core::mem::forget(page);
            }
        }
    }
}

/// Write access to [`Pages`] that nothing else holds.
///
/// # Invariants
///
/// No page of `pages` has a reference but its own `Page` (no user mapping, no pin, nothing else
/// that reads or writes it) for as long as this lives; the kernel's direct map of each page is
/// the only way to it.
pub struct ExclusivePages<'a> {
    pages: &'a mut Pages,
}

impl ExclusivePages<'_> {
    /// Returns the number of pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Returns `true` if there are no pages.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Returns the physical address of the page at `index`.
    pub fn phys(&self, index: usize) -> Option<u64> {
        self.pages.phys(index)
    }

    /// Writes zeros over every page, through `Page::fill_zero_raw()`.
    pub fn fill_zero(&mut self) {
        for page in self.pages.pages.iter() {
            // SAFETY: By the type invariants nothing else reads or writes `page`.
            // Cannot fail: the range is the whole page.
            let _ = unsafe { page.fill_zero_raw(0, PAGE_SIZE) };
        }
    }

    /// Writes `byte` all over every page.
    pub fn fill(&mut self, byte: u8) {
        for page in self.pages.pages.iter() {
            // SAFETY: `page` is a valid page, and by the type invariants nothing else reads or
            // writes it.
            unsafe { ffi::mm_shim_fill_page(page.as_ptr(), byte) };
        }
    }

    /// Clears every page with the kernel's `clear_highpage()`; returns how many there are.
    pub fn clear(&mut self) -> usize {
        for page in self.pages.pages.iter() {
            // SAFETY: As for `fill`.
            unsafe { ffi::mm_shim_clear_highpage(page.as_ptr()) };
        }
        self.len()
    }

    /// Reads `buf.len()` bytes at `offset` of the page at `index` into `buf`.
    ///
    /// `EINVAL` if there is no such page or the range goes beyond it.
    pub fn read(&self, index: usize, offset: usize, buf: &mut [u8]) -> Result {
        let page = self.pages.get(index).ok_or(EINVAL)?;
        // SAFETY: `buf` is valid for writing its length, and by the type invariants nothing
        // else writes `page`.
        unsafe { page.read_raw(buf.as_mut_ptr(), offset, buf.len()) }
    }

    /// Writes `buf` at `offset` of the page at `index`.
    ///
    /// `EINVAL` if there is no such page or the range goes beyond it.
    pub fn write(&mut self, index: usize, offset: usize, buf: &[u8]) -> Result {
        let page = self.pages.get(index).ok_or(EINVAL)?;
        // SAFETY: `buf` is valid for reading its length, and by the type invariants nothing
        // else reads or writes `page`.
        unsafe { page.write_raw(buf.as_ptr(), offset, buf.len()) }
    }

    /// See [`Pages::leak_on_drop`].
    pub fn leak_on_drop(&mut self) {
        self.pages.leak_on_drop();
    }
}
