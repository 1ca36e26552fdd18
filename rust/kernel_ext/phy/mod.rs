// SPDX-License-Identifier: GPL-2.0

//! PHY drivers with the `struct phy_driver` callbacks `kernel::net::phy` lacks.
//!
//! Wraps phylib's `struct phy_driver` and `struct phy_device` (include/linux/phy.h), as
//! `kernel::net::phy` does, with what a driver like the TI DP83TG720's needs beyond it:
//! per-device data, `config_init`, SQI, cable tests with their results reported to ethtool,
//! statistics and the poll interval. The kernel crate's `Driver` trait has no callbacks for
//! them, and its `DriverVTable` and `Device` can neither be extended nor built outside the crate
//! (their layouts are its own), so this part has the whole driver side:
//!
//! - [`Driver`], a `#[vtable]` trait with the crate's callbacks the rkm drivers use and the
//!   extra ones, and [`Driver::Data`], the per-device data its [`Driver::probe`] creates and
//!   remove drops;
//! - [`Device`], the device as the callbacks see it, with methods named as
//!   `kernel::net::phy::Device`'s and the driver's data through [`Device::data`];
//! - [`CableTest`], given to [`Driver::cable_test_get_status`] only: phylib has a report to fill
//!   only while it polls a running test;
//! - [`create_phy_driver`], a `struct phy_driver` built from the bindings, and
//!   [`Registration`] (`phy_drivers_register()`);
//! - [`module_phy_driver!`](crate::module_phy_driver), which declares a module of PHY drivers
//!   as the kernel crate's macro of that name does.
//!
//! It reuses the crate's public pieces: [`DeviceId`], [`DeviceState`], [`DuplexMode`] and
//! [`flags`]. A module gets the part through `rust/kernel_ext/Kbuild.ext`
//! (Documentation/kernel_ext.rst).
//!
//! ```ignore
//! crate::module_phy_driver! {
//!     drivers: [PhySample],
//!     name: "rust_sample_phy",
//!     authors: ["Rust for Linux Contributors"],
//!     description: "Rust sample PHYs driver",
//!     license: "GPL",
//! }
//!
//! struct PhySample;
//!
//! #[vtable]
//! impl phy::Driver for PhySample {
//!     type Data = ();
//!     const NAME: &'static CStr = c"PhySample";
//!     const PHY_DEVICE_ID: phy::DeviceId = phy::DeviceId::new_with_exact_mask(0x00000001);
//! }
//! ```

mod adapter;
mod device;
mod ethtool;
pub mod reg;

use super::phy_ffi as ffi;

