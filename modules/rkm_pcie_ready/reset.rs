// SPDX-License-Identifier: GPL-2.0

//! One device: its reset, the wait the readiness engine drives, and what the last wait found.

use core::fmt;
use kernel::{
    bindings,
    device::{
        Bound,
        Core, //
    },
    io::Io,
    new_mutex,
    pci,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{
            Acquire,
            Atomic,
            Release, //
        },
        Mutex, //
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    },
    types::Opaque, //
};

use crate::{
    files::FileTable,
    port::{
        self,
        CfgAccessLock,
        Port, //
    },
    readiness::{
        link_active,
        Action,
        Path,
        Policy,
        Readiness,
        Response,
        SpecTiming,
        Verdict, //
    },
};

/// Slack of the spec policy's sleeps: the hrtimer may fire this much late to share a wakeup.
const SPEC_SLEEP_SLACK_US: usize = 50;

/// What one reset found: the sysfs files show the last one, the log line each one.
#[derive(Clone, Copy)]
pub(crate) struct Report {
    /// The policy the wait followed.
    pub(crate) policy: Policy,
    /// The branch of the rules it took.
    pub(crate) path: Path,
    /// How it ended.
    pub(crate) verdict: Verdict,
    /// When the first read of the device's configuration space was issued, in microseconds
    /// after the end of the reset.
    pub(crate) first_access_us: Option<u64>,
    /// When a read of the port's Link Status first showed the link active.
    pub(crate) link_up_us: Option<u64>,
    /// When the wait ended: the device answered, or the policy stopped waiting.
    pub(crate) ready_us: u64,
    /// Polls of the device (see [`crate::readiness::Record::polls`]).
    pub(crate) polls: u32,
    /// Reads of the port's Link Status.
    pub(crate) link_reads: u32,
    /// The sum of the sleeps the policy asked for, in milliseconds: what the wait would take on
    /// a machine that ran it on time.
    pub(crate) slept_ms: u32,
}

/// A number that may be missing, shown as `none` then.
pub(crate) struct OrNone(pub(crate) Option<u64>);

impl fmt::Display for OrNone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(us) => write!(f, "{us}"),
            None => f.write_str("none"),
        }
    }
}

// The kernel's `Display`, which `dev_info!` takes.
impl kernel::fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "policy={} path={} first_access_us={} link_up_us={} ready_us={} polls={} link_reads={} slept_ms={} verdict={}",
            self.policy.name(),
            self.path.name(),
            OrNone(self.first_access_us),
            OrNone(self.link_up_us),
            self.ready_us,
            self.polls,
            self.link_reads,
            self.slept_ms,
            self.verdict.name(),
        )
    }
}

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

/// The reset of one device, shared by the sysfs files.
#[pin_data]
pub(crate) struct ResetState {
    pdev: ARef<pci::Device>,
    /// Set when the driver starts to unbind: no reset starts after that.
    leaving: Atomic<bool>,
    /// Held for a whole reset, so that resets of the device run one after the other.
    #[pin]
    serial: Mutex<()>,
    #[pin]
    status: Mutex<Status>,
}

