// SPDX-License-Identifier: GPL-2.0

//! Benchmark statistics and the JSON report.

use guard_torture::{
    median,
    ops_per_sec,
    per_op_ps,
    ratio_milli,
    BenchParams,
    BenchReport,
    PairCost,
    Throughput, //
};

#[test]
fn median_of_odd_even_and_empty() {
    assert_eq!(median(&mut [5, 1, 3]), Some(3));
    assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
    assert_eq!(median(&mut [7]), Some(7));
    assert_eq!(median(&mut []), None);
    // One interrupted sample does not move the median.
    assert_eq!(median(&mut [20, 21, 19, 5000, 20]), Some(20));
}

#[test]
fn unit_conversions() {
    assert_eq!(per_op_ps(2_000_000, 100_000), Some(20_000));
    assert_eq!(per_op_ps(1, 3), Some(333));
    assert_eq!(per_op_ps(5, 0), None);
    assert_eq!(per_op_ps(u64::MAX, 1), None);
    assert_eq!(ops_per_sec(3_000_000, 300_000_000), Some(10_000_000));
    assert_eq!(ops_per_sec(1, 0), None);
    assert_eq!(ops_per_sec(u64::MAX, 1), None);
    // Past 2^64 / 10^9 operations the rate is computed in microseconds.
    assert_eq!(
        ops_per_sec(20_000_000_000, 10_000_000_000),
        Some(2_000_000_000)
    );
    assert_eq!(ratio_milli(21_000, 20_000), Some(1050));
    assert_eq!(ratio_milli(1, 0), None);
}

#[test]
fn report_is_the_json_bench_py_reads() {
    let costs = [
        PairCost {
            kind: "mutex",
            rust_ps: 21_456,
            c_raw_ps: 20_000,
            c_guard_ps: Some(20_105),
        },
        PairCost {
            kind: "seqlock write",
            rust_ps: 9_999,
            c_raw_ps: 9_000,
            c_guard_ps: None,
        },
    ];
    let throughput = [Throughput {
        kind: "mutex",
        rust: [12_345_678, 4_000_000],
        c_raw: [12_000_000, 3_999_999],
    }];
    let report = BenchReport {
        params: BenchParams {
            iterations: 1000,
            samples: 3,
            duration_ms: 20,
            runs: 2,
        },
        costs: &costs,
        throughput: &throughput,
    };
    let want = r#"{"suite": "rkm_guard",
 "params": {"iterations": 1000, "samples": 3, "duration_ms": 20, "runs": 2},
 "tables": [
  {"title": "Uncontended lock+unlock pair, ns (median of 3 samples of 1000 pairs)",
   "columns": ["lock", "Rust guard", "C raw", "C guard()", "Rust / C raw", "target"],
   "rows": [
    ["mutex", 21.45, 20.00, 20.10, 1.072, "mutex"],
    ["seqlock write", 9.99, 9.00, null, 1.111, "seqlock write"]
   ]},
  {"title": "Contended lock+unlock pairs, millions per second (median of 2 runs of 20 ms)",
   "columns": ["lock", "Rust 1 thread", "C raw 1 thread", "Rust 2 threads", "C raw 2 threads", "target"],
   "rows": [
    ["mutex", 12.345, 12.000, 4.000, 3.999, "none (informational)"]
   ]}
 ],
 "targets": [
  {"name": "mutex", "max_ratio": 1.050, "min_boots": 5,
   "measured": {"what": "Rust guard, ns per pair", "clock": "ktime around each sample of pairs, median of this boot's samples", "samples": [21.45]},
   "baseline": {"what": "C raw, ns per pair", "clock": "ktime around each sample of pairs, median of this boot's samples", "samples": [20.00]}},
  {"name": "seqlock write", "max_ratio": 1.050, "min_boots": 5,
   "measured": {"what": "Rust guard, ns per pair", "clock": "ktime around each sample of pairs, median of this boot's samples", "samples": [9.99]},
   "baseline": {"what": "C raw, ns per pair", "clock": "ktime around each sample of pairs, median of this boot's samples", "samples": [9.00]}}
 ]}
"#;
    assert_eq!(report.to_string(), want);
}

#[test]
fn report_without_rows_is_still_json_shaped() {
    let report = BenchReport {
        params: BenchParams::default(),
        costs: &[],
        throughput: &[],
    };
    let text = report.to_string();
    assert!(text.contains("\"rows\": [\n   ]}"), "{text}");
    assert!(text.contains("\"targets\": [\n ]}"), "{text}");
}
