// SPDX-License-Identifier: GPL-2.0

//! Clause 22 semantics of the 10/100 models.

mod common;

use common::*;
use phy_model::regs::{
    self,
    adv,
    bmcr,
    bmsr,
    expansion, //
};
use phy_model::{
    FaultCount,
    Link,
    Mode,
    Model,
    Partner,
    Phy, //
};

#[test]
fn identifiers_per_model() {
    for (model, id1, id2) in [
        (Model::Ax88772a, 0x003b, 0x1861),
        (Model::Ax88772c, 0x003b, 0x1881),
        (Model::Ax88796b, 0x003b, 0x1841),
        (Model::Dp83tg720, 0x2000, 0xa284),
    ] {
        let mut phy = Phy::new(model, 0);
        assert_eq!(read(&mut phy, 0, regs::PHYSID1), id1, "{model:?}");
        assert_eq!(read(&mut phy, 0, regs::PHYSID2), id2, "{model:?}");
        assert_eq!(u32::from(id1) << 16 | u32::from(id2), model.phy_id());
    }
}

#[test]
fn autoneg_completes_after_the_delay() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    assert_eq!(phy.link(0), Link::Training { since_ms: 0 });
    assert!(!link_status(&mut phy, 99));
    assert_eq!(read(&mut phy, 99, regs::BMSR) & bmsr::ANEGCOMPLETE, 0);
    assert_eq!(read(&mut phy, 99, regs::LPA), 0);
    assert!(link_status(&mut phy, 100));
    let status = read(&mut phy, 100, regs::BMSR);
    assert_ne!(status & bmsr::ANEGCOMPLETE, 0);
    assert_eq!(
        read(&mut phy, 100, regs::LPA),
        Partner::DEFAULT.advertise | adv::LPACK
    );
    assert_eq!(
        read(&mut phy, 100, regs::EXPANSION),
        expansion::LPANEGCAPABLE
    );
    assert_eq!(phy.link(100), Link::Up(Mode::Full100));
}

#[test]
fn abilities_in_bmsr() {
    let mut phy = Phy::new(Model::Ax88772a, 0);
    let v = read(&mut phy, 0, regs::BMSR);
    for bit in [
        bmsr::FULL100,
        bmsr::HALF100,
        bmsr::FULL10,
        bmsr::HALF10,
        bmsr::ANEGCAPABLE,
    ] {
        assert_ne!(v & bit, 0);
    }
}

#[test]
fn link_status_latches_low() {
    let mut phy = linked(Model::Ax88772c);
    let mut partner = phy.partner();
    partner.link = false;
    phy.set_partner(1100, partner);
    partner.link = true;
    phy.set_partner(1110, partner);
    // Back up at 1210, but the first read reports the loss.
    assert_eq!(read(&mut phy, 1300, regs::BMSR) & bmsr::LSTATUS, 0);
    assert_ne!(read(&mut phy, 1300, regs::BMSR) & bmsr::LSTATUS, 0);
}

#[test]
fn first_read_after_power_up_reports_link_down() {
    let mut phy = Phy::new(Model::Ax88772a, 0);
    assert_eq!(read(&mut phy, 500, regs::BMSR) & bmsr::LSTATUS, 0);
    assert_ne!(read(&mut phy, 500, regs::BMSR) & bmsr::LSTATUS, 0);
}

#[test]
fn reset_self_clears_and_restores_defaults() {
    let mut phy = linked(Model::Ax88772c);
    write(&mut phy, 1000, regs::ADVERTISE, adv::CSMA | adv::FULL10);
    let done = soft_reset(&mut phy, 1000).expect("reset completes");
    assert_eq!(done, 1100, "one read sees RESET with reset_reads = 1");
    assert_eq!(
        read(&mut phy, done, regs::ADVERTISE),
        adv::CSMA | adv::ALL_10_100
    );
    assert_eq!(
        read(&mut phy, done, regs::BMCR),
        bmcr::ANENABLE | bmcr::SPEED100 | bmcr::FULLDPLX
    );
    // Link went down with the reset and autonegotiates again.
    assert!(!link_status(&mut phy, done));
    assert!(link_status(&mut phy, done + 100));
}

#[test]
fn reset_reads_sets_how_long_reset_shows() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    phy.timing.reset_reads = 5;
    assert_eq!(soft_reset(&mut phy, 0), Some(300));
    phy.timing.reset_reads = 0;
    assert_eq!(soft_reset(&mut phy, 1000), Some(1050));
}

