// SPDX-License-Identifier: GPL-2.0

//! Torture and benchmark logic of rkm_guard.
//!
//! - [`LockKind`]: the locks the workload exercises, by the names users write.
//! - [`Params`]: a torture run as written to `/sys/kernel/debug/rkm_guard/start`, validated.
//! - [`Report`]: per-thread counts of a finished run, the summary and its [`Verdict`].
//! - [`BenchParams`], [`median`], [`BenchReport`]: benchmark parameters, statistics and the
//!   JSON that `make bench` collects.

mod bench;
mod kind;
mod params;
mod report;

pub use self::{
    bench::{
        median,
        ops_per_sec,
        per_op_ps,
        ratio_milli,
        BenchParams,
        BenchReport,
        PairCost,
        Throughput,
        CONTENDED_THREADS,
        MAX_BENCH_DURATION_MS,
        MAX_ITERATIONS,
        MAX_SAMPLES, //
    },
    kind::LockKind,
    params::{
        ParamError,
        Params,
        MAX_DURATION_S,
        MAX_HOLD_US,
        MAX_THREADS, //
    },
    report::{
        Report,
        RoleStats,
        ThreadCounts,
        Verdict, //
    },
};
