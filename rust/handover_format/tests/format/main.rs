// SPDX-License-Identifier: GPL-2.0

//! Host tests of the handover format: checksum, round trip, corruption,
//! fuzzing and compatibility across versions.

mod blob_layout;
mod common;
mod compat;
mod corruption;
mod crc;
mod fuzz;
mod round_trip;
mod take_over;
