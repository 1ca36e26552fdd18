// SPDX-License-Identifier: GPL-2.0

//! PHY register addresses in the clause 22 and clause 45 namespaces, as `kernel::net::phy::reg`
//! has them.
//!
//! The kernel crate's `C22` and `C45` keep their addresses private and are read through its own
//! `Device` only, so the part has its own, with the registers its drivers name.

use kernel::{
    bindings,
    error::to_result,
    ffi::c_int,
    prelude::*,
    uapi, //
};

use super::Device;

mod private {
    /// Marker that [`super::Register`] cannot be implemented outside of this part.
    pub trait Sealed {}
}

/// A PHY register a [`Device`] reads and writes: [`C22`] or [`C45`].
pub trait Register: private::Sealed {
    /// Reads the register.
    fn read<D>(&self, dev: &mut Device<D>) -> Result<u16>;

    /// Writes the register.
    fn write<D>(&self, dev: &mut Device<D>, val: u16) -> Result;
}

/// The value phylib's register reads return: the register or a negative errno.
fn value(ret: c_int) -> Result<u16> {
    to_result(ret)?;
    // CAST: Not an errno: a register's 16 bits.
    Ok(ret as u16)
}

/// A clause 22 register address (5 bits).
#[derive(Copy, Clone, Debug)]
pub struct C22(u8);

impl C22 {
    /// Basic mode control.
    pub const BMCR: Self = C22(0x00);

    /// A vendor-specific register, 16 to 31.
    pub const fn vendor_specific<const N: u8>() -> Self {
        const {
            assert!(
                N > 0x0f && N < 0x20,
                "Vendor-specific register address must be between 16 and 31"
            )
        };
        C22(N)
    }
}

impl private::Sealed for C22 {}

impl Register for C22 {
    fn read<D>(&self, dev: &mut Device<D>) -> Result<u16> {
        let phydev = dev.as_raw();
        // SAFETY: By the type invariants of `Device`, `phydev` is a valid PHY device, whose bus
        // and address are set. This is `phy_read()`, a static inline.
        value(unsafe {
            bindings::mdiobus_read((*phydev).mdio.bus, (*phydev).mdio.addr, self.0.into())
        })
    }

    fn write<D>(&self, dev: &mut Device<D>, val: u16) -> Result {
        let phydev = dev.as_raw();
        // SAFETY: As in `read`; this is `phy_write()`, a static inline.
        to_result(unsafe {
            bindings::mdiobus_write((*phydev).mdio.bus, (*phydev).mdio.addr, self.0.into(), val)
        })
    }
}

/// A clause 45 MMD (MDIO manageable device) address.
#[derive(Copy, Clone, Debug)]
pub struct Mmd(u8);

impl Mmd {
    /// Vendor specific 2.
    pub const VEND2: Self = Mmd(uapi::MDIO_MMD_VEND2 as u8);
}

/// A clause 45 register: an [`Mmd`] and a 16-bit address in it.
#[derive(Copy, Clone, Debug)]
pub struct C45 {
    devad: Mmd,
    regnum: u16,
}

impl C45 {
    /// Register `regnum` of MMD `devad`.
    pub const fn new(devad: Mmd, regnum: u16) -> Self {
        Self { devad, regnum }
    }

    /// `phy_modify_mmd()`: see [`Device::modify_mmd`].
    pub(super) fn modify<D>(&self, dev: &mut Device<D>, mask: u16, set: u16) -> Result {
        // SAFETY: By the type invariants of `Device`, `dev.as_raw()` is a valid PHY device;
        // phylib takes the bus lock.
        to_result(unsafe {
            bindings::phy_modify_mmd(
                dev.as_raw(),
                self.devad.0.into(),
                self.regnum.into(),
                mask,
                set,
            )
        })
    }
}

impl private::Sealed for C45 {}

impl Register for C45 {
    fn read<D>(&self, dev: &mut Device<D>) -> Result<u16> {
        // SAFETY: By the type invariants of `Device`, `dev.as_raw()` is a valid PHY device.
        value(unsafe {
            bindings::phy_read_mmd(dev.as_raw(), self.devad.0.into(), self.regnum.into())
        })
    }

    fn write<D>(&self, dev: &mut Device<D>, val: u16) -> Result {
        // SAFETY: By the type invariants of `Device`, `dev.as_raw()` is a valid PHY device.
        to_result(unsafe {
            bindings::phy_write_mmd(dev.as_raw(), self.devad.0.into(), self.regnum.into(), val)
        })
    }
}
