// SPDX-License-Identifier: GPL-2.0

//! A file's mapping, through which its user mappings are found and removed.

use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    bindings,
    fs::File,
    prelude::*, //
};

/// The `struct address_space` a file maps through, and a reference to the inode that owns it.
///
/// A VMA is linked into the `i_mmap` tree of its file's mapping (for a character device, the
/// mapping of the device node's inode), so removing the user mappings of a range of a file means
/// visiting its mapping, which this keeps alive after the file is closed.
///
/// # Invariants
///
/// `inode` is valid and this holds a reference to it; `mapping` is the inode's mapping, which
/// lives as long as the inode.
pub struct FileMapping {
    /// The owner of `mapping` (`mapping->host`).
    inode: NonNull<bindings::inode>,
    /// The mapping of the file.
    mapping: NonNull<bindings::address_space>,
}

// SAFETY: The inode reference may be dropped on any thread.
unsafe impl Send for FileMapping {}

// SAFETY: `unmap_mapping_range()`, the only use of a shared `FileMapping`, may run on any number
// of threads at once.
unsafe impl Sync for FileMapping {}

impl FileMapping {
    /// Takes a reference to the mapping of `file` (`file->f_mapping`).
    ///
    /// `ENOENT` if its inode is being freed.
    pub fn new(file: &File) -> Result<Self> {
        // SAFETY: `file` is an open file, whose `f_mapping` is set at open and points to a
        // valid mapping as long as the file is open.
        let mapping = unsafe { (*file.as_ptr()).f_mapping };
        let mapping = NonNull::new(mapping).ok_or(ENOENT)?;
        // SAFETY: As above, `mapping` is valid; its `host` is the inode that embeds or owns it.
        let host = unsafe { (*mapping.as_ptr()).host };
        if host.is_null() {
            return Err(ENOENT);
        }
        // SAFETY: `host` is a valid inode, kept alive by the open file meanwhile; `igrab()` takes
        // a reference unless the inode is being freed.
        let inode = NonNull::new(unsafe { bindings::igrab(host) }).ok_or(ENOENT)?;
        // INVARIANT: The reference was just taken, and `mapping` is `inode`'s.
        Ok(Self { inode, mapping })
    }

    /// Returns `true` if `file` maps through this mapping.
    pub fn is_of(&self, file: &File) -> bool {
        // SAFETY: `file` is an open file, whose `f_mapping` is set at open.
        ptr::eq(unsafe { (*file.as_ptr()).f_mapping }, self.mapping.as_ptr())
    }

    /// Removes every user mapping of the file bytes `[start, start + len)`, private copies of
    /// its pages included (`unmap_mapping_range(..., even_cows = 1)`). The next access to one
    /// of them faults.
    pub fn unmap(&self, start: u64, len: u64) {
        let (Ok(start), Ok(len)) = (i64::try_from(start), i64::try_from(len)) else {
            return;
        };
        // SAFETY: By the type invariants `mapping` is alive. Any range of any mapping may be
        // unmapped; truncation does the same.
        unsafe { bindings::unmap_mapping_range(self.mapping.as_ptr(), start, len, 1) };
    }
}

impl Drop for FileMapping {
    fn drop(&mut self) {
        // SAFETY: By the type invariants this holds a reference to `inode`.
        unsafe { bindings::iput(self.inode.as_ptr()) };
    }
}
