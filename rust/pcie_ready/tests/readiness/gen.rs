// SPDX-License-Identifier: GPL-2.0

//! Random ports, devices and timings.

use pcie_ready::{
    PortKind,
    ReadinessTimes,
    SelfReport,
    SpecTiming,
    Topology, //
};
use proptest::prelude::*;

use super::{
    kernel_c::Bridge,
    sim::{
        Device,
        DLLLARC, //
    },
};

/// A port in both shapes: raw for the C transcription, decoded for the engine.
#[derive(Clone, Copy, Debug)]
pub struct Port {
    pub bridge: Bridge,
    pub topology: Topology,
}

/// `PCI_EXP_FLAGS` of a PCIe port, mostly a downstream one, or [`None`] for conventional PCI.
fn exp_flags() -> impl Strategy<Value = Option<u16>> {
    let downstream = prop_oneof![Just(0x4u16), Just(0x6), Just(0x8)];
    prop_oneof![
        1 => Just(None),
        8 => downstream.prop_map(|port_type| Some(port_type << 4 | 0x2)),
        1 => any::<u16>().prop_map(Some),
    ]
}

/// Link Capabilities: any Max Link Speed, often a real one, DLLLA reporting or not.
fn lnkcap() -> impl Strategy<Value = u32> {
    let sls = prop_oneof![4 => 1u32..=6, 1 => 0u32..16];
    (sls, any::<bool>(), any::<u32>()).prop_map(|(sls, reporting, noise)| {
        let rest = noise & !(DLLLARC | 0xf);
        sls | rest | if reporting { DLLLARC } else { 0 }
    })
}

fn lnkcap2() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        (1u32..=6).prop_map(|max| (2 << max) - 2),
        any::<u32>()
    ]
}

fn d3cold_delay() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(100), Just(1000), 1u32..=200, 0u32..=3000,]
}

/// Readiness Time Reporting 1, often with Valid and short times.
fn readiness_times() -> impl Strategy<Value = Option<ReadinessTimes>> {
    let time = prop_oneof![0u32..0x1000, (0u32..512).prop_map(|value| 4 << 9 | value)];
    prop_oneof![
        1 => Just(None),
        2 => (time.clone(), time).prop_map(|(reset, dl_up)| {
            ReadinessTimes::from_register(0x8000_0000 | dl_up << 12 | reset)
        }),
        1 => any::<u32>().prop_map(ReadinessTimes::from_register),
    ]
}

fn self_report() -> impl Strategy<Value = SelfReport> {
    (prop::bool::weighted(0.2), readiness_times()).prop_map(|(immediate_readiness, times)| {
        SelfReport {
            immediate_readiness,
            readiness_times: times,
        }
    })
}

pub fn port() -> impl Strategy<Value = Port> {
    (
        exp_flags(),
        lnkcap(),
        lnkcap2(),
        any::<bool>(),
        prop::bool::weighted(0.1),
        d3cold_delay(),
        self_report(),
    )
        .prop_map(
            |(flags, lnkcap, lnkcap2, rrs_visible, virtfn, delay, report)| Port {
                bridge: Bridge {
                    pcie_flags_reg: flags,
                    lnkcap,
                    lnkcap2,
                    config_rrs_sv: rrs_visible,
                    is_virtfn: virtfn,
                    d3cold_delay: i32::try_from(delay).unwrap(),
                },
                topology: Topology {
                    port: flags.map_or(PortKind::Conventional, PortKind::from_exp_flags),
                    lnkcap,
                    lnkcap2,
                    rrs_visible,
                    child_virtfn: virtfn,
                    bus_d3cold_delay_ms: delay,
                    child_report: report,
                },
            },
        )
}

/// A time in the wait: mostly around the interesting first second.
fn moment() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..1200, 1 => 0u32..70_000]
}

pub fn device() -> impl Strategy<Value = Device> {
    (
        prop::option::weighted(0.85, moment()),
        prop::option::weighted(0.8, moment()),
        any::<bool>(),
        prop::option::weighted(0.15, moment()),
        any::<bool>(),
    )
        .prop_map(
            |(link_up_at, ready_at, rrs, removed_at, removal_flagged)| Device {
                link_up_at,
                ready_at,
                rrs,
                removed_at,
                removal_flagged,
            },
        )
}

pub fn spec_timing() -> impl Strategy<Value = SpecTiming> {
    let interval = prop_oneof![Just(1u32), 0u32..=20];
    (interval, 0u32..=70_000).prop_map(|(poll_interval_ms, give_up_ms)| SpecTiming {
        poll_interval_ms,
        give_up_ms,
    })
}
