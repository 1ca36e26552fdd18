// SPDX-License-Identifier: GPL-2.0

//! The link partner at the other end of the emulated cable.

use super::oa_tdr::CableFault;
use super::regs::adv;

/// A BASE-T1 role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Drives the clock.
    Master,
    /// Recovers the clock from the master.
    Slave,
}

impl Role {
    /// The role's name as debugfs spells it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Slave => "slave",
        }
    }
}

/// The cable and the PHY at its other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partner {
    /// The partner is powered and its port enabled.
    pub link: bool,
    /// Its autonegotiation advertisement (ADVERTISE layout) on 10/100 media.
    pub advertise: u16,
    /// Its role on 1000BASE-T1.
    pub role: Role,
    /// Signal quality it produces at our receiver, 0..=7 (1000BASE-T1).
    pub sqi: u8,
    /// The state of the cable, as a TDR would find it.
    pub cable: CableFault,
    /// The partner transmits during a TDR, so the measurement fails.
    pub active_during_tdr: bool,
    /// An old switch that leaves AX88772A's LPA at 0 after autonegotiation.
    pub old_switch: bool,
}

impl Partner {
    /// A switch port offering everything 10/100 with pause, master on
    /// 1000BASE-T1, over a good cable.
    pub const DEFAULT: Partner = Partner {
        link: true,
        advertise: adv::CSMA | adv::ALL_10_100 | adv::PAUSE,
        role: Role::Master,
        sqi: 6,
        cable: CableFault::None,
        active_during_tdr: false,
        old_switch: false,
    };
}
