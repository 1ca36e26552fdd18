// SPDX-License-Identifier: GPL-2.0

//! Rust PHY drivers: Asix AX88772A, AX88772C, AX88796B and TI DP83TG720S.
//!
//! The Asix drivers behave as the in-tree Rust driver
//! (drivers/net/phy/ax88796b_rust.rs), the DP83TG720S one as the C driver
//! (drivers/net/phy/dp83tg720.c), including its master/slave configuration,
//! SQI and cable test through `ethtool`, which `kernel::net::phy::Driver`
//! has no callbacks for: the drivers are written on the `phy` part of
//! rust/kernel_ext, which has them. Driver names start with "rkm " so that
//! the in-tree drivers for the same PHYs can be loaded too.
//!
//! Tested end to end on the emulated MDIO bus of rkm_mdio_sim
//! (Documentation/rkm_phy.rst).

mod asix;
mod dp83tg720;

#[path = "../../rust/phy_model/src/dp83tg720/mod.rs"]
pub mod dp83tg720_logic;
#[path = "../../rust/phy_model/src/emulation/oa_tdr.rs"]
pub mod oa_tdr;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

crate::module_phy_driver! {
    drivers: [
        asix::PhyAx88772a,
        asix::PhyAx88772c,
        asix::PhyAx88796b,
        dp83tg720::PhyDp83tg720,
    ],
    name: "rkm_phy",
    authors: ["rkm developers"],
    description: "Rust PHY drivers: Asix AX88772A/AX88772C/AX88796B, TI DP83TG720S",
    license: "GPL",
}
