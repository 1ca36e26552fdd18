// SPDX-License-Identifier: GPL-2.0

//! The port above a device and the device's own registers, as the readiness engine needs them.
//!
//! The port is a bridge that another driver (`pcieport`) owns, so the Rust PCI abstraction gives
//! no access to it; its registers are read and written through the PCI core's exported
//! functions, as `pci_reset_secondary_bus()` and `pcie_wait_for_link_status()` do.

use core::{
    marker::PhantomData,
    ptr, //
};
use kernel::{
    bindings,
    device::Bound,
    ffi::c_void,
    io::Io,
    pci,
    prelude::*,
    sync::aref::ARef, //
};

use crate::readiness::{
    bus_max_d3cold_delay,
    immediate_readiness,
    PortKind,
    ReadinessTimes,
    SelfReport,
    Topology,
    READINESS_TIME_REPORTING_1,
    READINESS_TIME_REPORTING_ID, //
};

crate::generated_bindings!(
    /// Items generated from rkm_pcie_ready_bindings.h.
    mod ffi_ext = "rkm_pcie_ready_bindings_generated.rs"
);

pub(crate) use ffi_ext::rkm_pcie_ready_attr_init as attr_init;

/// Returns the C `struct pci_dev` of `pdev`.
pub(crate) fn raw<Ctx: kernel::device::DeviceContext>(
    pdev: &pci::Device<Ctx>,
) -> *mut bindings::pci_dev {
    // CAST: `pci::Device` is a transparent wrapper of `Opaque<bindings::pci_dev>`, itself a
    // transparent wrapper of the C struct; the abstraction casts the other way in its probe.
    ptr::from_ref(pdev).cast_mut().cast()
}

/// Returns whether the device is known to be gone: surprise removal, or error recovery gave it up.
pub(crate) fn is_disconnected(pdev: &pci::Device<Bound>) -> bool {
    // SAFETY: `pdev` is a valid `struct pci_dev`; the function reads its `error_state`.
    unsafe { ffi_ext::rkm_pcie_ready_is_disconnected(raw(pdev)) }
}

/// Saves the device's configuration space, for [`restore_state`] after the reset wiped it.
pub(crate) fn save_state(pdev: &pci::Device<Bound>) {
    // SAFETY: `pdev` is a valid `struct pci_dev`, and its driver (this one) is the only caller
    // of `pci_save_state()` and `pci_restore_state()` for it.
    unsafe { bindings::pci_save_state(raw(pdev)) };
}

/// Restores what [`save_state`] saved: BARs, Command register, capabilities.
pub(crate) fn restore_state(pdev: &pci::Device<Bound>) {
    // SAFETY: as in `save_state()`.
    unsafe { bindings::pci_restore_state(raw(pdev)) };
}

/// Keeps user space (`lspci`, the sysfs `config` file) away from a device's configuration space
/// while alive, as `pci_cfg_access_lock()` does for the kernel's own resets. The kernel's own
/// accesses are not blocked.
pub(crate) struct CfgAccessLock<'a> {
    dev: *mut bindings::pci_dev,
    _dev: PhantomData<&'a pci::Device>,
}

impl<'a> CfgAccessLock<'a> {
    /// Waits until nobody else blocks the device's configuration space, then blocks it.
    pub(crate) fn new(pdev: &'a pci::Device) -> Self {
        let dev = raw(pdev);
        // SAFETY: `dev` is valid for `'a`; the function may sleep, which every caller can.
        unsafe { bindings::pci_cfg_access_lock(dev) };
        Self {
            dev,
            _dev: PhantomData,
        }
    }
}

impl Drop for CfgAccessLock<'_> {
    fn drop(&mut self) {
        // SAFETY: `self.dev` is valid for `'a` and was locked in `new()`.
        unsafe { bindings::pci_cfg_access_unlock(self.dev) };
    }
}

