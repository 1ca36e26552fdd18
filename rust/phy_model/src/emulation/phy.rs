// SPDX-License-Identifier: GPL-2.0

//! One emulated PHY: its registers, link and faults.
//!
//! Time is the caller's: every access and every change of the partner comes
//! with the current time in milliseconds, and whatever is due by then (the end
//! of autonegotiation or link training, a TDR measurement) has happened when
//! the access is answered. No timers, so the model is deterministic.

use super::model::{
    Medium,
    Mode,
    Model, //
};
use super::oa_tdr::CableFault;
use super::partner::{
    Partner,
    Role, //
};
use super::regs::{
    self,
    adv,
    bmcr,
    bmsr,
    dp83tg720 as ti,
    expansion,
    mmd,
    mmd_ctrl,
    pma, //
};
use super::trace::{
    Access,
    Counters,
    MmdReg,
    Op, //
};

/// How long a TDR measurement takes.
pub const TDR_DURATION_MS: u64 = 20;

/// Timing of the emulated hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// From the start of autonegotiation (or 1000BASE-T1 link training) to
    /// link up.
    pub an_delay_ms: u32,
    /// How many BMCR reads still show RESET after a reset was written.
    pub reset_reads: u8,
}

impl Timing {
    /// 100 ms to link, one BMCR read with RESET still set.
    pub const DEFAULT: Timing = Timing {
        an_delay_ms: 100,
        reset_reads: 1,
    };
}

/// How many transactions an injected fault fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultCount {
    /// The next `n` transactions fail.
    Next(u32),
    /// Every transaction fails until this is changed.
    Always,
}

impl FaultCount {
    /// Consumes one failure if one is due.
    fn take(&mut self) -> bool {
        match self {
            FaultCount::Always => true,
            FaultCount::Next(0) => false,
            FaultCount::Next(n) => {
                *n -= 1;
                true
            }
        }
    }
}

/// Faults injected into the PHY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults {
    /// MDIO reads that fail.
    pub read_errors: FaultCount,
    /// MDIO writes that fail.
    pub write_errors: FaultCount,
    /// A reset written to BMCR never completes.
    pub stuck_reset: bool,
}

impl Faults {
    /// No fault.
    pub const NONE: Faults = Faults {
        read_errors: FaultCount::Next(0),
        write_errors: FaultCount::Next(0),
        stuck_reset: false,
    };
}

/// The link as the PHY sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// No link and none being established.
    Down,
    /// Autonegotiation or link training started at this time.
    Training {
        /// When it started.
        since_ms: u64,
    },
    /// The link is up in this mode.
    Up(Mode),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reset {
    Idle,
    /// RESET reads as 1 for this many more BMCR reads.
    Pending(u8),
    /// RESET never clears.
    Stuck,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tdr {
    Idle,
    Running { since_ms: u64 },
    Done { failed: bool },
}

/// MMD registers of the 1000BASE-T1 model with plain read/write storage.
const T1_STORED: [(u8, u16); 8] = [
    (mmd::VEND2, ti::TDR_CFG2),
    (mmd::VEND2, ti::TDR_CFG3),
    (mmd::VEND2, ti::TDR_CFG4),
    (mmd::VEND2, ti::UNKNOWN_0405),
    (mmd::VEND2, ti::UNKNOWN_083F),
    (mmd::VEND2, ti::TDR_MASTER_LINK_DOWN),
    (mmd::VEND2, ti::RGMII_DELAY_CTRL),
    (mmd::VEND2, ti::LPS_CFG3),
];

/// The registers a reset returns to their defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Registers {
    bmcr: u16,
    advertise: u16,
    mmd_ctrl: u16,
    mmd_addr: [u16; 32],
    bt1_ctrl: u16,
    stored: [u16; T1_STORED.len()],
    tdr: Tdr,
}

impl Registers {
    fn reset(model: Model, strap: Role) -> Self {
        let bt1_ctrl = pma::PMD_BT1_CTRL_TYPE_1000BT1
            | match strap {
                Role::Master => pma::PMD_BT1_CTRL_CFG_MST,
                Role::Slave => 0,
            };
        Self {
            bmcr: model.bmcr_default(),
            advertise: model.advertise_default(),
            mmd_ctrl: 0,
            mmd_addr: [0; 32],
            bt1_ctrl,
            // LPS_CFG3 0: bootstrapped in managed mode, asleep until woken.
            stored: [0; T1_STORED.len()],
            tdr: Tdr::Idle,
        }
    }

