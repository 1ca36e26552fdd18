// SPDX-License-Identifier: GPL-2.0

//! MDIO buses provided by Rust: a `struct mii_bus` whose reads and writes go to a Rust [`Bus`],
//! the PHY devices phylib finds on it, and the driver core's bind events of PHY devices.
//!
//! C headers: [`include/linux/phy.h`](srctree/include/linux/phy.h),
//! [`include/linux/device/bus.h`](srctree/include/linux/device/bus.h).
//!
//! The kernel crate's `kernel::net::phy` is the PHY driver's side of phylib: a driver's
//! callbacks on a `phy::Device` that exists only while phylib calls them. It has nothing for the
//! other sides: registering an MDIO bus (`mdiobus_alloc_size()`, `__mdiobus_register()`),
//! holding one of its PHY devices (`mdiobus_get_phy()`), and learning when a driver is bound to
//! or unbound from one (a notifier on the MDIO bus type). This part adds them:
//!
//! - [`Registration`]: a registered bus with a [`Bus`] behind its clause 22 read and write.
//! - [`PhyDevice`]: a PHY device of a registered bus, which stays registered while it lives;
//!   one handle per PHY at a time.
//! - [`BindNotifier`]: calls a [`BindEvents`] before a driver is unbound from a device of the
//!   MDIO [`BusType`] and after one was bound.
//!
//! `netdev` attaches a [`PhyDevice`] to a network device.

use core::{
    ptr::{
        self,
        NonNull, //
    },
    sync::atomic::{
        AtomicU32,
        Ordering, //
    },
};

use kernel::{
    bindings,
    device,
    error::to_result,
    ffi::{
        c_char,
        c_int,
        c_ulong,
        c_void, //
    },
    prelude::*,
    sync::{
        aref::ARef,
        Arc, //
    },
    types::Opaque,
    ThisModule, //
};

/// The registers behind an MDIO bus: what its clause 22 reads and writes do.
///
/// phylib calls them under the bus's own lock, in process context (they may sleep).
pub trait Bus: Send + Sync {
    /// Reads register `reg` of the device at address `addr`.
    fn read(&self, addr: u8, reg: u8) -> Result<u16>;

    /// Writes `value` to register `reg` of the device at address `addr`.
    fn write(&self, addr: u8, reg: u8, value: u16) -> Result;
}

/// A registered MDIO bus.
///
/// # Invariants
///
/// `raw` is a `struct mii_bus` registered with phylib, whose `priv_` points at the [`Bus`]
/// `_bus` keeps alive and whose `read` and `write` are [`read`] and [`write`] of that type,
/// until `drop` unregisters and frees it. Bit `addr` of `taken` is set while a [`PhyDevice`]
/// of address `addr` exists.
pub struct Registration {
    raw: NonNull<bindings::mii_bus>,
    taken: AtomicU32,
    _bus: Arc<dyn Bus>,
}

