// SPDX-License-Identifier: GPL-2.0

//! The scenario table: one reset each, with the numbers both policies must produce.
//!
//! The kernel's numbers follow from drivers/pci/pci.c of Linux 7.3.4 with a D3cold delay of
//! 100 ms; the notes' table agrees with them where it gives one.

use pcie_ready::{
    Path,
    Policy,
    PortKind,
    ReadinessTimes,
    SpecTiming,
    Topology,
    Verdict, //
};

use super::sim::{
    downstream,
    run,
    Device, //
};

/// What one policy must do in a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expect {
    verdict: Verdict,
    path: Path,
    first_config_read_ms: Option<u32>,
    polls: u32,
    link_reads: u32,
}

const fn expect(
    verdict: Verdict,
    path: Path,
    first_config_read_ms: Option<u32>,
    polls: u32,
    link_reads: u32,
) -> Expect {
    Expect {
        verdict,
        path,
        first_config_read_ms,
        polls,
        link_reads,
    }
}

/// A reset, and what each policy must make of it.
struct Scenario {
    name: &'static str,
    topology: Topology,
    device: Device,
    kernel: Expect,
    spec: Expect,
}

const fn ready(at_ms: u32) -> Verdict {
    Verdict::Ready { at_ms }
}

const fn timed_out(at_ms: u32) -> Verdict {
    Verdict::TimedOut { at_ms }
}

const fn link_down(at_ms: u32) -> Verdict {
    Verdict::LinkDown { at_ms }
}

/// Readiness Time Reporting 1 with Valid set, from two twelve-bit times.
fn rtr(reset: u32, dl_up: u32) -> Option<ReadinessTimes> {
    ReadinessTimes::from_register(0x8000_0000 | dl_up << 12 | reset)
}

/// Reset Time 10 ms: 305 × 32768 ns, rounded up.
const TEN_MS: u32 = 3 << 9 | 305;
/// DL_Up Time 20 ms: 19 × 1048576 ns, rounded up.
const TWENTY_MS: u32 = 4 << 9 | 19;
/// 202 ms: 6 × 33554432 ns, rounded up; longer than the spec's 100 ms.
const TWO_HUNDRED_MS: u32 = 5 << 9 | 6;

fn with<F: FnOnce(&mut Topology)>(mut topology: Topology, change: F) -> Topology {
    change(&mut topology);
    topology
}