    fn stored(&self, devad: u8, reg: u16) -> Option<u16> {
        let i = T1_STORED.iter().position(|&r| r == (devad, reg))?;
        self.stored.get(i).copied()
    }

    fn stored_mut(&mut self, devad: u8, reg: u16) -> Option<&mut u16> {
        let i = T1_STORED.iter().position(|&r| r == (devad, reg))?;
        self.stored.get_mut(i)
    }
}

/// An emulated PHY at one bus address.
#[derive(Clone, Debug)]
pub struct Phy {
    model: Model,
    strap: Role,
    /// Timing of the hardware, changeable at any time.
    pub timing: Timing,
    /// Injected faults, changeable at any time.
    pub faults: Faults,
    partner: Partner,
    regs: Registers,
    reset: Reset,
    /// The last BMCR write cleared RESET (see `Model::reset_needs_toggle`).
    reset_armed: bool,
    link: Link,
    /// The link went down since BMSR was last read (BMSR.LSTATUS latches low).
    latched_down: bool,
    /// Link losses since LINK_QUAL_3 was last read.
    link_losses: u16,
    counters: Counters,
}

impl Phy {
    /// A PHY just powered up, its partner present; the link comes up by
    /// itself when the model and the partner agree.
    pub fn new(model: Model, now_ms: u64) -> Self {
        let strap = Role::Slave;
        let mut phy = Self {
            model,
            strap,
            timing: Timing::DEFAULT,
            faults: Faults::NONE,
            partner: Partner::DEFAULT,
            regs: Registers::reset(model, strap),
            reset: Reset::Idle,
            // RESET reads 0 at power-up, as if written 0.
            reset_armed: true,
            link: Link::Down,
            latched_down: true,
            link_losses: 0,
            counters: Counters::new(),
        };
        phy.refresh(now_ms);
        phy
    }

    /// The model emulated.
    pub fn model(&self) -> Model {
        self.model
    }

    /// The link partner.
    pub fn partner(&self) -> Partner {
        self.partner
    }

    /// The link as of `now_ms`.
    pub fn link(&mut self, now_ms: u64) -> Link {
        self.refresh(now_ms);
        self.link
    }

    /// Per-register access counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Zeroes the access counters.
    pub fn clear_counters(&mut self) {
        self.counters = Counters::new();
    }

    /// Replaces the link partner. A partner that changes what it offers
    /// renegotiates, which takes an established link down first.
    pub fn set_partner(&mut self, now_ms: u64, partner: Partner) {
        self.refresh(now_ms);
        let renegotiates = partner.link != self.partner.link
            || partner.advertise != self.partner.advertise
            || partner.role != self.partner.role
            || partner.cable != self.partner.cable;
        self.partner = partner;
        if renegotiates {
            self.restart_link(now_ms);
        }
    }

    /// An MDIO read of clause 22 register `reg`.
    pub fn read(&mut self, now_ms: u64, reg: u8) -> Access {
        self.refresh(now_ms);
        let mut access = Access {
            time_ms: now_ms,
            op: Op::Read,
            reg,
            value: 0,
            failed: false,
            mmd: self.mmd_target(reg),
        };
        if self.faults.read_errors.take() {
            access.failed = true;
        } else {
            access.value = self.read_c22(now_ms, reg);
        }
        self.counters.count(&access);
        access
    }

    /// An MDIO write of `value` to clause 22 register `reg`.
    pub fn write(&mut self, now_ms: u64, reg: u8, value: u16) -> Access {
        self.refresh(now_ms);
        let mut access = Access {
            time_ms: now_ms,
            op: Op::Write,
            reg,
            value,
            failed: false,
            mmd: self.mmd_target(reg),
        };
        if self.faults.write_errors.take() {
            access.failed = true;
        } else {
            self.write_c22(now_ms, reg, value);
        }
        self.counters.count(&access);
        access
    }

    /// The value a read of `reg` would return, without a read's side effects
    /// (latches, reset progress, counters): for debugfs.
    pub fn peek(&mut self, now_ms: u64, reg: u8) -> u16 {
        self.refresh(now_ms);
        self.c22_value(reg)
    }

    /// Whether RESET is set and not yet cleared.
    pub fn resetting(&self) -> bool {
        self.reset != Reset::Idle
    }

