// SPDX-License-Identifier: GPL-2.0

//! Readiness of a PCI Express device after a Conventional Reset of its link.
//!
//! A sans-IO engine decides what to do next (sleep, read the port's Link
//! Status, read the device's configuration space) and when the device is
//! ready, following either Linux 7.3's own wait or the PCI Express r6.0 rules.
//! See [`Readiness`].
//!
//! The code lives in one module so that a kernel module can compile the same
//! sources with `#[path = ".../src/readiness/mod.rs"] mod readiness;`.

#![no_std]

mod readiness;

pub use readiness::*;
