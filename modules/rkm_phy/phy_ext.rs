// SPDX-License-Identifier: GPL-2.0

//! What `kernel::net::phy` lacks for the DP83TG720: `struct phy_driver`
//! callbacks its `Driver` trait has no method for (config_init, remove, SQI,
//! cable test, statistics, poll interval), per-device data, and a few phylib
//! calls and `struct phy_device` fields its `Device` does not wrap.
//!
//! A driver implements [`DriverExt`] next to `phy::Driver`;
//! [`create_phy_driver`] takes the table `phy::create_phy_driver` builds and
//! adds the extra callbacks, so one `phy::Registration` registers both kinds.
//! This file holds all of rkm_phy's `unsafe` code.

use core::ptr;

use kernel::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_int,
        c_uint, //
    },
    net::phy::{
        self,
        DriverVTable, //
    },
    prelude::*,
    time::{
        msecs_to_jiffies,
        Msecs, //
    },
};

use crate::ffi_ext;

/// Statistics a driver reports to `ethtool --phy-statistics`.
pub(crate) struct PhyStats {
    pub(crate) tx_packets: u64,
    pub(crate) tx_errors: u64,
    pub(crate) rx_packets: u64,
    pub(crate) rx_errors: u64,
}

/// The `struct phy_driver` callbacks `phy::Driver` lacks.
///
/// A driver implementing this trait must not implement `phy::Driver::probe`:
/// [`DriverExt::probe_data`] replaces it.
pub(crate) trait DriverExt: phy::Driver {
    /// Per-device data, created at probe and dropped at remove.
    type Data: Send;

    /// Creates the device's data (`probe`).
    fn probe_data(dev: &mut phy::Device) -> Result<Self::Data>;

    /// Configures the PHY after each reset (`config_init`).
    fn config_init(dev: &mut phy::Device) -> Result;

    /// Signal quality, 0 to [`DriverExt::get_sqi_max`] (`get_sqi`).
    fn get_sqi(dev: &mut phy::Device) -> Result<u32>;

    /// The highest signal quality (`get_sqi_max`).
    fn get_sqi_max(dev: &mut phy::Device) -> u32;

    /// Starts a cable test (`cable_test_start`).
    fn cable_test_start(dev: &mut phy::Device) -> Result;

    /// Reports the results once the test is done; `true` then
    /// (`cable_test_get_status`).
    fn cable_test_get_status(dev: &mut phy::Device) -> Result<bool>;

    /// Accumulates the PHY's clear-on-read counters (`update_stats`).
    fn update_stats(dev: &mut phy::Device) -> Result;

    /// Link losses seen (`get_link_stats`).
    fn link_down_events(data: &Self::Data) -> u64;

    /// Packet counters (`get_phy_stats`).
    fn phy_stats(data: &Self::Data) -> PhyStats;

    /// Milliseconds until phylib polls again (`get_next_update_time`).
    fn next_poll_ms(dev: &mut phy::Device) -> Msecs;
}

/// The `struct phy_driver` of `T`: `phy::Driver`'s callbacks and
/// [`DriverExt`]'s.
pub(crate) const fn create_phy_driver<T: DriverExt>() -> DriverVTable {
    assert!(
        !T::HAS_PROBE,
        "DriverExt::probe_data replaces phy::Driver::probe"
    );
    // SAFETY: `DriverVTable` is `#[repr(transparent)]` over
    // `Opaque<bindings::phy_driver>`, itself transparent over the
    // `phy_driver` value, which `phy::create_phy_driver` fully initialises.
    let mut raw: bindings::phy_driver =
        unsafe { core::mem::transmute(phy::create_phy_driver::<T>()) };
    raw.probe = Some(probe_callback::<T>);
    raw.remove = Some(remove_callback::<T>);
    raw.config_init = Some(config_init_callback::<T>);
    raw.get_sqi = Some(get_sqi_callback::<T>);
    raw.get_sqi_max = Some(get_sqi_max_callback::<T>);
    raw.cable_test_start = Some(cable_test_start_callback::<T>);
    raw.cable_test_get_status = Some(cable_test_get_status_callback::<T>);
    raw.update_stats = Some(update_stats_callback::<T>);
    raw.get_link_stats = Some(get_link_stats_callback::<T>);
    raw.get_phy_stats = Some(get_phy_stats_callback::<T>);
    raw.get_next_update_time = Some(get_next_update_time_callback::<T>);
    // SAFETY: The reverse of the transmute above; every field is still a
    // valid `phy_driver` field, the added callbacks have the C signatures.
    unsafe { core::mem::transmute(raw) }
}

