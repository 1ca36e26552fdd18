// SPDX-License-Identifier: GPL-2.0

//! PCI functions beyond a driver's own device, and a PCI driver with sysfs files and dynamic IDs.
//!
//! `kernel::pci` gives a driver its own device (`pci::Device`): IDs, BARs, IRQ vectors and its
//! configuration space. It has no way to the rest of the hierarchy, no access to the C
//! `struct pci_dev` for the PCI core's other functions, and its `pci::Adapter` registers the
//! `struct pci_driver` with no `dev_groups` and no IDs but its table. This part adds:
//!
//! - [`Function`]: a `struct pci_dev` of this part's own, with the PCI core functions that reset a
//!   device from the bridge above it, as `pci_reset_secondary_bus()` and
//!   `pci_bridge_wait_for_secondary_bus()` (drivers/pci/pci.c) do: the bridge above a function
//!   and its Root Port, where the function sits on its bus, the PCI Express Capability, the
//!   configuration access lock ([`ConfigAccessLock`]), saving and restoring a function's state,
//!   Secondary Bus Reset ([`SecondaryBusReset`]). A bound `Function` gives the kernel crate's
//!   `pci::Device` of the same function ([`Function::as_pci`]).
//! - [`Registration`]: the kernel crate's PCI driver registration, with the files of a
//!   [`DeviceFiles`] table as the driver's `dev_groups` (their callbacks may take the device as a
//!   `Function<Bound>`), and IDs added at run time ([`Registration::add_id`]), as the driver's
//!   `new_id` file adds them.
//!
//! A `Function` comes only from C: from a sysfs callback of the driver's files, or from the
//! hierarchy above such a one. The kernel crate keeps the `struct pci_dev` of its `pci::Device`
//! private, and this part does not assume its layout.
//!
//! The part uses the sysfs part: a module that lists `pci` lists `sysfs` too.

use core::{
    marker::PhantomData,
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
};
use kernel::{
    bindings,
    container_of,
    device::{
        self,
        AsBusDevice,
        Bound,
        DeviceContext,
        Normal, //
    },
    driver,
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    pci,
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque,
    ThisModule, //
};

use super::pci_ffi as ffi;
use crate::kernel_ext::sysfs::{
    DeviceFiles,
    FromDevice, //
};

/// A PCI function: the C `struct pci_dev`.
///
/// `Function` (that is, `Function<Normal>`) is any function, counted with [`ARef`];
/// `Function<Bound>` is one that a driver is bound to, and dereferences to `Function`.
///
/// # Invariants
///
/// A `Function<Ctx>` is a valid `struct pci_dev`; a `Function<Bound>` is bound to a driver for as
/// long as a reference to it lives.
#[repr(transparent)]
pub struct Function<Ctx: DeviceContext = Normal>(Opaque<bindings::pci_dev>, PhantomData<Ctx>);

// SAFETY: Every method of `Function` is one of the PCI core's functions, which take their own
// locks, or reads a field the PCI core sets when it adds the function.
unsafe impl Sync for Function {}

// SAFETY: As for `Function`; the context only says the function is bound.
unsafe impl Sync for Function<Bound> {}

// SAFETY: The last `pci_dev_put()` frees the function, which may happen on any thread.
unsafe impl Send for Function {}

// SAFETY: `pci_dev_get()` and `pci_dev_put()` count the references of a `struct pci_dev`, and a
// `&Function` is one (the type invariant), so it has a reference.
unsafe impl AlwaysRefCounted for Function {
    fn inc_ref(&self) {
        // SAFETY: `self` is a valid `struct pci_dev` (the type invariant).
        unsafe { bindings::pci_dev_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives back a reference it holds, to a valid `struct pci_dev`.
        unsafe { bindings::pci_dev_put(obj.cast().as_ptr()) };
    }
}

impl Deref for Function<Bound> {
    type Target = Function;

