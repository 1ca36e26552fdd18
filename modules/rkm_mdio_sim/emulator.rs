// SPDX-License-Identifier: GPL-2.0

//! The emulated PHYs of the bus, behind one lock, and the emulator's clock.

use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    time::{
        Instant,
        Monotonic, //
    },
};

use crate::emulation::{
    Access,
    Model,
    Phy,
    Trace, //
};
use crate::kernel_ext::mdio;

/// One PHY on the bus with the record of what was done to it.
pub(crate) struct SimPhy {
    pub(crate) addr: u8,
    pub(crate) phy: Phy,
    pub(crate) trace: Trace<KVVec<Access>>,
}

/// Every PHY on the bus. The MDIO bus serialises transactions with its own
/// lock; this one also orders them against debugfs.
#[pin_data]
pub(crate) struct Emulator {
    #[pin]
    phys: Mutex<KVec<SimPhy>>,
    epoch: Instant<Monotonic>,
}

impl Emulator {
    /// A bus with a PHY of each `(address, model)`, all powered up now,
    /// each tracing its latest `trace_len` MDIO transactions.
    pub(crate) fn new(
        layout: &[(u8, Model)],
        an_delay_ms: u32,
        trace_len: usize,
    ) -> Result<Arc<Self>> {
        let mut phys = KVec::with_capacity(layout.len(), GFP_KERNEL)?;
        for &(addr, model) in layout {
            let mut ring = KVVec::with_capacity(trace_len, GFP_KERNEL)?;
            ring.extend_with(trace_len, Access::EMPTY, GFP_KERNEL)?;
            let mut phy = Phy::new(model, 0);
            phy.timing.an_delay_ms = an_delay_ms;
            phys.push(
                SimPhy {
                    addr,
                    phy,
                    trace: Trace::new(ring),
                },
                GFP_KERNEL,
            )?;
        }
        Arc::pin_init(
            pin_init!(Self {
                phys <- new_mutex!(phys),
                epoch: Instant::now(),
            }),
            GFP_KERNEL,
        )
    }

    /// Milliseconds since the PHYs powered up.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(0)
    }

    /// Runs `f` on the PHY at `addr` with the current time, under the lock.
    pub(crate) fn with_phy<R>(&self, addr: u8, f: impl FnOnce(&mut SimPhy, u64) -> R) -> Option<R> {
        let mut phys = self.phys.lock();
        let now = self.now_ms();
        phys.iter_mut().find(|p| p.addr == addr).map(|p| f(p, now))
    }
}

/// What the MDIO bus's reads and writes do.
impl mdio::Bus for Emulator {
    /// An MDIO read, recorded in the PHY's trace. A read at an address
    /// without a PHY finds the bus's pull-ups: all ones.
    fn read(&self, addr: u8, reg: u8) -> Result<u16> {
        self.with_phy(addr, |p, now| {
            let access = p.phy.read(now, reg);
            p.trace.push(access);
            access.result().map_err(|_| EIO)
        })
        .unwrap_or(Ok(0xffff))
    }

    /// An MDIO write, recorded in the PHY's trace. Nobody listens at an
    /// address without a PHY.
    fn write(&self, addr: u8, reg: u8, value: u16) -> Result {
        self.with_phy(addr, |p, now| {
            let access = p.phy.write(now, reg, value);
            p.trace.push(access);
            access.result().map(|_| ()).map_err(|_| EIO)
        })
        .unwrap_or(Ok(()))
    }
}