/// The `phy::Device` of a callback's `phydev`.
///
/// # Safety
///
/// As for the callbacks of `phy::Driver`: `phydev` is the device phylib
/// passed to a `phy_driver` callback, valid and not otherwise referenced in
/// Rust for `'a`, in a context where phylib serialises access to it (its
/// lock held, or the device exclusively phylib's during probe, remove,
/// suspend and resume).
unsafe fn device<'a>(phydev: *mut bindings::phy_device) -> &'a mut phy::Device {
    // SAFETY: `phy::Device` is `#[repr(transparent)]` over the C struct (the
    // cast `phy::Device::from_raw` makes); validity and exclusivity are the
    // caller's guarantee.
    unsafe { &mut *phydev.cast::<phy::Device>() }
}

/// The C `struct phy_device` of `dev`.
fn raw(dev: &mut phy::Device) -> *mut bindings::phy_device {
    ptr::from_mut(dev).cast()
}

/// Runs `f` on the device's data.
pub(crate) fn with_data<T: DriverExt, R>(
    dev: &mut phy::Device,
    f: impl FnOnce(&mut T::Data) -> R,
) -> Result<R> {
    // SAFETY: `dev` is bound to `T` (only `T`'s callbacks see it), whose
    // probe stored a `KBox<T::Data>` in `priv` (or left it null on failure);
    // `&mut dev` keeps other users of the data away.
    let data = unsafe { (*raw(dev)).priv_.cast::<T::Data>().as_mut() };
    data.map(f).ok_or(ENODEV)
}

/// Sets `phydev->link`, which `phy::Device` only reads.
pub(crate) fn set_link(dev: &mut phy::Device, up: bool) {
    // SAFETY: `raw(dev)` is valid; `&mut dev` grants write access.
    unsafe { bindings::phy_device::set_link_raw(raw(dev), up.into()) };
}

/// Clears the resolved pause modes (`phydev->pause`, `->asym_pause`).
pub(crate) fn clear_pause(dev: &mut phy::Device) {
    // SAFETY: `raw(dev)` is valid; `&mut dev` grants write access.
    unsafe {
        bindings::phy_device::set_pause_raw(raw(dev), false);
        bindings::phy_device::set_asym_pause_raw(raw(dev), false);
    }
}

/// Whether the last master/slave resolution found us slave.
pub(crate) fn is_slave(dev: &mut phy::Device) -> bool {
    // SAFETY: `raw(dev)` is valid for reads.
    let state = unsafe { (*raw(dev)).master_slave_state };
    u32::from(state) == bindings::MASTER_SLAVE_STATE_SLAVE
}

/// The MAC interface's RGMII delays the PHY must add: (receive, transmit),
/// or `None` for a non-RGMII interface.
pub(crate) fn rgmii_delays(dev: &mut phy::Device) -> Option<(bool, bool)> {
    // SAFETY: `raw(dev)` is valid for reads.
    let interface = unsafe { (*raw(dev)).interface };
    match interface {
        bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII => Some((false, false)),
        bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_ID => Some((true, true)),
        bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_RXID => Some((true, false)),
        bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_TXID => Some((false, true)),
        _ => None,
    }
}

/// `phy_modify_mmd()`: read, and write back `(value & !mask) | set` if that
/// differs, under the bus lock.
pub(crate) fn modify_mmd(
    dev: &mut phy::Device,
    devad: u8,
    reg: u16,
    mask: u16,
    set: u16,
) -> Result {
    // SAFETY: `raw(dev)` is a valid PHY; phylib takes the bus lock.
    to_result(unsafe { bindings::phy_modify_mmd(raw(dev), devad.into(), reg.into(), mask, set) })
}

