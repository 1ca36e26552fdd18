// SPDX-License-Identifier: GPL-2.0

//! Network devices that only manage their link: a `struct net_device` with a PHY attached
//! through phylib, and no data path.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/phy.h`](srctree/include/linux/phy.h),
//! [`include/linux/platform_device.h`](srctree/include/linux/platform_device.h).
//!
//! The kernel crate has no network device (`kernel::net` has netlink and the PHY driver's side
//! of phylib) and nothing of phylib's side for MAC drivers: attaching a PHY to a netdev
//! (`phy_connect_direct()`), starting and stopping it, the ethtool and ioctl handlers phylib
//! gives MACs. This part adds them, for a MAC whose only job is the link:
//!
//! - [`Netdev`]: a registered netdev with a `mdio::PhyDevice` attached, whose `ndo_open` and
//!   `ndo_stop` call a [`Mac`], as do the attaching and detaching of the PHY and the binding
//!   and unbinding of its driver (which phylib leaves to the MAC: a driver unbound through
//!   sysfs while the PHY runs leaves phylib with a PHY it cannot drive). Link settings,
//!   autonegotiation restart, the link state and MII ioctls go to phylib; link changes are
//!   logged as MAC drivers do (`phy_print_status()`); frames sent are dropped.
//! - [`Link`]: what the netdev's callbacks share with the MAC's other users (debugfs): the
//!   MAC's state under the link's lock, whose guard ([`LinkGuard`]) gives the PHY only while it
//!   is attached and has a driver ([`AttachedPhy`]: start, stop, initialise) and hands phylib's
//!   state machine over to its caller ([`LinkGuard::set_manual`]).
//! - [`Parent`] and [`ParentDriver`]: the platform device a netdev hangs under, which phylib
//!   needs bound (`parent.rs`).
//!
//! It uses the `mdio` part: a module lists both.

use core::{
    marker::PhantomData,
    ptr::NonNull, //
};

use kernel::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    ffi::c_int,
    prelude::*,
    sync::Arc, //
};

use super::netdev_ffi as ffi;
use crate::kernel_ext::mdio::{
    BindNotifier,
    PhyDevice, //
};

mod link;
mod parent;

use self::link::Events;
pub use self::{
    link::{
        AttachedPhy,
        Link,
        LinkGuard, //
    },
    parent::{
        Parent,
        ParentDriver, //
    },
};

