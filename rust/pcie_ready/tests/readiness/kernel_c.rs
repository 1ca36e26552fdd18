// SPDX-License-Identifier: GPL-2.0

//! `pci_bridge_wait_for_secondary_bus()` and what it calls, from Linux 7.3.4's
//! drivers/pci/pci.c, transcribed line by line as blocking code over a simulated clock and
//! device. Kept apart from the crate on purpose: it shares nothing with the engine but the
//! simulated device.

use super::sim::Device;

const PCI_VENDOR_ID: u16 = 0x00;
const PCI_COMMAND: u16 = 0x04;
const PCI_EXP_LNKCAP_SLS: u32 = 0x0000_000f;
const PCI_EXP_LNKCAP_SLS_2_5GB: u32 = 0x1;
const PCI_EXP_LNKCAP_SLS_5_0GB: u32 = 0x2;
const PCI_EXP_LNKCAP_DLLLARC: u32 = 0x0010_0000;
const PCI_EXP_LNKCAP2_SLS: u32 = 0x0000_00fe;
const PCI_EXP_LNKCAP2_SLS_2_5GB: u8 = 0x02;
const PCI_EXP_LNKCAP2_SLS_5_0GB: u8 = 0x04;
const PCI_EXP_LNKSTA_DLLLA: u16 = 0x2000;
const PCI_EXP_TYPE_ROOT_PORT: u16 = 0x4;
const PCI_EXP_TYPE_DOWNSTREAM: u16 = 0x6;
const PCI_EXP_TYPE_PCIE_BRIDGE: u16 = 0x8;

const PCIE_SPEED_2_5GT: u8 = 0x14;
const PCIE_SPEED_5_0GT: u8 = 0x15;
const PCIE_SPEED_8_0GT: u8 = 0x16;
const PCIE_SPEED_16_0GT: u8 = 0x17;
const PCIE_SPEED_32_0GT: u8 = 0x18;
const PCIE_SPEED_64_0GT: u8 = 0x19;
const PCI_SPEED_UNKNOWN: u8 = 0xff;

const PCI_RESET_WAIT: i32 = 1000;
const PCIE_RESET_READY_POLL_MS: i32 = 60000;
const PCIE_LINK_RETRAIN_TIMEOUT_MS: i32 = 1000;
const PCI_ERROR_RESPONSE: u32 = !0;
const ENOTTY: i32 = 25;
const ETIMEDOUT: i32 = 110;

/// The bridge, as far as `pci_bridge_wait_for_secondary_bus()` looks at it.
#[derive(Clone, Copy, Debug)]
pub struct Bridge {
    /// `pcie_flags_reg`, or [`None`] when `!pci_is_pcie(dev)`.
    pub pcie_flags_reg: Option<u16>,
    pub lnkcap: u32,
    pub lnkcap2: u32,
    /// `root->config_rrs_sv`.
    pub config_rrs_sv: bool,
    /// `child->is_virtfn`.
    pub is_virtfn: bool,
    /// `pci_bus_max_d3cold_delay(dev->subordinate)`.
    pub d3cold_delay: i32,
}

/// Where the C code returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `return 0` with no wait.
    NoWait,
    /// `return 0` after `msleep(1000 + delay)` on a conventional bus.
    Waited,
    /// `return 0` after `pci_dev_wait()` succeeded.
    Ready,
    /// `return -ENOTTY`: the link did not come up, or DLLLA was clear.
    LinkDown,
    /// `return -ENOTTY`: `pci_dev_wait()` gave up, with nothing to check the link with.
    TimedOut,
}

/// The simulated machine the C code runs on.
pub struct Kernel<'a> {
    bridge: Bridge,
    device: &'a Device,
    topology: &'a pcie_ready::Topology,
    pub jiffies: u32,
    pub polls: u32,
    pub config_reads: u32,
    pub link_reads: u32,
    /// Whether `pci_dev_is_disconnected()` ever returned true.
    pub saw_disconnected: bool,
}

impl<'a> Kernel<'a> {
    pub fn new(bridge: Bridge, topology: &'a pcie_ready::Topology, device: &'a Device) -> Self {
        Self {
            bridge,
            device,
            topology,
            jiffies: 0,
            polls: 0,
            config_reads: 0,
            link_reads: 0,
            saw_disconnected: false,
        }
    }

    fn msleep(&mut self, msecs: i32) {
        self.jiffies += u32::try_from(msecs).unwrap();
    }

    fn pci_dev_is_disconnected(&mut self) -> bool {
        let disconnected = self.device.disconnected(self.jiffies);
        self.saw_disconnected |= disconnected;
        disconnected
    }

    fn pci_read_config_dword(&mut self, where_: u16) -> u32 {
        self.config_reads += 1;
        self.device.config(self.topology, where_, self.jiffies)
    }

    fn pcie_capability_read_word_lnksta(&mut self) -> u16 {
        self.link_reads += 1;
        self.device.lnksta(self.topology, self.jiffies)
    }

    fn pci_is_pcie(&self) -> bool {
        self.bridge.pcie_flags_reg.is_some()
    }

    fn pcie_downstream_port(&self) -> bool {
        let r#type = (self.bridge.pcie_flags_reg.unwrap_or(0) & 0x00f0) >> 4;
        r#type == PCI_EXP_TYPE_ROOT_PORT
            || r#type == PCI_EXP_TYPE_DOWNSTREAM
            || r#type == PCI_EXP_TYPE_PCIE_BRIDGE
    }

    fn link_active_reporting(&self) -> bool {
        self.bridge.lnkcap & PCI_EXP_LNKCAP_DLLLARC != 0
    }