impl ResetState {
    fn new(pdev: &pci::Device<Core<'_>>) -> impl PinInit<Self> {
        let pdev: ARef<pci::Device> = pdev.into();
        pin_init!(Self {
            pdev,
            leaving: Atomic::new(false),
            serial <- new_mutex!(()),
            status <- new_mutex!(Status {
                policy: Policy::Spec(SpecTiming::default()),
                waiting: false,
                last: None,
                resets: 0,
            }),
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

    /// Resets the device and waits until it is ready, following the policy.
    ///
    /// Waits for a reset already running. `ENODEV` when the driver is unbinding or the device
    /// went away during the wait, `ENOTTY` when no secondary bus reset resets the device alone
    /// (see [`Port::above`]), `EIO` when the device did not come back: the link stayed down or
    /// the policy timed out.
    pub(crate) fn reset(&self) -> Result {
        let _serial = self.serial.lock();
        if self.leaving.load(Acquire) {
            return Err(ENODEV);
        }
        // SAFETY: `leaving` is clear and `serial` is held, so `stop()`, which the driver's
        // unbind calls before anything else, has not returned: the driver is bound until
        // `serial` is released at the end of this function.
        let dev = unsafe { self.pdev.as_ref().as_bound() };
        let pdev: &pci::Device<Bound> = dev.try_into()?;
        let port = Port::above(pdev)?;
        let policy = self.status.lock().policy;

        let report = reset_and_wait(pdev, &port, policy, || self.status.lock().waiting = true);

        dev_info!(dev, "reset: {}\n", report);
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

    /// Refuses resets from now on and waits for a running one to finish.
    fn stop(&self) {
        self.leaving.store(true, Release);
        drop(self.serial.lock());
    }
}

/// Resets the device below `port` and waits for it, as `policy` says.
fn reset_and_wait(
    pdev: &pci::Device<Bound>,
    port: &Port,
    policy: Policy,
    on_waiting: impl FnOnce(),
) -> Report {
    let topology = port.topology(pdev);
    let mut engine = Readiness::new(&topology, policy);

    // The kernel's order (`pci_reset_function()`): the port, then the device.
    let port_lock = CfgAccessLock::new(port.device());
    let _device_lock = CfgAccessLock::new(pdev);
    port::save_state(pdev);
    port.secondary_bus_reset();
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
        port::restore_state(pdev);
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
fn read_device(pdev: &pci::Device<Bound>, offset: u16) -> Response {
    // Checked before each read, as `pci_dev_wait()` does.
    if port::is_disconnected(pdev) {
        return Response::Disconnected;
    }
    // The engine asks for the Vendor ID or the Command register only; a failed read returns
    // all ones, as a read of an absent device does.
    let value = pdev
        .config_space()
        .try_read32(usize::from(offset))
        .unwrap_or(!0);
    Response::DeviceConfig(value)
}

/// Sleeps `ms` milliseconds the way the policy's model does.
fn sleep(policy: Policy, ms: u32) {
    match policy {
        // `msleep()`, as `pci_bridge_wait_for_secondary_bus()` and `pci_dev_wait()` sleep, with
        // the jiffy and timer wheel rounding that makes them sleep longer than asked.
        // SAFETY: the caller may sleep.
        Policy::Kernel => unsafe { bindings::msleep(ms) },
        // An hrtimer, so that the wait ends when the rules allow, not a timer wheel step later.
        Policy::Spec(_) => {
            let us = usize::try_from(ms)
                .unwrap_or(usize::MAX)
                .saturating_mul(1000);
            // SAFETY: the caller may sleep.
            unsafe {
                bindings::usleep_range_state(
                    us,
                    us.saturating_add(SPEC_SLEEP_SLACK_US),
                    bindings::TASK_UNINTERRUPTIBLE,
                )
            }
        }
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

/// What the driver keeps for each device it binds: the reset and its sysfs files.
#[pin_data(PinnedDrop)]
pub(crate) struct ReadyDevice {
    #[pin]
    state: ResetState,
    /// Registered with sysfs, pointing at `state`; removed in `drop()`, before `state` goes.
    #[pin]
    files: Opaque<FileTable>,
}

// SAFETY: the raw pointers of `files` point into the same pinned allocation and are only read
// by sysfs; `state` is `Send`.
unsafe impl Send for ReadyDevice {}

impl ReadyDevice {
    /// Prepares `pdev` for resets and creates its sysfs files.
    pub(crate) fn new<'a, 'c>(
        pdev: &'a pci::Device<Core<'c>>,
    ) -> impl PinInit<Self, Error> + use<'a, 'c> {
        try_pin_init!(&this in Self {
            state <- ResetState::new(pdev),
            files: Opaque::uninit(),
            _: {
                // Memory decoding on, so that the state `save_state()` keeps is a working one.
                pdev.enable_device_mem()?;
                // SAFETY: `this` is pinned until `drop()`, which removes the files first; both
                // fields are initialized. Last in the initializer: nothing fails after it, so
                // `drop()` runs for every registered table.
                unsafe {
                    FileTable::register(
                        Opaque::cast_into(&raw const (*this.as_ptr()).files),
                        kobject(pdev),
                        &raw const (*this.as_ptr()).state,
                    )?
                };
            },
        })
    }

    /// Called when the driver unbinds: see [`ResetState::stop`].
    pub(crate) fn stop(&self) {
        self.state.stop();
    }
}

#[pinned_drop]
impl PinnedDrop for ReadyDevice {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `new()` registered the table on this kobject. Once this returns, sysfs has
        // waited for the files' callbacks and calls no more, so `state` may go.
        unsafe { FileTable::unregister(self.files.get(), kobject(&self.state.pdev)) };
    }
}

/// Returns the kobject of the device, whose sysfs directory gets the files.
fn kobject(pdev: &pci::Device) -> *mut bindings::kobject {
    // SAFETY: `port::raw()` is a valid `struct pci_dev`; only the field's address is taken.
    unsafe { &raw mut (*port::raw(pdev)).dev.kobj }
}
