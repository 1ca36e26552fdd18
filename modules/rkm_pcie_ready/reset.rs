// SPDX-License-Identifier: GPL-2.0

//! One device: its reset, the wait the readiness engine drives, and what the last wait found.

use kernel::{
    device::{
        Bound,
        Core, //
    },
    io::Io,
    new_mutex,
    pci,
    prelude::*,
    sync::Mutex,
    time::{
        Delta,
        Instant,
        Monotonic, //
    }, //
};

use crate::{
    kernel_ext::{
        delay,
        pci::Function, //
    },
    readiness::{
        link_active,
        Action,
        Policy,
        Readiness,
        Response,
        SpecTiming,
        Verdict, //
    },
    report::Report,
    reset_port::ResetPort,
};

/// How long Secondary Bus Reset stays set: PCI r3.0 sec 7.6.4.2 asks for 1 ms at least, the
/// kernel's `pci_reset_secondary_bus()` holds it for 2 (`msleep(2)`).
const BUS_RESET_HOLD: Delta = Delta::from_millis(2);

/// Slack of the spec policy's sleeps: the hrtimer may fire this much late to share a wakeup.
const SPEC_SLEEP_SLACK: Delta = Delta::from_micros(50);

/// The policy of the next reset and what the resets so far found.
#[derive(Clone, Copy)]
pub(crate) struct Status {
    /// The policy the next reset follows.
    pub(crate) policy: Policy,
    /// Whether a wait is running.
    pub(crate) waiting: bool,
    /// What the last finished reset found.
    pub(crate) last: Option<Report>,
    /// How many resets finished, whatever their verdict.
    pub(crate) resets: u64,
}

/// What the driver keeps for each device it binds, for the sysfs files ([`crate::files`]) to
/// reset the device and show what the resets found.
///
/// The files exist only while the driver is bound, so a reset always runs on a bound device:
/// unbind and removal wait for a running one, which completes and restores the device.
#[pin_data]
pub(crate) struct ReadyDevice {
    /// Held for a whole reset, so that resets of the device run one after the other.
    #[pin]
    serial: Mutex<()>,
    #[pin]
    status: Mutex<Status>,
}

impl ReadyDevice {
    /// Prepares `pdev` for resets.
    pub(crate) fn new<'a, 'c>(
        pdev: &'a pci::Device<Core<'c>>,
    ) -> impl PinInit<Self, Error> + use<'a, 'c> {
        try_pin_init!(Self {
            serial <- new_mutex!(()),
            status <- new_mutex!(Status {
                policy: Policy::Spec(SpecTiming::default()),
                waiting: false,
                last: None,
                resets: 0,
            }),
            _: {
                // Memory decoding on, so that the state saved before a reset is a working one.
                pdev.enable_device_mem()?;
            },
        })
    }

    /// Returns a copy of the status.
    pub(crate) fn status(&self) -> Status {
        *self.status.lock()
    }

    /// Sets the policy of the next reset.
    pub(crate) fn set_policy(&self, policy: Policy) {
        self.status.lock().policy = policy;
    }

    /// Resets `pdev`, the device, and waits until it is ready, following the policy.
    ///
    /// Waits for a reset already running. `ENOTTY` when no secondary bus reset resets the device
    /// alone (see [`ResetPort::above`]), `EIO` when the device did not come back: the link stayed
    /// down or the policy timed out, `ENODEV` when the device went away during the wait.
    pub(crate) fn reset(&self, pdev: &Function<Bound>) -> Result {
        let _serial = self.serial.lock();
        let port = ResetPort::above(pdev)?;
        let policy = self.status.lock().policy;

        let report = reset_and_wait(pdev, &port, policy, || self.status.lock().waiting = true);

        dev_info!(pdev.as_pci(), "reset: {}\n", report);
        let mut status = self.status.lock();
        status.waiting = false;
        status.last = Some(report);
        status.resets = status.resets.saturating_add(1);
        match report.verdict {
            Verdict::Ready { .. } | Verdict::NoWait | Verdict::Waited { .. } => Ok(()),
            Verdict::LinkDown { .. } | Verdict::TimedOut { .. } => Err(EIO),
            Verdict::Disconnected { .. } => Err(ENODEV),
        }
    }
}

