// SPDX-License-Identifier: GPL-2.0

//! Helpers driving a model the way phylib does.

#![allow(dead_code)]

use phy_model::regs::{
    self,
    bmcr,
    bmsr,
    mmd_ctrl, //
};
use phy_model::{
    Model,
    Phy, //
};

pub fn read(phy: &mut Phy, now: u64, reg: u8) -> u16 {
    phy.read(now, reg).result().expect("read fails")
}

pub fn write(phy: &mut Phy, now: u64, reg: u8, value: u16) {
    phy.write(now, reg, value).result().expect("write fails");
}

/// `phy_read_mmd()` on a clause 22 PHY (mmd_phy_indirect + data read).
pub fn mmd_read(phy: &mut Phy, now: u64, devad: u8, reg: u16) -> u16 {
    write(phy, now, regs::MMD_CTRL, u16::from(devad));
    write(phy, now, regs::MMD_DATA, reg);
    write(phy, now, regs::MMD_CTRL, u16::from(devad) | 0x4000);
    read(phy, now, regs::MMD_DATA)
}

/// `phy_write_mmd()` on a clause 22 PHY.
pub fn mmd_write(phy: &mut Phy, now: u64, devad: u8, reg: u16, value: u16) {
    write(phy, now, regs::MMD_CTRL, u16::from(devad) & mmd_ctrl::DEVAD);
    write(phy, now, regs::MMD_DATA, reg);
    write(phy, now, regs::MMD_CTRL, u16::from(devad) | 0x4000);
    write(phy, now, regs::MMD_DATA, value);
}

/// BMSR link status the way genphy_update_link() reads it when the link
/// was down: twice, the second read is current.
pub fn link_status(phy: &mut Phy, now: u64) -> bool {
    read(phy, now, regs::BMSR);
    read(phy, now, regs::BMSR) & bmsr::LSTATUS != 0
}

/// genphy_soft_reset(): set RESET, poll every 50 ms for at most 600 ms.
/// Returns the time the reset completed, or None on timeout.
pub fn soft_reset(phy: &mut Phy, mut now: u64) -> Option<u64> {
    let v = read(phy, now, regs::BMCR);
    write(
        phy,
        now,
        regs::BMCR,
        (v & !bmcr::ISOLATE) | bmcr::RESET | bmcr::ANRESTART,
    );
    let deadline = now + 600;
    loop {
        now += 50;
        if read(phy, now, regs::BMCR) & bmcr::RESET == 0 {
            return Some(now);
        }
        if now >= deadline {
            return None;
        }
    }
}

/// A PHY of `model` powered up at 0 ms, its link up at 1000 ms.
pub fn linked(model: Model) -> Phy {
    let mut phy = Phy::new(model, 0);
    assert!(link_status(&mut phy, 1000));
    phy
}