// SAFETY: The bus is only unregistered (in `drop`), which any thread may do; the `Bus` is
// `Send + Sync`.
unsafe impl Send for Registration {}
// SAFETY: `&Registration` only looks up PHY devices, which phylib allows from any thread.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers the bus `id` (its PHY devices are named `<id>:<addr>`), described as `name`,
    /// whose reads and writes go to `bus`. phylib scans the addresses set in `scan` for PHYs,
    /// creates a PHY device for each and binds the driver matching its PHY id.
    ///
    /// `module` is the bus's owner: phylib pins it while a PHY of the bus is attached to a
    /// network device of another module. Fails with `EINVAL` if `id` is longer than phylib
    /// allows.
    pub fn register<T: Bus + 'static>(
        name: &'static CStr,
        id: &CStr,
        scan: u32,
        bus: Arc<T>,
        module: &'static ThisModule,
    ) -> Result<Arc<Self>> {
        let id = id.to_bytes_with_nul();
        if id.len() > bindings::MII_BUS_ID_SIZE as usize {
            return Err(EINVAL);
        }
        // SAFETY: Allocates a zeroed bus without private area; no preconditions.
        let raw = NonNull::new(unsafe { bindings::mdiobus_alloc_size(0) }).ok_or(ENOMEM)?;
        let mii = raw.as_ptr();
        // SAFETY: `mii` is a valid bus, not registered, that only this function sees. `name`
        // is static; `bus` outlives the registration (it is kept in `Self`).
        unsafe {
            (*mii).name = name.as_char_ptr();
            for (dst, src) in (*mii).id.iter_mut().zip(id) {
                *dst = *src as c_char;
            }
            (*mii).priv_ = Arc::as_ptr(&bus).cast_mut().cast();
            (*mii).read = Some(read::<T>);
            (*mii).write = Some(write::<T>);
            (*mii).phy_mask = !scan;
        }
        // SAFETY: `mii` is fully set up. phylib may call `read` and `write` from now on, which
        // find `bus` alive.
        if let Err(e) = to_result(unsafe { bindings::__mdiobus_register(mii, module.as_ptr()) }) {
            // SAFETY: `mii` was allocated above and is not registered.
            unsafe { bindings::mdiobus_free(mii) };
            return Err(e);
        }
        // INVARIANT: Registered, with `priv_` pointing at `bus`, kept in `Self`; no PHY device
        // handed out. If the `Arc` cannot be allocated, dropping `Self` unregisters the bus.
        Ok(Arc::new(
            Self {
                raw,
                taken: AtomicU32::new(0),
                _bus: bus,
            },
            GFP_KERNEL,
        )?)
    }

    /// Returns the PHY device phylib created at `addr`: `ENODEV` if there is none, `EINVAL` if
    /// `addr` is not a bus address, `EBUSY` while the previous handle of it lives.
    pub fn phy(self: &Arc<Self>, addr: u8) -> Result<PhyDevice> {
        if u32::from(addr) >= bindings::PHY_MAX_ADDR {
            return Err(EINVAL);
        }
        let bit = 1 << addr;
        if self.taken.fetch_or(bit, Ordering::AcqRel) & bit != 0 {
            return Err(EBUSY);
        }
        // SAFETY: `self.raw` is registered by the type invariants, `addr` is in range.
        let phydev = unsafe { bindings::mdiobus_get_phy(self.raw.as_ptr(), addr.into()) };
        let Some(phydev) = NonNull::new(phydev) else {
            self.taken.fetch_and(!bit, Ordering::AcqRel);
            return Err(ENODEV);
        };
        // SAFETY: A PHY device of a registered bus is valid, and the bus holds a reference to
        // it until it unregisters, which `self` prevents here. `release` of a PHY device may
        // run on any thread.
        let dev = unsafe { device::Device::get_device(&raw mut (*phydev.as_ptr()).mdio.dev) };
        // INVARIANT: `dev` is the device of `phydev`, on the bus `bus` keeps registered, its
        // address taken above.
        Ok(PhyDevice {
            phydev,
            addr,
            dev,
            bus: self.clone(),
        })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: `self.raw` is registered by the type invariants. Once unregistered no callback
        // runs any more, so the `Bus` may go after this.
        unsafe {
            bindings::mdiobus_unregister(self.raw.as_ptr());
            bindings::mdiobus_free(self.raw.as_ptr());
        }
    }
}

/// Runs a transaction phylib asked of the bus `mii`: `f` on its [`Bus`] with the address and
/// register, which are `EINVAL` out of range.
///
/// # Safety
///
/// `mii` is a bus registered by [`Registration::register::<T>`], which is still registered.
unsafe fn transaction<T: Bus>(
    mii: *mut bindings::mii_bus,
    addr: c_int,
    regnum: c_int,
    f: impl FnOnce(&T, u8, u8) -> Result<c_int>,
) -> c_int {
    // SAFETY: By the caller's guarantee `priv_` points at the `T` the registration keeps alive
    // while the bus is registered.
    let bus = unsafe { &*(*mii).priv_.cast::<T>() };
    let (Ok(addr), Ok(reg)) = (u8::try_from(addr), u8::try_from(regnum)) else {
        return EINVAL.to_errno();
    };
    f(bus, addr, reg).unwrap_or_else(|e| e.to_errno())
}

