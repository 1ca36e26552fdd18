// SPDX-License-Identifier: GPL-2.0

//! A network device on each emulated PHY, so `ip link` and `ethtool` see it.
//!
//! Each port's [`PortLink`] decides when phylib may start and stop the PHY:
//! while the netdev is open and the PHY attached and bound to a driver. A
//! driver unbound and bound again through sysfs stops the PHY first and
//! starts it again after (`bind.rs` watches the bus). The link also holds
//! the PHY's state machine back, for the tests, until they run it.
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
    new_mutex,
    platform,
    prelude::*,
    str::CString,
    sync::{
        Arc,
        Mutex, //
    }, //
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

/// What a port's netdev callbacks, the bind notifier (`bind.rs`) and debugfs
/// share: whether phylib may drive the PHY, and who runs its state machine.
///
/// Locking: RTNL (netdev callbacks) or the driver core's device lock (bind
/// notifier) come before `state`, which comes before phylib's `phydev->lock`;
/// phylib calls back (`adjust_link`) with its lock held, so nothing under
/// that lock takes `state`.
///
/// # Invariants
///
/// `phydev` is a PHY of the registered bus, valid until the bus is
/// unregistered, which happens after every user of the link is gone.
#[pin_data]
pub(crate) struct PortLink {
    addr: u8,
    phydev: *mut bindings::phy_device,
    #[pin]
    state: Mutex<LinkState>,
}

struct LinkState {
    /// The netdev is open: between `ndo_open` and `ndo_stop`.
    up: bool,
    /// The PHY is attached to the netdev and has a driver: phylib may start it.
    ready: bool,
    /// phylib's state machine runs only when [`PortLink::run_state_machine`]
    /// runs it: its work item is disabled.
    manual: bool,
}

impl LinkState {
    fn started(&self) -> bool {
        self.up && self.ready
    }
}

// SAFETY: `phydev` is only passed to phylib, which serialises its users;
// the rest is behind the mutex.
unsafe impl Send for PortLink {}
// SAFETY: As for `Send`.
unsafe impl Sync for PortLink {}

impl PortLink {
    fn new(addr: u8, phydev: *mut bindings::phy_device) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                addr,
                phydev,
                state <- new_mutex!(LinkState {
                    up: false,
                    ready: false,
                    manual: false,
                }),
            }),
            GFP_KERNEL,
        )
    }

    /// Whether `dev` is this port's PHY device.
    pub(crate) fn is_phy_device(&self, dev: *const bindings::device) -> bool {
        // SAFETY: `phydev` is valid by the type invariant; only the address
        // of its field is taken.
        ptr::eq(unsafe { &raw const (*self.phydev).mdio.dev }, dev)
    }

    /// The bus type of the PHY device, for its notifier.
    pub(crate) fn bus_type(&self) -> *const bindings::bus_type {
        // SAFETY: `phydev` is valid by the type invariant.
        unsafe { (*self.phydev).mdio.dev.bus }
    }

    /// Starts the PHY if `state` says so; called once either flag turned true.
    fn start_phy(&self, state: &LinkState) {
        if state.started() {
            // SAFETY: `phydev` is valid and attached with a driver (`ready`).
            // Its state is READY (after attaching or probing) or HALTED (after
            // `stop_phy`), the states `phy_start()` starts from.
            unsafe { bindings::phy_start(self.phydev) };
        }
    }

    /// Stops the PHY if `state` says it was started; called before either
    /// flag turns false.
    fn stop_phy(&self, state: &LinkState) {
        if state.started() {
            // SAFETY: `phydev` is valid and was started by `start_phy`.
            unsafe { bindings::phy_stop(self.phydev) };
        }
    }

    /// The netdev opens: starts the PHY if it is ready.
    fn open(&self) {
        let mut state = self.state.lock();
        state.up = true;
        self.start_phy(&state);
    }

    /// The netdev closes: stops the PHY if it was started.
    fn close(&self) {
        let mut state = self.state.lock();
        self.stop_phy(&state);
        state.up = false;
    }

    /// The PHY is attached to the netdev with a driver.
    fn attached(&self) {
        let mut state = self.state.lock();
        state.ready = true;
        self.start_phy(&state);
    }

    /// The PHY's driver or the netdev is about to go: stops the PHY while
    /// its driver can still suspend it.
    pub(crate) fn release(&self) {
        let mut state = self.state.lock();
        self.stop_phy(&state);
        state.ready = false;
    }

    /// A driver was bound to the PHY again: initialises it as attaching did
    /// (`phy_init_hw()`: soft reset, `config_init`), then starts it if the
    /// netdev is open.
    pub(crate) fn driver_bound(&self) {
        let mut state = self.state.lock();
        // SAFETY: `phydev` is valid, attached, and its driver was just bound.
        if let Err(e) = to_result(unsafe { bindings::phy_init_hw(self.phydev) }) {
            pr_err!(
                "rkmsim{}: PHY not initialised after its driver bound: {:?}\n",
                self.addr,
                e
            );
            return;
        }
        state.ready = true;
        self.start_phy(&state);
    }

    /// Whether the state machine runs only when told to.
    pub(crate) fn is_manual(&self) -> bool {
        self.state.lock().manual
    }

    /// Hands phylib's state machine over to [`Self::run_state_machine`]
    /// (`manual`), or back to phylib's own scheduling.
    pub(crate) fn set_manual(&self, manual: bool) {
        let mut state = self.state.lock();
        if state.manual == manual {
            return;
        }
        // SAFETY: `phydev` is valid; its work item was initialised when phylib
        // created it and lives as long. A disabled work item cannot be queued:
        // phylib's attempts to (re)schedule it fail until it is enabled again.
        let work = unsafe { &raw mut (*self.phydev).state_queue };
        if manual {
            // SAFETY: `work` is valid (above). Waiting for a running instance
            // is safe here: it takes `phydev->lock`, never `state`.
            unsafe { bindings::disable_delayed_work_sync(work) };
        } else {
            // SAFETY: `work` is valid (above) and was disabled once, here.
            unsafe { bindings::enable_delayed_work(work) };
            if state.started() {
                // SAFETY: `phydev` is valid and started.
                unsafe { bindings::phy_trigger_machine(self.phydev) };
            }
        }
        state.manual = manual;
    }

    /// Runs phylib's state machine once, now, in manual mode: what its timer
    /// would have run (a poll, a started autonegotiation, a cable test step).
    pub(crate) fn run_state_machine(&self) -> Result {
        let state = self.state.lock();
        if !state.manual {
            return Err(EBUSY);
        }
        // Unbound, the PHY has no driver for the state machine to call.
        if !state.ready {
            return Err(ENODEV);
        }
        // SAFETY: `phydev` is valid.
        let work = unsafe { &raw mut (*self.phydev).state_queue.work };
        // SAFETY: `work` is valid; its function, `phy_state_machine()`, was
        // set when phylib created the device.
        let run = unsafe { (*work).func }.ok_or(ENODEV)?;
        // The item is disabled (manual mode): the workqueue runs no instance
        // and refuses the function's attempt to reschedule itself.
        // SAFETY: `work` is the function's item and, with `state` keeping two
        // of these calls apart, no other instance runs.
        unsafe { run(work) };
        Ok(())
    }
}