    fn pcie_get_supported_speeds(&self) -> u8 {
        let lnkcap2 = self.bridge.lnkcap2;
        let lnkcap = self.bridge.lnkcap;
        let mut speeds: u8 = (lnkcap2 & PCI_EXP_LNKCAP2_SLS) as u8;
        let genmask = ((1u64 << ((lnkcap & PCI_EXP_LNKCAP_SLS) + 1)) - 1) as u32;
        speeds = (u32::from(speeds) & genmask) as u8;
        if speeds != 0 {
            return speeds;
        }
        if (lnkcap & PCI_EXP_LNKCAP_SLS) == PCI_EXP_LNKCAP_SLS_5_0GB {
            speeds = PCI_EXP_LNKCAP2_SLS_5_0GB | PCI_EXP_LNKCAP2_SLS_2_5GB;
        } else if (lnkcap & PCI_EXP_LNKCAP_SLS) == PCI_EXP_LNKCAP_SLS_2_5GB {
            speeds = PCI_EXP_LNKCAP2_SLS_2_5GB;
        }
        speeds
    }

    fn pcie_get_speed_cap(&self) -> u8 {
        let lnkcap2 = self.pcie_get_supported_speeds();
        if lnkcap2 & 0x40 != 0 {
            PCIE_SPEED_64_0GT
        } else if lnkcap2 & 0x20 != 0 {
            PCIE_SPEED_32_0GT
        } else if lnkcap2 & 0x10 != 0 {
            PCIE_SPEED_16_0GT
        } else if lnkcap2 & 0x08 != 0 {
            PCIE_SPEED_8_0GT
        } else if lnkcap2 & 0x04 != 0 {
            PCIE_SPEED_5_0GT
        } else if lnkcap2 & 0x02 != 0 {
            PCIE_SPEED_2_5GT
        } else {
            PCI_SPEED_UNKNOWN
        }
    }

    /// Fails on every port the simulation builds: it never restricts the link to 2.5 GT/s and
    /// never sets LBMS.
    fn pcie_failed_link_retrain(&mut self) -> i32 {
        -ENOTTY
    }

    fn pci_dev_wait(&mut self, timeout: i32) -> i32 {
        let mut delay: i32 = 1;
        let mut retrain = true;
        loop {
            let mut id: u32;

            if self.pci_dev_is_disconnected() {
                return -ENOTTY;
            }

            if self.bridge.config_rrs_sv {
                self.polls += 1;
                id = self.pci_read_config_dword(PCI_VENDOR_ID);
                if id & 0xffff != 0x0001 {
                    if id == PCI_ERROR_RESPONSE && self.bridge.is_virtfn {
                        id = self.pci_read_config_dword(PCI_COMMAND);
                    }
                    if id != PCI_ERROR_RESPONSE {
                        break;
                    }
                }
            } else {
                self.polls += 1;
                id = self.pci_read_config_dword(PCI_COMMAND);
                if id != PCI_ERROR_RESPONSE {
                    break;
                }
            }

            if delay > timeout {
                return -ENOTTY;
            }

            if delay > PCI_RESET_WAIT && retrain {
                retrain = false;
                if self.pcie_failed_link_retrain() == 0 {
                    delay = 1;
                    continue;
                }
            }

            self.msleep(delay);
            delay *= 2;
        }
        0
    }

    fn pcie_wait_for_link_status(&mut self) -> i32 {
        let end_jiffies = self.jiffies + u32::try_from(PCIE_LINK_RETRAIN_TIMEOUT_MS).unwrap();
        loop {
            let lnksta = self.pcie_capability_read_word_lnksta();
            if (lnksta & PCI_EXP_LNKSTA_DLLLA) == PCI_EXP_LNKSTA_DLLLA {
                return 0;
            }
            self.msleep(1);
            if self.jiffies >= end_jiffies {
                break;
            }
        }
        -ETIMEDOUT
    }

    fn pcie_wait_for_link_delay(&mut self, delay: i32) -> bool {
        if !self.link_active_reporting() {
            self.msleep(PCIE_LINK_RETRAIN_TIMEOUT_MS + delay);
            return true;
        }
        self.msleep(20);
        let mut rc = self.pcie_wait_for_link_status();
        if rc != 0 {
            rc = self.pcie_failed_link_retrain();
        }
        if rc != 0 {
            return false;
        }
        self.msleep(delay);
        true
    }

    pub fn pci_bridge_wait_for_secondary_bus(&mut self) -> (i32, Exit) {
        let delay = self.bridge.d3cold_delay;
        if delay == 0 {
            return (0, Exit::NoWait);
        }

        if !self.pci_is_pcie() {
            self.msleep(1000 + delay);
            return (0, Exit::Waited);
        }

        if !self.pcie_downstream_port() {
            return (0, Exit::NoWait);
        }

        if self.pcie_get_speed_cap() <= PCIE_SPEED_5_0GT {
            self.msleep(delay);

            if self.pci_dev_wait(PCI_RESET_WAIT - delay) == 0 {
                return (0, Exit::Ready);
            }

            if !self.link_active_reporting() {
                return (-ENOTTY, Exit::TimedOut);
            }

            let status = self.pcie_capability_read_word_lnksta();
            if status & PCI_EXP_LNKSTA_DLLLA == 0 {
                return (-ENOTTY, Exit::LinkDown);
            }

            return match self.pci_dev_wait(PCIE_RESET_READY_POLL_MS - PCI_RESET_WAIT) {
                0 => (0, Exit::Ready),
                rc => (rc, Exit::TimedOut),
            };
        }

        if !self.pcie_wait_for_link_delay(delay) {
            return (-ENOTTY, Exit::LinkDown);
        }

        match self.pci_dev_wait(PCIE_RESET_READY_POLL_MS - delay) {
            0 => (0, Exit::Ready),
            rc => (rc, Exit::TimedOut),
        }
    }
}
