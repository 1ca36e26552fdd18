// SPDX-License-Identifier: GPL-2.0

//! The DP83TG720 model: MMD access, wake-up, roles, reset, TDR, SQI.

mod common;

use common::*;
use phy_model::oa_tdr::{
    self,
    CableFault,
    ResultCode, //
};
use phy_model::regs::{
    self,
    bmcr,
    dp83tg720 as ti,
    mmd,
    pma, //
};
use phy_model::{
    Link,
    Mode,
    Model,
    Phy,
    Role,
    TDR_DURATION_MS, //
};

/// What dp83tg720_config_init() does after its reset: wake the PHY.
fn wake(phy: &mut Phy, now: u64) {
    mmd_write(phy, now, mmd::VEND2, ti::LPS_CFG3, ti::LPS_CFG3_PWR_MODE_0);
}

fn live_link(phy: &mut Phy, now: u64) -> bool {
    read(phy, now, ti::MII_REG_10) & ti::LINK_STATUS != 0
}

fn linked_t1() -> Phy {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    wake(&mut phy, 0);
    assert!(live_link(&mut phy, 100));
    phy
}

#[test]
fn pma_abilities_through_indirect_access() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    assert_eq!(
        mmd_read(&mut phy, 0, mmd::PMAPMD, pma::EXTABLE),
        pma::EXTABLE_BT1
    );
    assert_eq!(
        mmd_read(&mut phy, 0, mmd::PMAPMD, pma::PMD_BT1),
        pma::PMD_BT1_B1000_ABLE
    );
    // BASE-T1 autonegotiation status: not able.
    assert_eq!(mmd_read(&mut phy, 0, mmd::AN, 513), 0);
    // Unknown registers read 0.
    assert_eq!(mmd_read(&mut phy, 0, mmd::PCS, 20), 0);
}

#[test]
fn data_accesses_are_annotated_and_counted() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    mmd_read(&mut phy, 0, mmd::VEND2, ti::SQI_REG_1);
    mmd_read(&mut phy, 0, mmd::VEND2, ti::SQI_REG_1);
    let target = phy_model::MmdReg {
        devad: mmd::VEND2,
        reg: ti::SQI_REG_1,
    };
    assert_eq!(phy.counters().mmd(target).reads, 2);
    assert_eq!(phy.counters().c22(regs::MMD_CTRL).writes, 4);
    write(&mut phy, 0, regs::MMD_CTRL, u16::from(mmd::VEND2) | 0x4000);
    assert_eq!(phy.read(0, regs::MMD_DATA).mmd, Some(target));
}

#[test]
fn address_registers_are_per_mmd_and_post_increment() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    write(&mut phy, 0, regs::MMD_CTRL, u16::from(mmd::VEND2));
    write(&mut phy, 0, regs::MMD_DATA, ti::TDR_CFG2);
    write(&mut phy, 0, regs::MMD_CTRL, u16::from(mmd::PMAPMD));
    write(&mut phy, 0, regs::MMD_DATA, pma::EXTABLE);
    // Function 11: post-increment on writes.
    write(&mut phy, 0, regs::MMD_CTRL, u16::from(mmd::VEND2) | 0xc000);
    write(&mut phy, 0, regs::MMD_DATA, 0x1111);
    write(&mut phy, 0, regs::MMD_DATA, 0x2222);
    write(&mut phy, 0, regs::MMD_DATA, 0x3333);
    assert_eq!(mmd_read(&mut phy, 0, mmd::VEND2, ti::TDR_CFG2), 0x1111);
    assert_eq!(mmd_read(&mut phy, 0, mmd::VEND2, ti::TDR_CFG3), 0x3333);
    assert_eq!(
        mmd_read(&mut phy, 0, mmd::PMAPMD, pma::EXTABLE),
        pma::EXTABLE_BT1
    );
}

#[test]
fn asleep_until_woken() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    assert!(!live_link(&mut phy, 10_000));
    wake(&mut phy, 10_000);
    assert!(!live_link(&mut phy, 10_099));
    assert!(live_link(&mut phy, 10_100));
    assert_eq!(phy.link(10_100), Link::Up(Mode::Full1000T1));
    assert_eq!(
        mmd_read(&mut phy, 10_100, mmd::PMAPMD, pma::STAT1),
        pma::STAT1_LSTATUS
    );
}

#[test]
fn hardware_reset_returns_to_managed_mode_and_strap_role() {
    let mut phy = linked_t1();
    let ctrl = mmd_read(&mut phy, 100, mmd::PMAPMD, pma::PMD_BT1_CTRL);
    assert_eq!(ctrl & pma::PMD_BT1_CTRL_CFG_MST, 0, "strapped slave");
    write(&mut phy, 200, ti::PHY_RESET, ti::HW_RESET);
    assert!(!live_link(&mut phy, 1000));
    assert_eq!(read(&mut phy, 1000, ti::PHY_RESET), 0);
    wake(&mut phy, 1000);
    assert!(live_link(&mut phy, 1100));
}