    fn deref(&self) -> &Function {
        // SAFETY: Both types are `repr(transparent)` wrappers of the same `struct pci_dev`, and
        // a bound one is a valid one.
        unsafe { &*ptr::from_ref(self).cast::<Function>() }
    }
}

impl FromDevice for Function<Bound> {
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> Option<&'a Self> {
        // SAFETY: `dev` is a valid `struct device` (the caller's promise).
        if !unsafe { bindings::dev_is_pci(dev) } {
            return None;
        }
        // SAFETY: A device on the PCI bus is the `dev` field of a `struct pci_dev`, which is
        // valid and bound for `'a` as `dev` is (the caller's promise).
        // INVARIANT: So the `Function<Bound>` is valid and bound for as long as it is borrowed.
        Some(unsafe { &*container_of!(dev, bindings::pci_dev, dev).cast::<Self>() })
    }
}

impl<Ctx: DeviceContext> Function<Ctx> {
    fn as_raw(&self) -> *mut bindings::pci_dev {
        self.0.get()
    }
}

impl Function<Bound> {
    /// Returns the kernel crate's `pci::Device` of the function.
    pub fn as_pci(&self) -> &pci::Device<Bound> {
        // SAFETY: `self` is a valid `struct pci_dev`, bound for as long as the reference lives
        // (the type invariant), so its `dev` is a valid, bound `struct device` that long.
        let dev = unsafe { device::Device::<Bound>::from_raw(&raw mut (*self.as_raw()).dev) };
        // SAFETY: `dev` is the `dev` field of a `struct pci_dev`, where `pci::Device`'s
        // `AsBusDevice::OFFSET` says it is.
        unsafe { pci::Device::<Bound>::from_device(dev) }
    }
}

impl Function {
    /// Returns the bridge whose secondary bus the function is on, or `None` on a root bus.
    pub fn upstream_bridge(&self) -> Option<ARef<Function>> {
        // SAFETY: `self` is a valid `struct pci_dev`.
        let bridge = unsafe { ffi::pci_shim_upstream_bridge(self.as_raw()) };
        // The function holds a reference to its bus (a Virtual Function to its Physical
        // Function first), and the bus one to its bridge.
        // SAFETY: So the bridge is a valid `struct pci_dev` while `self` is (above); the `ARef`
        // takes a reference of its own.
        let bridge = unsafe { bridge.cast::<Function>().as_ref() }?;
        Some(bridge.into())
    }

    /// Returns the Root Port above the function, or `None` when there is none (conventional PCI,
    /// a Root Complex Integrated Endpoint).
    pub fn root_port(&self) -> Option<&Function> {
        // SAFETY: `self` is a valid `struct pci_dev`.
        let root = unsafe { ffi::pci_shim_find_root_port(self.as_raw()) };
        // SAFETY: The Root Port is found through `pci_upstream_bridge()` from bridge to bridge,
        // each valid while the function below it is (see `upstream_bridge()`): it is a valid
        // `struct pci_dev` while `self` is.
        unsafe { root.cast::<Function>().as_ref() }
    }

    /// Returns whether the function is a bridge with a bus below it (a `subordinate`).
    pub fn has_subordinate(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`; the PCI core sets `subordinate` when it
        // scans the bridge.
        !unsafe { (*self.as_raw()).subordinate }.is_null()
    }

    /// Returns whether a quirk forbids resetting the function with a bus reset
    /// (`PCI_DEV_FLAGS_NO_BUS_RESET`).
    pub fn no_bus_reset(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`; quirks set `dev_flags` when the function
        // is added.
        let flags = u32::from(unsafe { (*self.as_raw()).dev_flags });
        flags & bindings::pci_dev_flags_PCI_DEV_FLAGS_NO_BUS_RESET != 0
    }

    /// Returns whether the function is in a slot that a hotplug driver controls.
    pub fn in_hotplug_slot(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`. Its `slot` is cleared before the slot is
        // freed (`pci_slot_release()`), when the slot's hotplug controller goes; the PCI core's
        // own reset reads it so as well, without a lock (`pci_dev_reset_slot_function()`).
        unsafe {
            let slot = (*self.as_raw()).slot;
            !slot.is_null() && !(*slot).hotplug.is_null()
        }
    }

    /// Returns the number of functions on the function's bus and on the buses below them,
    /// itself included.
    pub fn functions_on_bus(&self) -> usize {
        let mut count = 0usize;
        // SAFETY: `self` is a valid `struct pci_dev`, so its `bus` is valid; `pci_walk_bus()`
        // calls `count_function()` with `count`, which lives until it returns, under
        // `pci_bus_sem`, one function after the other.
        unsafe {
            bindings::pci_walk_bus(
                (*self.as_raw()).bus,
                Some(count_function),
                ptr::from_mut(&mut count).cast(),
            )
        };
        count
    }

    /// Returns whether the function has a PCI Express Capability.
    pub fn is_pcie(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`.
        unsafe { ffi::pci_shim_is_pcie(self.as_raw()) }
    }

