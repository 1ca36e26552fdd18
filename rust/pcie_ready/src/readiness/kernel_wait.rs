// SPDX-License-Identifier: GPL-2.0

//! The kernel policy: Linux 7.3's wait after a secondary bus reset, transcribed.
//!
//! What it follows and where it departs are listed on [`Policy::Kernel`](super::Policy::Kernel).

use super::{
    conversation::{
        Action,
        Event,
        Verdict, //
    },
    link,
    poll::{
        ConfigPoll,
        PollResult,
        PollStep, //
    },
    topology::{
        Path,
        PortKind,
        Topology, //
    },
};

/// `PCI_RESET_WAIT`: devices must be ready 1 s after a Conventional Reset.
const RESET_WAIT_MS: i64 = 1000;
/// `PCIE_RESET_READY_POLL_MS`: how long the kernel lets a device extend that with RRS.
const RESET_READY_POLL_MS: i64 = 60_000;
/// `PCIE_LINK_RETRAIN_TIMEOUT_MS`: how long the link may take to come up.
const LINK_RETRAIN_TIMEOUT_MS: u32 = 1000;
/// The wait behind a conventional PCI bridge before the delay is added: Trhfa, the time from
/// the end of reset to the first configuration access (PCI r3.0, sec 4.3.2).
const CONVENTIONAL_WAIT_MS: u32 = 1000;
/// The sleep before `pcie_wait_for_link_delay()` polls the link: a component must enter LTSSM
/// Detect within 20 ms of the end of the reset.
const LINK_DETECT_MS: u32 = 20;

/// Which call of `pci_dev_wait()` is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Up to 5.0 GT/s, the first call: a failure leads to the link check.
    First,
    /// The last call: a failure is the end.
    Last,
}

/// What follows a fixed sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Then {
    /// The end, without looking at the device: conventional PCI.
    Waited,
    /// Polling the link, in `pcie_wait_for_link_status()`.
    LinkWait,
    /// Polling the device, in `pci_dev_wait()` with this timeout.
    DevWait(Stage, i64),
}

/// Where the C code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing done yet.
    Start,
    /// In a fixed `msleep()`.
    Sleeping(Then),
    /// In `pcie_wait_for_link_status()`, reading the link or in its `msleep(1)`, until `end`.
    LinkWait { end: u32 },
    /// In `pci_dev_wait()`: `backoff` is its `delay`, the next sleep.
    DevWait {
        stage: Stage,
        backoff: u32,
        timeout: i64,
    },
    /// Up to 5.0 GT/s, after the first `pci_dev_wait()` failed: reading the link.
    LinkCheck,
}

/// The state machine of the kernel policy.
#[derive(Clone, Copy, Debug)]
pub(super) struct KernelWait {
    path: Path,
    /// The bus's D3cold delay, `delay` in the C code.
    delay: u32,
    poll: ConfigPoll,
    state: State,
    /// Whether the caller reported the device disconnected; `pci_dev_is_disconnected()` stays
    /// true once it is.
    disconnected: bool,
}

impl KernelWait {
    /// Creates the machine for a reset of the port in `topology`.
    pub(super) fn new(topology: &Topology) -> Self {
        let path = if topology.bus_d3cold_delay_ms == 0 {
            Path::Skip
        } else if topology.port == PortKind::ToConventional {
            // Not `pcie_downstream_port()`: the kernel does not wait behind such a bridge.
            Path::Skip
        } else {
            topology.path()
        };
        Self {
            path,
            delay: topology.bus_d3cold_delay_ms,
            poll: ConfigPoll::new(topology),
            state: State::Start,
            disconnected: false,
        }
    }

    /// Returns the branch of `pci_bridge_wait_for_secondary_bus()` taken.
    pub(super) fn path(&self) -> Path {
        self.path
    }

    /// Enters `pci_bridge_wait_for_secondary_bus()`.
    pub(super) fn start(&mut self) -> Action {
        let delay = i64::from(self.delay);
        match self.path {
            Path::Skip => Action::Done(Verdict::NoWait),
            Path::Conventional => self.sleep(
                self.delay.saturating_add(CONVENTIONAL_WAIT_MS),
                Then::Waited,
            ),
            Path::UpTo5Gt | Path::UpTo5GtReporting => self.sleep(
                self.delay,
                Then::DevWait(Stage::First, RESET_WAIT_MS - delay),
            ),
            Path::Above5GtSilent => self.sleep(
                self.delay.saturating_add(LINK_RETRAIN_TIMEOUT_MS),
                Then::DevWait(Stage::Last, RESET_READY_POLL_MS - delay),
            ),
            Path::Above5Gt => self.sleep(LINK_DETECT_MS, Then::LinkWait),
        }
    }

