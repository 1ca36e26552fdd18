// SPDX-License-Identifier: GPL-2.0

//! The MDIO bus: a `struct mii_bus` whose read and write go to the emulator.

use kernel::{
    bindings,
    error::to_result,
    ffi::c_int,
    prelude::*,
    sync::Arc, //
};

use crate::emulator::Emulator;

/// The bus id: PHY devices are named `rkm-mdio-sim:<addr>`.
pub(crate) const BUS_ID: &CStr = c"rkm-mdio-sim";

/// A registered MDIO bus.
///
/// # Invariants
///
/// `bus` is a registered `struct mii_bus` whose `priv_` points at the
/// emulator `_emulator` keeps alive, until `drop` unregisters it.
pub(crate) struct MdioBus {
    bus: *mut bindings::mii_bus,
    _emulator: Arc<Emulator>,
}

// SAFETY: The bus is only unregistered (in `drop`), which any thread may do;
// `Emulator` is `Send + Sync`.
unsafe impl Send for MdioBus {}
// SAFETY: `&MdioBus` only gives out the bus pointer for phylib calls, which
// serialise themselves.
unsafe impl Sync for MdioBus {}

impl MdioBus {
    /// Registers a bus with PHYs at the addresses in `phy_mask`, which the
    /// bus scan finds and phylib binds drivers to.
    pub(crate) fn register(
        emulator: Arc<Emulator>,
        phy_mask: u32,
        module: &'static ThisModule,
    ) -> Result<Self> {
        // SAFETY: Allocates a zeroed bus without private area; no preconditions.
        let bus = unsafe { bindings::mdiobus_alloc_size(0) };
        if bus.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `bus` is a valid, unregistered bus only this function sees.
        unsafe {
            (*bus).name = c"rkm emulated MDIO bus".as_char_ptr();
            for (dst, src) in (*bus).id.iter_mut().zip(BUS_ID.to_bytes_with_nul()) {
                *dst = *src as kernel::ffi::c_char;
            }
            (*bus).priv_ = Arc::as_ptr(&emulator).cast_mut().cast();
            (*bus).read = Some(read);
            (*bus).write = Some(write);
            (*bus).phy_mask = !phy_mask;
        }
        // SAFETY: `bus` is fully set up; `module` owns the callbacks, so phylib
        // pins it while PHYs on the bus are attached to a foreign netdev.
        if let Err(e) = to_result(unsafe { bindings::__mdiobus_register(bus, module.as_ptr()) }) {
            // SAFETY: `bus` was allocated above and is not registered.
            unsafe { bindings::mdiobus_free(bus) };
            return Err(e);
        }
        // INVARIANT: registered, `priv_` points at the emulator kept in `Self`.
        Ok(Self {
            bus,
            _emulator: emulator,
        })
    }

    /// The PHY device the bus scan created at `addr`.
    pub(crate) fn phy(&self, addr: u8) -> Result<*mut bindings::phy_device> {
        // SAFETY: `self.bus` is registered by the type invariant.
        let phydev = unsafe { bindings::mdiobus_get_phy(self.bus, addr.into()) };
        if phydev.is_null() {
            return Err(ENODEV);
        }
        Ok(phydev)
    }
}

impl Drop for MdioBus {
    fn drop(&mut self) {
        // SAFETY: `self.bus` is registered by the type invariant. Once
        // unregistered no callback runs any more, so the emulator may go.
        unsafe {
            bindings::mdiobus_unregister(self.bus);
            bindings::mdiobus_free(self.bus);
        }
    }
}

/// # Safety
///
/// `bus` is a bus registered by [`MdioBus::register`].
unsafe extern "C" fn read(bus: *mut bindings::mii_bus, addr: c_int, regnum: c_int) -> c_int {
    // SAFETY: By the caller's guarantee `priv_` points at the emulator,
    // alive while the bus is registered.
    let emulator = unsafe { &*(*bus).priv_.cast::<Emulator>() };
    let (Ok(addr), Ok(reg)) = (u8::try_from(addr), u8::try_from(regnum)) else {
        return EINVAL.to_errno();
    };
    match emulator.read(addr, reg) {
        Ok(value) => value.into(),
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `bus` is a bus registered by [`MdioBus::register`].
unsafe extern "C" fn write(
    bus: *mut bindings::mii_bus,
    addr: c_int,
    regnum: c_int,
    value: u16,
) -> c_int {
    // SAFETY: By the caller's guarantee `priv_` points at the emulator,
    // alive while the bus is registered.
    let emulator = unsafe { &*(*bus).priv_.cast::<Emulator>() };
    let (Ok(addr), Ok(reg)) = (u8::try_from(addr), u8::try_from(regnum)) else {
        return EINVAL.to_errno();
    };
    match emulator.write(addr, reg, value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