    /// Reads a word of the function's PCI Express Capability (`PCI_EXP_*` offsets); 0 when the
    /// function has no such register, as `pcie_capability_read_word()` returns.
    pub fn read_pcie_word(&self, offset: u32) -> u16 {
        let offset = c_int::try_from(offset).unwrap_or(c_int::MAX);
        let mut value = 0;
        // SAFETY: `self` is a valid `struct pci_dev` and `value` valid for writes; the function
        // checks `offset`.
        unsafe { bindings::pcie_capability_read_word(self.as_raw(), offset, &mut value) };
        value
    }

    /// Reads a dword of the function's PCI Express Capability; 0 when the function has no such
    /// register.
    pub fn read_pcie_dword(&self, offset: u32) -> u32 {
        let offset = c_int::try_from(offset).unwrap_or(c_int::MAX);
        let mut value = 0;
        // SAFETY: As in `read_pcie_word()`.
        unsafe { bindings::pcie_capability_read_dword(self.as_raw(), offset, &mut value) };
        value
    }

    /// Returns the offset of the extended capability `id` (`PCI_EXT_CAP_ID_*`) in the
    /// function's configuration space, or `None` when it has none.
    pub fn find_ext_capability(&self, id: u16) -> Option<u16> {
        // SAFETY: `self` is a valid `struct pci_dev`; the function walks its extended
        // capabilities.
        let offset = unsafe { bindings::pci_find_ext_capability(self.as_raw(), c_int::from(id)) };
        (offset != 0).then_some(offset)
    }

    /// Returns whether a Root Port has Configuration RRS Software Visibility enabled, what
    /// `pci_dev_wait()` tests: a read of a device that answers with Request Retry Status then
    /// returns Vendor ID 0001h.
    pub fn config_rrs_sv(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`; the PCI core sets the bit when it enables
        // the feature on a Root Port.
        unsafe { bindings::pci_dev::config_rrs_sv_raw(self.as_raw()) != 0 }
    }

    /// Returns whether the function is an SR-IOV Virtual Function.
    pub fn is_virtfn(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`; `is_virtfn` is set when it is added.
        unsafe { bindings::pci_dev::is_virtfn_raw(self.as_raw()) != 0 }
    }

    /// Returns the function's D3cold delay in milliseconds (`d3cold_delay`): 100 with a Power
    /// Management Capability, 0 without, unless a quirk or the firmware changed it.
    pub fn d3cold_delay(&self) -> c_uint {
        // SAFETY: `self` is a valid `struct pci_dev`; the field is set when it is added.
        unsafe { (*self.as_raw()).d3cold_delay }
    }

    /// Returns whether the function is known to be gone: surprise removal, or error recovery
    /// gave it up (`pci_dev_is_disconnected()`).
    pub fn is_disconnected(&self) -> bool {
        // SAFETY: `self` is a valid `struct pci_dev`; the function reads its `error_state`.
        unsafe { ffi::pci_shim_dev_is_disconnected(self.as_raw()) }
    }

    /// Waits until nobody else blocks user space's accesses to the function's configuration
    /// space, then blocks them until the returned lock drops (`pci_cfg_access_lock()`).
    ///
    /// The kernel's own resets take the same lock: one of them waits for the other. The
    /// kernel's other accesses are not blocked. May sleep.
    pub fn lock_config_access(&self) -> ConfigAccessLock<'_> {
        // SAFETY: `self` is a valid `struct pci_dev`.
        unsafe { bindings::pci_cfg_access_lock(self.as_raw()) };
        // INVARIANT: Locked just now.
        ConfigAccessLock { function: self }
    }
}

/// Counts the functions `pci_walk_bus()` visits.
///
/// # Safety
///
/// `count` points to a `usize` that nothing else accesses during the call.
unsafe extern "C" fn count_function(_dev: *mut bindings::pci_dev, count: *mut c_void) -> c_int {
    // SAFETY: The caller's promise.
    let count = unsafe { &mut *count.cast::<usize>() };
    *count = count.saturating_add(1);
    0
}

