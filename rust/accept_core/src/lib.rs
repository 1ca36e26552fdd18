// SPDX-License-Identifier: GPL-2.0

//! Acceptor core of `rkm_accept`, free of kernel types.
//!
//! It models the EFI unaccepted memory table and the way
//! `drivers/firmware/efi/unaccepted_memory.c` accepts memory from it, as a state machine that a
//! kernel module drives under its own lock and tests drive on the host. See the `accept` module
//! for the details.
#![no_std]

mod accept;

pub use accept::*;