    /// Brings the link state up to date with the time.
    fn refresh(&mut self, now_ms: u64) {
        self.regs.tdr = self.tdr_state(now_ms);
        let target = self.target();
        match (self.link, target) {
            // An established link keeps its mode until something restarts it.
            (Link::Up(_), Some(_)) => {}
            (Link::Up(_), None) => self.drop_link(),
            (Link::Training { since_ms }, Some(mode)) => {
                let due = since_ms.saturating_add(u64::from(self.timing.an_delay_ms));
                if now_ms >= due {
                    self.link = Link::Up(mode);
                }
            }
            (Link::Training { .. }, None) => self.link = Link::Down,
            (Link::Down, Some(_)) => self.link = Link::Training { since_ms: now_ms },
            (Link::Down, None) => {}
        }
    }

    /// Drops the link and starts over: a restart of autonegotiation, a new
    /// forced mode, a partner renegotiating.
    fn restart_link(&mut self, now_ms: u64) {
        self.drop_link();
        self.link = Link::Down;
        self.refresh(now_ms);
    }

    fn drop_link(&mut self) {
        if let Link::Up(_) = self.link {
            self.latched_down = true;
            self.link_losses = self.link_losses.saturating_add(1);
        }
        self.link = Link::Down;
    }

    /// The mode the link comes up in, if it can come up at all now.
    fn target(&self) -> Option<Mode> {
        let c = self.regs.bmcr;
        if c & bmcr::PDOWN != 0
            || self.reset != Reset::Idle
            || !self.partner.link
            || self.partner.cable != CableFault::None
        {
            return None;
        }
        match self.model.medium() {
            Medium::BaseTx if c & bmcr::ANENABLE != 0 => {
                Mode::resolve(self.regs.advertise, self.partner.advertise)
            }
            Medium::BaseTx => {
                // The partner autonegotiates and finds our forced speed by
                // parallel detection if it offers that speed at all.
                let mode = Mode::forced(c);
                (self.partner.advertise & mode.same_speed_bits() != 0).then_some(mode)
            }
            Medium::BaseT1 => {
                let awake =
                    self.regs.stored(mmd::VEND2, ti::LPS_CFG3) == Some(ti::LPS_CFG3_PWR_MODE_0);
                let forced_down = self
                    .regs
                    .stored(mmd::VEND2, ti::TDR_MASTER_LINK_DOWN)
                    .is_some_and(|v| v & ti::FORCE_LINK_DOWN != 0);
                (awake
                    && !forced_down
                    && self.regs.tdr == Tdr::Idle
                    && self.role() != self.partner.role)
                    .then_some(Mode::Full1000T1)
            }
        }
    }

    /// Our BASE-T1 role as configured in PMD_BT1_CTRL.
    pub fn role(&self) -> Role {
        if self.regs.bt1_ctrl & pma::PMD_BT1_CTRL_CFG_MST != 0 {
            Role::Master
        } else {
            Role::Slave
        }
    }

    fn link_up(&self) -> Option<Mode> {
        match self.link {
            Link::Up(mode) => Some(mode),
            _ => None,
        }
    }

    /// Autonegotiation has completed (and with it, the link is up).
    fn an_complete(&self) -> bool {
        self.model.medium() == Medium::BaseTx
            && self.regs.bmcr & bmcr::ANENABLE != 0
            && self.link_up().is_some()
    }

    /// The register value as a read right now would see it, side effects aside.
    fn c22_value(&self, reg: u8) -> u16 {
        let id = self.model.phy_id();
        match reg {
            regs::BMCR => self.bmcr_value(),
            regs::BMSR => {
                let mut v = self.model.bmsr_abilities();
                if self.link_up().is_some() && !self.latched_down {
                    v |= bmsr::LSTATUS;
                }
                if self.an_complete() {
                    v |= bmsr::ANEGCOMPLETE;
                }
                v
            }
            // Truncations intended: the identifier's two halves.
            regs::PHYSID1 => (id >> 16) as u16,
            regs::PHYSID2 => id as u16,
            regs::ADVERTISE => self.regs.advertise,
            regs::LPA => self.lpa(),
            regs::EXPANSION if self.an_complete() => expansion::LPANEGCAPABLE,
            regs::MMD_CTRL if self.model.has_mmd() => self.regs.mmd_ctrl,
            regs::MMD_DATA if self.model.has_mmd() => match self.mmd_target(reg) {
                Some(target) => self.mmd_value(target),
                None => self.mmd_addr(),
            },
            ti::MII_REG_10 if self.model == Model::Dp83tg720 && self.link_up().is_some() => {
                ti::LINK_STATUS
            }
            _ => 0,
        }
    }

