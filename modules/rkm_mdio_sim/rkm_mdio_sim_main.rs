// SPDX-License-Identifier: GPL-2.0

//! An emulated MDIO bus, so PHY drivers run without their hardware.
//!
//! Registers the MDIO bus `rkm-mdio-sim` with one emulated PHY per address
//! its module parameters name (a bit mask of addresses per model), each a
//! register model from rust/phy_model answering like the real chip, with a
//! link partner at the other end of its cable. phylib scans the bus, creates
//! the PHY devices and binds the drivers matching their PHY ids. Each PHY then
//! gets a network device `rkmsim<addr>`, so `ip link` and `ethtool` drive the
//! PHY driver as a MAC driver would: link, speed, duplex, autonegotiation,
//! master/slave, SQI and cable tests.
//!
//! The partner, timing and injected faults are set, and the MDIO traffic
//! watched, in debugfs (`debugfs.rs`). Documentation/rkm_phy.rst has the
//! register models and how to add one.
//!
//! Load the PHY drivers first: a PHY without a driver when its netdev attaches
//! gets the generic driver. A driver unbound and bound again through sysfs
//! keeps its netdev working (`mac.rs`).
//!
//! The bus and the netdevs are the kernel_ext parts `mdio` and `netdev`
//! (Documentation/kernel_ext.rst): the module is the emulator and the policy
//! over their safe API.

mod debugfs;
mod emulator;
mod mac;

#[path = "../../rust/phy_model/src/emulation/mod.rs"]
pub mod emulation;

use kernel::{
    debugfs::Scope,
    prelude::*,
    sync::Arc, //
};

use debugfs::PortFiles;
use emulation::Model;
use emulator::Emulator;
use kernel_ext::{
    mdio,
    netdev::ParentDriver, //
};
use mac::Port;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

module! {
    type: RkmMdioSim,
    name: "rkm_mdio_sim",
    authors: ["rkm developers"],
    description: "Emulated MDIO bus with register models of PHYs and a netdev on each",
    license: "GPL",
    params: {
        ax88772a: u32 {
            default: 1 << 1,
            description: "Bus addresses (bit mask) of emulated Asix AX88772A PHYs",
        },
        ax88772c: u32 {
            default: 1 << 2,
            description: "Bus addresses (bit mask) of emulated Asix AX88772C PHYs",
        },
        ax88796b: u32 {
            default: 1 << 3,
            description: "Bus addresses (bit mask) of emulated Asix AX88796B PHYs",
        },
        dp83tg720: u32 {
            default: 1 << 4,
            description: "Bus addresses (bit mask) of emulated TI DP83TG720 PHYs",
        },
        an_delay_ms: u32 {
            default: 100,
            description: "Milliseconds from the start of autonegotiation to link up (debugfs changes it per PHY)",
        },
        trace_len: u32 {
            default: 2048,
            description: "MDIO transactions each PHY's debugfs trace keeps (1-262144)",
        },
    },
}

/// The models at each address, from the module parameters.
fn layout() -> Result<KVec<(u8, Model)>> {
    let masks = [
        (Model::Ax88772a, module_parameters::ax88772a.value()),
        (Model::Ax88772c, module_parameters::ax88772c.value()),
        (Model::Ax88796b, module_parameters::ax88796b.value()),
        (Model::Dp83tg720, module_parameters::dp83tg720.value()),
    ];
    let mut layout = KVec::new();
    let mut taken = 0u32;
    for (model, mask) in masks {
        if mask & taken != 0 {
            pr_err!("{} shares a bus address with another model\n", model.name());
            return Err(EINVAL);
        }
        taken |= mask;
        for addr in 0..32u8 {
            if mask & (1 << addr) != 0 {
                layout.push((addr, model), GFP_KERNEL)?;
            }
        }
    }
    if layout.is_empty() {
        pr_err!("no PHY configured\n");
        return Err(EINVAL);
    }
    Ok(layout)
}

/// The trace length from its module parameter; its bound keeps a PHY's ring
/// at a few MiB.
fn trace_len() -> Result<usize> {
    const MAX_TRACE_LEN: u32 = 1 << 18;
    match module_parameters::trace_len.value() {
        len @ 1..=MAX_TRACE_LEN => Ok(usize::try_from(len)?),
        len => {
            pr_err!("trace_len {len} is not in 1-{MAX_TRACE_LEN}\n");
            Err(EINVAL)
        }
    }
}

/// The bus id: PHY devices are named `rkm-mdio-sim:<addr>`.
const BUS_ID: &CStr = c"rkm-mdio-sim";

/// The module: fields drop in declaration order, so the debugfs files go
/// first, then the netdevs with their parents (the last of which takes the
/// platform driver), then the bus.
struct RkmMdioSim {
    _files: Pin<KBox<Scope<KVec<PortFiles>>>>,
    _ports: KVec<Port>,
    _bus: Arc<mdio::Registration>,
}

impl kernel::Module for RkmMdioSim {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let layout = layout()?;
        let emulator = Emulator::new(
            &layout,
            module_parameters::an_delay_ms.value(),
            trace_len()?,
        )?;
        let parent_driver = ParentDriver::register(mac::PARENT_NAME, module)?;
        let phy_mask = layout.iter().fold(0u32, |m, &(addr, _)| m | 1 << addr);
        let bus = mdio::Registration::register(
            c"rkm emulated MDIO bus",
            BUS_ID,
            phy_mask,
            emulator.clone(),
            module,
        )?;

        let mut ports = KVec::with_capacity(layout.len(), GFP_KERNEL)?;
        let mut files = KVec::with_capacity(layout.len(), GFP_KERNEL)?;
        for &(addr, model) in layout.iter() {
            let port = Port::new(&bus, &parent_driver, addr, model).inspect_err(|e| {
                pr_err!(
                    "rkmsim{}: {} PHY not attached: {:?}\n",
                    addr,
                    model.name(),
                    e
                );
            })?;
            files.push(
                PortFiles::new(Arc::clone(&emulator), addr, port.link()),
                GFP_KERNEL,
            )?;
            ports.push(port, GFP_KERNEL)?;
        }
        let files = KBox::pin_init(debugfs::create(files), GFP_KERNEL)?;
        Ok(Self {
            _files: files,
            _ports: ports,
            _bus: bus,
        })
    }
}
