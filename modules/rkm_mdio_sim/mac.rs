// SPDX-License-Identifier: GPL-2.0

//! The MAC side: a network device on each emulated PHY, so `ip link` and `ethtool` see it.
//!
//! Each port decides when phylib may start and stop its PHY: while the netdev is open and the
//! PHY attached and bound to a driver. The link also holds the PHY's state machine back, for
//! the tests, until they run it.
//!
//! A PHY driver unbound and bound again through sysfs while the netdev is up: unbinding
//! removes the driver under phylib's feet (`phy_remove()` cancels the state machine and leaves
//! the PHY in state DOWN, still attached), and binding again leaves it READY, never started,
//! so the netdev's next `phy_stop()` would WARN. So the port stops the PHY while its driver is
//! still bound, and once a driver is bound again initialises the PHY as attaching did and
//! starts it if the netdev is open.
//!
//! Each netdev's parent is a platform device `rkm_mdio_sim.<addr>` bound to this module's
//! platform driver `rkm_mdio_sim`: phylib pins the bus's module when the driver of a netdev's
//! parent belongs to another module, so with both this module's, it can be unloaded with its
//! PHYs attached.

use kernel::{
    prelude::*,
    str::CString,
    sync::Arc, //
};

use crate::emulation::Model;
use crate::kernel_ext::{
    mdio,
    netdev::{
        AttachedPhy,
        Interface,
        Link,
        LinkGuard,
        Mac,
        Netdev,
        Parent,
        ParentDriver, //
    },
};

/// Name of the platform driver and devices that parent the netdevs.
pub(crate) const PARENT_NAME: &CStr = c"rkm_mdio_sim";

/// What the module keeps of a port under its link's lock.
pub(crate) struct PortState {
    addr: u8,
    /// The netdev is open: between `ndo_open` and `ndo_stop`.
    up: bool,
}

impl PortState {
    /// The PHY, when phylib may drive it: attached with a driver, the netdev open.
    fn started<'a>(link: &'a LinkGuard<'_, Self>) -> Option<AttachedPhy<'a>> {
        if link.up {
            link.attached()
        } else {
            None
        }
    }

    /// Starts the PHY if it may run; called once a condition of it turned true.
    fn start_phy(link: &LinkGuard<'_, Self>) {
        if let Some(phy) = Self::started(link) {
            phy.start();
        }
    }

    /// Stops the PHY if it was started; called before a condition of it turns false.
    fn stop_phy(link: &LinkGuard<'_, Self>) {
        if let Some(phy) = Self::started(link) {
            phy.stop();
        }
    }
}

impl Mac for PortState {
    fn open(link: &mut LinkGuard<'_, Self>) -> Result {
        link.up = true;
        Self::start_phy(link);
        Ok(())
    }

    fn stop(link: &mut LinkGuard<'_, Self>) {
        Self::stop_phy(link);
        link.up = false;
    }

    fn attached(link: &mut LinkGuard<'_, Self>) {
        Self::start_phy(link);
    }

    fn detaching(link: &mut LinkGuard<'_, Self>) {
        Self::stop_phy(link);
    }

    /// Stops the PHY while its driver can still suspend it.
    fn driver_unbinding(link: &mut LinkGuard<'_, Self>) {
        Self::stop_phy(link);
    }

    /// If the PHY is attached, initialises it as attaching did (`phy_init_hw()`: soft reset,
    /// `config_init`), then starts it if the netdev is open.
    fn driver_bound(link: &mut LinkGuard<'_, Self>) {
        let Some(phy) = link.attached() else {
            return;
        };
        if let Err(e) = phy.init() {
            pr_err!(
                "rkmsim{}: PHY not initialised after its driver bound: {:?}\n",
                link.addr,
                e
            );
            return;
        }
        Self::start_phy(link);
    }
}

/// What a port's netdev shares with debugfs.
pub(crate) struct PortLink(Arc<Link<PortState>>);

impl PortLink {
    /// Whether the state machine runs only when told to.
    pub(crate) fn is_manual(&self) -> bool {
        self.0.lock().is_manual()
    }

    /// Hands phylib's state machine over to [`Self::run_state_machine`] (`manual`), or back to
    /// phylib's own scheduling, which runs it at once if the PHY is started.
    pub(crate) fn set_manual(&self, manual: bool) {
        let mut link = self.0.lock();
        if link.set_manual(manual) && !manual {
            if let Some(phy) = PortState::started(&link) {
                phy.trigger_state_machine();
            }
        }
    }

    /// Runs phylib's state machine once, now, in manual mode (`EBUSY` otherwise), if the PHY
    /// has a driver for it to call (`ENODEV` otherwise).
    pub(crate) fn run_state_machine(&self) -> Result {
        self.0.lock().run_state_machine()
    }
}

/// A netdev `rkmsim<addr>` attached to the PHY at `<addr>`.
pub(crate) struct Port(Netdev<PortState>);

impl Port {
    /// Creates the netdev of the PHY at `addr` of `bus`, under a parent bound to `parents`, and
    /// attaches the PHY.
    pub(crate) fn new(
        bus: &Arc<mdio::Registration>,
        parents: &Arc<ParentDriver>,
        addr: u8,
        model: Model,
    ) -> Result<Self> {
        let parent = Parent::register(parents, addr.into())?;
        let phy = bus.phy(addr)?;
        let name = CString::try_from_fmt(fmt!("rkmsim{addr}"))?;
        let state = PortState { addr, up: false };
        Ok(Self(Netdev::register(
            parent,
            &name,
            phy,
            interface(model),
            state,
        )?))
    }

    /// What the port shares with debugfs.
    pub(crate) fn link(&self) -> PortLink {
        PortLink(Arc::clone(self.0.link()))
    }
}

/// How the MAC talks to each model: the Asix PHYs sit on MII, the DP83TG720 on RGMII with both
/// delays in the PHY (its driver programs them).
fn interface(model: Model) -> Interface {
    match model {
        Model::Dp83tg720 => Interface::RgmiiId,
        _ => Interface::Mii,
    }
}
