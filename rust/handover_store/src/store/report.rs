// SPDX-License-Identifier: GPL-2.0

//! The status of the store: what the status file shows and STATUS returns.

use core::fmt;

use super::{
    uapi::{
        Restore,
        StatusArg,
        FLAG_KHO_BOOT,
        FLAG_KHO_ENABLED,
        FLAG_PUBLISHED, //
    },
    usage::Usage,
};

/// Kexec HandOver as the running kernel has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kho {
    /// Booted with `kho=on`.
    pub enabled: bool,
    /// Booted by a kexec that handed state over.
    pub boot: bool,
}

/// The status of the store.
///
/// `O` is what the module found at load (the `restore:` line) and `F` the
/// fault armed for the next handover, if any.
#[derive(Clone, Copy, Debug)]
pub struct Report<O, F> {
    /// KHO state.
    pub kho: Kho,
    /// Kernels the state has lived through, from 1.
    pub generation: u64,
    /// What the store holds.
    pub usage: Usage,
    /// What the module found at load.
    pub restore: O,
    /// [`Restore`] code of `restore`.
    pub restore_code: Restore,
    /// Bytes reclaimed from a refused handover.
    pub reclaimed: u64,
    /// Nanoseconds the look for a handover took at load, taking it over
    /// included.
    pub restore_ns: u64,
    /// Length of the handover prepared for the next kernel, if the current
    /// state is prepared.
    pub prepared: Option<usize>,
    /// Nanoseconds it took to write and publish that handover.
    pub publish_ns: Option<u64>,
    /// Fault armed for the next handover (test only).
    pub fault: Option<F>,
}

impl<O, F> Report<O, F> {
    /// Returns what STATUS copies to user space.
    pub fn status(&self) -> StatusArg {
        let flag = |on: bool, flag: u32| if on { flag } else { 0 };
        StatusArg {
            generation: self.generation,
            records: self.usage.records,
            blobs: self.usage.blobs,
            value_bytes: self.usage.value_bytes,
            blob_bytes: self.usage.blob_bytes,
            flags: flag(self.kho.enabled, FLAG_KHO_ENABLED)
                | flag(self.kho.boot, FLAG_KHO_BOOT)
                | flag(self.prepared.is_some(), FLAG_PUBLISHED),
            restore: self.restore_code as u32,
            reclaimed: self.reclaimed,
        }
    }
}

/// One `name: value` line per item, for shell scripts and people:
///
/// ```text
/// kho: enabled, KHO boot
/// generation: 2
/// records: 5
/// blobs: 1
/// value_bytes: 120
/// blob_bytes: 67108864
/// restore: restored: from generation 1, 5 records, 1 blobs, 67108864 blob bytes adopted
/// restore_ns: 183000
/// prepared: no
/// publish_ns: none
/// fault: none
/// ```
impl<O: fmt::Display, F: fmt::Display> fmt::Display for Report<O, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kho.enabled, self.kho.boot) {
            (false, _) => writeln!(f, "kho: disabled, volatile (nothing survives kexec)")?,
            (true, false) => writeln!(f, "kho: enabled")?,
            (true, true) => writeln!(f, "kho: enabled, KHO boot")?,
        }
        writeln!(f, "generation: {}", self.generation)?;
        writeln!(f, "records: {}", self.usage.records)?;
        writeln!(f, "blobs: {}", self.usage.blobs)?;
        writeln!(f, "value_bytes: {}", self.usage.value_bytes)?;
        writeln!(f, "blob_bytes: {}", self.usage.blob_bytes)?;
        writeln!(f, "restore: {}", self.restore)?;
        writeln!(f, "restore_ns: {}", self.restore_ns)?;
        match self.prepared {
            Some(len) => writeln!(f, "prepared: {len} bytes")?,
            None => writeln!(f, "prepared: no")?,
        }
        match self.publish_ns {
            Some(nanos) => writeln!(f, "publish_ns: {nanos}")?,
            None => writeln!(f, "publish_ns: none")?,
        }
        match &self.fault {
            Some(fault) => writeln!(f, "fault: {fault}"),
            None => writeln!(f, "fault: none"),
        }
    }
}
