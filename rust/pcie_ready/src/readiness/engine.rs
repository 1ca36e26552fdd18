// SPDX-License-Identifier: GPL-2.0

//! The engine: the caller's side of the conversation and the bookkeeping around a policy.

use super::{
    conversation::{
        Action,
        Event,
        Response,
        Verdict, //
    },
    kernel_wait::KernelWait,
    link,
    poll::ConfigPoll,
    record::{
        Record,
        Step,
        Trace, //
    },
    spec_wait::{
        SpecTiming,
        SpecWait, //
    },
    topology::{
        Path,
        Topology, //
    },
};

/// Which rules the engine follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Linux 7.3's wait after a secondary bus reset, step for step.
    ///
    /// It follows `pci_bridge_wait_for_secondary_bus()`, `pcie_wait_for_link_delay()`,
    /// `pcie_wait_for_link_status()` and `pci_dev_wait()` in drivers/pci/pci.c, including what
    /// a reader may not expect of them:
    ///
    /// - The bus's D3cold delay stands in for the spec's 100 ms, and a bus of devices without
    ///   Power Management gets 0, so the kernel does not wait at all.
    /// - Behind a PCI Express to PCI bridge the kernel does not wait either.
    /// - `pci_dev_wait()` sleeps 1, 2, 4, ... ms between polls and gives up only once the next
    ///   sleep exceeds its timeout, so a device that is ready just after a poll waits almost as
    ///   long again, and the last poll comes up to twice the timeout late (65535 ms for a
    ///   timeout of 59000 ms).
    /// - Jiffies are milliseconds, as with `HZ=1000`.
    ///
    /// The retrain quirk `pcie_failed_link_retrain()` (drivers/pci/quirks.c) is taken to fail,
    /// which it does on every port that neither restricts its link to 2.5 GT/s nor saw Link
    /// Bandwidth Management Status; it only rescues the links of a few broken switches, cannot
    /// be called from a module, and leaves the timing alone when it fails.
    Kernel,
    /// What PCIe r6.0 requires after a Conventional Reset, and no more, polled at a fixed
    /// interval.
    ///
    /// The rules, with the section each comes from:
    ///
    /// - Below a port that supports at most 5.0 GT/s, software waits 100 ms after the reset
    ///   before the first configuration request (sec 6.6.1).
    /// - Below a port that supports more than 5.0 GT/s, it waits 100 ms after link training
    ///   completes, which the port shows with Data Link Layer Link Active (sec 6.6.1); such a
    ///   port must report that bit (sec 7.5.3.6). When one does not, the link is taken to be up
    ///   1.0 s after the reset, the time by which the device must be ready. A port that reports
    ///   neither its speeds nor that bit therefore supports at most 5.0 GT/s: 100 ms after the
    ///   reset.
    /// - A device must complete a valid configuration request 1.0 s after the reset, and
    ///   software must allow it that long before it calls the device broken (sec 6.6.1). It may
    ///   take longer by answering with Request Retry Status (sec 2.3.1), which software sees as
    ///   a Vendor ID of 0001h when the Root Port has RRS Software Visibility enabled
    ///   (sec 2.3.2). Without that, the root port retries by itself, and any device at the end
    ///   of a link that came up may be doing so.
    /// - A device that reports Immediate Readiness may be read at once (secs 6.6.1, 7.5.1.1.4).
    /// - A device whose Readiness Time Reporting capability reports a Reset Time shorter than
    ///   100 ms may be read that long after the reset (secs 6.6.1, 7.9.16.2). Its DL_Up Time,
    ///   the time it needs after the port reports the link active, takes the place of the
    ///   100 ms after link training in the same way.
    /// - Behind a conventional PCI bridge, the first configuration access comes Trhfa after the
    ///   reset: 2^25 clocks (PCI r3.0, sec 4.3.2).
    ///
    /// Where the port reports Data Link Layer Link Active, the policy also waits for the link
    /// before it reads the device, which cannot answer without it, and takes a link that went
    /// down while the device answered all ones for the device leaving.
    Spec(SpecTiming),
}

/// A policy's state machine.
#[derive(Clone, Copy, Debug)]
enum Machine {
    Kernel(KernelWait),
    Spec(SpecWait),
}

impl Machine {
    fn path(&self) -> Path {
        match self {
            Self::Kernel(wait) => wait.path(),
            Self::Spec(wait) => wait.path(),
        }
    }

    fn start(&mut self, now: u32) -> Action {
        match self {
            Self::Kernel(wait) => wait.start(),
            Self::Spec(wait) => wait.start(now),
        }
    }

    fn on(&mut self, now: u32, event: Event) -> Action {
        match self {
            Self::Kernel(wait) => wait.on(now, event),
            Self::Spec(wait) => wait.on(now, event),
        }
    }
}

/// What the engine asked for last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Start,
    Sleep,
    LinkStatus,
    Config { offset: u16, asked_ms: u32 },
    Done(Verdict),
}

/// How a step's response relates to what the engine asked for.
enum Answer {
    /// The first step.
    Start,
    /// The response answers the request.
    Event(Event),
    /// The response does not answer the request: ask again, or repeat the verdict.
    Unanswered(Action),
}

