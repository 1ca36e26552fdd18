// SPDX-License-Identifier: GPL-2.0

//! The port whose secondary bus reset resets a device, and what the readiness engine needs to
//! know about both.
//!
//! The port is a bridge that another driver (`pcieport`) owns, so the driver reaches it as a
//! [`Function`] of the pci part, not as a `pci::Device` of its own.

use kernel::{
    bindings,
    device::Bound,
    io::Io,
    prelude::*,
    sync::aref::ARef, //
};

use crate::{
    kernel_ext::pci::Function,
    readiness::{
        bus_max_d3cold_delay,
        immediate_readiness,
        PortKind,
        ReadinessTimes,
        SelfReport,
        Topology,
        READINESS_TIME_REPORTING_1,
        READINESS_TIME_REPORTING_ID, //
    },
};

/// The bridge whose secondary bus reset resets a device.
pub(crate) struct ResetPort {
    bridge: ARef<Function>,
}

impl ResetPort {
    /// Returns the port whose secondary bus reset resets `pdev` and nothing else.
    ///
    /// The rules are those of `pci_parent_bus_reset()` (drivers/pci/pci.c), with one more: a slot
    /// with a hotplug driver is refused, because the kernel resets such a slot through the
    /// driver, which masks the link change (pciehp uses `pci_hp_ignore_link_change()`, which
    /// modules cannot call) and would otherwise take the reset for a hot-unplug. `ENOTTY`, the
    /// kernel's error for a reset method it cannot use, when a rule fails.
    pub(crate) fn above(pdev: &Function) -> Result<Self> {
        let bridge = pdev.upstream_bridge().ok_or(ENOTTY)?;
        if pdev.has_subordinate() || pdev.no_bus_reset() || pdev.in_hotplug_slot() {
            return Err(ENOTTY);
        }
        // The reset would wipe the state of the other functions too, which nobody saves.
        if pdev.functions_on_bus() != 1 {
            return Err(ENOTTY);
        }
        Ok(Self { bridge })
    }

    /// Returns the port as a PCI function.
    pub(crate) fn bridge(&self) -> &Function {
        &self.bridge
    }

    /// Reads the port's Link Status register.
    pub(crate) fn link_status(&self) -> u16 {
        self.bridge.read_pcie_word(bindings::PCI_EXP_LNKSTA)
    }

    /// Describes the port and `pdev` below it for the readiness engine.
    pub(crate) fn topology(&self, pdev: &Function<Bound>) -> Topology {
        let port = if self.bridge.is_pcie() {
            PortKind::from_exp_flags(self.bridge.read_pcie_word(bindings::PCI_EXP_FLAGS))
        } else {
            PortKind::Conventional
        };
        Topology {
            port,
            lnkcap: self.bridge.read_pcie_dword(bindings::PCI_EXP_LNKCAP),
            lnkcap2: self.bridge.read_pcie_dword(bindings::PCI_EXP_LNKCAP2),
            // What `pci_dev_wait()` tests.
            rrs_visible: pdev.root_port().is_some_and(Function::config_rrs_sv),
            child_virtfn: pdev.is_virtfn(),
            // `ResetPort::above()` made sure the device is alone on its bus.
            bus_d3cold_delay_ms: bus_max_d3cold_delay([pdev.d3cold_delay()]),
            child_report: self_report(pdev),
        }
    }
}

/// Reads what the device says about its own readiness: Immediate Readiness in its Status
/// register and the times of its Readiness Time Reporting capability.
fn self_report(pdev: &Function<Bound>) -> SelfReport {
    let status = pdev
        .as_pci()
        .config_space()
        .try_read16(bindings::PCI_STATUS as usize)
        .unwrap_or(0);
    let readiness_times = pdev
        .find_ext_capability(READINESS_TIME_REPORTING_ID)
        .and_then(|rtr| {
            pdev.as_pci()
                .config_space_extended()
                .ok()?
                .try_read32(usize::from(rtr) + usize::from(READINESS_TIME_REPORTING_1))
                .ok()
        })
        .and_then(ReadinessTimes::from_register);
    SelfReport {
        immediate_readiness: immediate_readiness(status),
        readiness_times,
    }
}