fn scenarios() -> Vec<Scenario> {
    let gen1 = downstream(1, false);
    let gen2 = downstream(2, true);
    let gen4 = downstream(4, true);
    let rrs_forever = Device {
        ready_at: None,
        rrs: true,
        ..Device::ready_at(0)
    };
    vec![
        Scenario {
            name: "up to 5 GT/s, ready at once",
            topology: gen1,
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            // Kernel polls at 100, 101, 103, 107, 115, 131, 163, 227, 355.
            name: "up to 5 GT/s, RRS until 350 ms",
            topology: with(gen1, |t| t.rrs_visible = true),
            device: Device {
                rrs: true,
                ..Device::ready_at(350)
            },
            kernel: expect(ready(355), Path::UpTo5Gt, Some(100), 9, 0),
            spec: expect(ready(350), Path::UpTo5Gt, Some(100), 251, 0),
        },
        Scenario {
            // The kernel's first pci_dev_wait(900) sleeps 1 + 2 + ... + 512 = 1023 ms.
            name: "absent, no DLLLA reporting",
            topology: gen1,
            device: Device::absent(),
            kernel: expect(timed_out(1123), Path::UpTo5Gt, Some(100), 11, 0),
            spec: expect(timed_out(1000), Path::UpTo5Gt, Some(100), 901, 0),
        },
        Scenario {
            name: "absent, DLLLA reporting",
            topology: gen2,
            device: Device::absent(),
            kernel: expect(link_down(1123), Path::UpTo5GtReporting, Some(100), 11, 1),
            spec: expect(link_down(1000), Path::UpTo5GtReporting, None, 0, 1001),
        },
        Scenario {
            name: "up to 5 GT/s with DLLLA reporting, ready at once",
            topology: gen2,
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5GtReporting, Some(100), 1, 0),
            spec: expect(ready(100), Path::UpTo5GtReporting, Some(100), 1, 1),
        },
        Scenario {
            // The kernel: 11 polls up to 1123, the link check, then 1123, 1124, 1126, ..., 1634.
            name: "slow device, RRS not visible",
            topology: gen2,
            device: Device::ready_at(1500),
            kernel: expect(ready(1634), Path::UpTo5GtReporting, Some(100), 21, 1),
            spec: expect(ready(1500), Path::UpTo5GtReporting, Some(100), 1401, 1401),
        },
        Scenario {
            name: "above 5 GT/s, link up at 50 ms",
            topology: gen4,
            device: Device {
                link_up_at: Some(50),
                ..Device::ready_at(0)
            },
            kernel: expect(ready(150), Path::Above5Gt, Some(150), 1, 31),
            spec: expect(ready(150), Path::Above5Gt, Some(150), 1, 51),
        },
        Scenario {
            name: "link never comes up",
            topology: gen4,
            device: Device::absent(),
            kernel: expect(link_down(1020), Path::Above5Gt, None, 0, 1000),
            spec: expect(link_down(1000), Path::Above5Gt, None, 0, 1001),
        },
        Scenario {
            name: "unknown speed takes the path above 5 GT/s",
            topology: with(gen4, |t| (t.lnkcap, t.lnkcap2) = (super::sim::DLLLARC, 0)),
            device: Device::ready_at(0),
            kernel: expect(ready(120), Path::Above5Gt, Some(120), 1, 1),
            spec: expect(ready(100), Path::Above5Gt, Some(100), 1, 1),
        },
        Scenario {
            // QEMU's xio3130-downstream: Max Link Speed 0, no DLLLA reporting.
            name: "unknown speed without DLLLA reporting",
            topology: with(gen1, |t| (t.lnkcap, t.lnkcap2) = (0, 0)),
            device: Device::ready_at(0),
            kernel: expect(ready(1100), Path::Above5GtSilent, Some(1100), 1, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            name: "above 5 GT/s without DLLLA reporting",
            topology: downstream(4, false),
            device: Device::ready_at(0),
            kernel: expect(ready(1100), Path::Above5GtSilent, Some(1100), 1, 0),
            spec: expect(ready(1100), Path::Above5GtSilent, Some(1100), 1, 0),
        },
        Scenario {
            name: "zero D3cold delay",
            topology: with(gen1, |t| t.bus_d3cold_delay_ms = 0),
            device: Device::ready_at(0),
            kernel: expect(Verdict::NoWait, Path::Skip, None, 0, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            name: "Readiness Time Reporting: Reset Time 10 ms",
            topology: with(gen1, |t| t.child_report.readiness_times = rtr(TEN_MS, 0)),
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(10), Path::UpTo5Gt, Some(10), 1, 0),
        },
        Scenario {
            name: "Readiness Time Reporting: times not valid",
            topology: with(gen1, |t| {
                t.child_report.readiness_times = ReadinessTimes::from_register(TEN_MS)
            }),
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            name: "Readiness Time Reporting: Reset Time beyond 100 ms",
            topology: with(gen1, |t| {
                t.child_report.readiness_times = rtr(TWO_HUNDRED_MS, 0)
            }),
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            name: "Readiness Time Reporting: DL_Up Time 20 ms",
            topology: with(gen4, |t| {
                t.child_report.readiness_times = rtr(TWO_HUNDRED_MS, TWENTY_MS)
            }),
            device: Device {
                link_up_at: Some(50),
                ..Device::ready_at(0)
            },
            kernel: expect(ready(150), Path::Above5Gt, Some(150), 1, 31),
            spec: expect(ready(70), Path::Above5Gt, Some(70), 1, 51),
        },
        Scenario {
            name: "Readiness Time Reporting: Reset Time before the link is up",
            topology: with(gen4, |t| {
                t.child_report.readiness_times = rtr(TEN_MS, TWO_HUNDRED_MS)
            }),
            device: Device {
                link_up_at: Some(50),
                ..Device::ready_at(0)
            },
            kernel: expect(ready(150), Path::Above5Gt, Some(150), 1, 31),
            spec: expect(ready(50), Path::Above5Gt, Some(50), 1, 51),
        },
        Scenario {
            name: "Immediate Readiness",
            topology: with(gen1, |t| t.child_report.immediate_readiness = true),
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(0), Path::UpTo5Gt, Some(0), 1, 0),
        },
        Scenario {
            name: "Immediate Readiness above 5 GT/s waits for the link",
            topology: with(gen4, |t| t.child_report.immediate_readiness = true),
            device: Device {
                link_up_at: Some(30),
                ..Device::ready_at(0)
            },
            kernel: expect(ready(130), Path::Above5Gt, Some(130), 1, 11),
            spec: expect(ready(30), Path::Above5Gt, Some(30), 1, 31),
        },
        Scenario {
            // 11 polls to 1123, the link check, then pci_dev_wait(59000): 1 + ... + 32768.
            name: "long RRS up to 5 GT/s: the kernel overshoots to 65535 ms",
            topology: with(gen2, |t| t.rrs_visible = true),
            device: rrs_forever,
            kernel: expect(
                timed_out(1123 + 65535),
                Path::UpTo5GtReporting,
                Some(100),
                28,
                1,
            ),
            spec: expect(
                timed_out(60_000),
                Path::UpTo5GtReporting,
                Some(100),
                59_901,
                1,
            ),
        },
        Scenario {
            name: "long RRS above 5 GT/s: the kernel overshoots to 65535 ms",
            topology: with(gen4, |t| t.rrs_visible = true),
            device: rrs_forever,
            kernel: expect(timed_out(120 + 65535), Path::Above5Gt, Some(120), 17, 1),
            spec: expect(timed_out(60_000), Path::Above5Gt, Some(100), 59_901, 1),
        },
        Scenario {
            name: "RRS visible, silent device gets its 1.0 s only",
            topology: with(gen4, |t| t.rrs_visible = true),
            device: Device {
                ready_at: None,
                ..Device::ready_at(0)
            },
            kernel: expect(timed_out(120 + 65535), Path::Above5Gt, Some(120), 17, 1),
            spec: expect(timed_out(1000), Path::Above5Gt, Some(100), 901, 902),
        },
        Scenario {
            name: "Virtual Function: the Command register backs up the Vendor ID",
            topology: with(gen1, |t| (t.rrs_visible, t.child_virtfn) = (true, true)),
            device: Device::ready_at(0),
            kernel: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
            spec: expect(ready(100), Path::UpTo5Gt, Some(100), 1, 0),
        },
        Scenario {
            // The kernel polls at 120, 121, 123, ..., 375 and finds it gone at 631.
            name: "surprise removal at 500 ms, marked disconnected",
            topology: gen4,
            device: Device {
                ready_at: None,
                removed_at: Some(500),
                removal_flagged: true,
                ..Device::ready_at(0)
            },
            kernel: expect(
                Verdict::Disconnected { at_ms: 631 },
                Path::Above5Gt,
                Some(120),
                9,
                1,
            ),
            spec: expect(
                Verdict::Disconnected { at_ms: 500 },
                Path::Above5Gt,
                Some(100),
                400,
                401,
            ),
        },
        Scenario {
            name: "surprise removal at 500 ms, not marked",
            topology: gen4,
            device: Device {
                ready_at: None,
                removed_at: Some(500),
                ..Device::ready_at(0)
            },
            kernel: expect(timed_out(120 + 65535), Path::Above5Gt, Some(120), 17, 1),
            spec: expect(
                Verdict::Disconnected { at_ms: 500 },
                Path::Above5Gt,
                Some(100),
                401,
                402,
            ),
        },
        Scenario {
            name: "conventional PCI bridge",
            topology: with(gen1, |t| t.port = PortKind::Conventional),
            device: Device::ready_at(0),
            kernel: expect(
                Verdict::Waited { at_ms: 1100 },
                Path::Conventional,
                None,
                0,
                0,
            ),
            spec: expect(ready(1007), Path::Conventional, Some(1007), 1, 0),
        },
        Scenario {
            name: "PCI Express to PCI bridge",
            topology: with(gen1, |t| t.port = PortKind::ToConventional),
            device: Device::ready_at(0),
            kernel: expect(Verdict::NoWait, Path::Skip, None, 0, 0),
            spec: expect(ready(1007), Path::Conventional, Some(1007), 1, 0),
        },
        Scenario {
            name: "not a downstream port",
            topology: with(gen4, |t| t.port = PortKind::Other),
            device: Device::ready_at(0),
            kernel: expect(Verdict::NoWait, Path::Skip, None, 0, 0),
            spec: expect(Verdict::NoWait, Path::Skip, None, 0, 0),
        },
    ]
}

