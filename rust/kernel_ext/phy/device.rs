// SPDX-License-Identifier: GPL-2.0

//! The PHY device as a driver's callbacks see it.

use core::{
    ffi::c_void,
    marker::PhantomData,
    ptr, //
};

use kernel::{
    bindings,
    error::to_result,
    ffi::c_int,
    prelude::*,
    sync::Mutex,
    types::Opaque, //
};

use super::{
    reg::{
        Register,
        C45, //
    },
    DeviceState,
    DuplexMode, //
};

/// A PHY device: the kernel's `struct phy_device`, with the per-device data `D` of the driver
/// bound to it ([`Driver::Data`]).
///
/// A `&mut Device<D>` exists only while a callback of a [`Driver`] runs, as for
/// `kernel::net::phy::Device`: phylib calls most of them with `phydev->lock` held, and the
/// others (probe, suspend, resume, and the reset and configuration of `phy_init_hw()`) where
/// nothing else uses the device, so the reference is the only one.
///
/// # Invariants
///
/// - The `phy_device` is valid and every method of this type may be called on it.
/// - Its `priv_` is null or points at the `D` of the driver bound to it, in a [`KBox`] that the
///   part's probe callback stored. Only the probe and remove callbacks change it, with
///   `phydev->lock` held.
///
/// [`Driver`]: super::Driver
/// [`Driver::Data`]: super::Driver::Data
#[repr(transparent)]
pub struct Device<D = ()> {
    inner: Opaque<bindings::phy_device>,
    _data: PhantomData<D>,
}

