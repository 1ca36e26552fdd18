// SPDX-License-Identifier: GPL-2.0

//! The `struct phy_driver` callbacks of a [`Driver`]: each turns phylib's arguments into the
//! part's safe types and calls the driver.

use core::{
    marker::PhantomData,
    ptr, //
};

use kernel::{
    bindings,
    error::from_result,
    ffi::{
        c_int,
        c_uint, //
    },
    prelude::*,
    time::msecs_to_jiffies, //
};

use super::{
    device::replace_data,
    CableTest,
    Device,
    Driver,
    LinkStats,
    PhyStats, //
};

/// The callbacks of driver `T`.
pub(super) struct Adapter<T: Driver>(PhantomData<T>);

impl<T: Driver> Adapter<T> {
    /// Runs `f`, a callback that returns 0 or an errno to phylib, on the device at `phydev`.
    ///
    /// # Safety
    ///
    /// As for [`Device::from_raw`], for the call, with `T`'s data.
    unsafe fn run(
        phydev: *mut bindings::phy_device,
        f: impl FnOnce(&mut Device<T::Data>) -> Result,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The caller's guarantee.
            f(unsafe { Device::from_raw(phydev) })?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `phydev` is the device phylib is binding to `T`'s driver, passed to its `probe`.
    pub(super) unsafe extern "C" fn probe(phydev: *mut bindings::phy_device) -> c_int {
        // Another driver bound before may have left its pointer in `priv_`.
        // SAFETY: `phydev` is valid; this is `T`'s probe callback, and null holds no data.
        unsafe { replace_data(phydev, ptr::null_mut()) };
        if !T::HAS_PROBE {
            return 0;
        }
        from_result(|| {
            // SAFETY: The device is being bound: nothing else uses it (as in
            // `kernel::net::phy`'s probe), and its `priv_` is null.
            let dev = unsafe { Device::<T::Data>::from_raw(phydev) };
            let data = KBox::new(T::probe(dev)?, GFP_KERNEL)?;
            // SAFETY: `phydev` is valid; this is `T`'s probe callback and `data` its `Data`,
            // which `remove` frees.
            unsafe { replace_data(phydev, KBox::into_raw(data).cast()) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `phydev` is a device bound to `T`'s driver, passed to its `remove`.
    pub(super) unsafe extern "C" fn remove(phydev: *mut bindings::phy_device) {
        // SAFETY: `phydev` is valid; this is `T`'s remove callback.
        let data = unsafe { replace_data(phydev, ptr::null_mut()) };
        if !data.is_null() {
            // SAFETY: `probe` stored a `KBox<T::Data>` here, and no callback uses it any more:
            // those under `phydev->lock` find null, no other runs during remove.
            drop(unsafe { KBox::from_raw(data.cast::<T::Data>()) });
        }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `soft_reset` of `T`'s driver.
    pub(super) unsafe extern "C" fn soft_reset(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: Phylib resets the device with its lock held or while nothing else uses
        // it (`phy_init_hw()`); `T` is bound, so `priv_` holds its data or null.
        unsafe { Self::run(phydev, T::soft_reset) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `get_features` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_features(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: Called from `phy_probe()` after `probe`: the device is being bound,
        // nothing else uses it, and `priv_` holds `T`'s data or null.
        unsafe { Self::run(phydev, T::get_features) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `config_init` of `T`'s driver.
    pub(super) unsafe extern "C" fn config_init(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: Called from `phy_init_hw()`, as `soft_reset`.
        unsafe { Self::run(phydev, T::config_init) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `config_aneg` of `T`'s driver.
    pub(super) unsafe extern "C" fn config_aneg(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: Phylib holds `phydev->lock`; `T` is bound, so `priv_` holds its data or
        // null.
        unsafe { Self::run(phydev, T::config_aneg) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `read_status` of `T`'s driver.
    pub(super) unsafe extern "C" fn read_status(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: As in `config_aneg`.
        unsafe { Self::run(phydev, |dev| T::read_status(dev).map(|_| ())) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `suspend` of `T`'s driver.
    pub(super) unsafe extern "C" fn suspend(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: Phylib suspends a device nothing else uses at the time (as in
        // `kernel::net::phy`); `T` is bound, so `priv_` holds its data or null.
        unsafe { Self::run(phydev, T::suspend) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `resume` of `T`'s driver.
    pub(super) unsafe extern "C" fn resume(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: As in `suspend`.
        unsafe { Self::run(phydev, T::resume) }
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `link_change_notify` of `T`'s driver.
    pub(super) unsafe extern "C" fn link_change_notify(phydev: *mut bindings::phy_device) {
        // SAFETY: As in `config_aneg`.
        T::link_change_notify(unsafe { Device::from_raw(phydev) });
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `get_sqi` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_sqi(phydev: *mut bindings::phy_device) -> c_int {
        from_result(|| {
            // SAFETY: As in `config_aneg`.
            let sqi = T::get_sqi(unsafe { Device::from_raw(phydev) })?;
            Ok(sqi.try_into()?)
        })
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `get_sqi_max` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_sqi_max(phydev: *mut bindings::phy_device) -> c_int {
        from_result(|| {
            // SAFETY: As in `config_aneg`.
            let max = T::get_sqi_max(unsafe { Device::from_raw(phydev) });
            Ok(max.try_into()?)
        })
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `cable_test_start` of `T`'s driver.
    pub(super) unsafe extern "C" fn cable_test_start(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: As in `config_aneg`.
        unsafe { Self::run(phydev, T::cable_test_start) }
    }

    /// # Safety
    ///
    /// `phydev` and `finished` are passed by phylib to the `cable_test_get_status` of `T`'s
    /// driver.
    pub(super) unsafe extern "C" fn cable_test_get_status(
        phydev: *mut bindings::phy_device,
        finished: *mut bool,
    ) -> c_int {
        from_result(|| {
            // SAFETY: As in `config_aneg`.
            let dev = unsafe { Device::from_raw(phydev) };
            // SAFETY: Phylib's state machine calls this in `PHY_CABLETEST` only, with
            // `phydev->lock` held, the report allocated when the test started.
            let mut test = unsafe { CableTest::new(dev) };
            let done = T::cable_test_get_status(&mut test)?;
            // SAFETY: `finished` points at the state machine's flag, for the call.
            unsafe { *finished = done };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `update_stats` of `T`'s driver.
    pub(super) unsafe extern "C" fn update_stats(phydev: *mut bindings::phy_device) -> c_int {
        // SAFETY: As in `config_aneg`.
        unsafe { Self::run(phydev, T::update_stats) }
    }

    /// # Safety
    ///
    /// `phydev` and `stats` are passed by phylib to the `get_link_stats` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_link_stats(
        phydev: *mut bindings::phy_device,
        stats: *mut bindings::ethtool_link_ext_stats,
    ) {
        // SAFETY: As in `config_aneg`.
        let dev = unsafe { Device::from_raw(phydev) };
        // SAFETY: `stats` points at the statistics ethtool fills in, which nothing else
        // touches during the call.
        T::get_link_stats(dev, &mut LinkStats::new(unsafe { &mut *stats }));
    }

    /// # Safety
    ///
    /// `phydev` and `stats` are passed by phylib to the `get_phy_stats` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_phy_stats(
        phydev: *mut bindings::phy_device,
        _eth_stats: *mut bindings::ethtool_eth_phy_stats,
        stats: *mut bindings::ethtool_phy_stats,
    ) {
        // SAFETY: As in `config_aneg`.
        let dev = unsafe { Device::from_raw(phydev) };
        // SAFETY: `stats` points at the statistics ethtool fills in, which nothing else
        // touches during the call.
        T::get_phy_stats(dev, &mut PhyStats::new(unsafe { &mut *stats }));
    }

    /// # Safety
    ///
    /// `phydev` is passed by phylib to the `get_next_update_time` of `T`'s driver.
    pub(super) unsafe extern "C" fn get_next_update_time(
        phydev: *mut bindings::phy_device,
    ) -> c_uint {
        // SAFETY: As in `config_aneg`.
        let ms = T::get_next_update_time(unsafe { Device::from_raw(phydev) });
        // At least a jiffy: 0 would poll again at once.
        let jiffies = msecs_to_jiffies(ms).max(1);
        c_uint::try_from(jiffies).unwrap_or(c_uint::MAX)
    }
}
