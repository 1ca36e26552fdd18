// SPDX-License-Identifier: GPL-2.0

//! A PHY driver unbound and bound again through sysfs while its netdev is up.
//!
//! Unbinding removes the driver under phylib's feet: `phy_remove()` cancels the state machine
//! and leaves the PHY in state DOWN, still attached; binding again leaves it READY, never
//! started, and the netdev's next `phy_stop()` WARNs. So a notifier on the MDIO bus type stops
//! each port's PHY while its driver is still bound (`BUS_NOTIFY_UNBIND_DRIVER`, before
//! `remove`), and once a driver is bound again (`BUS_NOTIFY_BOUND_DRIVER`, after `probe`)
//! initialises the PHY as attaching did and starts it if the netdev is open.

use kernel::{
    device,
    prelude::*, //
};

use crate::kernel_ext::mdio::{
    BindEvents,
    BindNotifier, //
};
use crate::mac::PortLink;

/// The ports whose PHYs' drivers are watched.
pub(crate) struct BindWatch {
    links: KVec<PortLink>,
}

impl BindWatch {
    /// Watches the drivers of the PHYs of `links` (on one bus).
    pub(crate) fn new(links: KVec<PortLink>) -> Result<impl PinInit<BindNotifier<Self>, Error>> {
        let bus_type = links.first().ok_or(EINVAL)?.bus_type();
        Ok(BindNotifier::new(bus_type, Self { links }))
    }

    fn link(&self, dev: &device::Device) -> Option<&PortLink> {
        self.links.iter().find(|link| link.is_phy_device(dev))
    }
}

impl BindEvents for BindWatch {
    fn unbinding(&self, dev: &device::Device) {
        if let Some(link) = self.link(dev) {
            link.driver_unbinding();
        }
    }

    fn bound(&self, dev: &device::Device) {
        if let Some(link) = self.link(dev) {
            link.driver_bound();
        }
    }
}