/// `genphy_c45_pma_read_ext_abilities()`: supported modes from the PMA.
pub(crate) fn pma_read_ext_abilities(dev: &mut phy::Device) -> Result {
    // SAFETY: `raw(dev)` is a valid PHY in a driver callback.
    to_result(unsafe { bindings::genphy_c45_pma_read_ext_abilities(raw(dev)) })
}

/// `genphy_c45_pma_baset1_setup_master_slave()`: applies the configured role.
pub(crate) fn baset1_setup_master_slave(dev: &mut phy::Device) -> Result {
    // SAFETY: `raw(dev)` is a valid PHY in a driver callback.
    to_result(unsafe { bindings::genphy_c45_pma_baset1_setup_master_slave(raw(dev)) })
}

/// `genphy_c45_pma_baset1_read_master_slave()`: reads the role back.
pub(crate) fn baset1_read_master_slave(dev: &mut phy::Device) -> Result {
    // SAFETY: `raw(dev)` is a valid PHY in a driver callback.
    to_result(unsafe { bindings::genphy_c45_pma_baset1_read_master_slave(raw(dev)) })
}

/// The single pair of a BASE-T1 cable, as cable test results name it.
const PAIR_A: u8 = ffi_ext::ETHTOOL_A_CABLE_PAIR_A as u8;

/// Reports a cable test result (`ETHTOOL_A_CABLE_RESULT_CODE_*`) of pair A,
/// found by TDR.
pub(crate) fn cable_test_result(dev: &mut phy::Device, code: u8) -> Result {
    // SAFETY: `raw(dev)` is a PHY running a cable test (the only caller is
    // `cable_test_get_status`), which `ethnl_cable_test_*` require.
    to_result(unsafe {
        ffi_ext::ethnl_cable_test_result_with_src(
            raw(dev),
            PAIR_A,
            code,
            ffi_ext::ETHTOOL_A_CABLE_INF_SRC_TDR,
        )
    })
}

/// Reports the distance to the fault on pair A, found by TDR.
pub(crate) fn cable_test_fault_length(dev: &mut phy::Device, cm: u32) -> Result {
    // SAFETY: As for `cable_test_result`.
    to_result(unsafe {
        ffi_ext::ethnl_cable_test_fault_length_with_src(
            raw(dev),
            PAIR_A,
            cm,
            ffi_ext::ETHTOOL_A_CABLE_INF_SRC_TDR,
        )
    })
}

/// # Safety
///
/// `phydev` is the device phylib probes with `T`'s driver.
unsafe extern "C" fn probe_callback<T: DriverExt>(phydev: *mut bindings::phy_device) -> c_int {
    from_result(|| {
        // SAFETY: Probe has the device to itself.
        let dev = unsafe { device(phydev) };
        let data = KBox::new(T::probe_data(dev)?, GFP_KERNEL)?;
        // SAFETY: `phydev` is valid; `remove_callback` frees what is stored.
        unsafe { (*phydev).priv_ = KBox::into_raw(data).cast() };
        Ok(0)
    })
}

/// # Safety
///
/// `phydev` is a device `probe_callback::<T>` succeeded on, being removed.
unsafe extern "C" fn remove_callback<T: DriverExt>(phydev: *mut bindings::phy_device) {
    // SAFETY: `phydev` is valid; nothing else runs during remove.
    let data = unsafe { ptr::replace(&raw mut (*phydev).priv_, ptr::null_mut()) };
    if !data.is_null() {
        // SAFETY: `probe_callback::<T>` stored a `KBox<T::Data>` here.
        drop(unsafe { KBox::from_raw(data.cast::<T::Data>()) });
    }
}

/// # Safety
///
/// `phydev` is passed by phylib to the `config_init` of `T`'s driver.
unsafe extern "C" fn config_init_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
) -> c_int {
    from_result(|| {
        // SAFETY: Called from `phy_init_hw()`, like `soft_reset`.
        T::config_init(unsafe { device(phydev) })?;
        Ok(0)
    })
}

