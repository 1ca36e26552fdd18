// SPDX-License-Identifier: GPL-2.0

//! The DP83TG720 driver's decisions.

use phy_model::dp83tg720::{
    self,
    PollSchedule,
    Stats, //
};

#[test]
fn polls_fast_after_link_loss_then_slow() {
    let mut s = PollSchedule::default();
    assert_eq!(s.next_poll_ms(true, 0), 421);
    assert_eq!(s.next_poll_ms(false, 1000), 149);
    assert_eq!(s.next_poll_ms(false, 6999), 149);
    assert_eq!(s.next_poll_ms(false, 7000), 1117);
    assert_eq!(s.next_poll_ms(true, 8000), 421);
    // The clock starts again at the next loss.
    assert_eq!(s.next_poll_ms(false, 20_000), 149);
}

#[test]
fn reset_delays_by_role() {
    assert_eq!(dp83tg720::reset_delay_ms(true), 149);
    assert_eq!(dp83tg720::reset_delay_ms(false), 97);
}

#[test]
fn sqi_field() {
    assert_eq!(dp83tg720::sqi(0b1100_1010), 5);
    assert_eq!(dp83tg720::sqi(0xfff1), 0);
}

#[test]
fn stats_accumulate() {
    let mut stats = Stats::default();
    stats.add_link_quality(3 << 10 | 0x3ff);
    stats.add_link_quality(1 << 10);
    stats.add_packets([0xffff, 0x0001, 7, 0x0002, 0, 1]);
    stats.add_packets([1, 0, 0, 0, 0, 0]);
    assert_eq!(
        stats,
        Stats {
            link_loss: 4,
            tx_packets: 0x2_0000,
            tx_errors: 7,
            rx_packets: 2,
            rx_errors: 1,
        }
    );
}
