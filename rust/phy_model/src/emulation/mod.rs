// SPDX-License-Identifier: GPL-2.0

//! Register models of Ethernet PHYs and their link partner.
//!
//! A [`Phy`] answers clause 22 MDIO reads and writes the way the modelled
//! chip does: BMCR reset and autonegotiation restart self-clear, the link
//! comes up [`Timing::an_delay_ms`] after autonegotiation (or 1000BASE-T1
//! link training) starts and only when the [`Partner`] agrees, BMSR's link
//! status latches low, power-down takes the link down. MMD registers are
//! reached through MMD_CTRL/MMD_DATA (clause 45 over clause 22). The
//! DP83TG720 model adds the vendor registers its driver uses: hardware reset,
//! live link status, wake-up from managed mode, TDR with Open Alliance fault
//! reports ([`oa_tdr`]), SQI, link loss counter.
//!
//! Every access is returned as an [`Access`] for the caller's [`Trace`] and
//! counted in [`Counters`]; [`Faults`] make accesses fail or a reset stick.
//! [`text`] parses and formats what the emulator's debugfs files exchange.

mod model;
pub mod oa_tdr;
mod partner;
mod phy;
pub mod regs;
pub mod text;
mod trace;

pub use self::{
    model::{
        Medium,
        Mode,
        Model, //
    },
    partner::{
        Partner,
        Role, //
    },
    phy::{
        FaultCount,
        Faults,
        Link,
        Phy,
        Timing,
        TDR_DURATION_MS, //
    },
    trace::{
        Access,
        BusFault,
        Counters,
        MmdReg,
        Op,
        RegCount,
        Trace,
        MMD_COUNTED, //
    },
};
