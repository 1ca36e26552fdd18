// SPDX-License-Identifier: GPL-2.0

//! A simulated device and clock, and a driver that runs the engine against them.

use pcie_ready::{
    Action,
    Policy,
    PortKind,
    Readiness,
    Record,
    Response,
    SelfReport,
    Step,
    Topology,
    Trace,
    Verdict, //
};

/// Data Link Layer Link Active Reporting Capable, in Link Capabilities.
pub const DLLLARC: u32 = 0x0010_0000;
/// Data Link Layer Link Active, in Link Status.
pub const DLLLA: u16 = 0x2000;
/// What a read returns when nobody answers.
pub const ALL_ONES: u32 = !0;

/// A port of the kind a pcie-root-port of QEMU with `x-speed=<sls>` is: Max Link Speed `sls`
/// (1 = 2.5 GT/s ... 4 = 16 GT/s), the vector filled only above 5 GT/s, a D3cold delay of 100 ms.
pub fn downstream(sls: u32, reporting: bool) -> Topology {
    Topology {
        port: PortKind::Downstream,
        lnkcap: sls | if reporting { DLLLARC } else { 0 },
        lnkcap2: if sls > 2 { (2 << sls) - 2 } else { 0 },
        rrs_visible: false,
        child_virtfn: false,
        bus_d3cold_delay_ms: 100,
        child_report: SelfReport::default(),
    }
}

/// The device below the port, in simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    /// When the link comes up; reads fail before, and never without it.
    pub link_up_at: Option<u32>,
    /// When reads start to succeed.
    pub ready_at: Option<u32>,
    /// Whether the device answers with Request Retry Status until it is ready.
    pub rrs: bool,
    /// When the device is pulled out: the link goes down and reads fail.
    pub removed_at: Option<u32>,
    /// Whether the kernel marks the device disconnected when it is pulled out.
    pub removal_flagged: bool,
}

impl Device {
    /// A device whose link is up at once and that is ready at `ready_at`.
    pub fn ready_at(ready_at: u32) -> Self {
        Self {
            link_up_at: Some(0),
            ready_at: Some(ready_at),
            rrs: false,
            removed_at: None,
            removal_flagged: false,
        }
    }

    /// An empty slot: no link, no device.
    pub fn absent() -> Self {
        Self {
            link_up_at: None,
            ready_at: None,
            ..Self::ready_at(0)
        }
    }

    fn removed(&self, t: u32) -> bool {
        self.removed_at.is_some_and(|at| t >= at)
    }

    /// Returns whether the link is up at `t`.
    pub fn link_up(&self, t: u32) -> bool {
        self.link_up_at.is_some_and(|at| t >= at) && !self.removed(t)
    }

    /// Returns whether the kernel sees the device disconnected at `t`.
    pub fn disconnected(&self, t: u32) -> bool {
        self.removal_flagged && self.removed(t)
    }

    /// Returns the port's Link Status at `t`; DLLLA reads 0 unless the port reports it.
    pub fn lnksta(&self, topology: &Topology, t: u32) -> u16 {
        // Current Link Speed and Negotiated Link Width, so that only DLLLA may count.
        let mut lnksta = 0x1011;
        if topology.link_active_reporting() && self.link_up(t) {
            lnksta |= DLLLA;
        }
        lnksta
    }

    /// Returns the dword at `offset` of the device's configuration space at `t`.
    pub fn config(&self, topology: &Topology, offset: u16, t: u32) -> u32 {
        if !self.link_up(t) {
            return ALL_ONES;
        }
        if self.ready_at.is_some_and(|at| t >= at) {
            return match offset {
                0 if topology.child_virtfn => ALL_ONES,
                0 => 0x0005_1b36,
                _ => 0x0010_0006,
            };
        }
        if self.rrs && topology.rrs_visible && offset == 0 {
            return 0xffff_0001;
        }
        ALL_ONES
    }

    /// Does `action` at `t` and returns what the caller steps with.
    pub fn respond(&self, topology: &Topology, action: Action, t: u32) -> Option<Response> {
        match action {
            Action::ReadPortLinkStatus => Some(Response::PortLinkStatus(self.lnksta(topology, t))),
            Action::ReadDeviceConfig(_) if self.disconnected(t) => Some(Response::Disconnected),
            Action::ReadDeviceConfig(offset) => {
                Some(Response::DeviceConfig(self.config(topology, offset, t)))
            }
            Action::Sleep(_) | Action::Done(_) => None,
        }
    }
}

/// Every step of a run.
#[derive(Debug, Default)]
pub struct Steps(pub Vec<Step>);

impl Trace for Steps {
    fn step(&mut self, step: &Step) {
        self.0.push(*step);
    }
}

impl Steps {
    /// Returns when each read of the device was asked for.
    pub fn config_reads(&self) -> impl Iterator<Item = u32> + '_ {
        self.0
            .iter()
            .filter(|step| matches!(step.action, Action::ReadDeviceConfig(_)))
            .map(|step| step.now_ms)
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub verdict: Verdict,
    pub record: Record,
    pub steps: Steps,
}

/// Runs the engine from `start` against `device`, each sleep lasting `jitter()` longer than
/// asked; [`None`] if it is not done after `max_steps` steps.
pub fn run_from(
    topology: &Topology,
    policy: Policy,
    device: &Device,
    start: u32,
    mut jitter: impl FnMut() -> u32,
    max_steps: usize,
) -> Option<Run> {
    let mut engine = Readiness::with_trace(topology, policy, Steps::default());
    let mut now = start;
    let mut response = None;
    for _ in 0..max_steps {
        let action = engine.step(now, response);
        if let Action::Done(verdict) = action {
            let record = *engine.record();
            return Some(Run {
                verdict,
                record,
                steps: engine.into_trace(),
            });
        }
        if let Action::Sleep(ms) = action {
            now = now.saturating_add(ms).saturating_add(jitter());
        }
        response = device.respond(topology, action, now);
    }
    None
}

/// Runs the engine on a clock that sleeps exactly as asked.
pub fn run(topology: &Topology, policy: Policy, device: &Device) -> Run {
    run_from(topology, policy, device, 0, || 0, 1_000_000).expect("the wait did not end")
}