/// User space kept out of a function's configuration space; see
/// [`Function::lock_config_access`].
///
/// # Invariants
///
/// `function`'s configuration accesses are locked (`pci_cfg_access_lock()`) by this lock.
#[must_use = "user space gets the configuration space back when the lock drops"]
pub struct ConfigAccessLock<'a> {
    function: &'a Function,
}

impl ConfigAccessLock<'_> {
    /// Saves the function's configuration space (`pci_save_state()`): the header, BARs and
    /// Command register, and the capabilities the PCI core knows.
    pub fn save_state(&self) {
        // SAFETY: `function` is a valid `struct pci_dev`.
        unsafe { bindings::pci_save_state(self.function.as_raw()) };
    }

    /// Writes back what [`save_state`](Self::save_state) saved (`pci_restore_state()`), as the
    /// PCI core does after a reset wiped it.
    pub fn restore_state(&self) {
        // SAFETY: `function` is a valid `struct pci_dev`.
        unsafe { bindings::pci_restore_state(self.function.as_raw()) };
    }

    /// Sets Secondary Bus Reset in the Bridge Control register of a bridge, which resets every
    /// function below it until the returned value drops and clears it, as
    /// `pci_reset_secondary_bus()` does.
    ///
    /// The function must be a bridge, as [`Function::upstream_bridge`] returns: on another the
    /// register is Interrupt Pin, Min_Gnt and Max_Lat, which are read-only. The lock stays until
    /// the reset is cleared.
    pub fn assert_secondary_bus_reset(&self) -> SecondaryBusReset<'_> {
        let mut control = 0;
        let function = self.function;
        // SAFETY: `function` is a valid `struct pci_dev` and `control` valid for writes. User
        // space, which could write the register too, is locked out (the type invariant).
        unsafe {
            bindings::pci_read_config_word(function.as_raw(), BRIDGE_CONTROL, &mut control);
            bindings::pci_write_config_word(function.as_raw(), BRIDGE_CONTROL, control | BUS_RESET);
        }
        SecondaryBusReset { function, control }
    }
}

impl Drop for ConfigAccessLock<'_> {
    fn drop(&mut self) {
        // SAFETY: `function` is a valid `struct pci_dev`, locked by this lock (the type
        // invariant).
        unsafe { bindings::pci_cfg_access_unlock(self.function.as_raw()) };
    }
}

/// Offset of the Bridge Control register in a bridge's configuration header.
const BRIDGE_CONTROL: c_int = bindings::PCI_BRIDGE_CONTROL as c_int;
/// Secondary Bus Reset in the Bridge Control register.
const BUS_RESET: u16 = bindings::PCI_BRIDGE_CTL_BUS_RESET as u16;

/// Secondary Bus Reset asserted on a bridge; see [`ConfigAccessLock::assert_secondary_bus_reset`].
///
/// PCI r3.0 sec 7.6.4.2 requires it to stay set 1 ms at least.
#[must_use = "the reset is cleared when this drops"]
pub struct SecondaryBusReset<'a> {
    function: &'a Function,
    /// Bridge Control before the reset.
    control: u16,
}

impl Drop for SecondaryBusReset<'_> {
    fn drop(&mut self) {
        // SAFETY: `function` is a valid `struct pci_dev`.
        unsafe {
            bindings::pci_write_config_word(
                self.function.as_raw(),
                BRIDGE_CONTROL,
                self.control & !BUS_RESET,
            )
        };
    }
}

/// A PCI driver `T`, registered as `kernel::pci::Adapter<T>` registers it, with the files of `F`
/// on every device it binds and IDs added at run time.
///
/// The driver is registered under its name until the registration drops.
#[pin_data]
pub struct Registration<T, F>
where
    T: for<'b> pci::Driver<Data<'b> = F::Data> + 'static,
    F: DeviceFiles,
{
    #[pin]
    driver: driver::Registration<WithFiles<T, F>>,
    name: &'static CStr,
}

