// SPDX-License-Identifier: GPL-2.0

//! Register numbers and bits the models implement.
//!
//! Clause 22 and MMD names follow include/uapi/linux/mii.h and mdio.h; the
//! DP83TG720 vendor registers follow drivers/net/phy/dp83tg720.c.

/// Basic Mode Control Register (clause 22 register 0).
pub const BMCR: u8 = 0x00;
/// Basic Mode Status Register.
pub const BMSR: u8 = 0x01;
/// PHY identifier, bits 31:16.
pub const PHYSID1: u8 = 0x02;
/// PHY identifier, bits 15:0.
pub const PHYSID2: u8 = 0x03;
/// Autonegotiation advertisement.
pub const ADVERTISE: u8 = 0x04;
/// Link partner ability.
pub const LPA: u8 = 0x05;
/// Autonegotiation expansion.
pub const EXPANSION: u8 = 0x06;
/// MMD access control (clause 45 over clause 22).
pub const MMD_CTRL: u8 = 0x0d;
/// MMD access address or data.
pub const MMD_DATA: u8 = 0x0e;

/// BMCR bits.
pub mod bmcr {
    /// Speed, bit 1 of 2 (1000 Mb/s).
    pub const SPEED1000: u16 = 0x0040;
    /// Full duplex.
    pub const FULLDPLX: u16 = 0x0100;
    /// Restart autonegotiation (self-clearing).
    pub const ANRESTART: u16 = 0x0200;
    /// Isolate the PHY from the MII.
    pub const ISOLATE: u16 = 0x0400;
    /// Power down.
    pub const PDOWN: u16 = 0x0800;
    /// Enable autonegotiation.
    pub const ANENABLE: u16 = 0x1000;
    /// Speed, bit 0 of 2 (100 Mb/s).
    pub const SPEED100: u16 = 0x2000;
    /// Loopback.
    pub const LOOPBACK: u16 = 0x4000;
    /// Software reset (self-clearing).
    pub const RESET: u16 = 0x8000;
}

/// BMSR bits.
pub mod bmsr {
    /// Extended register capability.
    pub const ERCAP: u16 = 0x0001;
    /// Link status, latched low.
    pub const LSTATUS: u16 = 0x0004;
    /// Able to autonegotiate.
    pub const ANEGCAPABLE: u16 = 0x0008;
    /// Remote fault.
    pub const RFAULT: u16 = 0x0010;
    /// Autonegotiation complete.
    pub const ANEGCOMPLETE: u16 = 0x0020;
    /// Management frames with preamble suppressed accepted.
    pub const MFPRESUPPCAPABLE: u16 = 0x0040;
    /// 10BASE-T half duplex capable.
    pub const HALF10: u16 = 0x0800;
    /// 10BASE-T full duplex capable.
    pub const FULL10: u16 = 0x1000;
    /// 100BASE-TX half duplex capable.
    pub const HALF100: u16 = 0x2000;
    /// 100BASE-TX full duplex capable.
    pub const FULL100: u16 = 0x4000;
}

/// ADVERTISE and LPA bits.
pub mod adv {
    /// Selector field: IEEE 802.3.
    pub const CSMA: u16 = 0x0001;
    /// 10BASE-T half duplex.
    pub const HALF10: u16 = 0x0020;
    /// 10BASE-T full duplex.
    pub const FULL10: u16 = 0x0040;
    /// 100BASE-TX half duplex.
    pub const HALF100: u16 = 0x0080;
    /// 100BASE-TX full duplex.
    pub const FULL100: u16 = 0x0100;
    /// Symmetric pause.
    pub const PAUSE: u16 = 0x0400;
    /// Asymmetric pause.
    pub const ASYM_PAUSE: u16 = 0x0800;
    /// Remote fault.
    pub const RFAULT: u16 = 0x2000;
    /// LPA only: the partner acknowledged our advertisement.
    pub const LPACK: u16 = 0x4000;
    /// The technology ability field of 10/100 PHYs.
    pub const ALL_10_100: u16 = HALF10 | FULL10 | HALF100 | FULL100;
}

/// EXPANSION bits.
pub mod expansion {
    /// The link partner is able to autonegotiate.
    pub const LPANEGCAPABLE: u16 = 0x0001;
}

/// MMD_CTRL bits: the function in 15:14, the device address in 4:0.
pub mod mmd_ctrl {
    /// Function field.
    pub const FUNCTION: u16 = 0xc000;
    /// Function 00: MMD_DATA holds a register address.
    pub const ADDRESS: u16 = 0x0000;
    /// Device address field.
    pub const DEVAD: u16 = 0x001f;
}

