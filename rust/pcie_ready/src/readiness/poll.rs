// SPDX-License-Identifier: GPL-2.0

//! One readiness poll of the device: which registers to read and what their values mean.

use super::topology::Topology;

/// Offset of the Vendor ID register (`PCI_VENDOR_ID`).
const VENDOR_ID: u16 = 0x00;
/// Offset of the Command register (`PCI_COMMAND`).
const COMMAND: u16 = 0x04;
/// The Vendor ID a Root Port with Configuration RRS Software Visibility returns for a read that
/// completed with Request Retry Status (PCIe r6.0, sec 2.3.2), `PCI_VENDOR_ID_PCI_SIG`.
const RRS_VENDOR_ID: u32 = 0x0001;
/// What a read returns when no function completes it (`PCI_ERROR_RESPONSE`).
const ERROR_RESPONSE: u32 = !0;

/// What one poll found out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PollResult {
    /// The device completed the read: it is ready.
    Ready,
    /// The device answered with Request Retry Status: it is there but still initializing.
    Retry,
    /// Nothing answered: all ones.
    Silent,
}

/// The next move within a poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PollStep {
    /// Read the dword at this offset of the device's configuration space.
    Read(u16),
    /// The poll is over.
    Done(PollResult),
}

/// The loop body of `pci_dev_wait()`, shared by both policies.
///
/// With RRS visible the Vendor ID tells a retrying device from an absent one. A Virtual
/// Function's Vendor ID reads all ones even when it is ready, so its Command register decides.
/// Without RRS visibility the root port retries by itself and may synthesize all ones, so the
/// Command register, which reads all ones only then, decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ConfigPoll {
    rrs_visible: bool,
    virtfn: bool,
}

impl ConfigPoll {
    /// Creates the poll for the device of `topology`.
    pub(super) fn new(topology: &Topology) -> Self {
        Self {
            rrs_visible: topology.rrs_visible,
            virtfn: topology.child_virtfn,
        }
    }

    /// Returns the register every poll starts with.
    pub(super) fn first_offset(self) -> u16 {
        if self.rrs_visible {
            VENDOR_ID
        } else {
            COMMAND
        }
    }

    /// Judges the `value` read at `offset`.
    pub(super) fn on_read(self, offset: u16, value: u32) -> PollStep {
        if offset == VENDOR_ID {
            if value & 0xffff == RRS_VENDOR_ID {
                return PollStep::Done(PollResult::Retry);
            }
            if value == ERROR_RESPONSE && self.virtfn {
                return PollStep::Read(COMMAND);
            }
        }
        if value == ERROR_RESPONSE {
            PollStep::Done(PollResult::Silent)
        } else {
            PollStep::Done(PollResult::Ready)
        }
    }
}
