// SPDX-License-Identifier: GPL-2.0

//! The PHYs the emulator models: identity, abilities, defaults and quirks.

use super::regs::{
    adv,
    bmcr,
    bmsr, //
};

/// A PHY model. Adding one: a variant here, its identity and defaults below,
/// and whatever vendor registers it has in `phy.rs` (Documentation/rkm_phy.rst).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Asix AX88772A internal 10/100 PHY.
    Ax88772a,
    /// Asix AX88772C internal 10/100 PHY.
    Ax88772c,
    /// Asix AX88796B 10/100 PHY.
    Ax88796b,
    /// TI DP83TG720S 1000BASE-T1 automotive PHY.
    Dp83tg720,
}

/// How a model establishes its link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Medium {
    /// 10/100 twisted pair with clause 28 autonegotiation.
    BaseTx,
    /// 1000BASE-T1 single pair: no autonegotiation, a MASTER and a SLAVE.
    BaseT1,
}

impl Model {
    /// Every model, in the order of the module parameters.
    pub const ALL: [Model; 4] = [
        Model::Ax88772a,
        Model::Ax88772c,
        Model::Ax88796b,
        Model::Dp83tg720,
    ];

    /// The model's name as the emulator's debugfs and parameters spell it.
    pub fn name(self) -> &'static str {
        match self {
            Model::Ax88772a => "ax88772a",
            Model::Ax88772c => "ax88772c",
            Model::Ax88796b => "ax88796b",
            Model::Dp83tg720 => "dp83tg720",
        }
    }

    /// The 32-bit PHY identifier in PHYSID1:PHYSID2.
    pub fn phy_id(self) -> u32 {
        match self {
            Model::Ax88772a => 0x003b_1861,
            Model::Ax88772c => 0x003b_1881,
            // Revision 1 of the model the in-tree driver matches with its model mask.
            Model::Ax88796b => 0x003b_1841,
            Model::Dp83tg720 => 0x2000_a284,
        }
    }

    /// How the model links.
    pub fn medium(self) -> Medium {
        match self {
            Model::Dp83tg720 => Medium::BaseT1,
            _ => Medium::BaseTx,
        }
    }

    /// BMCR after a reset.
    pub(super) fn bmcr_default(self) -> u16 {
        match self.medium() {
            Medium::BaseTx => bmcr::ANENABLE | bmcr::SPEED100 | bmcr::FULLDPLX,
            Medium::BaseT1 => bmcr::SPEED1000 | bmcr::FULLDPLX,
        }
    }

    /// The fixed bits of BMSR (abilities), without link and autonegotiation state.
    pub(super) fn bmsr_abilities(self) -> u16 {
        match self.medium() {
            Medium::BaseTx => {
                bmsr::FULL100
                    | bmsr::HALF100
                    | bmsr::FULL10
                    | bmsr::HALF10
                    | bmsr::MFPRESUPPCAPABLE
                    | bmsr::ANEGCAPABLE
                    | bmsr::ERCAP
            }
            Medium::BaseT1 => bmsr::ERCAP,
        }
    }

    /// ADVERTISE after a reset.
    pub(super) fn advertise_default(self) -> u16 {
        match self.medium() {
            Medium::BaseTx => adv::ALL_10_100 | adv::CSMA,
            Medium::BaseT1 => 0,
        }
    }

    /// The bits of ADVERTISE software may change.
    pub(super) fn advertise_writable(self) -> u16 {
        match self.medium() {
            Medium::BaseTx => adv::ALL_10_100 | adv::PAUSE | adv::ASYM_PAUSE | adv::RFAULT,
            Medium::BaseT1 => 0,
        }
    }

    /// The Asix PHYs report the autonegotiated speed and duplex in BMCR, which
    /// the in-tree AX88772A driver relies on when LPA reads 0.
    pub(super) fn reports_resolved_mode_in_bmcr(self) -> bool {
        matches!(self, Model::Ax88772a | Model::Ax88772c | Model::Ax88796b)
    }

    /// AX88772A with some old switches: LPA reads 0 although autonegotiation
    /// completed (comment in drivers/net/phy/ax88796b_rust.rs). The partner's
    /// `old_switch` setting turns it on; AX88772C does not have the bug.
    pub(super) fn loses_lpa_with_old_switch(self) -> bool {
        self == Model::Ax88772a
    }

    /// The broken AX88796B of the X-Surf 100: a BMCR reset only takes when the
    /// RESET bit was written 0 before, else it stays set forever (how the
    /// emulator reads the "toggle BMCR_RESET off" comment of the drivers).
    pub(super) fn reset_needs_toggle(self) -> bool {
        self == Model::Ax88796b
    }

    /// Whether the model has MMD registers behind MMD_CTRL/MMD_DATA.
    pub(super) fn has_mmd(self) -> bool {
        self.medium() == Medium::BaseT1
    }
}

/// A resolved link mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 10BASE-T half duplex.
    Half10,
    /// 10BASE-T full duplex.
    Full10,
    /// 100BASE-TX half duplex.
    Half100,
    /// 100BASE-TX full duplex.
    Full100,
    /// 1000BASE-T1 full duplex.
    Full1000T1,
}

impl Mode {
    /// Autonegotiation priority, highest first (IEEE 802.3 annex 28B.3).
    const PRIORITY: [(u16, Mode); 4] = [
        (adv::FULL100, Mode::Full100),
        (adv::HALF100, Mode::Half100),
        (adv::FULL10, Mode::Full10),
        (adv::HALF10, Mode::Half10),
    ];

    /// The highest common mode of two advertisements, if any.
    pub fn resolve(local: u16, partner: u16) -> Option<Mode> {
        Self::PRIORITY
            .iter()
            .find(|(bit, _)| local & partner & bit != 0)
            .map(|&(_, mode)| mode)
    }

    /// The mode forced by BMCR with autonegotiation off.
    pub fn forced(bmcr_value: u16) -> Mode {
        match (
            bmcr_value & bmcr::SPEED100 != 0,
            bmcr_value & bmcr::FULLDPLX != 0,
        ) {
            (true, true) => Mode::Full100,
            (true, false) => Mode::Half100,
            (false, true) => Mode::Full10,
            (false, false) => Mode::Half10,
        }
    }

    /// Speed in Mb/s.
    pub fn speed(self) -> u32 {
        match self {
            Mode::Half10 | Mode::Full10 => 10,
            Mode::Half100 | Mode::Full100 => 100,
            Mode::Full1000T1 => 1000,
        }
    }

    /// Whether the mode is full duplex.
    pub fn full_duplex(self) -> bool {
        !matches!(self, Mode::Half10 | Mode::Half100)
    }

    /// The BMCR speed and duplex bits of the mode.
    pub(super) fn bmcr_bits(self) -> u16 {
        let speed = match self.speed() {
            100 => bmcr::SPEED100,
            1000 => bmcr::SPEED1000,
            _ => 0,
        };
        let duplex = if self.full_duplex() {
            bmcr::FULLDPLX
        } else {
            0
        };
        speed | duplex
    }

    /// The ADVERTISE bits of either duplex at this speed: what a partner must
    /// offer for parallel detection to find the speed.
    pub(super) fn same_speed_bits(self) -> u16 {
        match self.speed() {
            10 => adv::HALF10 | adv::FULL10,
            100 => adv::HALF100 | adv::FULL100,
            _ => 0,
        }
    }
}