#[test]
fn stuck_reset_times_out_and_keeps_the_link_down() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    phy.faults.stuck_reset = true;
    assert_eq!(soft_reset(&mut phy, 1000), None);
    assert!(phy.resetting());
    assert!(!link_status(&mut phy, 5000));
    // A write of 0 does not help while the fault is injected ...
    write(&mut phy, 5000, regs::BMCR, 0);
    assert!(phy.resetting());
    // ... but does once it is gone.
    phy.faults.stuck_reset = false;
    write(&mut phy, 5000, regs::BMCR, 0);
    assert!(!phy.resetting());
    assert!(soft_reset(&mut phy, 5000).is_some());
}

#[test]
fn ax88796b_reset_needs_the_toggle() {
    let mut phy = Phy::new(Model::Ax88796b, 0);
    // Power-up counts as RESET written 0: the first reset takes.
    assert!(soft_reset(&mut phy, 0).is_some());
    // A second one without writing RESET back to 0 first sticks.
    assert_eq!(soft_reset(&mut phy, 1000), None);
    // The Asix drivers write BMCR 0 first, which always works.
    write(&mut phy, 2000, regs::BMCR, 0);
    assert!(soft_reset(&mut phy, 2000).is_some());
    write(&mut phy, 3000, regs::BMCR, 0);
    assert!(soft_reset(&mut phy, 3000).is_some());
    // Other models do not care.
    let mut other = Phy::new(Model::Ax88772c, 0);
    assert!(soft_reset(&mut other, 0).is_some());
    assert!(soft_reset(&mut other, 1000).is_some());
}

#[test]
fn anrestart_self_clears_and_renegotiates() {
    let mut phy = linked(Model::Ax88772c);
    let c = read(&mut phy, 1000, regs::BMCR);
    write(&mut phy, 1000, regs::BMCR, c | bmcr::ANRESTART);
    assert_eq!(read(&mut phy, 1000, regs::BMCR) & bmcr::ANRESTART, 0);
    assert_eq!(phy.link(1000), Link::Training { since_ms: 1000 });
    assert!(!link_status(&mut phy, 1050));
    assert!(link_status(&mut phy, 1100));
}

#[test]
fn advertisement_change_waits_for_a_restart() {
    let mut phy = linked(Model::Ax88772c);
    write(&mut phy, 1000, regs::ADVERTISE, adv::CSMA | adv::HALF10);
    assert_eq!(phy.link(1500), Link::Up(Mode::Full100));
    let c = read(&mut phy, 1500, regs::BMCR);
    write(&mut phy, 1500, regs::BMCR, c | bmcr::ANRESTART);
    assert_eq!(phy.link(1600), Link::Up(Mode::Half10));
}

#[test]
fn power_down_takes_the_link_down() {
    let mut phy = linked(Model::Ax88772a);
    let c = read(&mut phy, 1000, regs::BMCR);
    write(&mut phy, 1000, regs::BMCR, c | bmcr::PDOWN);
    assert_eq!(phy.link(5000), Link::Down);
    assert!(!link_status(&mut phy, 5000));
    write(&mut phy, 5000, regs::BMCR, c);
    assert!(!link_status(&mut phy, 5099));
    assert!(link_status(&mut phy, 5100));
}

#[test]
fn resolves_the_highest_common_mode() {
    for (partner_adv, expected) in [
        (adv::CSMA | adv::ALL_10_100, Some(Mode::Full100)),
        (adv::CSMA | adv::HALF100 | adv::FULL10, Some(Mode::Half100)),
        (adv::CSMA | adv::FULL10 | adv::HALF10, Some(Mode::Full10)),
        (adv::CSMA | adv::HALF10, Some(Mode::Half10)),
        (adv::CSMA, None),
    ] {
        let mut phy = Phy::new(Model::Ax88772c, 0);
        let mut partner = phy.partner();
        partner.advertise = partner_adv;
        phy.set_partner(0, partner);
        let link = phy.link(1000);
        match expected {
            Some(mode) => assert_eq!(link, Link::Up(mode), "{partner_adv:#x}"),
            None => assert!(!matches!(link, Link::Up(_)), "{partner_adv:#x}"),
        }
    }
}

