// SPDX-License-Identifier: GPL-2.0

//! TI DP83TG720S 1000BASE-T1 automotive PHY.
//!
//! The behaviour of drivers/net/phy/dp83tg720.c, whose comment explains the
//! PHY's limitations: link detection needs polling and a reset after each
//! link loss, with role-dependent delays so that two DP83TG720s linked to
//! each other do not reset in step forever. The poll schedule, delays and
//! statistics are in rust/phy_model/src/dp83tg720; the callbacks
//! `kernel::net::phy::Driver` lacks (SQI, cable test, ...) come with the `phy`
//! part of rust/kernel_ext.
//!
//! One intended difference: a failed read of MII_REG_10 is reported here,
//! where the C driver takes the error code for a status value.

use kernel::{
    prelude::*,
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic,
        Msecs, //
    },
    uapi, //
};

use crate::dp83tg720_logic::{
    self as logic,
    PollSchedule,
    Stats, //
};
use crate::kernel_ext::phy::{
    self,
    reg::{
        Mmd,
        C22,
        C45, //
    },
    CablePair,
    CableResult,
    CableSource,
    CableTest,
    DeviceId,
    Driver,
    LinkStats,
    PhyStats, //
};
use crate::oa_tdr::{
    self,
    ResultCode, //
};

/// Clause 22: MII status, bit 0 the live link status.
const MII_REG_10: C22 = C22::vendor_specific::<0x10>();
const LINK_STATUS: u16 = 1 << 0;
/// Clause 22: PHY reset control.
const PHY_RESET: C22 = C22::vendor_specific::<0x1f>();
const HW_RESET: u16 = 1 << 15;

// MMD 31 (vendor 2) registers, addressed with vend2().
const TDR_CFG: u16 = 0x1e;
const TDR_START: u16 = 1 << 15;
const TDR_DONE: u16 = 1 << 1;
const TDR_FAIL: u16 = 1 << 0;
const LPS_CFG3: u16 = 0x18c;
/// Power modes are documented as bit fields but used as values; mode 0 is normal.
const LPS_CFG3_PWR_MODE_0: u16 = 1 << 0;
const TDR_CFG2: u16 = 0x301;
const TDR_CFG3: u16 = 0x303;
const TDR_CFG4: u16 = 0x304;
const TDR_FAULT_STATUS: u16 = 0x30f;
const UNKNOWN_0405: u16 = 0x405;
const LINK_QUAL_3: u16 = 0x547;
const TDR_MASTER_LINK_DOWN: u16 = 0x576;
const RGMII_DELAY_CTRL: u16 = 0x602;
const RGMII_RX_CLK_SEL: u16 = 1 << 1;
const RGMII_TX_CLK_SEL: u16 = 1 << 0;
/// PKT_STAT_1 to PKT_STAT_6: a group is cleared only when read in sequence.
const PKT_STAT: [u16; 6] = [0x639, 0x63a, 0x63b, 0x63c, 0x63d, 0x63e];
const UNKNOWN_083F: u16 = 0x83f;
const SQI_REG_1: u16 = 0x871;

const fn vend2(reg: u16) -> C45 {
    C45::new(Mmd::VEND2, reg)
}

/// Per-device state.
pub(crate) struct Data {
    stats: Stats,
    polls: PollSchedule,
    epoch: Instant<Monotonic>,
}

pub(crate) struct PhyDp83tg720;

impl PhyDp83tg720 {
    /// Applies the configured role, then reads it back so that it shows even
    /// with the link administratively down.
    fn setup_master_slave(dev: &mut phy::Device<Data>) -> Result {
        dev.genphy_c45_pma_baset1_setup_master_slave()?;
        dev.genphy_c45_pma_baset1_read_master_slave()
    }

