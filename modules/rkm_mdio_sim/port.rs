// SPDX-License-Identifier: GPL-2.0

//! A network device on each emulated PHY, so `ip link` and `ethtool` see it.
//!
//! phylib's `phy_attach_direct()` dereferences the netdev's parent's driver
//! (to pin the bus owner when it differs from the netdev's), so each netdev's
//! parent is a platform device bound to this module's platform driver: then
//! the owners match and attaching does not pin this module, which can be
//! unloaded with its PHYs attached.

use core::ptr;

use kernel::{
    bindings,
    device::Core,
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::c_int,
    platform,
    prelude::*,
    str::CString, //
};

use crate::bus::MdioBus;
use crate::ffi_ext;
use crate::phy_model::Model;

/// Name of the platform driver and devices that parent the netdevs.
pub(crate) const PARENT_NAME: &CStr = c"rkm_mdio_sim";

/// The platform driver the netdevs' parents bind to. Binding is all it does.
pub(crate) struct ParentDriver;

impl platform::Driver for ParentDriver {
    type IdInfo = ();
    type Data<'bound> = ();

    fn probe<'bound>(
        _dev: &'bound platform::Device<Core<'_>>,
        _id_info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        Ok(())
    }
}

/// `struct net_device_ops` of the netdevs: phylib does the work.
struct NetdevOps(ffi_ext::net_device_ops);
// SAFETY: Read-only after compilation; the kernel only reads it.
unsafe impl Sync for NetdevOps {}

static NETDEV_OPS: NetdevOps = NetdevOps(ffi_ext::net_device_ops {
    ndo_open: Some(open),
    ndo_stop: Some(stop),
    ndo_start_xmit: Some(start_xmit),
    ndo_eth_ioctl: Some(bindings::phy_do_ioctl_running),
    ..pin_init::zeroed()
});

/// `struct ethtool_ops`: link settings, restart of autonegotiation and link
/// state come from phylib; cable test and SQI reach the PHY driver through
/// ethtool netlink without the MAC's help.
struct EthtoolOps(bindings::ethtool_ops);
// SAFETY: Read-only after compilation; the kernel only reads it.
unsafe impl Sync for EthtoolOps {}

static ETHTOOL_OPS: EthtoolOps = EthtoolOps(bindings::ethtool_ops {
    get_link: Some(bindings::ethtool_op_get_link),
    get_link_ksettings: Some(bindings::phy_ethtool_get_link_ksettings),
    set_link_ksettings: Some(bindings::phy_ethtool_set_link_ksettings),
    nway_reset: Some(bindings::phy_ethtool_nway_reset),
    ..pin_init::zeroed()
});

/// A netdev `rkmsim<addr>` attached to the PHY at `<addr>`.
///
/// # Invariants
///
/// `pdev` is a registered platform device bound to [`ParentDriver`]; `ndev`
/// is a registered netdev whose parent is `pdev`, attached to the PHY the
/// port was created for, until `drop`.
pub(crate) struct Port {
    pdev: *mut bindings::platform_device,
    ndev: *mut bindings::net_device,
}

// SAFETY: Dropping (the only use) unregisters from any thread.
unsafe impl Send for Port {}
// SAFETY: `&Port` exposes nothing but plain values.
unsafe impl Sync for Port {}

/// Unregisters a platform device when an error path drops it.
struct PlatformDevice(*mut bindings::platform_device);

impl Drop for PlatformDevice {
    fn drop(&mut self) {
        // SAFETY: Holds a registered platform device.
        unsafe { bindings::platform_device_unregister(self.0) };
    }
}

