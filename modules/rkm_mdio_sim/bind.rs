// SPDX-License-Identifier: GPL-2.0

//! A PHY driver unbound and bound again through sysfs while its netdev is up.
//!
//! Unbinding removes the driver under phylib's feet: `phy_remove()` cancels
//! the state machine and leaves the PHY in state DOWN, still attached; binding
//! again leaves it READY, never started, and the netdev's next `phy_stop()`
//! WARNs. So a notifier on the MDIO bus type stops each port's PHY while its
//! driver is still bound (`BUS_NOTIFY_UNBIND_DRIVER`, before `remove`), and
//! once a driver is bound again (`BUS_NOTIFY_BOUND_DRIVER`, after `probe`)
//! initialises the PHY as attaching did and starts it if the netdev is open.

use kernel::{
    bindings,
    error::to_result,
    ffi::{
        c_int,
        c_ulong,
        c_void, //
    },
    prelude::*,
    sync::Arc,
    types::Opaque, //
};

use crate::port::PortLink;

/// The bus notifier, registered while it lives.
///
/// # Invariants
///
/// `nb` is registered on `bus` from initialisation until drop; `links` do
/// not change meanwhile.
#[pin_data(PinnedDrop)]
pub(crate) struct BindWatch {
    links: KVec<Arc<PortLink>>,
    bus: *const bindings::bus_type,
    #[pin]
    nb: Opaque<bindings::notifier_block>,
}

// SAFETY: `bus` is a static bus type, only passed to the driver core; the
// links are `Send + Sync`.
unsafe impl Send for BindWatch {}
// SAFETY: As for `Send`; the notifier block is only touched by the driver
// core, which serialises its notifier chain.
unsafe impl Sync for BindWatch {}

impl BindWatch {
    /// Watches the drivers of the PHYs of `links` (on one bus).
    pub(crate) fn new(links: KVec<Arc<PortLink>>) -> Result<impl PinInit<Self, Error>> {
        let bus_type = links.first().ok_or(EINVAL)?.bus_type();
        Ok(try_pin_init!(Self {
            links,
            bus: bus_type,
            // `links` is set: the notifier may run as soon as it is registered.
            nb <- Opaque::try_ffi_init(move |nb: *mut bindings::notifier_block| {
                // SAFETY: `nb` is valid for writes (the field being
                // initialised) and stays pinned while registered (`drop`
                // unregisters it).
                unsafe {
                    nb.write(bindings::notifier_block {
                        notifier_call: Some(notify),
                        ..pin_init::zeroed()
                    });
                    to_result(bindings::bus_register_notifier(bus_type, nb))
                }
            }),
        }? Error))
    }
}

#[pinned_drop]
impl PinnedDrop for BindWatch {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Registered on `bus` by the type invariant; this waits for
        // running callbacks, so none sees `self` go.
        unsafe { bindings::bus_unregister_notifier(self.bus, self.nb.get()) };
    }
}

/// The bus notifier's callback.
///
/// # Safety
///
/// `nb` is the `nb` of a registered [`BindWatch`]; `data` the `struct device`
/// of the bus event `action`, device lock held (the driver core's bind and
/// unbind paths).
unsafe extern "C" fn notify(
    nb: *mut bindings::notifier_block,
    action: c_ulong,
    data: *mut c_void,
) -> c_int {
    // SAFETY: `Opaque` is `repr(transparent)`; `nb` is the field of a live
    // `BindWatch` (caller's guarantee), alive while registered.
    let watch = unsafe {
        &*kernel::container_of!(nb.cast::<Opaque<bindings::notifier_block>>(), BindWatch, nb)
    };
    let dev = data.cast::<bindings::device>();
    if let Some(link) = watch.links.iter().find(|l| l.is_phy_device(dev)) {
        match u32::try_from(action) {
            Ok(bindings::bus_notifier_event_BUS_NOTIFY_UNBIND_DRIVER) => link.release(),
            Ok(bindings::bus_notifier_event_BUS_NOTIFY_BOUND_DRIVER) => link.driver_bound(),
            _ => {}
        }
    }
    bindings::NOTIFY_DONE as c_int
}
