// SPDX-License-Identifier: GPL-2.0

//! Torture summaries: totals, fairness, verdicts and the text users read.

use guard_torture::{
    LockKind,
    Params,
    Report,
    RoleStats,
    ThreadCounts,
    Verdict, //
};

fn counts(ops: &[u64]) -> Vec<ThreadCounts> {
    ops.iter()
        .map(|&ops| ThreadCounts { ops, failures: 0 })
        .collect()
}

fn params(kind: LockKind, writers: u32, readers: u32) -> Params {
    Params {
        kind,
        writers,
        readers,
        duration_s: 2,
        hold_us: 0,
    }
}

#[test]
fn role_totals_and_fairness() {
    let stats = RoleStats::of(&counts(&[100, 60, 80]));
    assert_eq!(
        (stats.threads, stats.total, stats.max, stats.min),
        (3, 240, 100, 60)
    );
    assert!(!stats.unfair());
    assert!(RoleStats::of(&counts(&[100, 49])).unfair());
    assert!(!RoleStats::of(&counts(&[100, 50])).unfair());
    assert!(!RoleStats::of(&[]).unfair());
    assert!(!RoleStats::of(&[]).starved());
    assert!(RoleStats::of(&counts(&[0, 0])).starved());
}

#[test]
fn clean_run_succeeds_and_reads_like_locktorture() {
    let p = params(LockKind::Rwsem, 2, 2);
    let writers = counts(&[1000, 900]);
    let readers = counts(&[3000, 1000]);
    let report = Report {
        params: &p,
        elapsed_ms: 2000,
        writers: &writers,
        readers: &readers,
        read_retries: 0,
        stopped_early: false,
    };
    assert_eq!(report.verdict(), Verdict::Success);
    assert_eq!(report.ops_per_sec(), 2950);
    let text = report.to_string();
    assert_eq!(
        text,
        "rkm_guard torture: kind=rwsem writers=2 readers=2 duration_s=2 hold_us=0\n\
         Writes:  Total: 1900  Max/Min: 1000/900  Fail: 0\n\
         Reads :  Total: 4000  Max/Min: 3000/1000 ???  Fail: 0\n\
         Writer ops: 1000 900\n\
         Reader ops: 3000 1000\n\
         Elapsed: 2000 ms, 2950 ops/s\n\
         End of test: SUCCESS\n"
    );
}

#[test]
fn any_violation_fails() {
    let p = params(LockKind::Mutex, 2, 0);
    let writers = [
        ThreadCounts {
            ops: 10,
            failures: 0,
        },
        ThreadCounts {
            ops: 10,
            failures: 1,
        },
    ];
    let report = Report {
        params: &p,
        elapsed_ms: 2000,
        writers: &writers,
        readers: &[],
        read_retries: 0,
        stopped_early: false,
    };
    assert_eq!(report.verdict(), Verdict::Failure);
    let text = report.to_string();
    assert!(text.contains("Fail: 1 !!!"), "{text}");
    assert!(text.ends_with("End of test: FAILURE\n"), "{text}");
    assert!(!text.contains("Reads"), "{text}");
}

#[test]
fn starved_role_fails_unless_stopped_early() {
    let p = params(LockKind::Seqlock, 1, 1);
    let writers = counts(&[10]);
    let readers = counts(&[0]);
    let mut report = Report {
        params: &p,
        elapsed_ms: 2000,
        writers: &writers,
        readers: &readers,
        read_retries: 7,
        stopped_early: false,
    };
    assert_eq!(report.verdict(), Verdict::Failure);
    assert!(report.to_string().contains("Read retries: 7\n"));
    report.stopped_early = true;
    assert_eq!(report.verdict(), Verdict::Success);
    assert!(report
        .to_string()
        .contains("Elapsed: 2000 ms (stopped early), 5 ops/s\n"));
}

#[test]
fn zero_elapsed_has_no_rate() {
    let p = params(LockKind::Spinlock, 1, 0);
    let writers = counts(&[5]);
    let report = Report {
        params: &p,
        elapsed_ms: 0,
        writers: &writers,
        readers: &[],
        read_retries: 0,
        stopped_early: true,
    };
    assert_eq!(report.ops_per_sec(), 0);
}
