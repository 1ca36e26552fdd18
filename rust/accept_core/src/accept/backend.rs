// SPDX-License-Identifier: GPL-2.0

//! What accepts memory: the interface between the protocol and TDX, SNP or an emulation.

/// How far a failed acceptance of `[start, end)` got.
///
/// `[start, accepted_end)` is accepted, `[accepted_end, failed_end)` is in an unknown state and
/// `[failed_end, end)` was never touched. Bounds outside `[start, end)` or out of order are
/// clamped into that order by [`super::Acceptor::complete_run`], so a confused backend can only
/// make it more careful.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcceptFailure {
    /// End of the part known to be accepted.
    pub accepted_end: u64,
    /// End of the part in an unknown state.
    pub failed_end: u64,
}

/// An implementation of acceptance, `arch_accept_memory()` in the kernel.
///
/// The protocol calls it without holding the caller's lock and only with ranges nobody else is
/// accepting, so it may sleep and runs concurrently with itself on disjoint ranges. It is never
/// given memory it accepted before, unless that memory was unaccepted in between.
pub trait AcceptBackend {
    /// Accepts the physical range `[start, end)`; both ends are page aligned.
    fn accept(&self, start: u64, end: u64) -> Result<(), AcceptFailure>;
}
