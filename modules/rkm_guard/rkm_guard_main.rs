// SPDX-License-Identifier: GPL-2.0

//! rkm_guard: scope-guarded locking for Rust kernel code, proven under a torture workload and
//! measured against C.
//!
//! The guard library (rust/kernel_ext/guard/, mounted here as [`guard`]) gives Rust the
//! cleanup.h model for the locks the kernel crate lacks. This module exercises it, through
//! root-only files in `/sys/kernel/debug/rkm_guard/`:
//!
//! - `start` (write): `kind=<kind> [writers=N] [readers=N] [duration_s=N] [hold_us=N]` starts a
//!   torture run in the background, like kernel/locking/locktorture.c. `EINVAL` for a bad line
//!   (one log line says why), `EBUSY` while a run is active.
//! - `state` (read): `idle`, `running` or `done`.
//! - `summary` (read): the last finished run: per-role totals, per-thread counts, fairness,
//!   ending in `End of test: SUCCESS` or `End of test: FAILURE`; also logged.
//! - `kinds` (read): the lock kinds, one per line.
//! - `bench` (write `run [iterations=N] [samples=N] [duration_ms=N] [runs=N]`, then read):
//!   benchmarks against C (rust/kernel_ext/guard_bench/) as JSON for `make bench`. `EBUSY`
//!   while one runs.
//! - `negative` (write `abba` or `sleep_in_atomic`): only with `negative_tests=1`; lock misuse
//!   that lockdep and the atomic-sleep check must report.
//!
//! Unloading the module during a run stops the threads and logs the summary. KUnit tests of
//! every guard run at load (suite `rkm_guard`). See Documentation/rkm_guard.rst.

use kernel::{
    debugfs::Scope,
    prelude::*,
    uaccess::UserSliceReader, //
};

module! {
    type: RkmGuard,
    name: "rkm_guard",
    authors: ["rkm developers"],
    description: "Scope-guarded locking for Rust: torture workload, benchmarks, tests",
    license: "GPL",
    params: {
        negative_tests: bool {
            default: false,
            description: "Create debugfs file 'negative', whose tests make lockdep report",
        },
    },
}

/// What the debugfs files share.
#[pin_data]
struct State {
    #[pin]
    torture: run::Torture,
    #[pin]
    bench: bench::Bench,
}

#[pin_data]
struct RkmGuard {
    // Dropping it removes the files first, then stops any run.
    #[pin]
    _debugfs: Scope<State>,
}

impl kernel::InPlaceModule for RkmGuard {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let state = pin_init!(State {
            torture <- run::Torture::new(),
            bench <- bench::Bench::new(),
        });
        try_pin_init!(Self {
            _debugfs <- Scope::dir(state, c"rkm_guard", |state, dir| {
                dir.write_only_callback_file(c"start", &state.torture, &run::write_start);
                dir.read_callback_file(c"state", &state.torture, &run::show_state);
                dir.read_callback_file(c"summary", &state.torture, &run::show_summary);
                dir.read_callback_file(c"kinds", &(), &run::show_kinds);
                dir.read_write_callback_file(
                    c"bench",
                    &state.bench,
                    &bench::show_bench,
                    &bench::write_bench,
                );
                if module_parameters::negative_tests.value() {
                    dir.write_only_callback_file(c"negative", &(), &negative::write_negative);
                }
            }),
        })
    }
}

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;
use kernel_ext::{
    guard,
    guard_bench,
    kthread, //
};

/// Pure logic: parameters, summaries, benchmark statistics (rust/guard_torture).
#[path = "../../rust/guard_torture/src/torture/mod.rs"]
pub mod torture;

mod bench;
mod negative;
mod run;
#[cfg(CONFIG_KUNIT)]
mod tests;

/// What user space wrote to a debugfs file, all of it in one piece: `EINVAL` if it is longer
/// than `buf`.
fn read_line<'a>(reader: &mut UserSliceReader, buf: &'a mut [u8]) -> Result<&'a [u8]> {
    let line = buf.get_mut(..reader.len()).ok_or(EINVAL)?;
    reader.read_slice(line)?;
    Ok(line)
}
