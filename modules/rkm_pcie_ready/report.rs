// SPDX-License-Identifier: GPL-2.0

//! What one reset found, as the sysfs files and the log line show it.

use core::fmt;

use crate::readiness::{
    Path,
    Policy,
    Verdict, //
};

/// What one reset found: the sysfs files show the last one, the log line each one.
#[derive(Clone, Copy)]
pub(crate) struct Report {
    /// The policy the wait followed.
    pub(crate) policy: Policy,
    /// The branch of the rules it took.
    pub(crate) path: Path,
    /// How it ended.
    pub(crate) verdict: Verdict,
    /// When the first read of the device's configuration space was issued, in microseconds
    /// after the end of the reset.
    pub(crate) first_access_us: Option<u64>,
    /// When a read of the port's Link Status first showed the link active.
    pub(crate) link_up_us: Option<u64>,
    /// When the wait ended: the device answered, or the policy stopped waiting.
    pub(crate) ready_us: u64,
    /// Polls of the device (see [`crate::readiness::Record::polls`]).
    pub(crate) polls: u32,
    /// Reads of the port's Link Status.
    pub(crate) link_reads: u32,
    /// The sum of the sleeps the policy asked for, in milliseconds: what the wait would take on
    /// a machine that ran it on time.
    pub(crate) slept_ms: u32,
}

/// A number that may be missing, shown as `none` then.
pub(crate) struct OrNone(pub(crate) Option<u64>);

impl fmt::Display for OrNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(us) => write!(f, "{us}"),
            None => f.write_str("none"),
        }
    }
}

// The kernel's `Display`, which `dev_info!` takes.
impl kernel::fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "policy={} path={} first_access_us={} link_up_us={} ready_us={} polls={} link_reads={} slept_ms={} verdict={}",
            self.policy.name(),
            self.path.name(),
            OrNone(self.first_access_us),
            OrNone(self.link_up_us),
            self.ready_us,
            self.polls,
            self.link_reads,
            self.slept_ms,
            self.verdict.name(),
        )
    }
}
