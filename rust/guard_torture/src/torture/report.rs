// SPDX-License-Identifier: GPL-2.0

//! The summary of a torture run, in the spirit of locktorture's statistics lines.

use super::{
    LockKind,
    Params, //
};
use core::fmt;

/// What one thread counted during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadCounts {
    /// Critical sections entered.
    pub ops: u64,
    /// Invariant violations seen inside them (another writer inside, a reader beside a writer,
    /// a torn value, a lock call that failed where it cannot fail).
    pub failures: u64,
}

/// Totals of one role (writers or readers), with locktorture's fairness test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleStats {
    /// Threads of this role.
    pub threads: usize,
    /// Critical sections entered by all of them.
    pub total: u64,
    /// Most critical sections entered by one thread.
    pub max: u64,
    /// Fewest critical sections entered by one thread.
    pub min: u64,
    /// Invariant violations seen by all of them.
    pub failures: u64,
}

impl RoleStats {
    /// Totals of `counts`, one entry per thread.
    pub fn of(counts: &[ThreadCounts]) -> Self {
        Self {
            threads: counts.len(),
            total: counts.iter().fold(0, |sum, c| sum.saturating_add(c.ops)),
            max: counts.iter().map(|c| c.ops).max().unwrap_or(0),
            min: counts.iter().map(|c| c.ops).min().unwrap_or(0),
            failures: counts
                .iter()
                .fold(0, |sum, c| sum.saturating_add(c.failures)),
        }
    }

    /// locktorture's "???": one thread got less than half of what the busiest one got.
    /// Reported, not a failure: the kernel's locks do not promise fairness.
    pub fn unfair(&self) -> bool {
        self.max / 2 > self.min
    }

    /// Threads of this role ran and none of them ever got the lock.
    pub fn starved(&self) -> bool {
        self.threads > 0 && self.total == 0
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No invariant was violated and every role made progress.
    Success,
    /// An invariant was violated, or a role never got the lock.
    Failure,
}

impl Verdict {
    /// The word locktorture ends its log with.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Success => "SUCCESS",
            Verdict::Failure => "FAILURE",
        }
    }
}

/// A finished (or stopped) run: its parameters and what each thread counted.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// What was run.
    pub params: &'a Params,
    /// How long the threads ran, in milliseconds.
    pub elapsed_ms: u64,
    /// One entry per writer thread.
    pub writers: &'a [ThreadCounts],
    /// One entry per reader thread.
    pub readers: &'a [ThreadCounts],
    /// Seqlock reads that saw a write in progress and started over.
    pub read_retries: u64,
    /// The run was cut short (module unload) before its duration.
    pub stopped_early: bool,
}

impl Report<'_> {
    /// Totals of the writers.
    pub fn writes(&self) -> RoleStats {
        RoleStats::of(self.writers)
    }

    /// Totals of the readers.
    pub fn reads(&self) -> RoleStats {
        RoleStats::of(self.readers)
    }

    /// `FAILURE` on any invariant violation, or when a role never got the lock in a run that
    /// lasted its whole duration.
    pub fn verdict(&self) -> Verdict {
        let (writes, reads) = (self.writes(), self.reads());
        let failed = writes.failures > 0 || reads.failures > 0;
        let starved = !self.stopped_early && (writes.starved() || reads.starved());
        if failed || starved {
            Verdict::Failure
        } else {
            Verdict::Success
        }
    }

    /// Critical sections per second, writers and readers together.
    pub fn ops_per_sec(&self) -> u64 {
        let ops = self.writes().total.saturating_add(self.reads().total);
        ops.saturating_mul(1000)
            .checked_div(self.elapsed_ms)
            .unwrap_or(0)
    }
}

fn role_line(f: &mut fmt::Formatter<'_>, label: &str, stats: &RoleStats) -> fmt::Result {
    writeln!(
        f,
        "{label}:  Total: {}  Max/Min: {}/{}{}  Fail: {}{}",
        stats.total,
        stats.max,
        stats.min,
        if stats.unfair() { " ???" } else { "" },
        stats.failures,
        if stats.failures > 0 { " !!!" } else { "" },
    )
}

fn per_thread_line(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    counts: &[ThreadCounts],
) -> fmt::Result {
    f.write_str(label)?;
    for c in counts {
        write!(f, " {}", c.ops)?;
    }
    f.write_str("\n")
}

impl fmt::Display for Report<'_> {
    /// The summary: the parameters, locktorture's "Writes:"/"Reads :" lines, the per-thread
    /// counts, the rate, and last `End of test: SUCCESS` or `End of test: FAILURE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rkm_guard torture: {}", self.params)?;
        role_line(f, "Writes", &self.writes())?;
        if !self.readers.is_empty() {
            role_line(f, "Reads ", &self.reads())?;
        }
        per_thread_line(f, "Writer ops:", self.writers)?;
        if !self.readers.is_empty() {
            per_thread_line(f, "Reader ops:", self.readers)?;
        }
        if self.params.kind == LockKind::Seqlock && !self.readers.is_empty() {
            writeln!(f, "Read retries: {}", self.read_retries)?;
        }
        writeln!(
            f,
            "Elapsed: {} ms{}, {} ops/s",
            self.elapsed_ms,
            if self.stopped_early {
                " (stopped early)"
            } else {
                ""
            },
            self.ops_per_sec()
        )?;
        writeln!(f, "End of test: {}", self.verdict().as_str())
    }
}