use kernel::{
    bindings,
    error::{
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    ffi::c_int,
    prelude::*,
    str::as_char_ptr_in_const_context,
    time::Msecs,
    types::Opaque, //
};

use self::adapter::Adapter;
pub use self::{
    device::Device,
    ethtool::{
        CablePair,
        CableResult,
        CableSource,
        CableTest,
        LinkStats,
        PhyStats, //
    },
};
pub use kernel::net::phy::{
    flags,
    DeviceId,
    DeviceState,
    DuplexMode, //
};

/// A PHY driver: the `struct phy_driver` callbacks it implements.
///
/// A callback the driver does not implement is not in its `struct phy_driver`, so phylib does
/// what it does without one. Every callback gets the device as a [`Device`] of the driver's
/// [`Driver::Data`].
#[vtable]
pub trait Driver {
    /// The data the driver keeps per device: created by [`Driver::probe`], dropped when the
    /// driver is unbound. `()` for none, with no `probe`.
    // `'static`: the device keeps it for as long as the driver is bound.
    type Data: Send + 'static;

    /// Flags of the PHY (the [`flags`] module).
    const FLAGS: u32 = 0;

    /// The driver's name, unique on the MDIO bus.
    const NAME: &'static CStr;

    /// The PHY ids the driver binds to.
    const PHY_DEVICE_ID: DeviceId = DeviceId::new_with_custom_mask(0, 0);

    /// Creates the device's data when the driver binds (`probe`); [`Device::data`] has it
    /// afterwards.
    fn probe(_dev: &mut Device<Self::Data>) -> Result<Self::Data> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Resets the PHY (`soft_reset`).
    fn soft_reset(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Finds the PHY's abilities (`get_features`).
    fn get_features(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Configures the PHY, after every reset too (`config_init`).
    fn config_init(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Configures the advertisement and restarts autonegotiation, or forces the link mode
    /// (`config_aneg`).
    fn config_aneg(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads the link state, speed and duplex (`read_status`). The value is not used, as in
    /// `kernel::net::phy::Driver`.
    fn read_status(_dev: &mut Device<Self::Data>) -> Result<u16> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Suspends the PHY (`suspend`).
    fn suspend(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Resumes the PHY (`resume`).
    fn resume(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called when phylib is about to change the link state (`link_change_notify`).
    fn link_change_notify(_dev: &mut Device<Self::Data>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The signal quality, 0 to [`Driver::get_sqi_max`] (`get_sqi`).
    fn get_sqi(_dev: &mut Device<Self::Data>) -> Result<u32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The best signal quality (`get_sqi_max`).
    fn get_sqi_max(_dev: &mut Device<Self::Data>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Starts a cable test (`cable_test_start`); phylib offers the test to ethtool only with
    /// [`Driver::cable_test_get_status`] too.
    fn cable_test_start(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Polls the running cable test and, once it is done, reports its results through `test`
    /// and returns `true` (`cable_test_get_status`).
    fn cable_test_get_status(_test: &mut CableTest<'_, Self::Data>) -> Result<bool> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Accumulates the PHY's counters before they overflow (`update_stats`). phylib polls a
    /// PHY whose driver has it.
    fn update_stats(_dev: &mut Device<Self::Data>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Fills in the link statistics (`get_link_stats`).
    fn get_link_stats(_dev: &mut Device<Self::Data>, _stats: &mut LinkStats<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Fills in the packet statistics (`get_phy_stats`).
    fn get_phy_stats(_dev: &mut Device<Self::Data>, _stats: &mut PhyStats<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Milliseconds until phylib polls the PHY again (`get_next_update_time`).
    fn get_next_update_time(_dev: &mut Device<Self::Data>) -> Msecs {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `struct phy_driver` of a [`Driver`], made by [`create_phy_driver`] and registered by
/// [`Registration`].
///
/// # Invariants
///
/// `self.0` is a valid `struct phy_driver` whose callbacks are those of `Adapter<T>` for a
/// `T: Driver`.
#[repr(transparent)]
pub struct DriverVTable(Opaque<bindings::phy_driver>);

// SAFETY: A `struct phy_driver` is constant data about the driver (name, ids, callbacks) until it
// is registered, valid on any thread; the driver core registers and unregisters it from any
// thread.
unsafe impl Send for DriverVTable {}

// SAFETY: No `&self` method reads or writes the `struct phy_driver`; the driver core
// serialises its own accesses.
unsafe impl Sync for DriverVTable {}

/// The `struct phy_driver` of `T`: its name, flags and ids, and the callbacks it implements
/// (probe and remove always, for [`Driver::Data`]).
pub const fn create_phy_driver<T: Driver>() -> DriverVTable {
    // INVARIANT: Every field is set or zero (no callback), the callbacks are `Adapter<T>`'s.
    DriverVTable(Opaque::new(bindings::phy_driver {
        name: as_char_ptr_in_const_context(T::NAME).cast_mut(),
        flags: T::FLAGS,
        phy_id: T::PHY_DEVICE_ID.id(),
        phy_id_mask: T::PHY_DEVICE_ID.mask_as_int(),
        probe: Some(Adapter::<T>::probe),
        remove: Some(Adapter::<T>::remove),
        soft_reset: if T::HAS_SOFT_RESET {
            Some(Adapter::<T>::soft_reset)
        } else {
            None
        },
        get_features: if T::HAS_GET_FEATURES {
            Some(Adapter::<T>::get_features)
        } else {
            None
        },
        config_init: if T::HAS_CONFIG_INIT {
            Some(Adapter::<T>::config_init)
        } else {
            None
        },
        config_aneg: if T::HAS_CONFIG_ANEG {
            Some(Adapter::<T>::config_aneg)
        } else {
            None
        },
        read_status: if T::HAS_READ_STATUS {
            Some(Adapter::<T>::read_status)
        } else {
            None
        },
        suspend: if T::HAS_SUSPEND {
            Some(Adapter::<T>::suspend)
        } else {
            None
        },
        resume: if T::HAS_RESUME {
            Some(Adapter::<T>::resume)
        } else {
            None
        },
        link_change_notify: if T::HAS_LINK_CHANGE_NOTIFY {
            Some(Adapter::<T>::link_change_notify)
        } else {
            None
        },
        get_sqi: if T::HAS_GET_SQI {
            Some(Adapter::<T>::get_sqi)
        } else {
            None
        },
        get_sqi_max: if T::HAS_GET_SQI_MAX {
            Some(Adapter::<T>::get_sqi_max)
        } else {
            None
        },
        cable_test_start: if T::HAS_CABLE_TEST_START {
            Some(Adapter::<T>::cable_test_start)
        } else {
            None
        },
        cable_test_get_status: if T::HAS_CABLE_TEST_GET_STATUS {
            Some(Adapter::<T>::cable_test_get_status)
        } else {
            None
        },
        update_stats: if T::HAS_UPDATE_STATS {
            Some(Adapter::<T>::update_stats)
        } else {
            None
        },
        get_link_stats: if T::HAS_GET_LINK_STATS {
            Some(Adapter::<T>::get_link_stats)
        } else {
            None
        },
        get_phy_stats: if T::HAS_GET_PHY_STATS {
            Some(Adapter::<T>::get_phy_stats)
        } else {
            None
        },
        get_next_update_time: if T::HAS_GET_NEXT_UPDATE_TIME {
            Some(Adapter::<T>::get_next_update_time)
        } else {
            None
        },
        ..pin_init::zeroed()
    }))
}

/// PHY drivers registered with phylib, unregistered when dropped.
///
/// # Invariants
///
/// `drivers` are registered with `phy_drivers_register()`, at the address they keep until
/// dropped.
pub struct Registration {
    drivers: Pin<KBox<[DriverVTable]>>,
}

impl Registration {
    /// Registers `drivers`, in their order (phylib binds a PHY to the first that matches), for
    /// `module`.
    pub fn register<const N: usize>(
        module: &'static ThisModule,
        drivers: [DriverVTable; N],
    ) -> Result<Self> {
        const { assert!(N > 0, "no PHY driver to register") };
        let drivers: KBox<[DriverVTable]> = KBox::new(drivers, GFP_KERNEL)?;
        let drivers = Pin::from(drivers);
        // SAFETY: By the type invariants of `DriverVTable`, the `N` drivers are valid
        // `struct phy_driver`s, in an array that is pinned, so stays where it is until `Self`
        // unregisters it; `module` is the module they belong to, loaded.
        to_result(unsafe {
            bindings::phy_drivers_register(Self::as_raw(&drivers), N.try_into()?, module.as_ptr())
        })?;
        // INVARIANT: Registered above; `drivers` are pinned.
        Ok(Self { drivers })
    }

    /// The C array of `drivers`, which C writes to through the `Opaque` cells.
    fn as_raw(drivers: &[DriverVTable]) -> *mut bindings::phy_driver {
        // CAST: `DriverVTable` is `repr(transparent)` over `bindings::phy_driver`.
        drivers.as_ptr().cast::<bindings::phy_driver>().cast_mut()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // CAST: `register` fitted the length into a C int.
        let len = self.drivers.len() as c_int;
        // SAFETY: By the type invariants, `self.drivers` are registered.
        unsafe { bindings::phy_drivers_unregister(Self::as_raw(&self.drivers), len) };
    }
}

/// Declares a kernel module of PHY drivers, as `kernel::module_phy_driver!` does for the kernel
/// crate's: the [`Registration`] of the drivers, in their order, and the `mdio` device table of
/// their [`Driver::PHY_DEVICE_ID`]s, which modprobe loads the module by. The other fields are
/// `module!`'s. Invoke it at the crate root.
#[macro_export]
macro_rules! module_phy_driver {
    (drivers: [$($driver:ty),+ $(,)?], $($fields:tt)*) => {
        /// The module: its PHY drivers, registered while it is loaded.
        struct Module {
            _drivers: $crate::kernel_ext::phy::Registration,
        }

        ::kernel::prelude::module! {
            type: Module,
            $($fields)*
        }

        impl ::kernel::Module for Module {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                let drivers = [$($crate::kernel_ext::phy::create_phy_driver::<$driver>()),+];
                ::core::result::Result::Ok(Self {
                    _drivers: $crate::kernel_ext::phy::Registration::register(module, drivers)?,
                })
            }
        }

        ::kernel::module_device_table!(
            "mdio",
            $crate::kernel_ext::phy::DeviceId,
            TABLE,
            @none,
            [$(<$driver as $crate::kernel_ext::phy::Driver>::PHY_DEVICE_ID),+]
        );
    };
}