/// Resets the device below `port` and waits for it, as `policy` says.
fn reset_and_wait(
    pdev: &Function<Bound>,
    port: &ResetPort,
    policy: Policy,
    on_waiting: impl FnOnce(),
) -> Report {
    let topology = port.topology(pdev);
    let mut engine = Readiness::new(&topology, policy);

    // The kernel's order (`pci_reset_function()`): the port, then the device.
    let port_lock = port.bridge().lock_config_access();
    let device_lock = pdev.lock_config_access();
    device_lock.save_state();
    {
        let _reset = port_lock.assert_secondary_bus_reset();
        delay::msleep(BUS_RESET_HOLD);
    }
    let start = Instant::<Monotonic>::now();
    // The port's registers are only read from here on, by the kernel; user space may write
    // them again, e.g. to cut the slot's power when the device does not come back.
    drop(port_lock);
    on_waiting();

    let mut first_access_us = None;
    let mut link_up_us = None;
    let mut response = None;
    let verdict = loop {
        match engine.step(millis(start.elapsed()), response.take()) {
            Action::Sleep(ms) => sleep(policy, ms),
            Action::ReadPortLinkStatus => {
                let lnksta = port.link_status();
                if link_active(lnksta) {
                    link_up_us.get_or_insert(micros(start.elapsed()));
                }
                response = Some(Response::PortLinkStatus(lnksta));
            }
            Action::ReadDeviceConfig(offset) => {
                first_access_us.get_or_insert(micros(start.elapsed()));
                response = Some(read_device(pdev, offset));
            }
            Action::Done(verdict) => break verdict,
        }
    };
    let ready_us = micros(start.elapsed());

    // A device that went away has no state to restore; every other one gets it back, as
    // `pci_dev_restore()` does whether the wait succeeded or not.
    if !matches!(verdict, Verdict::Disconnected { .. }) {
        device_lock.restore_state();
    }
    let record = engine.record();
    Report {
        policy,
        path: record.path,
        verdict,
        first_access_us,
        link_up_us,
        ready_us,
        polls: record.polls,
        link_reads: record.link_reads,
        slept_ms: record.slept_ms,
    }
}

/// Reads a dword of the device's configuration space for the engine.
fn read_device(pdev: &Function<Bound>, offset: u16) -> Response {
    // Checked before each read, as `pci_dev_wait()` does.
    if pdev.is_disconnected() {
        return Response::Disconnected;
    }
    // The engine asks for the Vendor ID or the Command register only; a failed read returns
    // all ones, as a read of an absent device does.
    let value = pdev
        .as_pci()
        .config_space()
        .try_read32(usize::from(offset))
        .unwrap_or(!0);
    Response::DeviceConfig(value)
}

/// Sleeps `ms` milliseconds the way the policy's model does.
fn sleep(policy: Policy, ms: u32) {
    let time = Delta::from_millis(i64::from(ms));
    match policy {
        // `msleep()`, as `pci_bridge_wait_for_secondary_bus()` and `pci_dev_wait()` sleep, with
        // the jiffy and timer wheel rounding that makes them sleep longer than asked.
        Policy::Kernel => delay::msleep(time),
        // An hrtimer, so that the wait ends when the rules allow, not a timer wheel step later.
        Policy::Spec(_) => delay::usleep_range(time, time + SPEC_SLEEP_SLACK),
    }
}

/// Whole milliseconds in `delta`, the engine's clock.
fn millis(delta: Delta) -> u32 {
    u32::try_from(delta.as_millis()).unwrap_or(u32::MAX)
}

/// Whole microseconds in `delta`.
fn micros(delta: Delta) -> u64 {
    u64::try_from(delta.as_nanos() / 1000).unwrap_or(0)
}