/// `mii_bus.read`.
///
/// # Safety
///
/// phylib calls it on a bus registered by [`Registration::register::<T>`], while registered.
unsafe extern "C" fn read<T: Bus>(
    mii: *mut bindings::mii_bus,
    addr: c_int,
    regnum: c_int,
) -> c_int {
    // SAFETY: By the caller's guarantee.
    unsafe {
        transaction::<T>(mii, addr, regnum, |bus, addr, reg| {
            Ok(bus.read(addr, reg)?.into())
        })
    }
}

/// `mii_bus.write`.
///
/// # Safety
///
/// phylib calls it on a bus registered by [`Registration::register::<T>`], while registered.
unsafe extern "C" fn write<T: Bus>(
    mii: *mut bindings::mii_bus,
    addr: c_int,
    regnum: c_int,
    value: u16,
) -> c_int {
    // SAFETY: By the caller's guarantee.
    unsafe {
        transaction::<T>(mii, addr, regnum, |bus, addr, reg| {
            bus.write(addr, reg, value)?;
            Ok(0)
        })
    }
}

/// A PHY device of a registered MDIO bus, holding a reference to it.
///
/// The bus stays registered while any of its PHY devices lives, so the device stays on it. A
/// PHY has one handle at a time: its owner is the only Rust code that can attach it to a
/// network device (phylib's attach of an attached PHY detaches it from its netdev on the way
/// out).
///
/// # Invariants
///
/// `phydev` is the PHY device at `addr` of the bus `bus` keeps registered (phylib removes a
/// bus's PHY devices when it unregisters), `dev` its `mdio.dev`, whose reference keeps
/// `phydev` allocated, and bit `addr` of the bus's `taken` is set for `self` alone.
pub struct PhyDevice {
    phydev: NonNull<bindings::phy_device>,
    addr: u8,
    dev: ARef<device::Device>,
    bus: Arc<Registration>,
}

// SAFETY: `phydev` is only handed to phylib, whose functions serialise their users of a PHY
// device with its lock; the reference to it may be dropped on any thread.
unsafe impl Send for PhyDevice {}
// SAFETY: As for `Send`: `&PhyDevice` gives out the pointer and the `struct device` only.
unsafe impl Sync for PhyDevice {}

impl Drop for PhyDevice {
    fn drop(&mut self) {
        // INVARIANT: The address is free for a new handle; `bus` still keeps the bus.
        self.bus
            .taken
            .fetch_and(!(1 << self.addr), Ordering::AcqRel);
    }
}

impl PhyDevice {
    /// Returns the `struct phy_device`, valid while `self` lives.
    pub fn as_raw(&self) -> *mut bindings::phy_device {
        self.phydev.as_ptr()
    }

    /// Returns whether `dev` is this PHY's device.
    pub fn is(&self, dev: &device::Device) -> bool {
        ptr::eq(&*self.dev, dev)
    }

    /// Returns the bus type of the PHY device.
    pub fn bus_type(&self) -> BusType {
        // SAFETY: `phydev` is valid by the type invariants; `mdio.dev.bus` is set when the
        // device is created, before the bus registers.
        let bus_type = unsafe { (*self.phydev.as_ptr()).mdio.dev.bus };
        // INVARIANT: A PHY device's bus type is phylib's `mdio_bus_type`.
        BusType(bus_type)
    }
}

/// The MDIO bus type, `mdio_bus_type`, whose devices are those of every MDIO bus. (phylib does
/// not export it: a [`PhyDevice`] gives it.)
///
/// # Invariants
///
/// `0` points at `mdio_bus_type`, which is static.
#[derive(Clone, Copy)]
pub struct BusType(*const bindings::bus_type);