    fn config_rgmii_delay(dev: &mut phy::Device<Data>, (rx, tx): (bool, bool)) -> Result {
        let mut delay = 0;
        if rx {
            delay |= RGMII_RX_CLK_SEL;
        }
        if tx {
            delay |= RGMII_TX_CLK_SEL;
        }
        dev.modify_mmd(
            vend2(RGMII_DELAY_CTRL),
            RGMII_RX_CLK_SEL | RGMII_TX_CLK_SEL,
            delay,
        )
    }
}

#[vtable]
impl Driver for PhyDp83tg720 {
    type Data = Data;

    const FLAGS: u32 = phy::flags::POLL_CABLE_TEST;
    const NAME: &'static CStr = c"rkm TI DP83TG720S";
    const PHY_DEVICE_ID: DeviceId = DeviceId::new_with_model_mask(0x2000a284);

    fn probe(_dev: &mut phy::Device<Data>) -> Result<Data> {
        Ok(Data {
            stats: Stats::default(),
            polls: PollSchedule::default(),
            epoch: Instant::now(),
        })
    }

    fn soft_reset(dev: &mut phy::Device<Data>) -> Result {
        dev.write(PHY_RESET, HW_RESET)?;
        // The mandatory 1 ms before MDIO access plus a role-dependent delay
        // against synchronised resets of two DP83TG720s.
        let ms = logic::reset_delay_ms(dev.is_slave());
        fsleep(Delta::from_millis(ms.into()));
        Ok(())
    }

    fn get_features(dev: &mut phy::Device<Data>) -> Result {
        dev.genphy_c45_pma_read_ext_abilities()
    }

    // No autonegotiation and a single speed: only the role is configured.
    fn config_aneg(dev: &mut phy::Device<Data>) -> Result {
        Self::setup_master_slave(dev)
    }

    fn read_status(dev: &mut phy::Device<Data>) -> Result<u16> {
        dev.clear_pause();
        // Most clause 45 registers are missing: no genphy_c45_read_status().
        let status = dev.read(MII_REG_10)?;
        let link = status & LINK_STATUS != 0;
        dev.set_link(link);
        if link {
            // PMA/PMD control 1 has no speed information: the PHY has one speed.
            dev.genphy_c45_pma_baset1_read_master_slave()?;
            dev.set_duplex(phy::DuplexMode::Full);
            dev.set_speed(uapi::SPEED_1000);
        } else {
            // Save the counters, then reset as TI's software implementation
            // guide asks after a link loss (or no link for 100 ms), and
            // restore the role the reset lost.
            Self::update_stats(dev)?;
            dev.init_hw()?;
            Self::setup_master_slave(dev)?;
            // `set_speed` takes the C int's bits: -1, SPEED_UNKNOWN.
            dev.set_speed(uapi::SPEED_UNKNOWN as u32);
            dev.set_duplex(phy::DuplexMode::Unknown);
        }
        Ok(0)
    }

    fn suspend(dev: &mut phy::Device<Data>) -> Result {
        dev.genphy_suspend()
    }

    fn resume(dev: &mut phy::Device<Data>) -> Result {
        dev.genphy_resume()
    }

    fn config_init(dev: &mut phy::Device<Data>) -> Result {
        // Reset to recover from a link failure.
        Self::soft_reset(dev)?;
        if let Some(delays) = dev.rgmii_delays() {
            Self::config_rgmii_delay(dev, delays)?;
        }
        // A PHY bootstrapped in managed mode sleeps until woken.
        dev.write(vend2(LPS_CFG3), LPS_CFG3_PWR_MODE_0)?;
        // Make the role visible to ethtool after init and reset.
        dev.genphy_c45_pma_baset1_read_master_slave()
    }

    fn get_sqi(dev: &mut phy::Device<Data>) -> Result<u32> {
        if !dev.is_link_up() {
            return Ok(0);
        }
        Ok(logic::sqi(dev.read(vend2(SQI_REG_1))?))
    }

    fn get_sqi_max(_dev: &mut phy::Device<Data>) -> u32 {
        logic::SQI_MAX
    }