fn observed(topology: &Topology, policy: Policy, device: &Device) -> Expect {
    let run = run(topology, policy, device);
    Expect {
        verdict: run.verdict,
        path: run.record.path,
        first_config_read_ms: run.record.first_config_read_ms,
        polls: run.record.polls,
        link_reads: run.record.link_reads,
    }
}

#[test]
fn scenario_table() {
    let mut failures = Vec::new();
    for scenario in scenarios() {
        let policies = [
            ("kernel", Policy::Kernel, scenario.kernel),
            ("spec", Policy::Spec(SpecTiming::default()), scenario.spec),
        ];
        for (name, policy, expected) in policies {
            let got = observed(&scenario.topology, policy, &scenario.device);
            if got != expected {
                failures.push(format!(
                    "{} ({name}):\n  expected {expected:?}\n  got      {got:?}",
                    scenario.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn link_never_up_reads_no_config() {
    for policy in [Policy::Kernel, Policy::Spec(SpecTiming::default())] {
        let run = run(&downstream(4, true), policy, &Device::absent());
        assert_eq!(run.steps.config_reads().count(), 0, "{policy:?}");
    }
}

#[test]
fn spec_polls_at_the_configured_interval() {
    let timing = SpecTiming {
        poll_interval_ms: 10,
        give_up_ms: 60_000,
    };
    let run = run(
        &downstream(1, false),
        Policy::Spec(timing),
        &Device::ready_at(135),
    );
    assert_eq!(run.verdict, ready(140));
    let reads: Vec<u32> = run.steps.config_reads().collect();
    assert_eq!(reads, [100, 110, 120, 130, 140]);
}

#[test]
fn spec_polls_right_at_the_deadline() {
    let timing = SpecTiming {
        poll_interval_ms: 300,
        give_up_ms: 0,
    };
    let run = run(
        &downstream(1, false),
        Policy::Spec(timing),
        &Device::absent(),
    );
    assert_eq!(run.verdict, timed_out(1000));
    let reads: Vec<u32> = run.steps.config_reads().collect();
    assert_eq!(reads, [100, 400, 700, 1000]);
}
