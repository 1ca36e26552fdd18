// SPDX-License-Identifier: GPL-2.0

//! Benchmark parameters, statistics and the JSON report `make bench` collects.
//!
//! The module measures; this file turns what it measured into numbers a reader can compare:
//! the median of interleaved samples, the cost of one lock/unlock pair, operations per second
//! and the Rust-to-C ratio, all in integers (no floating point in the kernel).

use super::params::{
    number,
    set_once,
    Tokens, //
};
use super::ParamError;
use core::fmt;

/// Most samples per uncontended measurement, or runs per contended one (the median is taken
/// over them).
pub const MAX_SAMPLES: u32 = 31;
/// Most lock/unlock pairs per sample.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// Longest contended run per lock kind and thread count, in milliseconds.
pub const MAX_BENCH_DURATION_MS: u32 = 10_000;
/// Thread counts of the contended runs.
pub const CONTENDED_THREADS: [usize; 2] = [1, 2];
/// The target for every uncontended pair: the Rust guard at most this many thousandths of C
/// raw, both medians of the same boot.
const TARGET_RATIO_MILLI: u64 = 1050;
/// Boots whose ratios the verdict takes the median of: one boot's noise is not a verdict.
const TARGET_MIN_BOOTS: u32 = 5;
/// The clock of both sides of a target: each sample is timed around its pairs, in the module
/// (Rust) and in `guard_bench.c` (C), by the monotonic clock; the report gives the median.
const CLOCK: &str = "\"ktime around each sample of pairs, median of this boot's samples\"";
/// What a table row without a target says instead (`scripts/harness/bench.py`).
const INFORMATIONAL: &str = "none (informational)";

// Short samples, many of them: a sample the host interrupts (the benchmark VM shares its CPUs)
// is an outlier the median ignores, and short ones are rarely interrupted.
const DEFAULT_ITERATIONS: u32 = 2_000;
const DEFAULT_SAMPLES: u32 = 31;
const DEFAULT_DURATION_MS: u32 = 100;
const DEFAULT_RUNS: u32 = 9;

/// What a benchmark run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchParams {
    /// Lock/unlock pairs per uncontended sample.
    pub iterations: u32,
    /// Uncontended samples per lock kind and variant; the report gives their median.
    pub samples: u32,
    /// Length of each contended run, in milliseconds.
    pub duration_ms: u32,
    /// Contended runs per lock kind, implementation and thread count; the report gives the
    /// median rate.
    pub runs: u32,
}

impl Default for BenchParams {
    fn default() -> Self {
        Self {
            iterations: DEFAULT_ITERATIONS,
            samples: DEFAULT_SAMPLES,
            duration_ms: DEFAULT_DURATION_MS,
            runs: DEFAULT_RUNS,
        }
    }
}

impl BenchParams {
    /// Parses `run [iterations=N] [samples=N] [duration_ms=N] [runs=N]`.
    pub fn parse(input: &[u8]) -> Result<Self, ParamError> {
        let mut tokens = Tokens::new(input)?;
        if tokens.next_word() != Some("run") {
            return Err(ParamError::Malformed);
        }
        let (mut iterations, mut samples, mut duration_ms, mut runs) = (None, None, None, None);
        while let Some(pair) = tokens.next_pair() {
            let (key, value) = pair?;
            match key {
                "iterations" => set_once(
                    &mut iterations,
                    number("iterations", value, 1, MAX_ITERATIONS)?,
                )?,
                "samples" => set_once(&mut samples, number("samples", value, 1, MAX_SAMPLES)?)?,
                "duration_ms" => set_once(
                    &mut duration_ms,
                    number("duration_ms", value, 1, MAX_BENCH_DURATION_MS)?,
                )?,
                "runs" => set_once(&mut runs, number("runs", value, 1, MAX_SAMPLES)?)?,
                _ => return Err(ParamError::UnknownKey),
            }
        }
        let default = Self::default();
        Ok(Self {
            iterations: iterations.unwrap_or(default.iterations),
            samples: samples.unwrap_or(default.samples),
            duration_ms: duration_ms.unwrap_or(default.duration_ms),
            runs: runs.unwrap_or(default.runs),
        })
    }
}

