// SPDX-License-Identifier: GPL-2.0

//! The port that was reset and the device below it, as the engine needs to know them.

use super::{
    link::{
        self,
        LinkSpeed,
        SupportedSpeeds, //
    },
    self_report::SelfReport,
};

/// Device/Port Type field of the PCI Express Capabilities register (PCIe r6.0, sec 7.5.3.2).
const EXP_FLAGS_TYPE: u16 = 0x00f0;
/// Root Port of a Root Complex.
const EXP_TYPE_ROOT_PORT: u16 = 0x4;
/// Downstream Port of a Switch.
const EXP_TYPE_DOWNSTREAM: u16 = 0x6;
/// PCI Express to PCI/PCI-X Bridge.
const EXP_TYPE_PCI_BRIDGE: u16 = 0x7;
/// PCI/PCI-X to PCI Express Bridge.
const EXP_TYPE_PCIE_BRIDGE: u16 = 0x8;

/// What kind of bridge the reset port is, as far as waiting for its secondary bus goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    /// A conventional PCI or PCI-X bridge: it has no PCI Express Capability.
    Conventional,
    /// A Root Port, a Switch Downstream Port or a PCI/PCI-X to PCI Express bridge: a PCIe link
    /// leads to the device (the kernel's `pcie_downstream_port()`).
    Downstream,
    /// A PCI Express to PCI/PCI-X bridge: its secondary bus is conventional.
    ToConventional,
    /// Any other PCI Express function: there is no link below it to wait for.
    Other,
}

impl PortKind {
    /// Classifies a PCI Express function by its PCI Express Capabilities register (`PCI_EXP_FLAGS`).
    pub fn from_exp_flags(flags: u16) -> Self {
        match (flags & EXP_FLAGS_TYPE) >> 4 {
            EXP_TYPE_ROOT_PORT | EXP_TYPE_DOWNSTREAM | EXP_TYPE_PCIE_BRIDGE => Self::Downstream,
            EXP_TYPE_PCI_BRIDGE => Self::ToConventional,
            _ => Self::Other,
        }
    }
}

/// The branch a wait takes, named after the rule that applies to the port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Nothing to wait for.
    Skip,
    /// A conventional PCI or PCI-X secondary bus.
    Conventional,
    /// A port that supports at most 5.0 GT/s and does not report Data Link Layer Link Active; for
    /// the spec policy also one whose speeds are unknown and that does not report it.
    UpTo5Gt,
    /// A port that supports at most 5.0 GT/s and reports Data Link Layer Link Active.
    UpTo5GtReporting,
    /// A port that supports more than 5.0 GT/s, or whose speeds are unknown, and reports Data
    /// Link Layer Link Active, as PCIe r6.0, sec 7.5.3.6 requires of it.
    Above5Gt,
    /// A port that supports more than 5.0 GT/s, or for the kernel policy one whose speeds are
    /// unknown, but does not report Data Link Layer Link Active.
    Above5GtSilent,
}

/// The port whose secondary bus was reset, and the first device on that bus.
///
/// It describes a bridge with at least one device below it: the kernel returns before any wait
/// for anything else, and so does the glue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topology {
    /// The kind of bridge the port is.
    pub port: PortKind,
    /// The port's raw Link Capabilities register (`PCI_EXP_LNKCAP`).
    pub lnkcap: u32,
    /// The port's raw Link Capabilities 2 register (`PCI_EXP_LNKCAP2`).
    pub lnkcap2: u32,
    /// Whether the Root Port above has Configuration RRS Software Visibility enabled
    /// (`config_rrs_sv`), so that a Vendor ID read shows Request Retry Status.
    pub rrs_visible: bool,
    /// Whether the device is an SR-IOV Virtual Function, whose Vendor ID always reads all ones.
    pub child_virtfn: bool,
    /// The largest D3cold delay of the devices on the bus, as `pci_bus_max_d3cold_delay()`
    /// computes it (see [`bus_max_d3cold_delay`]); the kernel policy waits this instead of 100 ms.
    pub bus_d3cold_delay_ms: u32,
    /// What the device says about its own readiness; the spec policy uses it.
    pub child_report: SelfReport,
}

impl Topology {
    /// Returns the port's fastest supported link speed, [`None`] when unknown.
    pub fn max_link_speed(&self) -> Option<LinkSpeed> {
        SupportedSpeeds::from_link_caps(self.lnkcap, self.lnkcap2).max()
    }

    /// Returns whether the port reports Data Link Layer Link Active.
    pub fn link_active_reporting(&self) -> bool {
        link::link_active_reporting(self.lnkcap)
    }

    /// Returns the branch the PCI Express rules take for this port, as the kernel tells them.
    ///
    /// An unknown speed counts as above 5.0 GT/s, as in the kernel, where `PCI_SPEED_UNKNOWN`
    /// compares greater than `PCIE_SPEED_5_0GT`; the spec policy takes such a port without Data
    /// Link Layer Link Active reporting for [`Path::UpTo5Gt`].
    pub fn path(&self) -> Path {
        match self.port {
            PortKind::Conventional | PortKind::ToConventional => Path::Conventional,
            PortKind::Other => Path::Skip,
            PortKind::Downstream => {
                let above_5gt = self
                    .max_link_speed()
                    .is_none_or(|speed| speed > LinkSpeed::Gt5);
                match (above_5gt, self.link_active_reporting()) {
                    (false, false) => Path::UpTo5Gt,
                    (false, true) => Path::UpTo5GtReporting,
                    (true, true) => Path::Above5Gt,
                    (true, false) => Path::Above5GtSilent,
                }
            }
        }
    }
}

/// Returns the D3cold delay of a bus from those of its devices, as `pci_bus_max_d3cold_delay()`.
///
/// A device without a Power Management Capability has a delay of 0, one with it 100 ms unless
/// firmware or a quirk says otherwise; a bus of only the former gets 0, and the kernel then does
/// not wait at all.
pub fn bus_max_d3cold_delay(delays: impl IntoIterator<Item = u32>) -> u32 {
    let mut min_delay = 100;
    let mut max_delay = 0;
    for delay in delays {
        min_delay = min_delay.min(delay);
        max_delay = max_delay.max(delay);
    }
    min_delay.max(max_delay)
}