/// # Safety
///
/// `phydev` is passed by phylib to the `get_sqi` of `T`'s driver.
unsafe extern "C" fn get_sqi_callback<T: DriverExt>(phydev: *mut bindings::phy_device) -> c_int {
    from_result(|| {
        // SAFETY: ethtool calls it with `phydev->lock` held.
        let sqi = T::get_sqi(unsafe { device(phydev) })?;
        Ok(sqi.try_into()?)
    })
}

/// # Safety
///
/// `phydev` is passed by phylib to the `get_sqi_max` of `T`'s driver.
unsafe extern "C" fn get_sqi_max_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
) -> c_int {
    from_result(|| {
        // SAFETY: ethtool calls it with `phydev->lock` held.
        let max = T::get_sqi_max(unsafe { device(phydev) });
        Ok(max.try_into()?)
    })
}

/// # Safety
///
/// `phydev` is passed by phylib to the `cable_test_start` of `T`'s driver.
unsafe extern "C" fn cable_test_start_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
) -> c_int {
    from_result(|| {
        // SAFETY: `phy_start_cable_test()` holds `phydev->lock`.
        T::cable_test_start(unsafe { device(phydev) })?;
        Ok(0)
    })
}

/// # Safety
///
/// `phydev` and `finished` are passed by phylib to the
/// `cable_test_get_status` of `T`'s driver.
unsafe extern "C" fn cable_test_get_status_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
    finished: *mut bool,
) -> c_int {
    // SAFETY: `finished` points at the state machine's flag.
    unsafe { *finished = false };
    from_result(|| {
        // SAFETY: The state machine holds `phydev->lock`.
        let done = T::cable_test_get_status(unsafe { device(phydev) })?;
        // SAFETY: As above.
        unsafe { *finished = done };
        Ok(0)
    })
}

/// # Safety
///
/// `phydev` is passed by phylib to the `update_stats` of `T`'s driver.
unsafe extern "C" fn update_stats_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
) -> c_int {
    from_result(|| {
        // SAFETY: The state machine or ethtool holds `phydev->lock`.
        T::update_stats(unsafe { device(phydev) })?;
        Ok(0)
    })
}

/// # Safety
///
/// `phydev` and `stats` are passed by phylib to the `get_link_stats` of
/// `T`'s driver.
unsafe extern "C" fn get_link_stats_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
    stats: *mut bindings::ethtool_link_ext_stats,
) {
    // SAFETY: ethtool holds `phydev->lock`.
    let dev = unsafe { device(phydev) };
    if let Ok(events) = with_data::<T, _>(dev, |data| T::link_down_events(data)) {
        // SAFETY: `stats` points at ethtool's statistics being filled in.
        unsafe { (*stats).link_down_events = events };
    }
}

/// # Safety
///
/// `phydev` and `stats` are passed by phylib to the `get_phy_stats` of
/// `T`'s driver.
unsafe extern "C" fn get_phy_stats_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
    _eth_stats: *mut bindings::ethtool_eth_phy_stats,
    stats: *mut bindings::ethtool_phy_stats,
) {
    // SAFETY: ethtool holds `phydev->lock`.
    let dev = unsafe { device(phydev) };
    if let Ok(s) = with_data::<T, _>(dev, |data| T::phy_stats(data)) {
        // SAFETY: `stats` points at ethtool's statistics being filled in.
        unsafe {
            (*stats).tx_packets = s.tx_packets;
            (*stats).tx_errors = s.tx_errors;
            (*stats).rx_packets = s.rx_packets;
            (*stats).rx_errors = s.rx_errors;
        }
    }
}

/// # Safety
///
/// `phydev` is passed by phylib to the `get_next_update_time` of `T`'s driver.
unsafe extern "C" fn get_next_update_time_callback<T: DriverExt>(
    phydev: *mut bindings::phy_device,
) -> c_uint {
    // SAFETY: The state machine holds `phydev->lock`.
    let ms = T::next_poll_ms(unsafe { device(phydev) });
    let jiffies = msecs_to_jiffies(ms).max(1);
    c_uint::try_from(jiffies).unwrap_or(c_uint::MAX)
}
