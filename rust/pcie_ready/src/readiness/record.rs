// SPDX-License-Identifier: GPL-2.0

//! What a wait did: counters kept by the engine, and every step handed to a sink.

use super::{
    conversation::{
        Action,
        Response, //
    },
    topology::Path,
};

/// Counters of one wait, kept by [`Readiness`](super::Readiness).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// The branch the policy took.
    pub path: Path,
    /// Polls of the device: each is a read of its Vendor ID, or of its Command register when
    /// Request Retry Status is not visible, answered with a value.
    pub polls: u32,
    /// Reads of the device's configuration space answered with a value; more than `polls` when
    /// a Virtual Function's Command register backs up its Vendor ID.
    pub config_reads: u32,
    /// Reads of the port's Link Status answered with a value.
    pub link_reads: u32,
    /// The sum of all requested sleeps, in milliseconds.
    pub slept_ms: u32,
    /// When the first read of the device's configuration space was requested.
    pub first_config_read_ms: Option<u32>,
    /// When a Link Status read first showed Data Link Layer Link Active.
    pub link_up_ms: Option<u32>,
}

impl Record {
    /// Creates the empty record of a wait that takes `path`.
    pub(super) fn new(path: Path) -> Self {
        Self {
            path,
            polls: 0,
            config_reads: 0,
            link_reads: 0,
            slept_ms: 0,
            first_config_read_ms: None,
            link_up_ms: None,
        }
    }
}

/// One call of [`Readiness::step`](super::Readiness::step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The time the caller gave.
    pub now_ms: u32,
    /// The response the caller gave.
    pub response: Option<Response>,
    /// The action the engine returned.
    pub action: Action,
}

/// A sink for every [`Step`] of a wait.
///
/// The engine holds no memory beyond its counters; a caller that wants the full history (a test,
/// or a driver logging each step) keeps it here.
pub trait Trace {
    /// Takes one step.
    fn step(&mut self, step: &Step);
}

/// The sink that drops every step, for callers that only need the [`Record`].
impl Trace for () {
    fn step(&mut self, _step: &Step) {}
}
