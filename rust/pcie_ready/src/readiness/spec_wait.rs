// SPDX-License-Identifier: GPL-2.0

//! The spec policy: the waits PCIe r6.0 requires after a Conventional Reset, and no more.
//!
//! The rules are listed on [`Policy::Spec`](super::Policy::Spec).

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
    self_report::{
        ReadinessTime,
        ReadinessTimes,
        SelfReport, //
    },
    topology::{
        Path,
        Topology, //
    },
};

/// The wait after the reset, or after link training above 5.0 GT/s (`PCIE_RESET_CONFIG_WAIT_MS`).
const RESET_CONFIG_WAIT_MS: u32 = 100;
/// When the device must be ready, unless it answers with Request Retry Status.
const CONFIG_READY_MS: u32 = 1000;
/// Trhfa: 2^25 cycles of the 30 ns clock of 33 MHz PCI, rounded up.
const TRHFA_MS: u32 = 1007;

/// How the spec policy polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecTiming {
    /// The sleep between two polls of the link or of the device; 0 counts as 1.
    pub poll_interval_ms: u32,
    /// How long after the reset a device that answers with Request Retry Status gets before the
    /// policy gives up; the spec sets no limit, and below 1.0 s counts as 1.0 s.
    pub give_up_ms: u32,
}

impl Default for SpecTiming {
    /// Polls every millisecond and gives a retrying device a minute, as long as the kernel's
    /// `PCIE_RESET_READY_POLL_MS`.
    fn default() -> Self {
        Self {
            poll_interval_ms: 1,
            give_up_ms: 60_000,
        }
    }
}

/// When the rules first permit a configuration request to the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    /// This long after the reset.
    AfterReset(u32),
    /// `ms` after the link comes up, or `or_after_reset` after the reset if that is earlier.
    AfterLinkUp {
        ms: u32,
        or_after_reset: Option<u32>,
    },
}

impl Gate {
    /// Applies the rules of sec 6.6.1 to a port above or up to 5.0 GT/s and what the device
    /// says about itself.
    fn new(above_5gt: bool, report: SelfReport) -> Self {
        // Immediate Readiness exempts software from every reset delay (secs 6.6.1, 7.5.1.1.4);
        // above 5.0 GT/s the link still has to come up before a request can get through.
        if report.immediate_readiness {
            return if above_5gt {
                Self::AfterLinkUp {
                    ms: 0,
                    or_after_reset: Some(0),
                }
            } else {
                Self::AfterReset(0)
            };
        }
        // A Reset Time shorter than 100 ms replaces the 100 ms after the reset (secs 6.6.1,
        // 7.9.16.2), and a DL_Up Time the 100 ms after the link comes up. A longer time adds
        // nothing the device's Request Retry Status would not, so it is not used.
        let shorter = |time: Option<ReadinessTime>| {
            time.and_then(ReadinessTime::millis)
                .filter(|&ms| ms < RESET_CONFIG_WAIT_MS)
        };
        let reset = shorter(report.readiness_times.map(ReadinessTimes::reset));
        if above_5gt {
            let dl_up = shorter(report.readiness_times.map(ReadinessTimes::dl_up));
            Self::AfterLinkUp {
                ms: dl_up.unwrap_or(RESET_CONFIG_WAIT_MS),
                or_after_reset: reset,
            }
        } else {
            Self::AfterReset(reset.unwrap_or(RESET_CONFIG_WAIT_MS))
        }
    }

    /// Returns the earliest time of a request for a link that came up at `link_up_ms`.
    fn earliest(self, link_up_ms: u32) -> u32 {
        match self {
            Self::AfterReset(ms) => ms,
            Self::AfterLinkUp { ms, or_after_reset } => {
                let after_link_up = link_up_ms.saturating_add(ms);
                or_after_reset.map_or(after_link_up, |reset| reset.min(after_link_up))
            }
        }
    }
}

/// Returns the branch of the rules for the port in `topology`.
///
/// A Downstream Port that supports more than 5.0 GT/s must report Data Link Layer Link Active
/// (PCIe r6.0, sec 7.5.3.6), so one that reports neither its speeds nor that bit supports at most
/// 5.0 GT/s, and the device may be read 100 ms after the reset (sec 6.6.1). The kernel counts the
/// unknown speed as faster and sleeps a second more; a port that breaks sec 7.5.3.6 as well still
/// gets its device polled until 1.0 s after the reset.
fn spec_path(topology: &Topology) -> Path {
    match topology.path() {
        Path::Above5GtSilent if topology.max_link_speed().is_none() => Path::UpTo5Gt,
        path => path,
    }
}

/// Where the wait is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing done yet.
    Start,
    /// Reading the link, or sleeping between two reads, until it comes up.
    LinkWait,
    /// Sleeping until requests are permitted at `until`.
    Settle { until: u32 },
    /// Reading the device, or sleeping between two polls.
    Poll,
    /// The device answered all ones: reading the link to see whether it is still up.
    LinkCheck,
}

