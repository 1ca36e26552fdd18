// SPDX-License-Identifier: GPL-2.0

//! Register models of Ethernet PHYs on an emulated MDIO bus.
//!
//! The code lives in one module so that a kernel module can compile the same
//! sources with `#[path = ".../src/phy_model/mod.rs"] pub mod phy_model;`.

#![no_std]

pub mod phy_model;

pub use phy_model::*;