/// MMD device addresses.
pub mod mmd {
    /// PMA/PMD.
    pub const PMAPMD: u8 = 1;
    /// PCS.
    pub const PCS: u8 = 3;
    /// Autonegotiation.
    pub const AN: u8 = 7;
    /// Vendor specific 2.
    pub const VEND2: u8 = 31;
}

/// PMA/PMD registers of a BASE-T1 PHY.
pub mod pma {
    /// PMA/PMD control 1.
    pub const CTRL1: u16 = 0;
    /// PMA/PMD status 1.
    pub const STAT1: u16 = 1;
    /// PMA/PMD extended ability.
    pub const EXTABLE: u16 = 11;
    /// BASE-T1 PMA/PMD extended ability.
    pub const PMD_BT1: u16 = 18;
    /// BASE-T1 PMA/PMD control.
    pub const PMD_BT1_CTRL: u16 = 2100;

    /// CTRL1: speed selection 1000 Mb/s.
    pub const CTRL1_SPEED1000: u16 = 0x0040;
    /// STAT1: receive link status.
    pub const STAT1_LSTATUS: u16 = 0x0004;
    /// EXTABLE: BASE-T1 ability.
    pub const EXTABLE_BT1: u16 = 0x0800;
    /// PMD_BT1: 1000BASE-T1 ability.
    pub const PMD_BT1_B1000_ABLE: u16 = 0x0002;
    /// PMD_BT1_CTRL: MASTER-SLAVE configuration, 1 = master.
    pub const PMD_BT1_CTRL_CFG_MST: u16 = 0x4000;
    /// PMD_BT1_CTRL: type selection 1000BASE-T1.
    pub const PMD_BT1_CTRL_TYPE_1000BT1: u16 = 0x0002;
}

/// DP83TG720 vendor registers (clause 22 16..31 and MMD 31).
pub mod dp83tg720 {
    /// Clause 22: MII status, bit 0 is the live link status.
    pub const MII_REG_10: u8 = 0x10;
    /// MII_REG_10: link status.
    pub const LINK_STATUS: u16 = 0x0001;
    /// Clause 22: PHY reset control.
    pub const PHY_RESET: u8 = 0x1f;
    /// PHY_RESET: hardware reset, all registers to their defaults.
    pub const HW_RESET: u16 = 0x8000;

    /// MMD 31: TDR configuration.
    pub const TDR_CFG: u16 = 0x001e;
    /// TDR_CFG: start the TDR.
    pub const TDR_START: u16 = 0x8000;
    /// TDR_CFG: the TDR is done.
    pub const TDR_DONE: u16 = 0x0002;
    /// TDR_CFG: the TDR failed (active link partner).
    pub const TDR_FAIL: u16 = 0x0001;
    /// MMD 31: low power state configuration 3.
    pub const LPS_CFG3: u16 = 0x018c;
    /// LPS_CFG3: power mode 0, normal operation.
    pub const LPS_CFG3_PWR_MODE_0: u16 = 0x0001;
    /// MMD 31: TDR configuration 2.
    pub const TDR_CFG2: u16 = 0x0301;
    /// MMD 31: TDR configuration 3.
    pub const TDR_CFG3: u16 = 0x0303;
    /// MMD 31: TDR configuration 4.
    pub const TDR_CFG4: u16 = 0x0304;
    /// MMD 31: Open Alliance HDD.TDR fault status.
    pub const TDR_FAULT_STATUS: u16 = 0x030f;
    /// MMD 31: undocumented, written before a TDR.
    pub const UNKNOWN_0405: u16 = 0x0405;
    /// MMD 31: link quality 3, link losses in 15:10 (cleared on read).
    pub const LINK_QUAL_3: u16 = 0x0547;
    /// MMD 31: TDR master link down control.
    pub const TDR_MASTER_LINK_DOWN: u16 = 0x0576;
    /// TDR_MASTER_LINK_DOWN: force the master link down.
    pub const FORCE_LINK_DOWN: u16 = 0x0400;
    /// MMD 31: RGMII delay control.
    pub const RGMII_DELAY_CTRL: u16 = 0x0602;
    /// MMD 31: first of the six packet statistics registers.
    pub const PKT_STAT_1: u16 = 0x0639;
    /// MMD 31: last of the six packet statistics registers.
    pub const PKT_STAT_6: u16 = 0x063e;
    /// MMD 31: undocumented, written before a TDR.
    pub const UNKNOWN_083F: u16 = 0x083f;
    /// MMD 31: signal quality; SQI in 3:1, worst SQI in 7:5.
    pub const SQI_REG_1: u16 = 0x0871;
    /// The highest SQI the PHY reports.
    pub const SQI_MAX: u8 = 7;
}