#[test]
fn same_roles_never_link() {
    let mut phy = linked_t1();
    let mut partner = phy.partner();
    partner.role = Role::Slave;
    phy.set_partner(200, partner);
    assert!(!live_link(&mut phy, 5000));
    // Becoming master (ethtool master-slave forced-master) fixes it.
    let ctrl = mmd_read(&mut phy, 5000, mmd::PMAPMD, pma::PMD_BT1_CTRL);
    mmd_write(
        &mut phy,
        5000,
        mmd::PMAPMD,
        pma::PMD_BT1_CTRL,
        ctrl | pma::PMD_BT1_CTRL_CFG_MST,
    );
    assert_eq!(phy.role(), Role::Master);
    assert!(live_link(&mut phy, 5100));
}

#[test]
fn sqi_reads_zero_without_link() {
    let mut phy = linked_t1();
    let mut partner = phy.partner();
    partner.sqi = 5;
    phy.set_partner(200, partner);
    let v = mmd_read(&mut phy, 200, mmd::VEND2, ti::SQI_REG_1);
    assert_eq!((v >> 1) & 7, 5);
    assert_eq!((v >> 5) & 7, 5);
    partner.link = false;
    phy.set_partner(300, partner);
    assert_eq!(mmd_read(&mut phy, 300, mmd::VEND2, ti::SQI_REG_1), 0);
}

#[test]
fn link_losses_count_until_read() {
    let mut phy = linked_t1();
    let mut partner = phy.partner();
    for t in [1000, 2000, 3000] {
        partner.link = false;
        phy.set_partner(t, partner);
        partner.link = true;
        phy.set_partner(t + 1, partner);
        assert!(live_link(&mut phy, t + 500));
    }
    let v = mmd_read(&mut phy, 4000, mmd::VEND2, ti::LINK_QUAL_3);
    assert_eq!(v >> 10, 3);
    assert_eq!(mmd_read(&mut phy, 4000, mmd::VEND2, ti::LINK_QUAL_3), 0);
}

/// dp83tg720_cable_test_start() and _get_status().
fn cable_test(phy: &mut Phy, now: u64) -> (u16, u16) {
    let v = mmd_read(phy, now, mmd::VEND2, ti::TDR_MASTER_LINK_DOWN);
    mmd_write(
        phy,
        now,
        mmd::VEND2,
        ti::TDR_MASTER_LINK_DOWN,
        v | ti::FORCE_LINK_DOWN,
    );
    let v = mmd_read(phy, now, mmd::VEND2, ti::TDR_CFG);
    mmd_write(phy, now, mmd::VEND2, ti::TDR_CFG, v | ti::TDR_START);
    assert_eq!(
        mmd_read(phy, now, mmd::VEND2, ti::TDR_CFG) & ti::TDR_DONE,
        0
    );
    let later = now + TDR_DURATION_MS;
    let cfg = mmd_read(phy, later, mmd::VEND2, ti::TDR_CFG);
    let fault = mmd_read(phy, later, mmd::VEND2, ti::TDR_FAULT_STATUS);
    (cfg, fault)
}

#[test]
fn tdr_reports_the_cable() {
    for (cable, code, cm) in [
        (CableFault::None, ResultCode::Ok, Some(0)),
        (CableFault::Open(12), ResultCode::Open, Some(1200)),
        (CableFault::Short(3), ResultCode::SameShort, Some(300)),
        (CableFault::Noise, ResultCode::Noise, None),
    ] {
        let mut phy = linked_t1();
        let mut partner = phy.partner();
        partner.cable = cable;
        phy.set_partner(100, partner);
        let (cfg, fault) = cable_test(&mut phy, 200);
        assert_eq!(cfg & (ti::TDR_DONE | ti::TDR_FAIL), ti::TDR_DONE);
        assert_eq!(oa_tdr::result_code(fault), code, "{cable:?}");
        assert_eq!(oa_tdr::fault_distance_cm(fault), cm, "{cable:?}");
        // The link stays down until the driver resets the PHY.
        assert!(!live_link(&mut phy, 5000));
        partner.cable = CableFault::None;
        phy.set_partner(5000, partner);
        write(&mut phy, 5000, ti::PHY_RESET, ti::HW_RESET);
        wake(&mut phy, 5000);
        assert!(live_link(&mut phy, 5100));
    }
}

#[test]
fn tdr_fails_with_an_active_partner() {
    let mut phy = linked_t1();
    let mut partner = phy.partner();
    partner.active_during_tdr = true;
    phy.set_partner(100, partner);
    let (cfg, _) = cable_test(&mut phy, 200);
    assert_eq!(
        cfg & (ti::TDR_DONE | ti::TDR_FAIL),
        ti::TDR_DONE | ti::TDR_FAIL
    );
}

#[test]
fn power_down_through_bmcr() {
    let mut phy = linked_t1();
    let c = read(&mut phy, 100, regs::BMCR);
    write(&mut phy, 100, regs::BMCR, c | bmcr::PDOWN);
    assert!(!live_link(&mut phy, 1000));
    write(&mut phy, 1000, regs::BMCR, c);
    assert!(live_link(&mut phy, 1100));
}