#[test]
fn partner_change_renegotiates() {
    let mut phy = linked(Model::Ax88772c);
    let mut partner = phy.partner();
    partner.advertise = adv::CSMA | adv::FULL10;
    phy.set_partner(2000, partner);
    assert!(!link_status(&mut phy, 2000));
    assert!(link_status(&mut phy, 2100));
    assert_eq!(phy.link(2100), Link::Up(Mode::Full10));
    assert_eq!(
        read(&mut phy, 2100, regs::LPA),
        adv::CSMA | adv::FULL10 | adv::LPACK
    );
}

#[test]
fn forced_mode_links_by_parallel_detection() {
    let mut phy = linked(Model::Ax88772c);
    write(&mut phy, 1000, regs::BMCR, bmcr::FULLDPLX);
    assert!(!link_status(&mut phy, 1000));
    assert!(link_status(&mut phy, 1100));
    assert_eq!(phy.link(1100), Link::Up(Mode::Full10));
    assert_eq!(read(&mut phy, 1100, regs::BMSR) & bmsr::ANEGCOMPLETE, 0);
    assert_eq!(read(&mut phy, 1100, regs::LPA), 0);
    // A partner without 10 Mb/s cannot detect us.
    let mut partner = phy.partner();
    partner.advertise = adv::CSMA | adv::FULL100;
    phy.set_partner(1200, partner);
    assert_eq!(phy.link(3000), Link::Down);
}

#[test]
fn asix_reports_the_resolved_mode_in_bmcr() {
    let mut phy = Phy::new(Model::Ax88772a, 0);
    let mut partner = phy.partner();
    partner.advertise = adv::CSMA | adv::HALF10;
    phy.set_partner(0, partner);
    let c = read(&mut phy, 1000, regs::BMCR);
    assert_eq!(c & (bmcr::SPEED100 | bmcr::FULLDPLX), 0);
    assert_ne!(c & bmcr::ANENABLE, 0);
}

#[test]
fn old_switch_zeroes_lpa_of_ax88772a_only() {
    for (model, lpa_zero) in [(Model::Ax88772a, true), (Model::Ax88772c, false)] {
        let mut phy = Phy::new(model, 0);
        let mut partner = phy.partner();
        partner.old_switch = true;
        partner.advertise = adv::CSMA | adv::FULL10;
        phy.set_partner(0, partner);
        assert!(link_status(&mut phy, 1000));
        let lpa = read(&mut phy, 1000, regs::LPA);
        assert_eq!(lpa == 0, lpa_zero, "{model:?}");
        let c = read(&mut phy, 1000, regs::BMCR);
        assert_eq!(c & (bmcr::SPEED100 | bmcr::FULLDPLX), bmcr::FULLDPLX);
    }
}

#[test]
fn read_errors_fail_reads_without_side_effects() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    phy.faults.read_errors = FaultCount::Next(2);
    assert!(phy.read(500, regs::BMSR).result().is_err());
    assert!(phy.read(500, regs::BMSR).result().is_err());
    assert_eq!(phy.faults.read_errors, FaultCount::Next(0));
    // The latch was not cleared by the failed reads.
    assert_eq!(read(&mut phy, 500, regs::BMSR) & bmsr::LSTATUS, 0);
    assert_eq!(phy.counters().c22(regs::BMSR).failed, 2);
    assert_eq!(phy.counters().c22(regs::BMSR).reads, 1);
}

#[test]
fn write_errors_leave_registers_alone() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    phy.faults.write_errors = FaultCount::Always;
    for _ in 0..100 {
        assert!(phy.write(0, regs::BMCR, bmcr::PDOWN).result().is_err());
    }
    assert_eq!(phy.faults.write_errors, FaultCount::Always);
    assert_eq!(read(&mut phy, 0, regs::BMCR) & bmcr::PDOWN, 0);
    assert_eq!(phy.counters().c22(regs::BMCR).failed, 100);
}

#[test]
fn asix_has_no_mmd_registers() {
    let mut phy = Phy::new(Model::Ax88772a, 0);
    assert_eq!(mmd_read(&mut phy, 0, 3, 20), 0);
    assert_eq!(read(&mut phy, 0, regs::MMD_CTRL), 0);
    assert!(phy.read(0, regs::MMD_DATA).mmd.is_none());
}

#[test]
fn peek_has_no_side_effects() {
    let mut phy = Phy::new(Model::Ax88772c, 0);
    assert_eq!(phy.peek(500, regs::BMSR) & bmsr::LSTATUS, 0);
    assert_eq!(phy.peek(500, regs::BMSR) & bmsr::LSTATUS, 0);
    assert_eq!(phy.counters().c22(regs::BMSR).reads, 0);
}
