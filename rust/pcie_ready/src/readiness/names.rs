// SPDX-License-Identifier: GPL-2.0

//! The names a driver shows to user space for policies, paths and verdicts.
//!
//! They are an ABI (sysfs files, log lines, scripts that parse them): a name, once given, does
//! not change.

use super::{
    conversation::Verdict,
    engine::Policy,
    spec_wait::SpecTiming,
    topology::Path, //
};

impl Policy {
    /// Returns the name of the policy: `kernel` or `spec`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Kernel => "kernel",
            Self::Spec(_) => "spec",
        }
    }

    /// Parses a policy name as a user writes it to a sysfs file.
    ///
    /// `echo` appends a newline, so one trailing newline is allowed. `spec` gets the default
    /// [`SpecTiming`]. [`None`] for anything else.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        let name = name.strip_suffix(b"\n").unwrap_or(name);
        match name {
            b"kernel" => Some(Self::Kernel),
            b"spec" => Some(Self::Spec(SpecTiming::default())),
            _ => None,
        }
    }
}

impl Path {
    /// Returns the name of the path, the variant's name in kebab case.
    pub fn name(self) -> &'static str {
        match self {
            Self::Skip => "skip",
            Self::Conventional => "conventional",
            Self::UpTo5Gt => "up-to-5gt",
            Self::UpTo5GtReporting => "up-to-5gt-reporting",
            Self::Above5Gt => "above-5gt",
            Self::Above5GtSilent => "above-5gt-silent",
        }
    }
}

impl Verdict {
    /// Returns the name of the verdict, the variant's name in kebab case.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ready { .. } => "ready",
            Self::NoWait => "no-wait",
            Self::Waited { .. } => "waited",
            Self::LinkDown { .. } => "link-down",
            Self::TimedOut { .. } => "timed-out",
            Self::Disconnected { .. } => "disconnected",
        }
    }
}