/// Counts the functions on a bus; `pci_walk_bus()` calls it for each.
extern "C" fn count_function(_dev: *mut bindings::pci_dev, count: *mut c_void) -> c_int {
    // SAFETY: `functions_on_bus()` passes a valid `usize` that nothing else accesses meanwhile.
    let count = unsafe { &mut *count.cast::<usize>() };
    *count = count.saturating_add(1);
    0
}

/// Returns the number of functions on the bus of `dev` and on the buses below them.
fn functions_on_bus(dev: *mut bindings::pci_dev) -> usize {
    let mut count = 0usize;
    // SAFETY: `dev` is a valid `struct pci_dev`, so its `bus` is valid; `pci_walk_bus()` holds
    // `pci_bus_sem` while it calls `count_function()` with the pointer to `count`.
    unsafe {
        bindings::pci_walk_bus(
            (*dev).bus,
            Some(count_function),
            ptr::from_mut(&mut count).cast(),
        )
    };
    count
}

/// The bridge whose secondary bus reset resets a device.
pub(crate) struct Port {
    bridge: ARef<pci::Device>,
}

impl Port {
    /// Returns the port whose secondary bus reset resets `pdev` and nothing else.
    ///
    /// The rules are those of `pci_parent_bus_reset()` (drivers/pci/pci.c), with one more: a slot
    /// with a hotplug driver is refused, because the kernel resets such a slot through the
    /// driver, which masks the link change (pciehp uses `pci_hp_ignore_link_change()`, which
    /// modules cannot call) and would otherwise take the reset for a hot-unplug. `ENOTTY`, the
    /// kernel's error for a reset method it cannot use, when a rule fails.
    pub(crate) fn above(pdev: &pci::Device<Bound>) -> Result<Self> {
        let dev = raw(pdev);
        // SAFETY: `dev` is a valid `struct pci_dev`.
        let bridge = unsafe { ffi_ext::rkm_pcie_ready_upstream_bridge(dev) };
        if bridge.is_null() {
            return Err(ENOTTY);
        }
        // SAFETY: `dev` is valid; these fields are set when the device is added and its slot,
        // when it has one, lives as long as the device.
        let (subordinate, flags, hotplug) = unsafe {
            let slot = (*dev).slot;
            let hotplug = !slot.is_null() && !(*slot).hotplug.is_null();
            ((*dev).subordinate, u32::from((*dev).dev_flags), hotplug)
        };
        let no_bus_reset = bindings::pci_dev_flags_PCI_DEV_FLAGS_NO_BUS_RESET;
        if !subordinate.is_null() || flags & no_bus_reset != 0 || hotplug {
            return Err(ENOTTY);
        }
        // The reset would wipe the state of the other functions too, which nobody saves.
        if functions_on_bus(dev) != 1 {
            return Err(ENOTTY);
        }
        // SAFETY: `bridge` is the parent of `pdev`'s device, which holds a reference to it, so
        // it is a valid `struct pci_dev` while `pdev` is; `pci::Device` is a transparent
        // wrapper of it. The `ARef` takes a reference of its own.
        let bridge: &pci::Device = unsafe { &*bridge.cast::<pci::Device>() };
        Ok(Self {
            bridge: bridge.into(),
        })
    }

    /// Returns the port as a PCI device.
    pub(crate) fn device(&self) -> &pci::Device {
        &self.bridge
    }

    fn raw(&self) -> *mut bindings::pci_dev {
        raw(&self.bridge)
    }

    /// Reads a word of the port's PCI Express Capability; 0 when the port has none.
    fn capability_word(&self, offset: u32) -> u16 {
        let mut value = 0;
        // SAFETY: `self.raw()` is a valid `struct pci_dev`; `value` is valid for writes. The
        // function returns 0 for registers the capability does not have.
        unsafe { bindings::pcie_capability_read_word(self.raw(), offset as c_int, &mut value) };
        value
    }

    /// Reads a dword of the port's PCI Express Capability; 0 when the port has none.
    fn capability_dword(&self, offset: u32) -> u32 {
        let mut value = 0;
        // SAFETY: as in `capability_word()`.
        unsafe { bindings::pcie_capability_read_dword(self.raw(), offset as c_int, &mut value) };
        value
    }