/// The readiness engine for one reset.
///
/// The caller resets the port, then calls [`step`](Self::step) with the time since the reset
/// ended and the response to the previous action, and does what it returns, until
/// [`Action::Done`]. The engine never sleeps, reads or allocates, so it runs the same against
/// real hardware in a kernel module and against a simulated device and clock in a test.
///
/// # Examples
///
/// A device behind a 2.5 GT/s root port that is ready at once, under the spec policy:
///
/// ```
/// use pcie_ready::{Action, Policy, PortKind, Readiness, Response, SpecTiming, Topology, Verdict};
///
/// let topology = Topology {
///     port: PortKind::Downstream,
///     lnkcap: 0x1,
///     lnkcap2: 0x2,
///     rrs_visible: false,
///     child_virtfn: false,
///     bus_d3cold_delay_ms: 0,
///     child_report: Default::default(),
/// };
/// let mut engine = Readiness::new(&topology, Policy::Spec(SpecTiming::default()));
/// let (mut now, mut response) = (0, None);
/// let verdict = loop {
///     match engine.step(now, response) {
///         Action::Sleep(ms) => (now, response) = (now + ms, None),
///         Action::ReadPortLinkStatus => response = Some(Response::PortLinkStatus(0x2011)),
///         Action::ReadDeviceConfig(_) => response = Some(Response::DeviceConfig(0x0010_0000)),
///         Action::Done(verdict) => break verdict,
///     }
/// };
/// assert_eq!(verdict, Verdict::Ready { at_ms: 100 });
/// assert_eq!(engine.record().first_config_read_ms, Some(100));
/// ```
#[derive(Clone, Debug)]
pub struct Readiness<T: Trace = ()> {
    machine: Machine,
    poll: ConfigPoll,
    pending: Pending,
    record: Record,
    trace: T,
}

impl Readiness {
    /// Creates the engine for a reset of the port in `topology`, following `policy`.
    pub fn new(topology: &Topology, policy: Policy) -> Self {
        Self::with_trace(topology, policy, ())
    }
}

impl<T: Trace> Readiness<T> {
    /// Creates the engine like [`Readiness::new`], handing every step to `trace`.
    pub fn with_trace(topology: &Topology, policy: Policy, trace: T) -> Self {
        let machine = match policy {
            Policy::Kernel => Machine::Kernel(KernelWait::new(topology)),
            Policy::Spec(timing) => Machine::Spec(SpecWait::new(topology, timing)),
        };
        Self {
            poll: ConfigPoll::new(topology),
            pending: Pending::Start,
            record: Record::new(machine.path()),
            machine,
            trace,
        }
    }

    /// Takes the time and the response to the last action, and returns the next action.
    ///
    /// `now_ms` counts from the end of the reset and should not go backwards. `response` is
    /// [`None`] on the first step and after a sleep. A response that does not answer the pending
    /// read leaves the engine as it was and repeats the read; [`Response::Disconnected`] answers
    /// only a read of the device.
    pub fn step(&mut self, now_ms: u32, response: Option<Response>) -> Action {
        let action = match self.answer(now_ms, response) {
            Answer::Start => {
                let action = self.machine.start(now_ms);
                self.ask(now_ms, action)
            }
            Answer::Event(event) => {
                let action = self.machine.on(now_ms, event);
                self.ask(now_ms, action)
            }
            Answer::Unanswered(action) => action,
        };
        self.trace.step(&Step {
            now_ms,
            response,
            action,
        });
        action
    }

    /// Returns the verdict once the wait is over.
    pub fn verdict(&self) -> Option<Verdict> {
        match self.pending {
            Pending::Done(verdict) => Some(verdict),
            _ => None,
        }
    }

    /// Returns the counters of the wait so far.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Returns the sink of the steps.
    pub fn trace(&self) -> &T {
        &self.trace
    }

    /// Consumes the engine, returning the sink of the steps.
    pub fn into_trace(self) -> T {
        self.trace
    }

    /// Matches `response` with the pending request, counting the reads it answers.
    fn answer(&mut self, now: u32, response: Option<Response>) -> Answer {
        match (self.pending, response) {
            (Pending::Done(verdict), _) => Answer::Unanswered(Action::Done(verdict)),
            (Pending::Start, _) => Answer::Start,
            // A response after a sleep answers nothing: the sleep is over all the same.
            (Pending::Sleep, _) => Answer::Event(Event::Woke),
            (Pending::LinkStatus, Some(Response::PortLinkStatus(lnksta))) => {
                self.record.link_reads = self.record.link_reads.saturating_add(1);
                if link::link_active(lnksta) && self.record.link_up_ms.is_none() {
                    self.record.link_up_ms = Some(now);
                }
                Answer::Event(Event::LinkStatus(lnksta))
            }
            (Pending::LinkStatus, _) => Answer::Unanswered(Action::ReadPortLinkStatus),
            (Pending::Config { offset, asked_ms }, Some(Response::DeviceConfig(value))) => {
                self.record.config_reads = self.record.config_reads.saturating_add(1);
                if offset == self.poll.first_offset() {
                    self.record.polls = self.record.polls.saturating_add(1);
                }
                self.record.first_config_read_ms.get_or_insert(asked_ms);
                Answer::Event(Event::Config { offset, value })
            }
            (Pending::Config { .. }, Some(Response::Disconnected)) => {
                Answer::Event(Event::Disconnected)
            }
            (Pending::Config { offset, .. }, _) => {
                Answer::Unanswered(Action::ReadDeviceConfig(offset))
            }
        }
    }

    /// Notes what the policy asks for at `now`, and passes it on.
    fn ask(&mut self, now: u32, action: Action) -> Action {
        self.pending = match action {
            Action::Sleep(ms) => {
                self.record.slept_ms = self.record.slept_ms.saturating_add(ms);
                Pending::Sleep
            }
            Action::ReadPortLinkStatus => Pending::LinkStatus,
            Action::ReadDeviceConfig(offset) => Pending::Config {
                offset,
                asked_ms: now,
            },
            Action::Done(verdict) => Pending::Done(verdict),
        };
        action
    }
}
