// SPDX-License-Identifier: GPL-2.0

//! Rust PHY drivers: Asix AX88772A, AX88772C, AX88796B and TI DP83TG720S.
//!
//! The Asix drivers behave as the in-tree Rust driver
//! (drivers/net/phy/ax88796b_rust.rs), the DP83TG720S one as the C driver
//! (drivers/net/phy/dp83tg720.c), including its master/slave configuration,
//! SQI and cable test through `ethtool`, which `kernel::net::phy::Driver`
//! has no callbacks for: `phy_ext.rs` adds them. Driver names start with
//! "rkm " so that the in-tree drivers for the same PHYs can be loaded too.
//!
//! Tested end to end on the emulated MDIO bus of rkm_mdio_sim
//! (Documentation/rkm_phy.rst).

mod asix;
mod dp83tg720;
mod phy_ext;

#[path = "../../rust/phy_model/src/dp83tg720/mod.rs"]
pub mod dp83tg720_logic;
#[path = "../../rust/phy_model/src/phy_model/oa_tdr.rs"]
pub mod oa_tdr;

use kernel::{
    net::phy::{
        self,
        DeviceId,
        DriverVTable, //
    },
    prelude::*,
};

use asix::{
    PhyAx88772a,
    PhyAx88772c,
    PhyAx88796b, //
};
use dp83tg720::PhyDp83tg720;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

crate::generated_bindings!(
    /// Items generated from rkm_phy_bindings.h.
    mod ffi_ext = "rkm_phy_bindings_generated.rs"
);

module! {
    type: RkmPhy,
    name: "rkm_phy",
    authors: ["rkm developers"],
    description: "Rust PHY drivers: Asix AX88772A/AX88772C/AX88796B, TI DP83TG720S",
    license: "GPL",
}

kernel::module_device_table!(
    "mdio",
    DeviceId,
    MDIO_TABLE,
    @none,
    [
        DeviceId::new_with_driver::<PhyAx88772a>(),
        DeviceId::new_with_driver::<PhyAx88772c>(),
        DeviceId::new_with_driver::<PhyAx88796b>(),
        DeviceId::new_with_driver::<PhyDp83tg720>(),
    ]
);

struct RkmPhy {
    _drivers: phy::Registration,
}

// What `module_phy_driver!` expands to, with the DP83TG720S's table built by
// `phy_ext` instead of `phy::create_phy_driver`.
const _: () = {
    static mut DRIVERS: [DriverVTable; 4] = [
        phy::create_phy_driver::<PhyAx88772a>(),
        phy::create_phy_driver::<PhyAx88772c>(),
        phy::create_phy_driver::<PhyAx88796b>(),
        phy_ext::create_phy_driver::<PhyDp83tg720>(),
    ];

    impl kernel::Module for RkmPhy {
        fn init(module: &'static ThisModule) -> Result<Self> {
            // SAFETY: The anonymous constant keeps everything else from
            // `DRIVERS`; module init runs once, and only the C side uses the
            // array afterwards.
            let drivers = unsafe { (&raw mut DRIVERS).as_mut() }.ok_or(EINVAL)?;
            Ok(Self {
                _drivers: phy::Registration::register(module, Pin::static_mut(drivers))?,
            })
        }
    }
};
