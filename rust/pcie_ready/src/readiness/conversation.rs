// SPDX-License-Identifier: GPL-2.0

//! What the engine and its caller say to each other, and what a policy hears of it.
//!
//! The engine ([`Readiness`](super::Readiness)), the policies and the record all speak these
//! types, so they have a file of their own that imports none of them.

/// What the caller does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Sleep this many milliseconds (`msleep()`), then step with no response.
    Sleep(u32),
    /// Read the port's Link Status register and step with [`Response::PortLinkStatus`].
    ReadPortLinkStatus,
    /// Read the dword at this offset of the device's configuration space and step with
    /// [`Response::DeviceConfig`], or with [`Response::Disconnected`] when the device is known to
    /// be gone.
    ReadDeviceConfig(u16),
    /// The wait is over; every further step returns the same verdict.
    Done(Verdict),
}

/// What the caller found when it did the last [`Action`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// The port's Link Status register.
    PortLinkStatus(u16),
    /// The dword read from the device's configuration space.
    DeviceConfig(u32),
    /// Instead of reading the device, the caller found it disconnected: surprise removal, or
    /// error recovery gave it up (the kernel's `pci_dev_is_disconnected()`).
    Disconnected,
}

/// How a wait ended. Times are milliseconds after the end of the reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The device completed a configuration read.
    Ready {
        /// When the read that succeeded was answered.
        at_ms: u32,
    },
    /// Nothing to wait for.
    NoWait,
    /// The policy slept a fixed time and did not look at the device: the kernel on a
    /// conventional PCI bus.
    Waited {
        /// When the sleep ended.
        at_ms: u32,
    },
    /// The port reported the link down: the device is absent or the link failed to train.
    LinkDown {
        /// When the policy gave up.
        at_ms: u32,
    },
    /// The device did not become ready in time.
    TimedOut {
        /// When the policy gave up.
        at_ms: u32,
    },
    /// The device went away during the wait.
    Disconnected {
        /// When the policy learnt of it.
        at_ms: u32,
    },
}

/// A response the engine has checked against its request, for a policy to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// A requested sleep is over.
    Woke,
    /// The port's Link Status.
    LinkStatus(u16),
    /// A dword of the device's configuration space.
    Config {
        /// Where it was read.
        offset: u16,
        /// What was read.
        value: u32,
    },
    /// The device is gone.
    Disconnected,
}
