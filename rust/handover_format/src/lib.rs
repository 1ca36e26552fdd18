// SPDX-License-Identifier: GPL-2.0

//! Format of the state an rkm module hands over to the next kernel.
//!
//! A module that wants its state to survive a kexec serializes it into memory
//! preserved by Kexec HandOver (KHO) and publishes that memory as a KHO
//! subtree. This crate is the pure core of that hand-over: it encodes the
//! state into caller-provided bytes and decodes and validates what the
//! previous kernel left behind, without allocating and without trusting any
//! of it. The same sources are compiled into the kernel module.

#![no_std]

mod handover;

pub use handover::*;
