// SPDX-License-Identifier: GPL-2.0

//! Register models of Ethernet PHYs on an emulated MDIO bus, and the
//! decisions of the rkm DP83TG720 driver.
//!
//! Each module lives in its own folder so that a kernel module can compile
//! the same sources with `#[path = ".../src/emulation/mod.rs"] pub mod emulation;`.

#![no_std]

pub mod dp83tg720;
pub mod emulation;

pub use emulation::*;
