// SPDX-License-Identifier: GPL-2.0

//! Host tests of the readiness engine.

mod decode;
mod differential;
mod gen;
mod kernel_c;
mod names;
mod properties;
mod scenarios;
mod sim;
