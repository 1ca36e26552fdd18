// SPDX-License-Identifier: GPL-2.0

//! What a driver reports to ethtool: cable test results and statistics.

use core::ops::{
    Deref,
    DerefMut, //
};

use kernel::{
    bindings,
    error::to_result,
    prelude::*, //
};

use super::{
    ffi,
    Device, //
};

/// A twisted pair of the cable, as cable test results name it.
#[derive(Clone, Copy, Debug)]
pub enum CablePair {
    /// Pair A, the only one of a BASE-T1 cable.
    A,
    /// Pair B.
    B,
    /// Pair C.
    C,
    /// Pair D.
    D,
}

impl CablePair {
    fn as_raw(self) -> u8 {
        let pair = match self {
            Self::A => ffi::ETHTOOL_A_CABLE_PAIR_A,
            Self::B => ffi::ETHTOOL_A_CABLE_PAIR_B,
            Self::C => ffi::ETHTOOL_A_CABLE_PAIR_C,
            Self::D => ffi::ETHTOOL_A_CABLE_PAIR_D,
        };
        // CAST: The pair is a u8 netlink attribute.
        pair as u8
    }
}

/// The state of a pair a cable test found (`ETHTOOL_A_CABLE_RESULT_CODE_*`).
#[derive(Clone, Copy, Debug)]
pub enum CableResult {
    /// Unknown.
    Unspec,
    /// Properly terminated.
    Ok,
    /// Open circuit.
    Open,
    /// Short within the pair.
    SameShort,
    /// Short to another pair.
    CrossShort,
    /// Impedance mismatch.
    ImpedanceMismatch,
    /// Too much noise to measure.
    Noise,
    /// A fault the test cannot resolve.
    ResolutionNotPossible,
}

impl CableResult {
    fn as_raw(self) -> u8 {
        let code = match self {
            Self::Unspec => ffi::ETHTOOL_A_CABLE_RESULT_CODE_UNSPEC,
            Self::Ok => ffi::ETHTOOL_A_CABLE_RESULT_CODE_OK,
            Self::Open => ffi::ETHTOOL_A_CABLE_RESULT_CODE_OPEN,
            Self::SameShort => ffi::ETHTOOL_A_CABLE_RESULT_CODE_SAME_SHORT,
            Self::CrossShort => ffi::ETHTOOL_A_CABLE_RESULT_CODE_CROSS_SHORT,
            Self::ImpedanceMismatch => ffi::ETHTOOL_A_CABLE_RESULT_CODE_IMPEDANCE_MISMATCH,
            Self::Noise => ffi::ETHTOOL_A_CABLE_RESULT_CODE_NOISE,
            Self::ResolutionNotPossible => ffi::ETHTOOL_A_CABLE_RESULT_CODE_RESOLUTION_NOT_POSSIBLE,
        };
        // CAST: The code is a u8 netlink attribute.
        code as u8
    }
}

/// How a cable test found a result (`ETHTOOL_A_CABLE_INF_SRC_*`).
#[derive(Clone, Copy, Debug)]
pub enum CableSource {
    /// Not said.
    Unspec,
    /// Time domain reflectometry.
    Tdr,
    /// Active link cable diagnostics.
    Alcd,
}

impl CableSource {
    fn as_raw(self) -> u32 {
        match self {
            Self::Unspec => ffi::ETHTOOL_A_CABLE_INF_SRC_UNSPEC,
            Self::Tdr => ffi::ETHTOOL_A_CABLE_INF_SRC_TDR,
            Self::Alcd => ffi::ETHTOOL_A_CABLE_INF_SRC_ALCD,
        }
    }
}

/// A cable test in progress, as [`Driver::cable_test_get_status`] polls it: the device, and
/// the report phylib sends to ethtool once the driver says the test is done.
///
/// # Invariants
///
/// phylib runs the device's cable test: it is in `PHY_CABLETEST` with `phydev->lock` held, and
/// `phydev->skb` is the report `ethnl_cable_test_alloc()` allocated for it.
///
/// [`Driver::cable_test_get_status`]: super::Driver::cable_test_get_status
pub struct CableTest<'a, D> {
    dev: &'a mut Device<D>,
}

impl<'a, D> CableTest<'a, D> {
    /// The cable test `dev` runs.
    ///
    /// # Safety
    ///
    /// For `'a`, phylib runs a cable test on `dev`: `dev` is in `PHY_CABLETEST` with
    /// `phydev->lock` held, its `phydev->skb` the test's report.
    pub(super) unsafe fn new(dev: &'a mut Device<D>) -> Self {
        // INVARIANT: The caller's guarantee.
        Self { dev }
    }

    /// Reports what the test found on `pair`.
    pub fn result(&mut self, pair: CablePair, code: CableResult, source: CableSource) -> Result {
        // SAFETY: By the type invariants, the device is valid and its report allocated;
        // `&mut self` keeps other users of the report away.
        to_result(unsafe {
            ffi::ethnl_cable_test_result_with_src(
                self.dev.as_raw(),
                pair.as_raw(),
                code.as_raw(),
                source.as_raw(),
            )
        })
    }

    /// Reports the distance to the fault on `pair`, in centimetres.
    pub fn fault_length(&mut self, pair: CablePair, cm: u32, source: CableSource) -> Result {
        // SAFETY: As in `result`.
        to_result(unsafe {
            ffi::ethnl_cable_test_fault_length_with_src(
                self.dev.as_raw(),
                pair.as_raw(),
                cm,
                source.as_raw(),
            )
        })
    }
}

impl<D> Deref for CableTest<'_, D> {
    type Target = Device<D>;

    fn deref(&self) -> &Device<D> {
        self.dev
    }
}

impl<D> DerefMut for CableTest<'_, D> {
    fn deref_mut(&mut self) -> &mut Device<D> {
        self.dev
    }
}

/// The link statistics ethtool shows (`struct ethtool_link_ext_stats`); those a driver does
/// not set are not shown.
pub struct LinkStats<'a>(&'a mut bindings::ethtool_link_ext_stats);

impl<'a> LinkStats<'a> {
    pub(super) fn new(stats: &'a mut bindings::ethtool_link_ext_stats) -> Self {
        Self(stats)
    }

    /// Sets how many times the link went down.
    pub fn set_link_down_events(&mut self, events: u64) {
        self.0.link_down_events = events;
    }
}

/// The PHY's packet statistics ethtool shows (`struct ethtool_phy_stats`); those a driver does
/// not set are not shown.
pub struct PhyStats<'a>(&'a mut bindings::ethtool_phy_stats);

impl<'a> PhyStats<'a> {
    pub(super) fn new(stats: &'a mut bindings::ethtool_phy_stats) -> Self {
        Self(stats)
    }

    /// Sets the packets received.
    pub fn set_rx_packets(&mut self, packets: u64) {
        self.0.rx_packets = packets;
    }

    /// Sets the packets received with errors.
    pub fn set_rx_errors(&mut self, errors: u64) {
        self.0.rx_errors = errors;
    }

    /// Sets the packets sent.
    pub fn set_tx_packets(&mut self, packets: u64) {
        self.0.tx_packets = packets;
    }

    /// Sets the packets sent with errors.
    pub fn set_tx_errors(&mut self, errors: u64) {
        self.0.tx_errors = errors;
    }
}
