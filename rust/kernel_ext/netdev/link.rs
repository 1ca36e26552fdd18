// SPDX-License-Identifier: GPL-2.0

//! What a netdev's callbacks and the MAC's other users share: the PHY, whether it is attached
//! and has a driver, who runs phylib's state machine, and the MAC's own state, under one lock.

use core::{
    marker::PhantomData,
    ops::{
        Deref,
        DerefMut, //
    },
};

use kernel::{
    bindings,
    device,
    error::to_result,
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        Mutex,
        MutexGuard, //
    }, //
};

use super::{
    ffi,
    Mac, //
};
use crate::kernel_ext::mdio::{
    BindEvents,
    PhyDevice, //
};

/// The link of a [`Netdev`](super::Netdev): its PHY and, under one lock, the MAC's state `T`.
///
/// Lock order: RTNL (the netdev's callbacks) or the driver core's device lock of the PHY (its
/// driver's binding and unbinding) come before the link's lock, which comes before phylib's
/// `phydev->lock`. phylib's state machine never takes the link's lock: it only calls the
/// netdev's `adjust_link`, which logs.
#[pin_data(PinnedDrop)]
pub struct Link<T: Mac> {
    phy: PhyDevice,
    #[pin]
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The PHY is attached to the netdev: set once `phy_connect_direct()` succeeded, cleared
    /// before `phy_disconnect()`.
    attached: bool,
    /// The PHY has a driver: set once the driver core bound one, cleared before it unbinds it
    /// (by the netdev's [`Events`]).
    bound: bool,
    /// phylib's state machine work item is disabled: only [`LinkGuard::run_state_machine`]
    /// runs the state machine.
    manual: bool,
    mac: T,
}

impl<T: Mac> Link<T> {
    pub(super) fn new(phy: PhyDevice, mac: T) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                phy,
                state <- new_mutex!(State {
                    attached: false,
                    bound: false,
                    manual: false,
                    mac,
                }),
            }),
            GFP_KERNEL,
        )
    }

    /// Returns the PHY device.
    pub fn phy(&self) -> &PhyDevice {
        &self.phy
    }

    /// Locks the link.
    pub fn lock(&self) -> LinkGuard<'_, T> {
        LinkGuard {
            phy: &self.phy,
            state: self.state.lock(),
        }
    }

    /// Learns whether the PHY has a driver now; the link's [`Events`], registered before, keep
    /// it current from then on.
    pub(super) fn learn_driver(&self) {
        // SAFETY: The PHY device is valid while `self.phy` lives; only the address of a field is
        // taken.
        let dev = unsafe { &raw mut (*self.phy.as_raw()).mdio.dev };
        // The driver core binds and unbinds a driver, and calls the notifiers of both, under
        // this lock.
        // SAFETY: `dev` is a valid device; it is unlocked below.
        unsafe { ffi::rkm_netdev_device_lock(dev) };
        // SAFETY: `dev` is valid and locked.
        let bound = !unsafe { (*dev).driver }.is_null();
        self.lock().state.bound = bound;
        // SAFETY: Locked above.
        unsafe { ffi::rkm_netdev_device_unlock(dev) };
    }

    /// The PHY was attached: tells the MAC.
    pub(super) fn attach(&self) {
        let mut link = self.lock();
        link.state.attached = true;
        T::attached(&mut link);
    }

    /// The PHY is about to be detached: tells the MAC first.
    pub(super) fn detach(&self) {
        let mut link = self.lock();
        T::detaching(&mut link);
        link.state.attached = false;
    }
}

#[pinned_drop]
impl<T: Mac> PinnedDrop for Link<T> {
    fn drop(self: Pin<&mut Self>) {
        // The PHY outlives its handle: give its state machine back to phylib.
        self.lock().set_manual(false);
    }
}

/// The binding and unbinding of the driver of a [`Link`]'s PHY, which a `mdio::BindNotifier`
/// reports.
pub(super) struct Events<T: Mac>(pub(super) Arc<Link<T>>);

impl<T: Mac> BindEvents for Events<T> {
    fn unbinding(&self, dev: &device::Device) {
        if self.0.phy.is(dev) {
            let mut link = self.0.lock();
            T::driver_unbinding(&mut link);
            // INVARIANT: From now on until a driver is bound again, no `AttachedPhy` exists;
            // the driver core removes the driver after this returns.
            link.state.bound = false;
        }
    }

    fn bound(&self, dev: &device::Device) {
        if self.0.phy.is(dev) {
            let mut link = self.0.lock();
            link.state.bound = true;
            T::driver_bound(&mut link);
        }
    }
}

/// A locked [`Link`]: the MAC's state (through `Deref`), the PHY while phylib may drive it, and
/// the mode of phylib's state machine.
pub struct LinkGuard<'a, T> {
    phy: &'a PhyDevice,
    state: MutexGuard<'a, State<T>>,
}

impl<T: Unpin> Deref for LinkGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.state.mac
    }
}

impl<T: Unpin> DerefMut for LinkGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.state.mac
    }
}