impl<T, F> Registration<T, F>
where
    T: for<'b> pci::Driver<Data<'b> = F::Data> + 'static,
    F: DeviceFiles,
{
    /// Registers the driver under `name`, which must be unique on the PCI bus.
    pub fn new(name: &'static CStr, module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            driver <- driver::Registration::new(name, module),
            name,
        })
    }

    /// Adds `vendor:device`, with any subsystem IDs and class, to the IDs the driver binds, as
    /// its `new_id` file does (`pci_add_dynid()`); the PCI core then probes every matching
    /// device that no driver has. Unlike `new_id`, the ID's `driver_data` is 0: the probe gets
    /// no `IdInfo`. The ID goes when the driver unregisters.
    pub fn add_id(&self, vendor: u16, device: u16) -> Result {
        // SAFETY: `name` is NUL-terminated and `pci_bus_type` is the PCI bus, registered at
        // boot; `driver_find()` only looks the name up among the bus's drivers.
        let drv = unsafe {
            bindings::driver_find(self.name.as_char_ptr(), &raw const bindings::pci_bus_type)
        };
        if drv.is_null() {
            return Err(ENODEV);
        }
        // The PCI bus has no two drivers of one name (`driver_register()` refuses the second),
        // and `self` keeps its driver registered under `name` (`pci::Adapter` registers it with
        // `__pci_register_driver()`) until it drops, after this call.
        // SAFETY: So `drv` is the `driver` field of that driver's `struct pci_driver` (above).
        let pci_drv = unsafe { container_of!(drv, bindings::pci_driver, driver) };
        let any = bindings::PCI_ANY_ID as u32;
        // SAFETY: `pci_drv` is registered (as above); `pci_unregister_driver()` frees the ID.
        to_result(unsafe {
            bindings::pci_add_dynid(pci_drv, vendor.into(), device.into(), any, any, 0, 0, 0)
        })
    }
}

/// `kernel::pci::Adapter<T>`, with the files of `F` as the driver's `dev_groups`.
///
/// The kernel crate's adapter sets the fields of the `struct pci_driver` that it needs and
/// registers it in one step, with no place for `dev_groups`: this one sets that field first.
struct WithFiles<T, F>(PhantomData<(T, F)>);

// SAFETY: The driver structure is `pci::Adapter<T>`'s, laid out as it says; the data `F::Data` is
// `T::Data`, which that adapter keeps as the drvdata of each device.
unsafe impl<T, F> driver::DriverLayout for WithFiles<T, F>
where
    T: for<'b> pci::Driver<Data<'b> = F::Data> + 'static,
    F: DeviceFiles,
{
    type DriverType = bindings::pci_driver;
    type DriverData<'bound> = F::Data;
    const DEVICE_DRIVER_OFFSET: usize =
        <pci::Adapter<T> as driver::DriverLayout>::DEVICE_DRIVER_OFFSET;
}

// SAFETY: `unregister()` is `pci::Adapter<T>`'s, called only after its `register()` succeeded.
unsafe impl<T, F> driver::RegistrationOps for WithFiles<T, F>
where
    T: for<'b> pci::Driver<Data<'b> = F::Data> + 'static,
    F: DeviceFiles,
{
    unsafe fn register(
        pdrv: &Opaque<bindings::pci_driver>,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result {
        // The driver core creates `F`'s files on each device the driver binds after
        // `pci::Adapter<T>`'s probe has set its drvdata, a `Pin<KBox<T::Data>>`, that is
        // `F::Data`, and removes them before the post-unbind callback of the kernel crate's
        // `driver::Registration` frees it: what `Group::dev_groups()` asks for.
        // SAFETY: `pdrv` is a valid `struct pci_driver`, not registered yet, so nothing else
        // reads it; the files' requirement holds (above).
        unsafe { (*pdrv.get()).dev_groups = F::group().dev_groups() };
        // SAFETY: The caller's promise, passed on.
        unsafe { <pci::Adapter<T> as driver::RegistrationOps>::register(pdrv, name, module) }
    }

    unsafe fn unregister(pdrv: &Opaque<bindings::pci_driver>) {
        // SAFETY: The caller's promise: `register()`, and so `pci::Adapter<T>`'s, succeeded.
        unsafe { <pci::Adapter<T> as driver::RegistrationOps>::unregister(pdrv) };
    }
}
