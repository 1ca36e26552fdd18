// SPDX-License-Identifier: GPL-2.0

//! The OPEN Alliance HDD.TDR fault status register of 1000BASE-T1 PHYs.
//!
//! Bits 7:4 hold the cable status, bits 13:8 the distance to the fault in
//! metres (0x3f: not resolvable). The emulator encodes it, the DP83TG720
//! driver decodes it exactly as drivers/net/phy/open_alliance_helpers.c does.
//! Self-contained (no `super::`), so the driver can include this file alone.

const STATUS_SHIFT: u16 = 4;
const STATUS_MASK: u16 = 0x00f0;
const DISTANCE_SHIFT: u16 = 8;
const DISTANCE_MASK: u16 = 0x3f00;

const STATUS_SHORT: u16 = 3;
const STATUS_NOISE: u16 = 5;
const STATUS_OPEN: u16 = 6;
const STATUS_CABLE_OK: u16 = 7;

/// Distance field value: no fault.
const DISTANCE_NO_ERROR: u16 = 0;
/// Distance field value: the fault cannot be located.
const DISTANCE_NOT_RESOLVABLE: u16 = 0x3f;
/// The farthest fault the field can locate, in metres.
pub const MAX_FAULT_METRES: u8 = 31;

/// What a TDR measurement finds on the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CableFault {
    /// A well-terminated cable.
    None,
    /// The pair is open this many metres away.
    Open(u8),
    /// The two wires of the pair are shorted this many metres away.
    Short(u8),
    /// Too much noise on the pair to measure.
    Noise,
}

impl CableFault {
    /// The HDD.TDR register value reporting this fault.
    pub fn encode(self) -> u16 {
        let (status, distance) = match self {
            CableFault::None => (STATUS_CABLE_OK, DISTANCE_NO_ERROR),
            CableFault::Open(m) => (STATUS_OPEN, metres_field(m)),
            CableFault::Short(m) => (STATUS_SHORT, metres_field(m)),
            CableFault::Noise => (STATUS_NOISE, DISTANCE_NOT_RESOLVABLE),
        };
        (status << STATUS_SHIFT) | (distance << DISTANCE_SHIFT)
    }
}

fn metres_field(metres: u8) -> u16 {
    u16::from(metres.min(MAX_FAULT_METRES))
}

/// The ethtool cable test result a HDD.TDR value stands for
/// (`ETHTOOL_A_CABLE_RESULT_CODE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultCode {
    /// Unknown status.
    Unspec,
    /// Cable OK.
    Ok,
    /// Open circuit.
    Open,
    /// Short within the pair.
    SameShort,
    /// Noise prevented the measurement.
    Noise,
    /// The fault cannot be located.
    ResolutionNotPossible,
}

/// Decodes the result code, as `oa_1000bt1_get_ethtool_cable_result_code()`.
pub fn result_code(reg: u16) -> ResultCode {
    let status = (reg & STATUS_MASK) >> STATUS_SHIFT;
    let distance = (reg & DISTANCE_MASK) >> DISTANCE_SHIFT;
    match status {
        STATUS_CABLE_OK => ResultCode::Ok,
        STATUS_OPEN => ResultCode::Open,
        STATUS_SHORT => ResultCode::SameShort,
        STATUS_NOISE => ResultCode::Noise,
        _ if distance == DISTANCE_NOT_RESOLVABLE => ResultCode::ResolutionNotPossible,
        _ => ResultCode::Unspec,
    }
}

/// The distance to the fault in centimetres, as `oa_1000bt1_get_tdr_distance()`;
/// `None` when it cannot be located.
pub fn fault_distance_cm(reg: u16) -> Option<u32> {
    let distance = (reg & DISTANCE_MASK) >> DISTANCE_SHIFT;
    if distance == DISTANCE_NOT_RESOLVABLE {
        None
    } else {
        Some(u32::from(distance) * 100)
    }
}