impl Port {
    /// Creates the netdev of the PHY at `addr` and attaches the PHY.
    pub(crate) fn new(bus: &MdioBus, addr: u8, model: Model) -> Result<Self> {
        let info = bindings::platform_device_info {
            name: PARENT_NAME.as_char_ptr(),
            id: addr.into(),
            ..Default::default()
        };
        // SAFETY: `info` is valid for the call, which copies what it keeps.
        let pdev = PlatformDevice(from_err_ptr(unsafe {
            bindings::platform_device_register_full(&info)
        })?);
        // SAFETY: `pdev.0` is a registered platform device; probing is
        // synchronous, so a driver is bound now or never.
        if unsafe { (*pdev.0).dev.driver }.is_null() {
            return Err(ENODEV);
        }
        let phydev = bus.phy(addr)?;

        let name = CString::try_from_fmt(fmt!("rkmsim{addr}"))?;
        // SAFETY: `name` is a NUL-terminated string shorter than IFNAMSIZ
        // that the call copies; `ether_setup` is the setup it expects.
        let ndev = unsafe {
            ffi_ext::alloc_netdev_mqs(
                0,
                name.as_char_ptr(),
                ffi_ext::NET_NAME_PREDICTABLE as u8,
                Some(ffi_ext::ether_setup),
                1,
                1,
            )
        };
        if ndev.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `ndev` is a new, unregistered netdev; the parent and both
        // operation tables outlive it.
        unsafe {
            ffi_ext::rkm_mdio_sim_netdev_init(
                ndev,
                ptr::addr_of_mut!((*pdev.0).dev),
                &NETDEV_OPS.0,
                &ETHTOOL_OPS.0,
            )
        };
        // SAFETY: `ndev` is set up and not registered.
        if let Err(e) = to_result(unsafe { ffi_ext::register_netdev(ndev) }) {
            // SAFETY: `ndev` was never registered.
            unsafe { ffi_ext::free_netdev(ndev) };
            return Err(e);
        }
        // SAFETY: `ndev` is registered with a bound parent, `phydev` is a PHY
        // of the registered bus; `adjust_link` stays valid while attached.
        let attached = to_result(unsafe {
            bindings::phy_connect_direct(ndev, phydev, Some(adjust_link), interface(model))
        });
        if let Err(e) = attached {
            // SAFETY: `ndev` is registered and not attached.
            unsafe {
                ffi_ext::unregister_netdev(ndev);
                ffi_ext::free_netdev(ndev);
            }
            return Err(e);
        }
        // INVARIANT: registered, bound, attached.
        Ok(Self {
            pdev: core::mem::ManuallyDrop::new(pdev).0,
            ndev,
        })
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ndev` is registered and attached and
        // `pdev` registered. Detaching under RTNL keeps `ndo_open`/`ndo_stop`
        // from seeing the PHY go; it must precede unregistering, which removes
        // the sysfs directory the detach removes its link from.
        unsafe {
            ffi_ext::rtnl_lock();
            bindings::phy_disconnect(ffi_ext::rkm_mdio_sim_netdev_phydev(self.ndev));
            ffi_ext::rtnl_unlock();
            ffi_ext::unregister_netdev(self.ndev);
            ffi_ext::free_netdev(self.ndev);
            bindings::platform_device_unregister(self.pdev);
        }
    }
}

/// How the MAC talks to each model: the Asix PHYs sit on MII, the DP83TG720
/// on RGMII with both delays in the PHY (its driver programs them).
fn interface(model: Model) -> bindings::phy_interface_t {
    match model {
        Model::Dp83tg720 => bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_ID,
        _ => bindings::phy_interface_t_PHY_INTERFACE_MODE_MII,
    }
}

/// The netdev's PHY, or null once detached.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`], and RTNL is held.
unsafe fn phy_of(ndev: *mut bindings::net_device) -> *mut bindings::phy_device {
    // SAFETY: `ndev` is valid by the caller's guarantee.
    unsafe { ffi_ext::rkm_mdio_sim_netdev_phydev(ndev) }
}

/// `ndo_open`: starts the PHY.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`], and RTNL is held.
unsafe extern "C" fn open(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    let phydev = unsafe { phy_of(ndev) };
    if phydev.is_null() {
        return ENODEV.to_errno();
    }
    // SAFETY: `phydev` is attached to `ndev`; RTNL keeps it so.
    unsafe { bindings::phy_start(phydev) };
    0
}

/// `ndo_stop`: stops the PHY, if still attached.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`], and RTNL is held.
unsafe extern "C" fn stop(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    let phydev = unsafe { phy_of(ndev) };
    if !phydev.is_null() {
        // SAFETY: `phydev` is attached to `ndev`; RTNL keeps it so.
        unsafe { bindings::phy_stop(phydev) };
    }
    0
}

/// `ndo_start_xmit`: there is no wire behind the PHY, frames are dropped.
///
/// # Safety
///
/// `skb` is a frame the core hands over.
unsafe extern "C" fn start_xmit(
    skb: *mut bindings::sk_buff,
    _ndev: *mut bindings::net_device,
) -> ffi_ext::netdev_tx_t {
    // SAFETY: The core hands over ownership of `skb`.
    unsafe { ffi_ext::rkm_mdio_sim_drop_skb(skb) };
    ffi_ext::netdev_tx_NETDEV_TX_OK
}

/// phylib's link change callback: log the new state, as MAC drivers do.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`] with its PHY attached.
unsafe extern "C" fn adjust_link(ndev: *mut bindings::net_device) {
    // SAFETY: phylib calls this with the PHY attached to `ndev` and its lock held.
    unsafe { bindings::phy_print_status(ffi_ext::rkm_mdio_sim_netdev_phydev(ndev)) };
}