/// The median of `samples` (the lower middle one for an even count); sorts them in place.
pub fn median(samples: &mut [u64]) -> Option<u64> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    samples.get((samples.len() - 1) / 2).copied()
}

/// Picoseconds per operation, from `total_ns` for `ops` operations.
pub fn per_op_ps(total_ns: u64, ops: u64) -> Option<u64> {
    total_ns.checked_mul(1000)?.checked_div(ops)
}

/// Operations per second, from `ops` operations in `elapsed_ns`.
pub fn ops_per_sec(ops: u64, elapsed_ns: u64) -> Option<u64> {
    match ops.checked_mul(1_000_000_000) {
        Some(scaled) => scaled.checked_div(elapsed_ns),
        // Microsecond precision is plenty for that many operations (no 128-bit division in
        // the kernel).
        None => ops.checked_mul(1_000_000)?.checked_div(elapsed_ns / 1000),
    }
}

/// `num / den` in thousandths.
pub fn ratio_milli(num: u64, den: u64) -> Option<u64> {
    num.checked_mul(1000)?.checked_div(den)
}

/// Cost of one uncontended lock/unlock pair of one lock kind, three ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairCost<'a> {
    /// Lock kind and operation, e.g. `rwsem read`.
    pub kind: &'a str,
    /// Through the Rust guard, in picoseconds (median).
    pub rust_ps: u64,
    /// The same primitive called from C, in picoseconds (median).
    pub c_raw_ps: u64,
    /// C's `guard()`/`scoped_guard()`, where cleanup.h has one, in picoseconds (median).
    pub c_guard_ps: Option<u64>,
}

/// Contended throughput of one lock kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throughput<'a> {
    /// Lock kind and operation.
    pub kind: &'a str,
    /// Lock/unlock pairs per second through the Rust guard, one entry per
    /// [`CONTENDED_THREADS`].
    pub rust: [u64; CONTENDED_THREADS.len()],
    /// The same with the primitive called from C.
    pub c_raw: [u64; CONTENDED_THREADS.len()],
}

/// Everything one benchmark run measured, printed as JSON for `make bench`.
#[derive(Clone, Copy, Debug)]
pub struct BenchReport<'a> {
    /// What was measured.
    pub params: BenchParams,
    /// Uncontended cost per lock kind.
    pub costs: &'a [PairCost<'a>],
    /// Contended throughput per lock kind.
    pub throughput: &'a [Throughput<'a>],
}

/// A JSON string; the names are ours, but quote what JSON requires anyway.
struct JsonStr<'a>(&'a str);

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}

/// A fixed-point number `value / SCALE` with `DECIMALS` digits after the point, as a JSON
/// number; `null` when unknown.
struct Fixed<const SCALE: u64, const DECIMALS: usize>(Option<u64>);

/// Nanoseconds from picoseconds, to hundredths: finer is below the clock's noise.
fn ns_from_ps(ps: Option<u64>) -> Fixed<100, 2> {
    Fixed(ps.map(|ps| ps / 10))
}

/// A ratio given in thousandths.
fn milli(milli: Option<u64>) -> Fixed<1000, 3> {
    Fixed(milli)
}

/// Millions from units, to thousandths.
fn mega(per_sec: u64) -> Fixed<1000, 3> {
    Fixed(Some(per_sec / 1000))
}

impl<const SCALE: u64, const DECIMALS: usize> fmt::Display for Fixed<SCALE, DECIMALS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("null"),
            Some(v) => write!(f, "{}.{:0width$}", v / SCALE, v % SCALE, width = DECIMALS),
        }
    }
}