impl<D> Device<D> {
    /// The [`Device`] of the `phy_device` at `ptr`.
    ///
    /// # Safety
    ///
    /// For the duration of `'a`, `ptr` points at a valid `phy_device`, the caller is in a
    /// context where every method of `Device` may be called on it and no other reference to it
    /// exists in Rust, and its `priv_` is null or points at a `D` in a [`KBox`] that the part's
    /// probe callback stored, changed only with `phydev->lock` held.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::phy_device) -> &'a mut Self {
        // CAST: `Self` is `repr(transparent)` over `bindings::phy_device`.
        let dev = ptr.cast::<Self>();
        // SAFETY: The caller's guarantees are the type invariants; `&mut` is sound as no other
        // reference exists for `'a`.
        unsafe { &mut *dev }
    }

    /// The C `struct phy_device`.
    pub(super) fn as_raw(&self) -> *mut bindings::phy_device {
        self.inner.get()
    }

    /// The driver's data for this device, created by its [`Driver::probe`].
    ///
    /// [`ENODEV`] while the driver has none: during its probe, after its remove, or when it has
    /// no probe.
    ///
    /// [`Driver::probe`]: super::Driver::probe
    pub fn data(&mut self) -> Result<&mut D> {
        // The remove callback frees the data only once it took it out under `phydev->lock`,
        // which phylib holds around the callbacks that may run meanwhile.
        // SAFETY: By the type invariants `priv_` is null or points at this device's `D`, alive
        // (above); `&mut self` makes the access exclusive.
        unsafe { (*self.as_raw()).priv_.cast::<D>().as_mut() }.ok_or(ENODEV)
    }

    /// The state of phylib's state machine.
    pub fn state(&self) -> DeviceState {
        // SAFETY: By the type invariants, the field may be read without further
        // synchronisation.
        let state = unsafe { (*self.as_raw()).state };
        match state {
            bindings::phy_state_PHY_DOWN => DeviceState::Down,
            bindings::phy_state_PHY_READY => DeviceState::Ready,
            bindings::phy_state_PHY_HALTED => DeviceState::Halted,
            bindings::phy_state_PHY_ERROR => DeviceState::Error,
            bindings::phy_state_PHY_UP => DeviceState::Up,
            bindings::phy_state_PHY_RUNNING => DeviceState::Running,
            bindings::phy_state_PHY_NOLINK => DeviceState::NoLink,
            bindings::phy_state_PHY_CABLETEST => DeviceState::CableTest,
            _ => DeviceState::Error,
        }
    }

    /// Whether the link is up (`phydev->link`).
    pub fn is_link_up(&self) -> bool {
        // SAFETY: By the type invariants, `as_raw()` is valid and nothing writes the field
        // meanwhile.
        unsafe { bindings::phy_device::link_raw(self.as_raw()) == 1 }
    }

    /// Sets whether the link is up (`phydev->link`).
    pub fn set_link(&mut self, up: bool) {
        // SAFETY: By the type invariants, `as_raw()` is valid; `&mut self` grants write access.
        unsafe { bindings::phy_device::set_link_raw(self.as_raw(), up.into()) };
    }

    /// Whether autonegotiation is enabled.
    pub fn is_autoneg_enabled(&self) -> bool {
        // SAFETY: As for `is_link_up`.
        let autoneg = unsafe { bindings::phy_device::autoneg_raw(self.as_raw()) };
        autoneg == bindings::AUTONEG_ENABLE
    }

    /// Whether autonegotiation has completed.
    pub fn is_autoneg_completed(&self) -> bool {
        // SAFETY: As for `is_link_up`.
        unsafe { bindings::phy_device::autoneg_complete_raw(self.as_raw()) == 1 }
    }

    /// Sets the speed, in Mb/s (`phydev->speed`).
    pub fn set_speed(&mut self, speed: u32) {
        // CAST: The C int's bits, as `kernel::net::phy::Device` takes them: `SPEED_UNKNOWN` is
        // -1.
        let speed = speed as c_int;
        // SAFETY: By the type invariants, `as_raw()` is valid; `&mut self` grants write access.
        unsafe { (*self.as_raw()).speed = speed };
    }

    /// Sets the duplex mode (`phydev->duplex`).
    pub fn set_duplex(&mut self, mode: DuplexMode) {
        let duplex = match mode {
            DuplexMode::Full => bindings::DUPLEX_FULL,
            DuplexMode::Half => bindings::DUPLEX_HALF,
            DuplexMode::Unknown => bindings::DUPLEX_UNKNOWN,
        };
        // SAFETY: As for `set_speed`.
        unsafe { (*self.as_raw()).duplex = duplex as c_int };
    }

    /// Clears the resolved pause modes (`phydev->pause` and `phydev->asym_pause`).
    pub fn clear_pause(&mut self) {
        // SAFETY: As for `set_link`.
        unsafe {
            bindings::phy_device::set_pause_raw(self.as_raw(), false);
            bindings::phy_device::set_asym_pause_raw(self.as_raw(), false);
        }
    }

    /// Whether the last master/slave resolution found the PHY slave.
    pub fn is_slave(&self) -> bool {
        // SAFETY: As for `state`.
        let state = unsafe { (*self.as_raw()).master_slave_state };
        u32::from(state) == bindings::MASTER_SLAVE_STATE_SLAVE
    }

    /// The RGMII delays the PHY adds for the MAC interface, (receive, transmit), or `None` when
    /// the interface is not RGMII.
    pub fn rgmii_delays(&self) -> Option<(bool, bool)> {
        // SAFETY: As for `state`.
        let interface = unsafe { (*self.as_raw()).interface };
        match interface {
            bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII => Some((false, false)),
            bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_ID => Some((true, true)),
            bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_RXID => Some((true, false)),
            bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_TXID => Some((false, true)),
            _ => None,
        }
    }

    /// Reads a register.
    // It takes `&mut self` as the read updates the bus statistics.
    pub fn read<R: Register>(&mut self, reg: R) -> Result<u16> {
        reg.read(self)
    }

    /// Writes a register.
    pub fn write<R: Register>(&mut self, reg: R, val: u16) -> Result {
        reg.write(self, val)
    }

    /// `phy_modify_mmd()`: reads `reg`, and writes `(value & !mask) | set` back if that differs,
    /// under the bus lock.
    pub fn modify_mmd(&mut self, reg: C45, mask: u16, set: u16) -> Result {
        reg.modify(self, mask, set)
    }

    /// Resolves the advertisements into the link settings.
    pub fn resolve_aneg_linkmode(&mut self) {
        // SAFETY: By the type invariants, `as_raw()` is a valid PHY device.
        unsafe { bindings::phy_resolve_aneg_linkmode(self.as_raw()) };
    }

    /// Resets the PHY through the `BMCR_RESET` bit.
    pub fn genphy_soft_reset(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_soft_reset(self.as_raw()) })
    }

    /// Initialises the PHY (`phy_init_hw()`): resets and configures it.
    pub fn init_hw(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::phy_init_hw(self.as_raw()) })
    }

    /// Starts autonegotiation (`_phy_start_aneg()`).
    pub fn start_aneg(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::_phy_start_aneg(self.as_raw()) })
    }

    /// Resumes the PHY through the `BMCR_PDOWN` bit.
    pub fn genphy_resume(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_resume(self.as_raw()) })
    }

    /// Suspends the PHY through the `BMCR_PDOWN` bit.
    pub fn genphy_suspend(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_suspend(self.as_raw()) })
    }

    /// Updates the link state from the status register.
    pub fn genphy_update_link(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_update_link(self.as_raw()) })
    }

    /// Reads the link partner's abilities.
    pub fn genphy_read_lpa(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_read_lpa(self.as_raw()) })
    }

    /// Reads the supported modes from the PMA/PMD's extended abilities (clause 45).
    pub fn genphy_c45_pma_read_ext_abilities(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_c45_pma_read_ext_abilities(self.as_raw()) })
    }

    /// Applies the configured BASE-T1 master/slave role.
    pub fn genphy_c45_pma_baset1_setup_master_slave(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_c45_pma_baset1_setup_master_slave(self.as_raw()) })
    }

    /// Reads the BASE-T1 master/slave configuration and state back.
    pub fn genphy_c45_pma_baset1_read_master_slave(&mut self) -> Result {
        // SAFETY: As for `resolve_aneg_linkmode`.
        to_result(unsafe { bindings::genphy_c45_pma_baset1_read_master_slave(self.as_raw()) })
    }
}

/// Replaces `phydev->priv` with `data`, under `phydev->lock`: a callback phylib calls with the
/// lock held finds null or complete data, even while the driver is being bound or unbound.
/// Returns what was there.
///
/// # Safety
///
/// `phydev` points at a valid `phy_device`, and the caller is its driver's probe or remove
/// callback. `data` is null or a [`KBox`] of the `Data` of that driver, which the device then
/// owns.
pub(super) unsafe fn replace_data(
    phydev: *mut bindings::phy_device,
    data: *mut c_void,
) -> *mut c_void {
    // SAFETY: `phydev` is valid, so is the mutex phylib initialised in it, for the call.
    let lock = unsafe { Mutex::from_raw(&raw mut (*phydev).lock) };
    let _guard = lock.lock();
    // SAFETY: `phydev` is valid; holding its lock, and being the probe or remove callback,
    // this is the only code using the field.
    unsafe { ptr::replace(&raw mut (*phydev).priv_, data) }
}