impl<T: Unpin> LinkGuard<'_, T> {
    /// Returns the PHY if it is attached to the netdev and has a driver.
    pub fn attached(&self) -> Option<AttachedPhy<'_>> {
        // INVARIANT: Attaching and detaching, and the link's `Events` before a driver goes,
        // change these under the lock this borrows.
        (self.state.attached && self.state.bound).then_some(AttachedPhy {
            phydev: self.phy.as_raw(),
            _link: PhantomData,
        })
    }

    /// Returns whether phylib's state machine runs only when [`Self::run_state_machine`] runs
    /// it.
    pub fn is_manual(&self) -> bool {
        self.state.manual
    }

    /// Hands phylib's state machine over to [`Self::run_state_machine`] (`manual`), or back to
    /// phylib's own scheduling; returns whether the mode changed. Back in phylib's hands, the
    /// state machine runs when phylib next schedules it (see
    /// [`AttachedPhy::trigger_state_machine`]).
    pub fn set_manual(&mut self, manual: bool) -> bool {
        if self.state.manual == manual {
            return false;
        }
        // SAFETY: `phydev` is valid while `self.phy` lives; its work item was initialised when
        // phylib created it and lives as long. A disabled work item cannot be queued: phylib's
        // attempts to (re)schedule it fail until it is enabled again.
        let work = unsafe { &raw mut (*self.phy.as_raw()).state_queue };
        if manual {
            // SAFETY: `work` is valid (above). Waiting for a running instance under the link's
            // lock is safe: the state machine never takes it.
            unsafe { bindings::disable_delayed_work_sync(work) };
        } else {
            // SAFETY: `work` is valid (above) and was disabled once, when `manual` was set.
            unsafe { bindings::enable_delayed_work(work) };
        }
        self.state.manual = manual;
        true
    }

    /// Runs phylib's state machine once, now, in manual mode: what its timer would have run (a
    /// poll, a started autonegotiation, a cable test step).
    ///
    /// Fails with `EBUSY` in phylib's own mode, and with `ENODEV` while the PHY is detached or
    /// has no driver.
    pub fn run_state_machine(&self) -> Result {
        if !self.state.manual {
            return Err(EBUSY);
        }
        let phy = self.attached().ok_or(ENODEV)?;
        // SAFETY: `phydev` is valid; only the address of a field is taken.
        let work = unsafe { &raw mut (*phy.phydev).state_queue.work };
        // SAFETY: `work` is valid; its function, `phy_state_machine()`, was set when phylib
        // created the device.
        let run = unsafe { (*work).func }.ok_or(ENODEV)?;
        // The item is disabled (manual mode): the workqueue runs no instance of it and refuses
        // the function's attempt to reschedule itself. phylib cancels the item before a driver
        // goes, which a direct call escapes: the lock held here keeps the driver bound instead.
        // SAFETY: `work` is the function's own item, as the workqueue would pass it, run once at
        // a time under the link's lock, with the PHY attached and bound (`AttachedPhy`).
        unsafe { run(work) };
        Ok(())
    }
}

/// The PHY of a locked [`Link`] while it is attached to the netdev and has a driver: phylib's
/// calls for a MAC.
///
/// # Invariants
///
/// `phydev` is valid, attached to the netdev and bound to a driver while `'a` lasts: the link's
/// lock is held, attaching and detaching take it, and the driver core tells the link's
/// `Events` before it unbinds a driver, which take it too.
pub struct AttachedPhy<'a> {
    phydev: *mut bindings::phy_device,
    _link: PhantomData<&'a ()>,
}

impl AttachedPhy<'_> {
    /// Starts the PHY (`phy_start()`): its state machine takes it up. From states READY (after
    /// attaching or probing) and HALTED (after [`Self::stop`]); phylib WARNs in others.
    pub fn start(&self) {
        // SAFETY: Attached with a driver by the type invariants.
        unsafe { bindings::phy_start(self.phydev) };
    }

    /// Stops the PHY (`phy_stop()`): link down, state HALTED, the PHY suspended. phylib WARNs
    /// unless it was started.
    pub fn stop(&self) {
        // SAFETY: Attached with a driver by the type invariants.
        unsafe { bindings::phy_stop(self.phydev) };
    }

    /// Initialises the PHY as attaching does (`phy_init_hw()`: soft reset, `config_init`),
    /// under phylib's lock of the PHY as its state machine's calls into the driver are.
    pub fn init(&self) -> Result {
        // SAFETY: Valid by the type invariants; only the address of a field is taken.
        let lock = unsafe { &raw mut (*self.phydev).lock };
        // SAFETY: `lock` is the PHY's initialised mutex; neither `phy_init_hw()` nor the
        // driver callbacks it makes take it.
        unsafe { bindings::mutex_lock(lock) };
        // SAFETY: Attached with a driver by the type invariants.
        let result = to_result(unsafe { bindings::phy_init_hw(self.phydev) });
        // SAFETY: Locked above.
        unsafe { bindings::mutex_unlock(lock) };
        result
    }

    /// Schedules phylib's state machine to run now (`phy_trigger_machine()`); in manual mode
    /// the work item refuses it.
    pub fn trigger_state_machine(&self) {
        // SAFETY: Attached with a driver by the type invariants.
        unsafe { bindings::phy_trigger_machine(self.phydev) };
    }
}
