// SPDX-License-Identifier: GPL-2.0

//! The link between a downstream port and the device below it: speeds and state.

/// Max Link Speed field of the Link Capabilities register (PCIe r6.0, sec 7.5.3.6).
const LNKCAP_SLS: u32 = 0x0000_000f;
/// Max Link Speed value for 2.5 GT/s.
const LNKCAP_SLS_2_5GB: u32 = 0x1;
/// Max Link Speed value for 5.0 GT/s.
const LNKCAP_SLS_5_0GB: u32 = 0x2;
/// Data Link Layer Link Active Reporting Capable bit of Link Capabilities (sec 7.5.3.6).
const LNKCAP_DLLLARC: u32 = 0x0010_0000;

/// Supported Link Speeds Vector of Link Capabilities 2 (PCIe r6.0, sec 7.5.3.18).
const LNKCAP2_SLS: u8 = 0xfe;
/// Vector bit for 2.5 GT/s.
const LNKCAP2_SLS_2_5GB: u8 = 0x02;
/// Vector bit for 5.0 GT/s.
const LNKCAP2_SLS_5_0GB: u8 = 0x04;

/// Data Link Layer Link Active bit of the Link Status register (PCIe r6.0, sec 7.5.3.8).
const LNKSTA_DLLLA: u16 = 0x2000;

/// A PCI Express link speed, slowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkSpeed {
    /// 2.5 GT/s.
    Gt2_5,
    /// 5.0 GT/s.
    Gt5,
    /// 8.0 GT/s.
    Gt8,
    /// 16.0 GT/s.
    Gt16,
    /// 32.0 GT/s.
    Gt32,
    /// 64.0 GT/s.
    Gt64,
}

/// The link speeds a port supports, in the layout of `struct pci_dev::supported_speeds`.
///
/// That is the Supported Link Speeds Vector of Link Capabilities 2, keeping its reserved bit 0 so
/// that bit `n` stands for the speed whose Max Link Speed value is `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedSpeeds(u8);

impl SupportedSpeeds {
    /// Decodes the raw Link Capabilities and Link Capabilities 2 registers.
    ///
    /// This is `pcie_get_supported_speeds()` (drivers/pci/pci.c): the vector is cut at the Max
    /// Link Speed, and a port older than PCIe r3.0, whose vector is zero, gets one synthesized
    /// from the Max Link Speed alone.
    pub fn from_link_caps(lnkcap: u32, lnkcap2: u32) -> Self {
        let max_link_speed = lnkcap & LNKCAP_SLS;
        // `GENMASK(max_link_speed, 0)`; the field is four bits wide, so the shift stays in range.
        let up_to_max = u32::MAX >> (u32::BITS - 1 - max_link_speed);
        // Like the C code, which stores the vector in a `u8`, keep the low byte only.
        let vector = (lnkcap2 & up_to_max) as u8 & LNKCAP2_SLS;
        if vector != 0 {
            return Self(vector);
        }
        match max_link_speed {
            LNKCAP_SLS_5_0GB => Self(LNKCAP2_SLS_5_0GB | LNKCAP2_SLS_2_5GB),
            LNKCAP_SLS_2_5GB => Self(LNKCAP2_SLS_2_5GB),
            _ => Self(0),
        }
    }

    /// Returns the vector, as `dev->supported_speeds` holds it.
    pub fn vector(self) -> u8 {
        self.0
    }

    /// Returns the fastest supported speed, as `pcie_get_speed_cap()` does.
    ///
    /// [`None`] stands for `PCI_SPEED_UNKNOWN`: no bit of the vector is set.
    pub fn max(self) -> Option<LinkSpeed> {
        [
            (0x40, LinkSpeed::Gt64),
            (0x20, LinkSpeed::Gt32),
            (0x10, LinkSpeed::Gt16),
            (0x08, LinkSpeed::Gt8),
            (LNKCAP2_SLS_5_0GB, LinkSpeed::Gt5),
            (LNKCAP2_SLS_2_5GB, LinkSpeed::Gt2_5),
        ]
        .into_iter()
        .find(|&(bit, _)| self.0 & bit != 0)
        .map(|(_, speed)| speed)
    }
}

/// Returns whether Link Capabilities says the port reports Data Link Layer Link Active.
///
/// This is what the kernel keeps in `struct pci_dev::link_active_reporting` (drivers/pci/probe.c).
pub fn link_active_reporting(lnkcap: u32) -> bool {
    lnkcap & LNKCAP_DLLLARC != 0
}

/// Returns whether a Link Status value shows the Data Link Layer Link Active bit set.
pub fn link_active(lnksta: u16) -> bool {
    lnksta & LNKSTA_DLLLA != 0
}