/// A netdev `rkmsim<addr>` attached to the PHY at `<addr>`.
///
/// # Invariants
///
/// `pdev` is a registered platform device bound to [`ParentDriver`]; `ndev`
/// is a registered netdev whose parent is `pdev`, whose private area points
/// at `link`, attached to `link`'s PHY, until `drop`.
pub(crate) struct Port {
    pdev: *mut bindings::platform_device,
    ndev: *mut bindings::net_device,
    link: Arc<PortLink>,
}

// SAFETY: Dropping (the only use) unregisters from any thread.
unsafe impl Send for Port {}
// SAFETY: `&Port` exposes nothing but plain values and the link, which is
// `Sync`.
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
        let link = PortLink::new(addr, phydev)?;

        let name = CString::try_from_fmt(fmt!("rkmsim{addr}"))?;
        // SAFETY: `name` is a NUL-terminated string shorter than IFNAMSIZ
        // that the call copies; `ether_setup` is the setup it expects.
        let ndev = unsafe {
            ffi_ext::alloc_netdev_mqs(
                core::mem::size_of::<*const PortLink>().try_into()?,
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
        // SAFETY: `ndev` is a new, unregistered netdev whose private area
        // holds a pointer; the parent, both operation tables and `link` (kept
        // in `Self`) outlive it.
        unsafe {
            ffi_ext::rkm_mdio_sim_netdev_init(
                ndev,
                ptr::addr_of_mut!((*pdev.0).dev),
                &NETDEV_OPS.0,
                &ETHTOOL_OPS.0,
            );
            ffi_ext::rkm_mdio_sim_netdev_priv(ndev)
                .cast::<*const PortLink>()
                .write(Arc::as_ptr(&link));
        }
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
        link.attached();
        // INVARIANT: registered, bound, attached, the private area set.
        Ok(Self {
            pdev: core::mem::ManuallyDrop::new(pdev).0,
            ndev,
            link,
        })
    }

    /// What the port shares with the bind notifier and debugfs.
    pub(crate) fn link(&self) -> &Arc<PortLink> {
        &self.link
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        // Under RTNL, `ndo_open`/`ndo_stop` cannot run between the release
        // and the detach; the detach must precede unregistering, which
        // removes the sysfs directory the detach removes its link from.
        // SAFETY: By the type invariant `ndev` is registered and attached to
        // `link`'s PHY, and `pdev` registered; nothing uses them after this.
        unsafe {
            ffi_ext::rtnl_lock();
            self.link.release();
            bindings::phy_disconnect(self.link.phydev);
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

/// The link of a port's netdev.
///
/// # Safety
///
/// `ndev` is the netdev of a live [`Port`].
unsafe fn link_of<'a>(ndev: *mut bindings::net_device) -> &'a PortLink {
    // SAFETY: By the caller's guarantee `ndev` is a port's netdev, whose
    // private area points at the link the port keeps alive.
    unsafe { &**ffi_ext::rkm_mdio_sim_netdev_priv(ndev).cast::<*const PortLink>() }
}

/// `ndo_open`: starts the PHY, once it is ready.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`].
unsafe extern "C" fn open(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    unsafe { link_of(ndev) }.open();
    0
}

/// `ndo_stop`: stops the PHY, if started.
///
/// # Safety
///
/// `ndev` is a netdev of a [`Port`].
unsafe extern "C" fn stop(ndev: *mut bindings::net_device) -> c_int {
    // SAFETY: By the caller's guarantee.
    unsafe { link_of(ndev) }.close();
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
    // SAFETY: `ndev` is a port's netdev (caller's guarantee); phylib calls
    // this with the link's PHY attached to it and its lock held.
    unsafe { bindings::phy_print_status(link_of(ndev).phydev) };
}
