// SPDX-License-Identifier: GPL-2.0

//! What a device says about its own readiness, in registers read before the reset.

/// Immediate Readiness bit of the Status register (PCIe r6.0, sec 7.5.1.1.4).
const STATUS_IMMEDIATE_READINESS: u16 = 0x0001;

/// Capability ID of the Readiness Time Reporting Extended Capability (PCIe r6.0, sec 7.9.16.1).
pub const READINESS_TIME_REPORTING_ID: u16 = 0x0022;

/// Offset of the Readiness Time Reporting 1 register in that capability (sec 7.9.16.2).
pub const READINESS_TIME_REPORTING_1: u16 = 0x04;

/// Reset Time field of Readiness Time Reporting 1.
const RTR1_RESET_TIME: u32 = 0x0000_0fff;
/// DL_Up Time field of Readiness Time Reporting 1.
const RTR1_DL_UP_TIME: u32 = 0x00ff_f000;
/// Valid bit of Readiness Time Reporting 1.
const RTR1_VALID: u32 = 0x8000_0000;

/// Value part (bits 8:0) of a readiness time.
const TIME_VALUE: u16 = 0x01ff;
/// Scale part (bits 11:9) of a readiness time.
const TIME_SCALE_SHIFT: u16 = 9;
/// Largest Scale with a defined multiplier: 101b, units of 32^5 ns.
const TIME_SCALE_MAX: u16 = 5;

const NSEC_PER_MSEC: u64 = 1_000_000;

/// Returns whether a Status register value reports Immediate Readiness.
///
/// Such a function is ready for configuration requests at any time after any reset, so software
/// is exempt from the reset delays of PCIe r6.0, sec 6.6.1 (sec 7.5.1.1.4).
///
/// All ones is not the device's word: a function that is absent, powered off or in reset cannot
/// answer, and the read returns all ones (the kernel's `PCI_POSSIBLE_ERROR()`), bit 0 included.
pub fn immediate_readiness(status: u16) -> bool {
    status != u16::MAX && status & STATUS_IMMEDIATE_READINESS != 0
}

/// An Extended Capability header (PCIe r6.0, sec 7.6.3), for walking to Readiness Time Reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtCapHeader(u32);

impl ExtCapHeader {
    /// Wraps the raw header dword.
    pub fn new(raw: u32) -> Self {
        Self(raw)
    }

    /// Returns the Extended Capability ID, as `PCI_EXT_CAP_ID()`.
    pub fn id(self) -> u16 {
        (self.0 & 0xffff) as u16
    }

    /// Returns the offset of the next capability (zero ends the list), as `PCI_EXT_CAP_NEXT()`.
    pub fn next(self) -> u16 {
        ((self.0 >> 20) & 0xffc) as u16
    }
}

/// A time in the encoding of Readiness Time Reporting (PCIe r6.0, sec 7.9.16.2).
///
/// Twelve bits: a Value in bits 8:0 and a Scale in bits 11:9; the time is Value × 32^Scale ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadinessTime(u16);

impl ReadinessTime {
    /// Wraps a twelve-bit time field; higher bits are ignored.
    pub fn from_field(field: u16) -> Self {
        Self(field & 0x0fff)
    }

    /// Returns the time in nanoseconds.
    ///
    /// [`None`] for the Scale values 110b and 111b, which have no multiplier.
    pub fn nanos(self) -> Option<u64> {
        let scale = self.0 >> TIME_SCALE_SHIFT;
        if scale > TIME_SCALE_MAX {
            return None;
        }
        // At most 511 × 2^25 ns, about 17 s: no overflow.
        Some(u64::from(self.0 & TIME_VALUE) << (5 * scale))
    }

    /// Returns the time in milliseconds, rounded up so that waiting it never cuts the time short.
    pub fn millis(self) -> Option<u32> {
        self.nanos()
            .and_then(|ns| u32::try_from(ns.div_ceil(NSEC_PER_MSEC)).ok())
    }
}

/// The times a device reports in Readiness Time Reporting 1 (PCIe r6.0, sec 7.9.16.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadinessTimes {
    reset: ReadinessTime,
    dl_up: ReadinessTime,
}

impl ReadinessTimes {
    /// Decodes the Readiness Time Reporting 1 register.
    ///
    /// [`None`] when its Valid bit (31) is clear: the times are then not valid and are not used.
    /// [`None`] for all ones too, which a device that cannot answer reads as, Valid bit and all
    /// (see [`immediate_readiness`]).
    pub fn from_register(rtr1: u32) -> Option<Self> {
        if rtr1 == u32::MAX || rtr1 & RTR1_VALID == 0 {
            return None;
        }
        Some(Self {
            reset: ReadinessTime::from_field((rtr1 & RTR1_RESET_TIME) as u16),
            dl_up: ReadinessTime::from_field(((rtr1 & RTR1_DL_UP_TIME) >> 12) as u16),
        })
    }

    /// Returns the Reset Time: how long after the end of a Conventional Reset the function needs
    /// to become Configuration-Ready.
    pub fn reset(self) -> ReadinessTime {
        self.reset
    }

    /// Returns the DL_Up Time: how long after the port above reports Data Link Layer Link Active
    /// the function needs to become Configuration-Ready.
    pub fn dl_up(self) -> ReadinessTime {
        self.dl_up
    }
}

/// What the device below the port says about its own readiness.
///
/// The glue reads these before the reset; the kernel policy ignores them, as Linux 7.3 does for a
/// bus reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SelfReport {
    /// The Status register's Immediate Readiness bit, see [`immediate_readiness`].
    pub immediate_readiness: bool,
    /// The Readiness Time Reporting capability's times, when present and valid.
    pub readiness_times: Option<ReadinessTimes>,
}
