// SPDX-License-Identifier: GPL-2.0

//! Pure core of rkm_guard: what its torture workload and benchmarks decide, free of kernel types.
//!
//! Parameters written to the module's debugfs files are parsed and validated here, the
//! per-thread counts of a torture run are turned into a locktorture-style summary with a
//! `SUCCESS`/`FAILURE` verdict, and benchmark samples into medians, ratios and a JSON report.
//!
//! The code lives in one module so that the kernel module can compile the same sources with
//! `#[path = ".../src/torture/mod.rs"] pub mod torture;`.

#![no_std]

mod torture;

pub use torture::*;
