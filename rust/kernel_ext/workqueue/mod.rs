// SPDX-License-Identifier: GPL-2.0

//! Waiting for a work item, which the kernel crate's `kernel::workqueue` cannot do.
//!
//! A module that queues work whose code is its own must wait for it before it is unloaded: the
//! work function and the Rust code around it are in the module's text. The kernel crate queues
//! a [`Work`] but has no `flush_work()`; [`flush`] is that.

use kernel::{
    bindings,
    workqueue::Work, //
};

/// Waits until `work` has finished its last queued run (`flush_work()`); returns `true` if it
/// had to wait.
///
/// May sleep. Called from `work`'s own function it never returns, as in C.
pub fn flush<T: ?Sized, const ID: u64>(work: &Work<T, ID>) -> bool {
    // SAFETY: `work` is a reference, so it points to a valid `Work`.
    let raw = unsafe { Work::raw_get(work) };
    // SAFETY: A `Work` holds a `work_struct` initialised when it was pinned, and `work` keeps it
    // alive for the duration of the call.
    unsafe { bindings::flush_work(raw) }
}