impl fmt::Display for BenchReport<'_> {
    /// `{"suite": ..., "params": {...}, "tables": [{"title", "columns", "rows"}, ...]}`: the
    /// generic shape `scripts/bench.py` prints as tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.params;
        writeln!(f, "{{\"suite\": \"rkm_guard\",")?;
        writeln!(
            f,
            " \"params\": {{\"iterations\": {}, \"samples\": {}, \"duration_ms\": {}, \"runs\": {}}},",
            p.iterations, p.samples, p.duration_ms, p.runs
        )?;
        writeln!(f, " \"tables\": [")?;
        writeln!(
            f,
            "  {{\"title\": \"Uncontended lock+unlock pair, ns (median of {} samples of {} pairs)\",",
            p.samples, p.iterations
        )?;
        writeln!(
            f,
            "   \"columns\": [\"lock\", \"Rust guard\", \"C raw\", \"C guard()\", \"Rust / C raw\", \"target\"],"
        )?;
        writeln!(f, "   \"rows\": [")?;
        for (i, c) in self.costs.iter().enumerate() {
            writeln!(
                f,
                "    [{}, {}, {}, {}, {}, {}]{}",
                JsonStr(c.kind),
                ns_from_ps(Some(c.rust_ps)),
                ns_from_ps(Some(c.c_raw_ps)),
                ns_from_ps(c.c_guard_ps),
                milli(ratio_milli(c.rust_ps, c.c_raw_ps)),
                JsonStr(c.kind),
                if i + 1 < self.costs.len() { "," } else { "" }
            )?;
        }
        writeln!(f, "   ]}},")?;
        writeln!(
            f,
            "  {{\"title\": \"Contended lock+unlock pairs, millions per second (median of {} runs of {} ms)\",",
            p.runs, p.duration_ms
        )?;
        f.write_str("   \"columns\": [\"lock\"")?;
        for threads in CONTENDED_THREADS {
            let plural = if threads == 1 { "" } else { "s" };
            write!(
                f,
                ", \"Rust {threads} thread{plural}\", \"C raw {threads} thread{plural}\""
            )?;
        }
        writeln!(f, ", \"target\"],")?;
        writeln!(f, "   \"rows\": [")?;
        for (i, t) in self.throughput.iter().enumerate() {
            write!(f, "    [{}", JsonStr(t.kind))?;
            for (rust, c_raw) in t.rust.iter().zip(t.c_raw.iter()) {
                write!(f, ", {}, {}", mega(*rust), mega(*c_raw))?;
            }
            writeln!(
                f,
                ", {}]{}",
                JsonStr(INFORMATIONAL),
                if i + 1 < self.throughput.len() {
                    ","
                } else {
                    ""
                }
            )?;
        }
        writeln!(f, "   ]}}")?;
        writeln!(f, " ],")?;
        // One target per uncontended row: this boot's two medians, judged over the boots.
        writeln!(f, " \"targets\": [")?;
        for (i, c) in self.costs.iter().enumerate() {
            writeln!(
                f,
                "  {{\"name\": {}, \"max_ratio\": {}, \"min_boots\": {},",
                JsonStr(c.kind),
                milli(Some(TARGET_RATIO_MILLI)),
                TARGET_MIN_BOOTS
            )?;
            writeln!(
                f,
                "   \"measured\": {{\"what\": \"Rust guard, ns per pair\", \"clock\": {CLOCK}, \"samples\": [{}]}},",
                ns_from_ps(Some(c.rust_ps))
            )?;
            writeln!(
                f,
                "   \"baseline\": {{\"what\": \"C raw, ns per pair\", \"clock\": {CLOCK}, \"samples\": [{}]}}}}{}",
                ns_from_ps(Some(c.c_raw_ps)),
                if i + 1 < self.costs.len() { "," } else { "" }
            )?;
        }
        writeln!(f, " ]}}")
    }
}