    fn bmcr_value(&self) -> u16 {
        let mut v = self.regs.bmcr;
        if self.reset != Reset::Idle {
            v |= bmcr::RESET;
        }
        if self.model.reports_resolved_mode_in_bmcr() && self.an_complete() {
            if let Some(mode) = self.link_up() {
                v = (v & !(bmcr::SPEED100 | bmcr::SPEED1000 | bmcr::FULLDPLX)) | mode.bmcr_bits();
            }
        }
        v
    }

    fn lpa(&self) -> u16 {
        if !self.an_complete()
            || (self.partner.old_switch && self.model.loses_lpa_with_old_switch())
        {
            return 0;
        }
        self.partner.advertise | adv::LPACK
    }

    fn read_c22(&mut self, now_ms: u64, reg: u8) -> u16 {
        let value = self.c22_value(reg);
        match reg {
            regs::BMCR => {
                if let Reset::Pending(left) = self.reset {
                    self.reset = match left.checked_sub(1) {
                        Some(left) => Reset::Pending(left),
                        None => Reset::Idle,
                    };
                    if self.reset == Reset::Idle {
                        // This read already sees the reset complete.
                        self.refresh(now_ms);
                        return self.bmcr_value();
                    }
                }
            }
            regs::BMSR => self.latched_down = false,
            regs::MMD_DATA if self.model.has_mmd() => {
                if let Some(target) = self.mmd_target(reg) {
                    self.mmd_read_effects(target);
                    self.mmd_post_increment(Op::Read);
                }
            }
            _ => {}
        }
        value
    }

    fn write_c22(&mut self, now_ms: u64, reg: u8, value: u16) {
        match reg {
            regs::BMCR => self.write_bmcr(now_ms, value),
            regs::ADVERTISE => {
                let writable = self.model.advertise_writable();
                self.regs.advertise = (self.regs.advertise & !writable) | (value & writable);
            }
            regs::MMD_CTRL if self.model.has_mmd() => self.regs.mmd_ctrl = value,
            regs::MMD_DATA if self.model.has_mmd() => match self.mmd_target(reg) {
                Some(target) => {
                    self.mmd_write(now_ms, target, value);
                    self.mmd_post_increment(Op::Write);
                }
                None => {
                    let devad = usize::from(self.regs.mmd_ctrl & mmd_ctrl::DEVAD);
                    if let Some(addr) = self.regs.mmd_addr.get_mut(devad) {
                        *addr = value;
                    }
                }
            },
            ti::PHY_RESET if self.model == Model::Dp83tg720 && value & ti::HW_RESET != 0 => {
                self.reset_registers(now_ms);
            }
            _ => {}
        }
    }

    fn write_bmcr(&mut self, now_ms: u64, value: u16) {
        if value & bmcr::RESET != 0 {
            let takes = !self.model.reset_needs_toggle() || self.reset_armed;
            self.reset_armed = false;
            if !takes || self.faults.stuck_reset {
                self.reset = Reset::Stuck;
                self.restart_link(now_ms);
                return;
            }
            self.reset_registers(now_ms);
            self.reset = Reset::Pending(self.timing.reset_reads);
            self.restart_link(now_ms);
            return;
        }
        self.reset_armed = true;
        if self.reset == Reset::Stuck && !self.faults.stuck_reset {
            // Writing RESET back to 0 abandons a reset that never took.
            self.reset = Reset::Idle;
        }
        let old = self.regs.bmcr;
        // RESET and ANRESTART self-clear; ANRESTART takes effect right away.
        let new = value & !(bmcr::RESET | bmcr::ANRESTART);
        self.regs.bmcr = new;
        let changed = old ^ new;
        let restart_an = value & bmcr::ANRESTART != 0 && new & bmcr::ANENABLE != 0;
        let forced_mode_changed = new & bmcr::ANENABLE == 0
            && changed & (bmcr::SPEED100 | bmcr::SPEED1000 | bmcr::FULLDPLX) != 0;
        let powered_up = changed & bmcr::PDOWN != 0 && new & bmcr::PDOWN == 0;
        if restart_an || forced_mode_changed || powered_up || changed & bmcr::ANENABLE != 0 {
            self.restart_link(now_ms);
        } else {
            self.refresh(now_ms);
        }
    }

    /// A hardware or BMCR reset: every register to its default.
    fn reset_registers(&mut self, now_ms: u64) {
        self.regs = Registers::reset(self.model, self.strap);
        self.reset = Reset::Idle;
        self.restart_link(now_ms);
    }

    fn mmd_function(&self) -> u16 {
        self.regs.mmd_ctrl & mmd_ctrl::FUNCTION
    }

