// SPDX-License-Identifier: GPL-2.0

//! Properties over random ports, devices, timings and responses.

use pcie_ready::{
    Action,
    Path,
    Policy,
    Readiness,
    ReadinessTime,
    Response,
    SpecTiming,
    Topology,
    Verdict, //
};
use proptest::prelude::*;

use super::{
    gen,
    sim::{
        self,
        Device, //
    },
};

/// Up to 3 ms of oversleep per sleep, as a real `msleep()` has.
fn jitter(seed: u64) -> impl FnMut() -> u32 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 4) as u32
    }
}

/// Returns a reported time that may replace the spec's 100 ms: one shorter than it.
fn shorter(time: ReadinessTime) -> Option<u32> {
    time.millis().filter(|&ms| ms < 100)
}

/// The earliest time PCIe r6.0 lets software send the device a configuration request, from the
/// rules of sec 6.6.1 and the moment the link really came up; [`None`] if never.
fn earliest_permitted(topology: &Topology, device: &Device) -> Option<u32> {
    let report = topology.child_report;
    let times = report.readiness_times;
    let (after_reset, after_link_up) = if report.immediate_readiness {
        (Some(0), 0)
    } else {
        (
            times.and_then(|t| shorter(t.reset())),
            times.and_then(|t| shorter(t.dl_up())).unwrap_or(100),
        )
    };
    let link_up = device
        .link_up_at
        .filter(|&up| device.removed_at.is_none_or(|gone| up < gone));
    let fast = |up: u32| after_reset.map_or(up + after_link_up, |r| r.min(up + after_link_up));
    match topology.path() {
        Path::Skip => None,
        // Trhfa: 2^25 cycles of a clock no faster than 33.33 MHz, 1006.6 ms.
        Path::Conventional => Some(1006),
        // A port faster than 5.0 GT/s must report DLLLA (sec 7.5.3.6): one that reports neither
        // that nor its speeds is at most 5.0 GT/s.
        Path::UpTo5Gt => Some(after_reset.unwrap_or(100)),
        Path::Above5GtSilent if topology.max_link_speed().is_none() => {
            Some(after_reset.unwrap_or(100))
        }
        Path::UpTo5GtReporting => link_up.map(|up| up.max(after_reset.unwrap_or(100))),
        Path::Above5Gt => link_up.map(|up| up.max(fast(up))),
        // No way to see the link: it must be up by 1.0 s.
        Path::Above5GtSilent => Some(fast(1000)),
    }
}

fn response() -> impl Strategy<Value = Option<Response>> {
    prop_oneof![
        Just(None),
        any::<u16>().prop_map(|lnksta| Some(Response::PortLinkStatus(lnksta))),
        any::<u32>().prop_map(|value| Some(Response::DeviceConfig(value))),
        Just(Some(Response::Disconnected)),
    ]
}

fn any_topology() -> impl Strategy<Value = Topology> {
    (gen::port(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
        |(port, lnkcap, lnkcap2, delay)| Topology {
            lnkcap,
            lnkcap2,
            bus_d3cold_delay_ms: delay,
            ..port.topology
        },
    )
}

fn any_policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Kernel),
        (any::<u32>(), any::<u32>()).prop_map(|(poll_interval_ms, give_up_ms)| {
            Policy::Spec(SpecTiming {
                poll_interval_ms,
                give_up_ms,
            })
        }),
    ]
}

proptest! {
    /// The spec policy never asks for the device's configuration space before the rules
    /// permit it; without a self-report that is 100 ms after the reset, or after the link
    /// came up above 5 GT/s.
    #[test]
    fn spec_never_reads_early(
        port in gen::port(),
        device in gen::device(),
        timing in gen::spec_timing(),
        seed in any::<u64>(),
    ) {
        let topology = port.topology;
        let run = sim::run_from(&topology, Policy::Spec(timing), &device, 0, jitter(seed), 1_000_000)
            .expect("the wait did not end");
        let earliest = earliest_permitted(&topology, &device);
        for at in run.steps.config_reads() {
            prop_assert!(earliest.is_some_and(|earliest| at >= earliest),
                "read at {} ms, permitted from {:?}", at, earliest);
            if topology.child_report == Default::default() {
                prop_assert!(at >= 100);
                if topology.path() == Path::Above5Gt {
                    prop_assert!(device.link_up_at.is_some_and(|up| at >= up + 100));
                }
            }
        }
    }

    /// Every wait ends, and the spec policy ends by its give-up time.
    #[test]
    fn every_wait_ends(
        port in gen::port(),
        device in gen::device(),
        timing in gen::spec_timing(),
        seed in any::<u64>(),
        start in prop_oneof![4 => Just(0u32), 1 => (u32::MAX - 2000)..=u32::MAX],
    ) {
        let topology = port.topology;
        for policy in [Policy::Kernel, Policy::Spec(timing)] {
            let run = sim::run_from(&topology, policy, &device, start, jitter(seed), 1_000_000);
            prop_assert!(run.is_some(), "{:?} did not end", policy);
        }
        if start == 0 {
            let run = sim::run_from(&topology, Policy::Spec(timing), &device, 0, jitter(seed), 1_000_000)
                .expect("the wait did not end");
            let at_ms = match run.verdict {
                Verdict::NoWait => 0,
                Verdict::Ready { at_ms }
                | Verdict::Waited { at_ms }
                | Verdict::LinkDown { at_ms }
                | Verdict::TimedOut { at_ms }
                | Verdict::Disconnected { at_ms } => at_ms,
            };
            // The last poll comes at the give-up time, or at the first permitted moment, up to
            // 1.1 s after the reset; plus the oversleep.
            prop_assert!(at_ms <= timing.give_up_ms.max(1110) + 3, "ended at {} ms", at_ms);
        }
    }

    /// No input makes the engine panic, and a verdict is final.
    #[test]
    fn no_panic_on_any_input(
        topology in any_topology(),
        policy in any_policy(),
        steps in prop::collection::vec((any::<u32>(), response()), 0..200),
    ) {
        let mut engine = Readiness::new(&topology, policy);
        let mut verdict = None;
        for (now, response) in steps {
            let action = engine.step(now, response);
            if let Some(verdict) = verdict {
                prop_assert_eq!(action, Action::Done(verdict));
            }
            if let Action::Done(done) = action {
                verdict = Some(done);
            }
            prop_assert_eq!(engine.verdict(), verdict);
        }
    }
}