/// The state machine of the spec policy.
#[derive(Clone, Copy, Debug)]
pub(super) struct SpecWait {
    path: Path,
    interval: u32,
    give_up: u32,
    rrs_visible: bool,
    gate: Gate,
    poll: ConfigPoll,
    state: State,
    /// Whether the device answered with Request Retry Status.
    rrs_seen: bool,
}

impl SpecWait {
    /// Creates the machine for a reset of the port in `topology`.
    pub(super) fn new(topology: &Topology, timing: SpecTiming) -> Self {
        let path = spec_path(topology);
        let above_5gt = matches!(path, Path::Above5Gt | Path::Above5GtSilent);
        Self {
            path,
            interval: timing.poll_interval_ms.max(1),
            give_up: timing.give_up_ms.max(CONFIG_READY_MS),
            rrs_visible: topology.rrs_visible,
            gate: Gate::new(above_5gt, topology.child_report),
            poll: ConfigPoll::new(topology),
            state: State::Start,
            rrs_seen: false,
        }
    }

    /// Returns the branch of the rules taken.
    pub(super) fn path(&self) -> Path {
        self.path
    }

    /// Starts the wait.
    pub(super) fn start(&mut self, now: u32) -> Action {
        match self.path {
            Path::Skip => Action::Done(Verdict::NoWait),
            Path::Conventional => self.settle(now, TRHFA_MS),
            Path::UpTo5Gt | Path::Above5GtSilent => {
                self.settle(now, self.gate.earliest(CONFIG_READY_MS))
            }
            Path::UpTo5GtReporting | Path::Above5Gt => {
                self.state = State::LinkWait;
                Action::ReadPortLinkStatus
            }
        }
    }

    /// Acts on what the caller found.
    pub(super) fn on(&mut self, now: u32, event: Event) -> Action {
        match (self.state, event) {
            (State::Start, _) => self.start(now),
            (State::LinkWait, Event::LinkStatus(lnksta)) if link::link_active(lnksta) => {
                self.settle(now, self.gate.earliest(now).max(now))
            }
            (State::LinkWait, Event::LinkStatus(_)) if now >= CONFIG_READY_MS => {
                Action::Done(Verdict::LinkDown { at_ms: now })
            }
            (State::LinkWait, Event::LinkStatus(_)) => {
                Action::Sleep(self.pause(now, CONFIG_READY_MS))
            }
            (State::LinkWait, _) => Action::ReadPortLinkStatus,
            (State::Settle { until }, _) => self.settle(now, until),
            (State::Poll | State::LinkCheck, Event::Disconnected) => {
                Action::Done(Verdict::Disconnected { at_ms: now })
            }
            (State::Poll, Event::Config { offset, value }) => {
                match self.poll.on_read(offset, value) {
                    PollStep::Read(offset) => Action::ReadDeviceConfig(offset),
                    PollStep::Done(PollResult::Ready) => {
                        Action::Done(Verdict::Ready { at_ms: now })
                    }
                    PollStep::Done(PollResult::Retry) => {
                        self.rrs_seen = true;
                        self.next_poll(now)
                    }
                    PollStep::Done(PollResult::Silent) if self.link_reporting() => {
                        self.state = State::LinkCheck;
                        Action::ReadPortLinkStatus
                    }
                    PollStep::Done(PollResult::Silent) => self.next_poll(now),
                }
            }
            (State::Poll, _) => Action::ReadDeviceConfig(self.poll.first_offset()),
            (State::LinkCheck, Event::LinkStatus(lnksta)) if link::link_active(lnksta) => {
                self.next_poll(now)
            }
            (State::LinkCheck, Event::LinkStatus(_)) => {
                Action::Done(Verdict::Disconnected { at_ms: now })
            }
            (State::LinkCheck, _) => Action::ReadPortLinkStatus,
        }
    }

    /// Returns whether the port shows the link state, so the policy waits for the link.
    fn link_reporting(&self) -> bool {
        matches!(self.path, Path::UpTo5GtReporting | Path::Above5Gt)
    }

    /// Sleeps until `until`, then polls the device.
    fn settle(&mut self, now: u32, until: u32) -> Action {
        if now >= until {
            self.state = State::Poll;
            return Action::ReadDeviceConfig(self.poll.first_offset());
        }
        self.state = State::Settle { until };
        Action::Sleep(until - now)
    }

    /// Gives up, or sleeps until the next poll of the device.
    fn next_poll(&mut self, now: u32) -> Action {
        // Past 1.0 s only a device that has shown it is there may still be initializing: one
        // that answered with Request Retry Status, or, when RRS is not visible and the root port
        // retries for it, any device at the end of a link that came up.
        let deadline = if self.rrs_seen || (!self.rrs_visible && self.link_reporting()) {
            self.give_up
        } else {
            CONFIG_READY_MS
        };
        if now >= deadline {
            return Action::Done(Verdict::TimedOut { at_ms: now });
        }
        self.state = State::Poll;
        Action::Sleep(self.pause(now, deadline))
    }

    /// Returns the sleep before the next poll: the interval, or less to poll right at `deadline`.
    fn pause(&self, now: u32, deadline: u32) -> u32 {
        self.interval.min(deadline.saturating_sub(now))
    }
}
