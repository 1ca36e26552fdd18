// SPDX-License-Identifier: GPL-2.0

//! The platform devices netdevs hang under, bound to a driver for as long as they live.
//!
//! phylib's `phy_attach_direct()` and `phy_detach()` read the driver of a netdev's parent (to
//! pin the MDIO bus's module when it differs from the parent driver's), so a netdev with an
//! attached PHY needs a parent that stays bound. A [`Parent`] does, as the kernel crate's
//! `faux::Registration` does for faux devices: its driver has no sysfs bind and unbind files and
//! stays registered while the parent lives.

use core::ptr::NonNull;

use kernel::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::c_int,
    prelude::*,
    sync::Arc,
    types::Opaque,
    ThisModule, //
};

/// A platform driver that binds the platform devices of its name and does nothing else.
///
/// Owned by the module that registers it, so that when the same module owns the MDIO bus,
/// attaching a PHY does not pin the module.
///
/// # Invariants
///
/// `driver` is registered, named `name`, with `suppress_bind_attrs` set, from initialisation
/// until drop.
#[pin_data(PinnedDrop)]
pub struct ParentDriver {
    name: &'static CStr,
    #[pin]
    driver: Opaque<bindings::platform_driver>,
}

// SAFETY: The driver is only unregistered (in `drop`), which any thread may do.
unsafe impl Send for ParentDriver {}
// SAFETY: `&ParentDriver` only gives the driver's address to the driver core, which serialises
// its users.
unsafe impl Sync for ParentDriver {}

impl ParentDriver {
    /// Registers the platform driver `name`, owned by `module`.
    pub fn register(name: &'static CStr, module: &'static ThisModule) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Self {
                name,
                driver <- Opaque::try_ffi_init(move |driver: *mut bindings::platform_driver| {
                    // SAFETY: `driver` is valid for writes (the field being initialised) and
                    // stays pinned until `drop` unregisters it; `name` is static.
                    unsafe {
                        driver.write(bindings::platform_driver {
                            probe: Some(probe),
                            driver: bindings::device_driver {
                                name: name.as_char_ptr(),
                                // Bound until unregistered: see the module documentation.
                                suppress_bind_attrs: true,
                                probe_type: bindings::probe_type_PROBE_FORCE_SYNCHRONOUS,
                                ..pin_init::zeroed()
                            },
                            ..pin_init::zeroed()
                        });
                        to_result(bindings::__platform_driver_register(
                            driver,
                            module.as_ptr(),
                            name.as_char_ptr(),
                        ))
                    }
                }),
            }? Error),
            GFP_KERNEL,
        )
    }
}

#[pinned_drop]
impl PinnedDrop for ParentDriver {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered by the type invariants.
        unsafe { bindings::platform_driver_unregister(self.driver.get()) };
    }
}

/// `probe` of [`ParentDriver`]: binding is all it does.
extern "C" fn probe(_pdev: *mut bindings::platform_device) -> c_int {
    0
}

/// A platform device named after a [`ParentDriver`], bound to it while it lives.
///
/// # Invariants
///
/// `pdev` is a registered platform device bound to the driver of `_driver` until `drop`
/// unregisters it. Nothing unbinds it before: its driver has no sysfs unbind file and `_driver`
/// keeps it registered.
pub struct Parent {
    pdev: NonNull<bindings::platform_device>,
    _driver: Arc<ParentDriver>,
}

// SAFETY: The device is only unregistered (in `drop`), which any thread may do.
unsafe impl Send for Parent {}
// SAFETY: `&Parent` only gives the device's address to the netdev core.
unsafe impl Sync for Parent {}

impl Parent {
    /// Registers the platform device `<driver's name>.<id>` and binds it to `driver`; fails with
    /// `ENODEV` if it binds to no driver or another one.
    pub fn register(driver: &Arc<ParentDriver>, id: c_int) -> Result<Self> {
        let info = bindings::platform_device_info {
            name: driver.name.as_char_ptr(),
            id,
            ..Default::default()
        };
        // SAFETY: `info` is valid for the call, which copies what it keeps.
        let pdev = from_err_ptr(unsafe { bindings::platform_device_register_full(&info) })?;
        // INVARIANT: Registered; bound or unregistered below.
        let parent = Self {
            pdev: NonNull::new(pdev).ok_or(ENOMEM)?,
            _driver: driver.clone(),
        };
        // SAFETY: `pdev` is a registered platform device, the driver registered: `probe` ran
        // synchronously (`PROBE_FORCE_SYNCHRONOUS`), so the device is bound now or never.
        let bound = unsafe { (*pdev).dev.driver };
        // SAFETY: Only the address of the field is taken.
        let ours = unsafe { &raw const (*driver.driver.get()).driver };
        if !core::ptr::eq(bound, ours) {
            return Err(ENODEV);
        }
        Ok(parent)
    }

    /// Returns the parent's `struct device`, valid and bound while `self` lives.
    pub(super) fn device(&self) -> *mut bindings::device {
        // SAFETY: `pdev` is valid by the type invariants; only the address of a field is taken.
        unsafe { &raw mut (*self.pdev.as_ptr()).dev }
    }
}

impl Drop for Parent {
    fn drop(&mut self) {
        // SAFETY: Registered by the type invariants; nothing uses it after this.
        unsafe { bindings::platform_device_unregister(self.pdev.as_ptr()) };
    }
}