    fn mmd_addr(&self) -> u16 {
        let devad = usize::from(self.regs.mmd_ctrl & mmd_ctrl::DEVAD);
        self.regs.mmd_addr.get(devad).copied().unwrap_or(0)
    }

    /// The MMD register an access to `reg` reaches, if it is a data access.
    fn mmd_target(&self, reg: u8) -> Option<MmdReg> {
        if reg != regs::MMD_DATA || !self.model.has_mmd() {
            return None;
        }
        if self.mmd_function() == mmd_ctrl::ADDRESS {
            return None;
        }
        Some(MmdReg {
            // Truncation intended: the 5-bit device address field.
            devad: (self.regs.mmd_ctrl & mmd_ctrl::DEVAD) as u8,
            reg: self.mmd_addr(),
        })
    }

    /// Functions 10 and 11 of MMD_CTRL advance the address after a data
    /// access (10 after reads and writes, 11 after writes only).
    fn mmd_post_increment(&mut self, op: Op) {
        let increments = match self.mmd_function() {
            0x8000 => true,
            0xc000 => op == Op::Write,
            _ => false,
        };
        if increments {
            let devad = usize::from(self.regs.mmd_ctrl & mmd_ctrl::DEVAD);
            if let Some(addr) = self.regs.mmd_addr.get_mut(devad) {
                *addr = addr.wrapping_add(1);
            }
        }
    }

    fn tdr_state(&self, now_ms: u64) -> Tdr {
        match self.regs.tdr {
            Tdr::Running { since_ms } if now_ms >= since_ms.saturating_add(TDR_DURATION_MS) => {
                Tdr::Done {
                    failed: self.partner.link && self.partner.active_during_tdr,
                }
            }
            tdr => tdr,
        }
    }

    fn mmd_value(&self, target: MmdReg) -> u16 {
        if let Some(v) = self.regs.stored(target.devad, target.reg) {
            return v;
        }
        let up = self.link_up().is_some();
        match (target.devad, target.reg) {
            (mmd::PMAPMD, pma::CTRL1) => pma::CTRL1_SPEED1000,
            (mmd::PMAPMD, pma::STAT1) if up => pma::STAT1_LSTATUS,
            (mmd::PMAPMD, pma::EXTABLE) => pma::EXTABLE_BT1,
            (mmd::PMAPMD, pma::PMD_BT1) => pma::PMD_BT1_B1000_ABLE,
            (mmd::PMAPMD, pma::PMD_BT1_CTRL) => self.regs.bt1_ctrl,
            (mmd::VEND2, ti::TDR_CFG) => match self.regs.tdr {
                Tdr::Idle => 0,
                Tdr::Running { .. } => ti::TDR_START,
                Tdr::Done { failed: false } => ti::TDR_DONE,
                Tdr::Done { failed: true } => ti::TDR_DONE | ti::TDR_FAIL,
            },
            (mmd::VEND2, ti::TDR_FAULT_STATUS) => match self.regs.tdr {
                Tdr::Done { failed: false } => self.partner.cable.encode(),
                _ => 0,
            },
            (mmd::VEND2, ti::SQI_REG_1) if up => {
                let sqi = u16::from(self.partner.sqi.min(ti::SQI_MAX));
                (sqi << 5) | (sqi << 1)
            }
            (mmd::VEND2, ti::LINK_QUAL_3) => self.link_losses.min(0x3f) << 10,
            _ => 0,
        }
    }

    fn mmd_read_effects(&mut self, target: MmdReg) {
        if (target.devad, target.reg) == (mmd::VEND2, ti::LINK_QUAL_3) {
            self.link_losses = 0;
        }
    }

    fn mmd_write(&mut self, now_ms: u64, target: MmdReg, value: u16) {
        if let Some(slot) = self.regs.stored_mut(target.devad, target.reg) {
            *slot = value;
            self.refresh(now_ms);
            return;
        }
        match (target.devad, target.reg) {
            (mmd::PMAPMD, pma::PMD_BT1_CTRL) => {
                let old = self.regs.bt1_ctrl;
                self.regs.bt1_ctrl =
                    (old & !pma::PMD_BT1_CTRL_CFG_MST) | (value & pma::PMD_BT1_CTRL_CFG_MST);
                if old != self.regs.bt1_ctrl {
                    self.restart_link(now_ms);
                }
            }
            (mmd::VEND2, ti::TDR_CFG) if value & ti::TDR_START != 0 => {
                self.regs.tdr = Tdr::Running { since_ms: now_ms };
                self.refresh(now_ms);
            }
            _ => {}
        }
    }
}