    /// Acts on what the caller found.
    pub(super) fn on(&mut self, now: u32, event: Event) -> Action {
        match (self.state, event) {
            (State::Start, _) => self.start(),
            (State::Sleeping(then), _) => self.after_sleep(now, then),
            (State::LinkWait { .. }, Event::LinkStatus(lnksta)) if link::link_active(lnksta) => {
                let delay = i64::from(self.delay);
                self.sleep(
                    self.delay,
                    Then::DevWait(Stage::Last, RESET_READY_POLL_MS - delay),
                )
            }
            (State::LinkWait { .. }, Event::LinkStatus(_)) => Action::Sleep(1),
            // `time_before(jiffies, end_jiffies)` after the `msleep(1)`.
            (State::LinkWait { end }, _) if now < end => Action::ReadPortLinkStatus,
            (State::LinkWait { .. }, _) => Action::Done(Verdict::LinkDown { at_ms: now }),
            (State::DevWait { stage, .. }, Event::Disconnected) => {
                self.disconnected = true;
                self.give_up(now, stage)
            }
            (
                State::DevWait {
                    stage,
                    backoff,
                    timeout,
                },
                Event::Config { offset, value },
            ) => match self.poll.on_read(offset, value) {
                PollStep::Read(offset) => Action::ReadDeviceConfig(offset),
                PollStep::Done(PollResult::Ready) => Action::Done(Verdict::Ready { at_ms: now }),
                PollStep::Done(PollResult::Retry | PollResult::Silent) => {
                    if i64::from(backoff) > timeout {
                        return self.give_up(now, stage);
                    }
                    self.state = State::DevWait {
                        stage,
                        backoff: backoff.saturating_mul(2),
                        timeout,
                    };
                    Action::Sleep(backoff)
                }
            },
            (State::DevWait { stage, .. }, _) => self.dev_poll(now, stage),
            (State::LinkCheck, Event::LinkStatus(lnksta)) if link::link_active(lnksta) => {
                self.dev_wait(now, Stage::Last, RESET_READY_POLL_MS - RESET_WAIT_MS)
            }
            (State::LinkCheck, Event::LinkStatus(_)) => {
                Action::Done(self.failure(Verdict::LinkDown { at_ms: now }))
            }
            (State::LinkCheck, _) => Action::ReadPortLinkStatus,
        }
    }

    /// Sleeps `ms` milliseconds, then goes on with `then`.
    ///
    /// The D3cold delay in `ms` is never 0 here: a delay of 0 takes [`Path::Skip`].
    fn sleep(&mut self, ms: u32, then: Then) -> Action {
        self.state = State::Sleeping(then);
        Action::Sleep(ms)
    }

    /// Goes on after a fixed sleep.
    fn after_sleep(&mut self, now: u32, then: Then) -> Action {
        match then {
            Then::Waited => Action::Done(Verdict::Waited { at_ms: now }),
            Then::LinkWait => {
                self.state = State::LinkWait {
                    end: now.saturating_add(LINK_RETRAIN_TIMEOUT_MS),
                };
                Action::ReadPortLinkStatus
            }
            Then::DevWait(stage, timeout) => self.dev_wait(now, stage, timeout),
        }
    }

    /// Enters `pci_dev_wait()`.
    fn dev_wait(&mut self, now: u32, stage: Stage, timeout: i64) -> Action {
        self.state = State::DevWait {
            stage,
            backoff: 1,
            timeout,
        };
        self.dev_poll(now, stage)
    }

    /// Starts an iteration of the loop in `pci_dev_wait()`, which first checks
    /// `pci_dev_is_disconnected()`.
    fn dev_poll(&mut self, now: u32, stage: Stage) -> Action {
        if self.disconnected {
            return self.give_up(now, stage);
        }
        Action::ReadDeviceConfig(self.poll.first_offset())
    }

    /// Leaves `pci_dev_wait()` with `-ENOTTY`.
    fn give_up(&mut self, now: u32, stage: Stage) -> Action {
        match (stage, self.path) {
            (Stage::First, Path::UpTo5GtReporting) => {
                self.state = State::LinkCheck;
                Action::ReadPortLinkStatus
            }
            _ => Action::Done(self.failure(Verdict::TimedOut { at_ms: now })),
        }
    }

    /// Names a failure, which the kernel reports as `-ENOTTY` whatever its cause.
    fn failure(&self, otherwise: Verdict) -> Verdict {
        match otherwise {
            Verdict::TimedOut { at_ms } | Verdict::LinkDown { at_ms } if self.disconnected => {
                Verdict::Disconnected { at_ms }
            }
            verdict => verdict,
        }
    }
}
