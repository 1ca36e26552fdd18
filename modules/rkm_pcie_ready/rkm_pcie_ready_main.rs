// SPDX-License-Identifier: GPL-2.0

//! PCI Express device readiness after a secondary bus reset, measured on real configuration space.
//!
//! A PCI driver for QEMU's `pci-testdev` (1b36:0005; run QEMU with a `pcie-root-port` and a
//! `pci-testdev` on its bus) and for one more device named by the `id` parameter. Writing `1` to
//! `/sys/bus/pci/devices/<device>/rkm_pcie_ready/reset` resets the device with a secondary bus
//! reset of the port above it, then waits until the device is ready again as the device's
//! `policy` says: `kernel`, Linux 7.3's own wait, or `spec`, what PCI Express r6.0 sec 6.6.1
//! requires and no more. The readiness engine of rust/pcie_ready decides what to do next; this
//! module sleeps, reads the port's Link Status and the device's configuration space, and keeps the
//! time. What the wait did is shown in sysfs ([`files`]) and in one kernel log line per reset.
//! Documentation/rkm_pcie_ready.rst describes the files, their errors and the policies.

use kernel::{
    device::Core,
    pci,
    prelude::*, //
};

use kernel_ext::pci::Registration;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

mod files;
mod report;
mod reset;
mod reset_port;

#[path = "../../rust/pcie_ready/src/readiness/mod.rs"]
pub mod readiness;

module! {
    type: RkmPcieReady,
    name: "rkm_pcie_ready",
    authors: ["rkm developers"],
    description: "PCIe device readiness after a secondary bus reset, by the kernel's or the spec's rules",
    license: "GPL",
    params: {
        id: u32 {
            default: 0,
            description: "Another device to bind: 0xVVVVDDDD, vendor ID in the high and device ID in the low 16 bits; 0 for none",
        },
    },
}

/// The driver, registered under this name on the PCI bus.
const DRIVER_NAME: &CStr = c"rkm_pcie_ready";

/// The PCI driver with its sysfs files.
type DriverRegistration = Registration<ReadyDriver, files::Files>;

/// The module: the PCI driver, with the device of the `id` parameter added to its IDs.
#[pin_data]
struct RkmPcieReady {
    #[pin]
    driver: DriverRegistration,
}

impl kernel::InPlaceModule for RkmPcieReady {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            driver <- Registration::new(DRIVER_NAME, module),
            _: {
                add_id(&driver, module_parameters::id.value())?;
            },
        })
    }
}

kernel::pci_device_table!(
    PCI_TABLE,
    <ReadyDriver as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::REDHAT, 0x5), ())]
);

/// The PCI driver: each device it binds gets the sysfs files of [`files`].
struct ReadyDriver;

impl pci::Driver for ReadyDriver {
    type IdInfo = ();
    type Data<'bound> = reset::ReadyDevice;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        reset::ReadyDevice::new(pdev)
    }
}

/// Adds the device named by the `id` parameter to the driver's IDs; the driver then probes it if
/// it is present and unbound.
///
/// The driver's `new_id` file would refuse this ID: its `driver_data` is 0, where it accepts only
/// that of an ID table entry (Documentation/rkm_pcie_ready.rst).
fn add_id(driver: &DriverRegistration, id: u32) -> Result {
    if id == 0 {
        return Ok(());
    }
    let [vendor_high, vendor_low, device_high, device_low] = id.to_be_bytes();
    let vendor = u16::from_be_bytes([vendor_high, vendor_low]);
    // No device has these vendor IDs: 0xffff is what a read of an absent device returns.
    if vendor == 0 || vendor == 0xffff {
        pr_err!("id={id:#010x}: no such vendor ID {vendor:#06x}\n");
        return Err(EINVAL);
    }
    driver.add_id(vendor, u16::from_be_bytes([device_high, device_low]))
}
