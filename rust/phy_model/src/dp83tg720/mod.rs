// SPDX-License-Identifier: GPL-2.0

//! What the DP83TG720 driver decides, apart from register access: how often
//! to poll, how long to wait after a reset, and its statistics. The numbers
//! are those of drivers/net/phy/dp83tg720.c, which explains where they come
//! from (empirical values that avoid synchronised resets of two DP83TG720s
//! linked to each other).

/// Poll interval with the link up.
pub const POLL_ACTIVE_LINK_MS: u32 = 421;
/// Poll interval in the first seconds without link.
pub const POLL_NO_LINK_MS: u32 = 149;
/// How long the fast no-link polling lasts.
pub const FAST_POLL_DURATION_MS: u64 = 6000;
/// Poll interval once the link has been down for a while.
pub const POLL_SLOW_MS: u32 = 1117;
/// Wait after a reset when master (or role unknown).
pub const RESET_DELAY_MASTER_MS: u32 = 97;
/// Wait after a reset when slave.
pub const RESET_DELAY_SLAVE_MS: u32 = 149;
/// The highest SQI the PHY reports.
pub const SQI_MAX: u32 = 7;

/// How long to wait after a reset before using the PHY again.
pub fn reset_delay_ms(slave: bool) -> u32 {
    if slave {
        RESET_DELAY_SLAVE_MS
    } else {
        RESET_DELAY_MASTER_MS
    }
}

/// The SQI field (bits 3:1) of SQI_REG_1.
pub fn sqi(sqi_reg: u16) -> u32 {
    u32::from((sqi_reg >> 1) & 0x7)
}

/// Adaptive polling: slow with the link up, fast right after it went down,
/// slow again once it stayed down (dp83tg720_get_next_update_time()).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollSchedule {
    link_down_since_ms: Option<u64>,
}

impl PollSchedule {
    /// Milliseconds until the next poll, given the link and the time now.
    pub fn next_poll_ms(&mut self, link: bool, now_ms: u64) -> u32 {
        if link {
            self.link_down_since_ms = None;
            return POLL_ACTIVE_LINK_MS;
        }
        let since = *self.link_down_since_ms.get_or_insert(now_ms);
        if now_ms < since.saturating_add(FAST_POLL_DURATION_MS) {
            POLL_NO_LINK_MS
        } else {
            POLL_SLOW_MS
        }
    }
}

/// Counters the PHY clears when read, accumulated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Link losses.
    pub link_loss: u64,
    /// Transmitted packets.
    pub tx_packets: u64,
    /// Transmitted packets with errors.
    pub tx_errors: u64,
    /// Received packets.
    pub rx_packets: u64,
    /// Received packets with errors.
    pub rx_errors: u64,
}

impl Stats {
    /// Adds the link loss count of LINK_QUAL_3 (bits 15:10).
    pub fn add_link_quality(&mut self, link_qual_3: u16) {
        self.link_loss = self.link_loss.saturating_add(u64::from(link_qual_3 >> 10));
    }

    /// Adds PKT_STAT_1 to PKT_STAT_6, read in that order: TX packets (low,
    /// high), TX errors, RX packets (low, high), RX errors.
    pub fn add_packets(&mut self, pkt_stat: [u16; 6]) {
        let [tx_lo, tx_hi, tx_err, rx_lo, rx_hi, rx_err] = pkt_stat.map(u64::from);
        self.tx_packets = self.tx_packets.saturating_add(tx_hi << 16 | tx_lo);
        self.tx_errors = self.tx_errors.saturating_add(tx_err);
        self.rx_packets = self.rx_packets.saturating_add(rx_hi << 16 | rx_lo);
        self.rx_errors = self.rx_errors.saturating_add(rx_err);
    }
}