/// What a MAC does when its netdev opens and stops, its PHY attaches and detaches and the PHY's
/// driver is bound and unbound, on its state (`Self`) in the [`Link`], locked.
pub trait Mac: Send + Unpin + Sized + 'static {
    /// `ndo_open`, under RTNL.
    fn open(link: &mut LinkGuard<'_, Self>) -> Result;

    /// `ndo_stop`, under RTNL.
    fn stop(link: &mut LinkGuard<'_, Self>);

    /// The PHY was just attached (phylib binds its generic driver to a PHY without one).
    fn attached(link: &mut LinkGuard<'_, Self>);

    /// The PHY is about to be detached, under RTNL.
    fn detaching(link: &mut LinkGuard<'_, Self>);

    /// The PHY's driver is about to be unbound, under the PHY's device lock: the last moment
    /// the PHY can be stopped. `phy_remove()` cancels the state machine and leaves the PHY in
    /// state DOWN, so a PHY still started would make the netdev's next `phy_stop()` WARN.
    fn driver_unbinding(link: &mut LinkGuard<'_, Self>);

    /// A driver was bound to the PHY (its probe succeeded), under the PHY's device lock, or
    /// phylib's generic driver while attaching. After a probe the PHY is READY, not started.
    fn driver_bound(link: &mut LinkGuard<'_, Self>);
}

/// How the MAC talks to the PHY (`phy_interface_t`).
#[derive(Clone, Copy)]
pub enum Interface {
    /// MII.
    Mii,
    /// RGMII with both delays in the PHY.
    RgmiiId,
}

impl Interface {
    fn as_raw(self) -> bindings::phy_interface_t {
        match self {
            Self::Mii => bindings::phy_interface_t_PHY_INTERFACE_MODE_MII,
            Self::RgmiiId => bindings::phy_interface_t_PHY_INTERFACE_MODE_RGMII_ID,
        }
    }
}

/// A registered netdev with its PHY attached, until drop.
///
/// # Invariants
///
/// `ndev` is a registered netdev whose parent is `_parent`, whose operations are those of
/// [`Vtable<T>`], whose private area points at `link`, and to which `link`'s PHY is attached,
/// with `link` marked attached, until `drop`. (Only the PHY's handle, which `link` owns, could
/// attach it elsewhere and so detach it.) `_events` reports the PHY's driver events to `link`
/// from before it learnt whether the PHY had a driver until after the PHY is detached.
pub struct Netdev<T: Mac> {
    ndev: NonNull<bindings::net_device>,
    link: Arc<Link<T>>,
    _events: Pin<KBox<BindNotifier<Events<T>>>>,
    _parent: Parent,
}

// SAFETY: Dropping (the only use of `ndev`) unregisters from any thread; `link` is `Send`.
unsafe impl<T: Mac> Send for Netdev<T> {}
// SAFETY: `&Netdev` only gives out the link, which is `Sync`.
unsafe impl<T: Mac> Sync for Netdev<T> {}

impl<T: Mac> Netdev<T> {
    /// Registers the netdev `name` under `parent`, with a random MAC address, then attaches
    /// `phy` on `interface` and tells `mac` ([`Mac::attached`]). Takes the PHY's device lock
    /// (not to be held by the caller).
    ///
    /// Fails with `EINVAL` if `name` does not fit a netdev name, `EBUSY` if the PHY is attached
    /// to another netdev (by C code: a [`PhyDevice`] is the PHY's only handle), or with
    /// phylib's error if it cannot be attached.
    pub fn register(
        parent: Parent,
        name: &CStr,
        phy: PhyDevice,
        interface: Interface,
        mac: T,
    ) -> Result<Self> {
        // `alloc_netdev_mqs()` BUGs on a longer name.
        if name.to_bytes().len() >= bindings::IFNAMSIZ as usize {
            return Err(EINVAL);
        }
        // SAFETY: The PHY device is valid while `phy` lives.
        if !unsafe { (*phy.as_raw()).attached_dev }.is_null() {
            // phylib's attach would fail the same way, after detaching the PHY from its netdev.
            return Err(EBUSY);
        }
        let bus_type = phy.bus_type();
        let link = Link::new(phy, mac)?;
        let events = KBox::pin_init(
            BindNotifier::new(bus_type, Events(Arc::clone(&link))),
            GFP_KERNEL,
        )?;
        link.learn_driver();
        // SAFETY: `name` is a NUL-terminated string shorter than IFNAMSIZ that the call copies;
        // `ether_setup` is the setup it expects.
        let netdev = NonNull::new(unsafe {
            ffi::alloc_netdev_mqs(
                core::mem::size_of::<*const Link<T>>().try_into()?,
                name.as_char_ptr(),
                ffi::NET_NAME_PREDICTABLE as u8,
                Some(ffi::ether_setup),
                1,
                1,
            )
        })
        .ok_or(ENOMEM)?;
        let ndev = netdev.as_ptr();
        // SAFETY: `ndev` is a new, unregistered netdev whose private area holds a pointer. The
        // parent and `link` (kept in `Self`) and the operation tables (static) outlive it.
        unsafe {
            ffi::rkm_netdev_init(ndev, parent.device(), Vtable::<T>::build(), &ETHTOOL_OPS.0);
            ffi::rkm_netdev_priv(ndev)
                .cast::<*const Link<T>>()
                .write(Arc::as_ptr(&link));
        }
        // SAFETY: `ndev` is set up and not registered.
        if let Err(e) = to_result(unsafe { ffi::register_netdev(ndev) }) {
            // SAFETY: `ndev` was never registered.
            unsafe { ffi::free_netdev(ndev) };
            return Err(e);
        }
        // SAFETY: `ndev` is registered with a parent bound until `parent` goes (the type
        // invariants of `Parent`); the PHY device is valid while `link` holds it;
        // `adjust_link::<T>` finds the link in the private area while attached.
        let attached = to_result(unsafe {
            bindings::phy_connect_direct(
                ndev,
                link.phy().as_raw(),
                Some(adjust_link::<T>),
                interface.as_raw(),
            )
        });
        if let Err(e) = attached {
            // SAFETY: `ndev` is registered and not attached.
            unsafe {
                ffi::unregister_netdev(ndev);
                ffi::free_netdev(ndev);
            }
            return Err(e);
        }
        link.attach();
        // INVARIANT: Registered under `parent`, set up, attached, `link` marked attached and
        // told of its driver's events by `events`, since before it learnt of the driver.
        Ok(Self {
            ndev: netdev,
            link,
            _events: events,
            _parent: parent,
        })
    }

    /// Returns the link.
    pub fn link(&self) -> &Arc<Link<T>> {
        &self.link
    }
}

impl<T: Mac> Drop for Netdev<T> {
    fn drop(&mut self) {
        let ndev = self.ndev.as_ptr();
        // Under RTNL, `ndo_open`/`ndo_stop` cannot run between the MAC's release and the
        // detach; the detach must precede unregistering, which removes the sysfs directory the
        // detach removes its link from.
        // SAFETY: RTNL is released below.
        unsafe { ffi::rtnl_lock() };
        self.link.detach();
        // SAFETY: By the type invariants `link`'s PHY is attached to `ndev`; it is marked
        // detached, so nothing uses it as attached after this.
        unsafe { bindings::phy_disconnect(self.link.phy().as_raw()) };
        // SAFETY: Locked above.
        unsafe { ffi::rtnl_unlock() };
        // SAFETY: `ndev` is registered (type invariants) and used by nothing after this.
        unsafe {
            ffi::unregister_netdev(ndev);
            ffi::free_netdev(ndev);
        }
        // Then `_events` stops reporting to the link, and `_parent` unregisters the parent.
    }
}

/// The netdev operations of a [`Netdev<T>`].
struct Vtable<T>(PhantomData<T>);

impl<T: Mac> Vtable<T> {
    const NETDEV_OPS: ffi::net_device_ops = ffi::net_device_ops {
        ndo_open: Some(open::<T>),
        ndo_stop: Some(stop::<T>),
        ndo_start_xmit: Some(start_xmit),
        ndo_eth_ioctl: Some(bindings::phy_do_ioctl_running),
        ..pin_init::zeroed()
    };

    const fn build() -> &'static ffi::net_device_ops {
        &Self::NETDEV_OPS
    }
}

/// `struct ethtool_ops` of every [`Netdev`]: link settings, autonegotiation restart and link
/// state come from phylib; cable tests and SQI reach the PHY driver through ethtool netlink
/// without the MAC's help.
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

/// The link of a [`Netdev<T>`]'s netdev.
///
/// # Safety
///
/// `ndev` is the netdev of a live [`Netdev<T>`].
unsafe fn link_of<'a, T: Mac>(ndev: *mut bindings::net_device) -> &'a Link<T> {
    // SAFETY: By the caller's guarantee the private area points at the link the `Netdev<T>`
    // keeps alive.
    unsafe { &**ffi::rkm_netdev_priv(ndev).cast::<*const Link<T>>() }
}

/// `ndo_open`.
///
/// # Safety
///
/// The netdev core calls it on a registered netdev with [`Vtable<T>`]: one of a [`Netdev<T>`].
unsafe extern "C" fn open<T: Mac>(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    let link = unsafe { link_of::<T>(ndev) };
    from_result(|| {
        T::open(&mut link.lock())?;
        Ok(0)
    })
}

/// `ndo_stop`.
///
/// # Safety
///
/// The netdev core calls it on a registered netdev with [`Vtable<T>`]: one of a [`Netdev<T>`].
unsafe extern "C" fn stop<T: Mac>(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    let link = unsafe { link_of::<T>(ndev) };
    T::stop(&mut link.lock());
    0
}

/// `ndo_start_xmit`: there is no wire behind the PHY, frames are dropped.
///
/// # Safety
///
/// The netdev core hands over `skb`, a frame it owns.
unsafe extern "C" fn start_xmit(
    skb: *mut bindings::sk_buff,
    _ndev: *mut bindings::net_device,
) -> ffi::netdev_tx_t {
    // SAFETY: The core hands over ownership of `skb`.
    unsafe { ffi::rkm_netdev_drop_skb(skb) };
    ffi::netdev_tx_NETDEV_TX_OK
}

/// phylib's link change callback: logs the new state, as MAC drivers do.
///
/// # Safety
///
/// phylib calls it on the netdev of a [`Netdev<T>`] while the link's PHY is attached to it,
/// with the PHY's lock held.
unsafe extern "C" fn adjust_link<T: Mac>(ndev: *mut bindings::net_device) {
    // SAFETY: By the caller's guarantee `ndev` is a `Netdev<T>`'s netdev, its PHY attached.
    let link = unsafe { link_of::<T>(ndev) };
    // SAFETY: The PHY is attached, and phylib holds its lock.
    unsafe { bindings::phy_print_status(link.phy().as_raw()) };
}
