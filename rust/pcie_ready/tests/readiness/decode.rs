// SPDX-License-Identifier: GPL-2.0

//! The register decoders.

use pcie_ready::{
    bus_max_d3cold_delay,
    immediate_readiness,
    link_active,
    link_active_reporting,
    ExtCapHeader,
    LinkSpeed,
    PortKind,
    ReadinessTime,
    ReadinessTimes,
    SupportedSpeeds,
    READINESS_TIME_REPORTING_ID, //
};

fn max_speed(lnkcap: u32, lnkcap2: u32) -> Option<LinkSpeed> {
    SupportedSpeeds::from_link_caps(lnkcap, lnkcap2).max()
}

#[test]
fn speeds_of_qemu_root_ports() {
    // QEMU fills Link Capabilities 2 only above 5 GT/s.
    assert_eq!(max_speed(0x0010_0001, 0), Some(LinkSpeed::Gt2_5));
    assert_eq!(max_speed(0x0010_0002, 0), Some(LinkSpeed::Gt5));
    assert_eq!(max_speed(0x0010_0004, 0x1e), Some(LinkSpeed::Gt16));
    assert_eq!(max_speed(0x0010_0006, 0x7e), Some(LinkSpeed::Gt64));
}

#[test]
fn speeds_follow_pcie_get_supported_speeds() {
    // The vector is cut at the Max Link Speed.
    assert_eq!(SupportedSpeeds::from_link_caps(0x3, 0x7e).vector(), 0x0e);
    assert_eq!(max_speed(0x3, 0x7e), Some(LinkSpeed::Gt8));
    // Bit 0 of the vector is reserved.
    assert_eq!(SupportedSpeeds::from_link_caps(0xf, 0xff).vector(), 0xfe);
    // Pre-r3.0 ports get a vector from the Max Link Speed; others nothing.
    assert_eq!(SupportedSpeeds::from_link_caps(0x2, 0).vector(), 0x06);
    assert_eq!(SupportedSpeeds::from_link_caps(0x1, 0).vector(), 0x02);
    assert_eq!(max_speed(0x3, 0), None);
    assert_eq!(max_speed(0x0, 0x1e), None);
    assert_eq!(max_speed(0x7, 0x1), None);
}

#[test]
fn link_bits() {
    assert!(link_active_reporting(0x0010_0000));
    assert!(!link_active_reporting(0x000f_ffff));
    assert!(link_active(0x2000));
    assert!(!link_active(0xdfff));
}

#[test]
fn port_kinds() {
    let kind = |port_type: u16| PortKind::from_exp_flags(0x0002 | port_type << 4);
    assert_eq!(kind(0x4), PortKind::Downstream);
    assert_eq!(kind(0x6), PortKind::Downstream);
    assert_eq!(kind(0x8), PortKind::Downstream);
    assert_eq!(kind(0x7), PortKind::ToConventional);
    for other in [0x0, 0x1, 0x5, 0x9, 0xa, 0xf] {
        assert_eq!(kind(other), PortKind::Other);
    }
}

#[test]
fn readiness_time_encoding() {
    // Value × 32^Scale ns.
    let time = |value: u16, scale: u16| ReadinessTime::from_field(scale << 9 | value);
    assert_eq!(time(0, 0).nanos(), Some(0));
    assert_eq!(time(511, 0).nanos(), Some(511));
    assert_eq!(time(1, 1).nanos(), Some(32));
    assert_eq!(time(3, 2).nanos(), Some(3 * 1024));
    assert_eq!(time(511, 5).nanos(), Some(511 * 33_554_432));
    assert_eq!(time(1, 6).nanos(), None);
    assert_eq!(time(1, 7).millis(), None);
    // Rounded up to whole milliseconds.
    assert_eq!(time(1, 0).millis(), Some(1));
    assert_eq!(time(0, 3).millis(), Some(0));
    assert_eq!(time(305, 3).millis(), Some(10));
    assert_eq!(time(511, 5).millis(), Some(17_147));
    // Bits above the field are ignored.
    assert_eq!(
        ReadinessTime::from_field(0xf001),
        ReadinessTime::from_field(0x001)
    );
}

#[test]
fn readiness_time_reporting_1() {
    let times = ReadinessTimes::from_register(0x8033_2211).unwrap();
    assert_eq!(times.reset(), ReadinessTime::from_field(0x211));
    assert_eq!(times.dl_up(), ReadinessTime::from_field(0x332));
    assert_eq!(times.reset().nanos(), Some(0x11 * 32));
    assert_eq!(times.dl_up().nanos(), Some(0x132 * 32));
    // Without the Valid bit the times are not used.
    assert_eq!(ReadinessTimes::from_register(0x7fff_ffff), None);
}

#[test]
fn extended_capability_header() {
    let header = ExtCapHeader::new(0x1481_0022);
    assert_eq!(header.id(), READINESS_TIME_REPORTING_ID);
    assert_eq!(header.next(), 0x148);
    assert_eq!(ExtCapHeader::new(0xffff_ffff).next(), 0xffc);
}

#[test]
fn status_immediate_readiness() {
    assert!(immediate_readiness(0x0011));
    assert!(!immediate_readiness(0x0010));
}

/// A device that is absent, powered off or in reset reads all ones: no Status bit and no time
/// in such a read is the device's word about itself.
#[test]
fn all_ones_is_no_self_report() {
    assert!(!immediate_readiness(0xffff));
    assert_eq!(ReadinessTimes::from_register(0xffff_ffff), None);
}

#[test]
fn d3cold_delay_of_a_bus() {
    assert_eq!(bus_max_d3cold_delay([0]), 0);
    assert_eq!(bus_max_d3cold_delay([0, 0, 0]), 0);
    assert_eq!(bus_max_d3cold_delay([100]), 100);
    assert_eq!(bus_max_d3cold_delay([0, 100]), 100);
    assert_eq!(bus_max_d3cold_delay([50]), 50);
    assert_eq!(bus_max_d3cold_delay([50, 0]), 50);
    assert_eq!(bus_max_d3cold_delay([1000, 100]), 1000);
}
