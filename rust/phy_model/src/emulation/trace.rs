// SPDX-License-Identifier: GPL-2.0

//! What the drivers did on the bus: one record per MDIO transaction, a ring
//! of the latest ones and per-register counters.

use core::fmt;
use core::ops::DerefMut;

/// The direction of an MDIO transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A register read.
    Read,
    /// A register write.
    Write,
}

/// An MMD register reached through MMD_CTRL/MMD_DATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MmdReg {
    /// MMD device address.
    pub devad: u8,
    /// Register number in that MMD.
    pub reg: u16,
}

/// One MDIO transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// When, in milliseconds of the emulator's clock.
    pub time_ms: u64,
    /// Read or write.
    pub op: Op,
    /// The clause 22 register.
    pub reg: u8,
    /// The value read or written (0 for a failed read).
    pub value: u16,
    /// An injected fault failed the transaction.
    pub failed: bool,
    /// The MMD register a data access to MMD_DATA reached.
    pub mmd: Option<MmdReg>,
}

impl Access {
    /// An access that has not happened; fills the ring's storage.
    pub const EMPTY: Access = Access {
        time_ms: 0,
        op: Op::Read,
        reg: 0,
        value: 0,
        failed: false,
        mmd: None,
    };

    /// The outcome the bus reports: the value, or the injected fault.
    pub fn result(&self) -> Result<u16, BusFault> {
        if self.failed {
            Err(BusFault)
        } else {
            Ok(self.value)
        }
    }
}

/// An injected MDIO transaction failure (the bus reports `-EIO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusFault;

/// `<ms> <r|w> <reg> <value|EIO>[ mmd <devad>.<reg>]`, one line per access.
impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Op::Read => 'r',
            Op::Write => 'w',
        };
        write!(f, "{} {} 0x{:02x} ", self.time_ms, op, self.reg)?;
        if self.failed {
            f.write_str("EIO")?;
        } else {
            write!(f, "0x{:04x}", self.value)?;
        }
        if let Some(mmd) = self.mmd {
            write!(f, " mmd {}.0x{:04x}", mmd.devad, mmd.reg)?;
        }
        Ok(())
    }
}

/// The latest accesses, oldest first, in storage the caller provides (a
/// kernel module allocates it, host tests use a `Vec`).
pub struct Trace<B: DerefMut<Target = [Access]>> {
    ring: B,
    next: usize,
    len: usize,
    overwritten: u64,
}

impl<B: DerefMut<Target = [Access]>> Trace<B> {
    /// A trace keeping as many accesses as `ring` has slots.
    pub fn new(ring: B) -> Self {
        Self {
            ring,
            next: 0,
            len: 0,
            overwritten: 0,
        }
    }

    /// Records an access, overwriting the oldest when full.
    pub fn push(&mut self, access: Access) {
        let capacity = self.ring.len();
        let Some(slot) = self.ring.get_mut(self.next) else {
            return;
        };
        *slot = access;
        self.next = (self.next + 1) % capacity;
        if self.len < capacity {
            self.len += 1;
        } else {
            self.overwritten = self.overwritten.saturating_add(1);
        }
    }

    /// Forgets every access.
    pub fn clear(&mut self) {
        self.next = 0;
        self.len = 0;
        self.overwritten = 0;
    }

    /// How many accesses the ring lost since it was last cleared.
    pub fn overwritten(&self) -> u64 {
        self.overwritten
    }

    /// The accesses kept, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Access> {
        let capacity = self.ring.len();
        let start = (self.next + capacity - self.len) % capacity.max(1);
        (0..self.len).filter_map(move |i| self.ring.get((start + i) % capacity))
    }
}

/// Reads, writes and failures of one register.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegCount {
    /// Successful reads.
    pub reads: u32,
    /// Successful writes.
    pub writes: u32,
    /// Transactions an injected fault failed.
    pub failed: u32,
}

impl RegCount {
    fn count(&mut self, op: Op, failed: bool) {
        let counter = match (op, failed) {
            (_, true) => &mut self.failed,
            (Op::Read, false) => &mut self.reads,
            (Op::Write, false) => &mut self.writes,
        };
        *counter = counter.saturating_add(1);
    }
}

/// How many MMD registers get counters of their own; accesses to others are
/// summed in [`Counters::mmd_other`].
pub const MMD_COUNTED: usize = 32;

/// Per-register access counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counters {
    c22: [RegCount; 32],
    mmd: [(MmdReg, RegCount); MMD_COUNTED],
    mmd_used: usize,
    mmd_other: RegCount,
}

impl Default for Counters {
    fn default() -> Self {
        Self::new()
    }
}

impl Counters {
    /// All zero.
    pub const fn new() -> Self {
        Self {
            c22: [RegCount {
                reads: 0,
                writes: 0,
                failed: 0,
            }; 32],
            mmd: [(
                MmdReg { devad: 0, reg: 0 },
                RegCount {
                    reads: 0,
                    writes: 0,
                    failed: 0,
                },
            ); MMD_COUNTED],
            mmd_used: 0,
            mmd_other: RegCount {
                reads: 0,
                writes: 0,
                failed: 0,
            },
        }
    }

    /// Counts an access: its clause 22 register, and its MMD register if any.
    pub fn count(&mut self, access: &Access) {
        if let Some(count) = self.c22.get_mut(usize::from(access.reg)) {
            count.count(access.op, access.failed);
        }
        if let Some(mmd) = access.mmd {
            self.mmd_slot(mmd).count(access.op, access.failed);
        }
    }

    fn mmd_slot(&mut self, mmd: MmdReg) -> &mut RegCount {
        let used = self.mmd_used.min(MMD_COUNTED);
        if let Some(i) = self.mmd[..used].iter().position(|(r, _)| *r == mmd) {
            return &mut self.mmd[i].1;
        }
        match self.mmd.get_mut(used) {
            Some(slot) => {
                *slot = (mmd, RegCount::default());
                self.mmd_used = used + 1;
                &mut slot.1
            }
            None => &mut self.mmd_other,
        }
    }

    /// The counts of a clause 22 register.
    pub fn c22(&self, reg: u8) -> RegCount {
        self.c22.get(usize::from(reg)).copied().unwrap_or_default()
    }

    /// The counts of an MMD register.
    pub fn mmd(&self, mmd: MmdReg) -> RegCount {
        self.mmd[..self.mmd_used.min(MMD_COUNTED)]
            .iter()
            .find(|(r, _)| *r == mmd)
            .map(|(_, c)| *c)
            .unwrap_or_default()
    }

    /// Accesses to MMD registers beyond the first [`MMD_COUNTED`].
    pub fn mmd_other(&self) -> RegCount {
        self.mmd_other
    }
}

/// One line per register accessed: `c22 0x01 reads R writes W failed F`,
/// then `mmd 31.0x0871 ...`, then `mmd other ...` when some were not kept.
impl fmt::Display for Counters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, c: &RegCount| {
            writeln!(
                f,
                "reads {} writes {} failed {}",
                c.reads, c.writes, c.failed
            )
        };
        for (reg, c) in self.c22.iter().enumerate() {
            if *c != RegCount::default() {
                write!(f, "c22 0x{reg:02x} ")?;
                line(f, c)?;
            }
        }
        for (mmd, c) in &self.mmd[..self.mmd_used.min(MMD_COUNTED)] {
            write!(f, "mmd {}.0x{:04x} ", mmd.devad, mmd.reg)?;
            line(f, c)?;
        }
        if self.mmd_other != RegCount::default() {
            f.write_str("mmd other ")?;
            line(f, &self.mmd_other)?;
        }
        Ok(())
    }
}