/// What the driver core reports of a PHY device's driver, to a [`BindNotifier`].
///
/// The calls come from the driver core with the device locked; several devices' events may be
/// reported at once.
pub trait BindEvents: Send + Sync {
    /// A driver is about to be unbound from `dev` (`BUS_NOTIFY_UNBIND_DRIVER`): its `remove`
    /// has not run yet.
    fn unbinding(&self, dev: &device::Device);

    /// A driver was bound to `dev` (`BUS_NOTIFY_BOUND_DRIVER`): its `probe` succeeded.
    fn bound(&self, dev: &device::Device);
}

/// A notifier on the MDIO bus type, calling a [`BindEvents`] while it lives.
///
/// The events of the devices of every MDIO bus come; [`PhyDevice::is`] tells them apart.
///
/// # Invariants
///
/// `nb` is registered on `bus_type` from initialisation until drop, with [`notify::<T>`] as its
/// callback.
#[pin_data(PinnedDrop)]
pub struct BindNotifier<T: BindEvents> {
    events: T,
    bus_type: BusType,
    #[pin]
    nb: Opaque<bindings::notifier_block>,
}

// SAFETY: The bus type is static, only passed to the driver core; `T` is `Send`.
unsafe impl<T: BindEvents> Send for BindNotifier<T> {}
// SAFETY: `&BindNotifier` gives out nothing but `&T` (to the callback), and `T` is `Sync`.
unsafe impl<T: BindEvents> Sync for BindNotifier<T> {}

impl<T: BindEvents> BindNotifier<T> {
    /// Calls `events` for the driver events of every device on `bus_type`, from initialisation
    /// on.
    pub fn new(bus_type: BusType, events: T) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            events,
            bus_type,
            // `events` is set: the notifier may run as soon as it is registered.
            nb <- Opaque::try_ffi_init(move |nb: *mut bindings::notifier_block| {
                // SAFETY: `nb` is valid for writes (the field being initialised); it stays
                // pinned until `drop` unregisters it. The bus type is static.
                unsafe {
                    nb.write(bindings::notifier_block {
                        notifier_call: Some(notify::<T>),
                        ..pin_init::zeroed()
                    });
                    to_result(bindings::bus_register_notifier(bus_type.0, nb))
                }
            }),
        }? Error)
    }
}

#[pinned_drop]
impl<T: BindEvents> PinnedDrop for BindNotifier<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered on `bus_type` by the type invariants. Unregistering waits for
        // running callbacks, so none sees `self` go.
        unsafe { bindings::bus_unregister_notifier(self.bus_type.0, self.nb.get()) };
    }
}

/// The callback of a [`BindNotifier<T>`].
///
/// # Safety
///
/// The driver core calls it on the bus notifier chain: `nb` is the `nb` of a registered
/// [`BindNotifier<T>`], `data` the `struct device` of the event `action`.
unsafe extern "C" fn notify<T: BindEvents>(
    nb: *mut bindings::notifier_block,
    action: c_ulong,
    data: *mut c_void,
) -> c_int {
    let nb = nb.cast::<Opaque<bindings::notifier_block>>();
    // SAFETY: `Opaque` is `repr(transparent)`; by the caller's guarantee `nb` is the field of a
    // `BindNotifier<T>`, alive while registered.
    let notifier = unsafe { &*kernel::container_of!(nb, BindNotifier<T>, nb) };
    // SAFETY: The driver core holds the device of a bus event during the call.
    let dev = unsafe { device::Device::from_raw(data.cast()) };
    match u32::try_from(action) {
        Ok(bindings::bus_notifier_event_BUS_NOTIFY_UNBIND_DRIVER) => notifier.events.unbinding(dev),
        Ok(bindings::bus_notifier_event_BUS_NOTIFY_BOUND_DRIVER) => notifier.events.bound(dev),
        _ => {}
    }
    bindings::NOTIFY_DONE as c_int
}