    /// Reads the port's Link Status register.
    pub(crate) fn link_status(&self) -> u16 {
        self.capability_word(bindings::PCI_EXP_LNKSTA)
    }

    /// Resets the port's secondary bus: sets Secondary Bus Reset in Bridge Control, holds it
    /// 2 ms and clears it, as `pci_reset_secondary_bus()` does.
    pub(crate) fn secondary_bus_reset(&self) {
        let dev = self.raw();
        let offset = bindings::PCI_BRIDGE_CONTROL as c_int;
        let bus_reset = bindings::PCI_BRIDGE_CTL_BUS_RESET as u16;
        let mut ctrl = 0;
        // SAFETY: `dev` is a valid `struct pci_dev` and `ctrl` valid for writes; the caller
        // holds the port's `CfgAccessLock`, so user space does not write the register meanwhile.
        unsafe {
            bindings::pci_read_config_word(dev, offset, &mut ctrl);
            bindings::pci_write_config_word(dev, offset, ctrl | bus_reset);
            // PCI r3.0 sec 7.6.4.2 asks for 1 ms at least; the kernel holds it for 2.
            bindings::msleep(2);
            bindings::pci_write_config_word(dev, offset, ctrl & !bus_reset);
        }
    }

    /// Describes the port and `pdev` below it for the readiness engine.
    pub(crate) fn topology(&self, pdev: &pci::Device<Bound>) -> Topology {
        let bridge = self.raw();
        let dev = raw(pdev);
        // SAFETY: `bridge` is a valid `struct pci_dev`.
        let port = if unsafe { ffi_ext::rkm_pcie_ready_is_pcie(bridge) } {
            PortKind::from_exp_flags(self.capability_word(bindings::PCI_EXP_FLAGS))
        } else {
            PortKind::Conventional
        };
        // SAFETY: `dev` is a valid `struct pci_dev`; a root port, when found, is an upstream
        // bridge of it and so valid too. `config_rrs_sv` is what `pci_dev_wait()` tests,
        // `is_virtfn` and `d3cold_delay` are set when the device is added.
        let (rrs_visible, child_virtfn, d3cold_delay) = unsafe {
            let root = ffi_ext::rkm_pcie_ready_root_port(dev);
            (
                !root.is_null() && bindings::pci_dev::config_rrs_sv_raw(root) != 0,
                bindings::pci_dev::is_virtfn_raw(dev) != 0,
                (*dev).d3cold_delay,
            )
        };
        Topology {
            port,
            lnkcap: self.capability_dword(bindings::PCI_EXP_LNKCAP),
            lnkcap2: self.capability_dword(bindings::PCI_EXP_LNKCAP2),
            rrs_visible,
            child_virtfn,
            // `Port::above()` made sure the device is alone on its bus.
            bus_d3cold_delay_ms: bus_max_d3cold_delay([d3cold_delay]),
            child_report: self_report(pdev),
        }
    }
}

/// Reads what the device says about its own readiness: Immediate Readiness in its Status
/// register and the times of its Readiness Time Reporting capability.
fn self_report(pdev: &pci::Device<Bound>) -> SelfReport {
    let status = pdev
        .config_space()
        .try_read16(bindings::PCI_STATUS as usize)
        .unwrap_or(0);
    // SAFETY: `pdev` is a valid `struct pci_dev`; the function walks its extended capabilities.
    let rtr = unsafe {
        bindings::pci_find_ext_capability(raw(pdev), c_int::from(READINESS_TIME_REPORTING_ID))
    };
    let readiness_times = pdev
        .config_space_extended()
        .ok()
        .filter(|_| rtr != 0)
        .and_then(|config| {
            config
                .try_read32(usize::from(rtr) + usize::from(READINESS_TIME_REPORTING_1))
                .ok()
        })
        .and_then(ReadinessTimes::from_register);
    SelfReport {
        immediate_readiness: immediate_readiness(status),
        readiness_times,
    }
}