    // TI's "Configuring for Open Alliance Specification Compliance" sequence;
    // most of these registers are undocumented.
    fn cable_test_start(dev: &mut phy::Device<Data>) -> Result {
        // Force the master link down.
        dev.modify_mmd(vend2(TDR_MASTER_LINK_DOWN), 0, 0x0400)?;
        dev.write(vend2(TDR_CFG2), 0xa008)?;
        dev.write(vend2(TDR_CFG3), 0x0928)?;
        dev.write(vend2(TDR_CFG4), 0x0004)?;
        dev.write(vend2(UNKNOWN_0405), 0x6400)?;
        dev.write(vend2(UNKNOWN_083F), 0x3003)?;
        dev.modify_mmd(vend2(TDR_CFG), 0, TDR_START)
    }

    fn cable_test_get_status(test: &mut CableTest<'_, Data>) -> Result<bool> {
        let cfg = test.read(vend2(TDR_CFG))?;
        if cfg & TDR_DONE == 0 {
            return Ok(false);
        }
        let code = if cfg & TDR_FAIL == 0 {
            let fault = test.read(vend2(TDR_FAULT_STATUS))?;
            if let Some(cm @ 1..) = oa_tdr::fault_distance_cm(fault) {
                // As the C driver, a result that does not fit the reply is not an error.
                let _ = test.fault_length(CablePair::A, cm, CableSource::Tdr);
            }
            oa_tdr::result_code(fault)
        } else {
            // An active link partner, or something else went wrong.
            ResultCode::Unspec
        };
        let _ = test.result(CablePair::A, cable_result(code), CableSource::Tdr);
        // Save the counters before the reset.
        Self::update_stats(test)?;
        test.init_hw()?;
        Ok(true)
    }

    fn update_stats(dev: &mut phy::Device<Data>) -> Result {
        let link_quality = dev.read(vend2(LINK_QUAL_3))?;
        dev.data()?.stats.add_link_quality(link_quality);
        // The counters freeze at the first read of a group, and clear only
        // when the group is read in order.
        let mut pkt_stat = [0u16; 6];
        for (value, reg) in pkt_stat.iter_mut().zip(PKT_STAT) {
            *value = dev.read(vend2(reg))?;
        }
        dev.data()?.stats.add_packets(pkt_stat);
        Ok(())
    }

    fn get_link_stats(dev: &mut phy::Device<Data>, stats: &mut LinkStats<'_>) {
        if let Ok(data) = dev.data() {
            stats.set_link_down_events(data.stats.link_loss);
        }
    }

    fn get_phy_stats(dev: &mut phy::Device<Data>, stats: &mut PhyStats<'_>) {
        if let Ok(data) = dev.data() {
            stats.set_tx_packets(data.stats.tx_packets);
            stats.set_tx_errors(data.stats.tx_errors);
            stats.set_rx_packets(data.stats.rx_packets);
            stats.set_rx_errors(data.stats.rx_errors);
        }
    }

    fn get_next_update_time(dev: &mut phy::Device<Data>) -> Msecs {
        let link = dev.is_link_up();
        dev.data()
            .map(|d| {
                let now = u64::try_from(d.epoch.elapsed().as_millis()).unwrap_or(0);
                d.polls.next_poll_ms(link, now)
            })
            .unwrap_or(logic::POLL_NO_LINK_MS)
    }
}

/// The cable test result of a decoded Open Alliance fault status.
fn cable_result(code: ResultCode) -> CableResult {
    match code {
        ResultCode::Unspec => CableResult::Unspec,
        ResultCode::Ok => CableResult::Ok,
        ResultCode::Open => CableResult::Open,
        ResultCode::SameShort => CableResult::SameShort,
        ResultCode::Noise => CableResult::Noise,
        ResultCode::ResolutionNotPossible => CableResult::ResolutionNotPossible,
    }
}
