// SPDX-License-Identifier: GPL-2.0

//! What a VMA maps of its file.

use kernel::mm::virt::VmaRef;

/// Fields of a VMA that `VmaRef` does not read.
pub trait VmaExt {
    /// Returns the page of the file the VMA starts at (`vm_pgoff`).
    fn pgoff(&self) -> usize;
}

impl VmaExt for VmaRef {
    fn pgoff(&self) -> usize {
        // SAFETY: By the invariants of `VmaRef` the VMA is valid and its mmap or VMA read lock is
        // held, so `vm_pgoff`, written under the write lock only, is not written meanwhile.
        unsafe { (*self.as_ptr()).vm_pgoff }
    }
}
