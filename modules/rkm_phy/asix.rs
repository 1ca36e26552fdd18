// SPDX-License-Identifier: GPL-2.0

//! Asix AX88772A, AX88772C and AX88796B PHYs.
//!
//! The behaviour of the in-tree Rust driver, drivers/net/phy/ax88796b_rust.rs
//! (C version: drivers/net/phy/ax88796b.c), under names of their own so both
//! can be loaded: the emulator's oracle tests compare the two.

use kernel::{
    prelude::*,
    uapi, //
};

use crate::kernel_ext::phy::{
    self,
    reg::C22,
    DeviceId,
    Driver, //
};

const BMCR_SPEED100: u16 = uapi::BMCR_SPEED100 as u16;
const BMCR_FULLDPLX: u16 = uapi::BMCR_FULLDPLX as u16;

// Performs a software PHY reset using the standard BMCR_RESET bit and polls
// for the reset bit to be cleared. Toggles BMCR_RESET off first to
// accommodate the broken AX88796B PHY implementation used on the Individual
// Computers' X-Surf 100 Zorro card.
fn asix_soft_reset(dev: &mut phy::Device) -> Result {
    dev.write(C22::BMCR, 0)?;
    dev.genphy_soft_reset()
}

pub(crate) struct PhyAx88772a;

#[vtable]
impl Driver for PhyAx88772a {
    type Data = ();
    const FLAGS: u32 = phy::flags::IS_INTERNAL;
    const NAME: &'static CStr = c"rkm Asix Electronics AX88772A";
    const PHY_DEVICE_ID: DeviceId = DeviceId::new_with_exact_mask(0x003b1861);

    // AX88772A does not work properly with some old switches (NETGEAR EN
    // 108TP): after autoneg is done and the link status is reported as
    // active, MII_LPA is 0. Not reproducible on AX88772C.
    fn read_status(dev: &mut phy::Device) -> Result<u16> {
        dev.genphy_update_link()?;
        if !dev.is_link_up() {
            return Ok(0);
        }
        // With MII_LPA 0, phy_resolve_aneg_linkmode() cannot resolve the
        // link mode, so BMCR's speed and duplex are the defaults.
        let bmcr = dev.read(C22::BMCR)?;
        if bmcr & BMCR_SPEED100 != 0 {
            dev.set_speed(uapi::SPEED_100);
        } else {
            dev.set_speed(uapi::SPEED_10);
        }
        let duplex = if bmcr & BMCR_FULLDPLX != 0 {
            phy::DuplexMode::Full
        } else {
            phy::DuplexMode::Half
        };
        dev.set_duplex(duplex);

        dev.genphy_read_lpa()?;
        if dev.is_autoneg_enabled() && dev.is_autoneg_completed() {
            dev.resolve_aneg_linkmode();
        }
        Ok(0)
    }

    fn suspend(dev: &mut phy::Device) -> Result {
        dev.genphy_suspend()
    }

    fn resume(dev: &mut phy::Device) -> Result {
        dev.genphy_resume()
    }

    fn soft_reset(dev: &mut phy::Device) -> Result {
        asix_soft_reset(dev)
    }

    fn link_change_notify(dev: &mut phy::Device) {
        // Reset the PHY, otherwise MII_LPA provides outdated information.
        // Reproducible only with some link partner PHYs. Errors have nowhere
        // to go from a notification; the next poll reports them.
        if dev.state() == phy::DeviceState::NoLink {
            let _ = dev.init_hw();
            let _ = dev.start_aneg();
        }
    }
}

pub(crate) struct PhyAx88772c;

#[vtable]
impl Driver for PhyAx88772c {
    type Data = ();
    const FLAGS: u32 = phy::flags::IS_INTERNAL;
    const NAME: &'static CStr = c"rkm Asix Electronics AX88772C";
    const PHY_DEVICE_ID: DeviceId = DeviceId::new_with_exact_mask(0x003b1881);

    fn suspend(dev: &mut phy::Device) -> Result {
        dev.genphy_suspend()
    }

    fn resume(dev: &mut phy::Device) -> Result {
        dev.genphy_resume()
    }

    fn soft_reset(dev: &mut phy::Device) -> Result {
        asix_soft_reset(dev)
    }
}

pub(crate) struct PhyAx88796b;

#[vtable]
impl Driver for PhyAx88796b {
    type Data = ();
    const NAME: &'static CStr = c"rkm Asix Electronics AX88796B";
    const PHY_DEVICE_ID: DeviceId = DeviceId::new_with_model_mask(0x003b1841);

    fn soft_reset(dev: &mut phy::Device) -> Result {
        asix_soft_reset(dev)
    }
}
