// SPDX-License-Identifier: GPL-2.0

//! Benchmarks: what a lock/unlock pair costs through the Rust guards, against the same
//! primitive called from C and against C's `guard()` (the part [`guard_bench`]), and how many
//! pairs per second one and two contending threads get. Statistics and the report are in the
//! pure core (`torture`); this file runs the loops.

use crate::{
    guard::{
        self,
        MutexExt,
        RawSpinLock,
        RawSpinLockExt,
        RwLock,
        RwSem,
        SeqLock,
        SpinLockBh, //
    },
    guard_bench,
    kthread::KThread,
    torture::{
        median,
        ops_per_sec,
        per_op_ps,
        BenchParams,
        BenchReport,
        PairCost,
        Throughput,
        CONTENDED_THREADS, //
    },
};
use core::{
    fmt,
    hint::black_box, //
};
use kernel::{
    new_mutex,
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Full,
            Relaxed, //
        },
        Arc,
        Completion,
        Mutex,
        SpinLock, //
    },
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic, //
    },
    uaccess::UserSliceReader, //
};

/// Longest parameter line accepted by `bench`.
const MAX_LINE: usize = 128;

/// One lock/unlock pair, as measured on both sides.
#[derive(Clone, Copy)]
enum Op {
    Mutex,
    GuardMutex,
    MutexInterruptible,
    RwSemRead,
    RwSemWrite,
    SpinLock,
    RawSpinLock,
    RawSpinLockIrqSave,
    SpinLockBh,
    RwLockRead,
    RwLockWrite,
    SeqLockRead,
    SeqLockWrite,
    Preempt,
    Migrate,
    IrqSave,
}

const OPS: [Op; 16] = [
    Op::Mutex,
    Op::GuardMutex,
    Op::MutexInterruptible,
    Op::RwSemRead,
    Op::RwSemWrite,
    Op::SpinLock,
    Op::RawSpinLock,
    Op::RawSpinLockIrqSave,
    Op::SpinLockBh,
    Op::RwLockRead,
    Op::RwLockWrite,
    Op::SeqLockRead,
    Op::SeqLockWrite,
    Op::Preempt,
    Op::Migrate,
    Op::IrqSave,
];

/// Variants of the uncontended measurement, in the order they are interleaved.
const RUST: usize = 0;
const C_RAW: usize = 1;
const C_GUARD: usize = 2;
const VARIANTS: usize = 3;

/// Locks of the Rust side, each protecting a counter.
#[pin_data]
struct Locks {
    #[pin]
    mutex: Mutex<u64>,
    #[pin]
    guard_mutex: guard::Mutex<u64>,
    #[pin]
    rwsem: RwSem<u64>,
    #[pin]
    spinlock: SpinLock<u64>,
    #[pin]
    raw_spinlock: RawSpinLock<u64>,
    #[pin]
    spinlock_bh: SpinLockBh<u64>,
    #[pin]
    rwlock: RwLock<u64>,
    #[pin]
    seqlock: SeqLock<u64>,
    /// What the context guards' pairs count, as guard_bench.c's COUNT_BODY does.
    count: Atomic<u64>,
}

impl Locks {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            mutex <- new_mutex!(0, "rkm_guard_bench_mutex"),
            guard_mutex <- crate::new_guard_mutex!(0, "rkm_guard_bench_guard_mutex"),
            rwsem <- crate::new_rwsem!(0, "rkm_guard_bench_rwsem"),
            spinlock <- new_spinlock!(0, "rkm_guard_bench_spinlock"),
            raw_spinlock <- crate::new_raw_spinlock!(0, "rkm_guard_bench_raw_spinlock"),
            spinlock_bh <- crate::new_spinlock_bh!(0, "rkm_guard_bench_spinlock_bh"),
            rwlock <- crate::new_rwlock!(0, "rkm_guard_bench_rwlock"),
            seqlock <- crate::new_seqlock!(0, "rkm_guard_bench_seqlock"),
            count: Atomic::new(0),
        })
    }
}

/// Runs a lock/unlock pair over and over; generic so that the pair is inlined into the loop.
trait Driver {
    fn drive<F: FnMut() -> Result>(&mut self, pair: F) -> Result;
}

/// A fixed number of pairs.
struct Counted(u32);

impl Driver for Counted {
    // Not inlined: each operation's closure gets a copy of its own, the whole loop in one
    // function, which make check finds in the disassembly (scripts/harness/disasm.py) as the C
    // side's bench_raw_<op>().
    #[inline(never)]
    fn drive<F: FnMut() -> Result>(&mut self, mut pair: F) -> Result {
        for _ in 0..self.0 {
            pair()?;
        }
        Ok(())
    }
}

/// Pairs until told to stop, counting them. The flag is looked at once per batch, as in C: a
/// load of a kernel `Atomic` is an out-of-line call.
struct UntilStop<'a> {
    stop: &'a Atomic<bool>,
    pairs: u64,
}

impl Driver for UntilStop<'_> {
    #[inline]
    fn drive<F: FnMut() -> Result>(&mut self, mut pair: F) -> Result {
        const BATCH: u32 = guard_bench::BATCH;
        while !self.stop.load(Relaxed) {
            for _ in 0..BATCH {
                pair()?;
            }
            self.pairs += u64::from(BATCH);
        }
        Ok(())
    }
}

/// The context guards' section: a load and a store of a counter in memory, as C's COUNT_BODY
/// (READ_ONCE, WRITE_ONCE).
#[inline]
fn count(counter: &Atomic<u64>) {
    counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
}

/// The writers' critical section: `counter + 1`, wrapping as the C side's does, so that both
/// run the same instructions (an overflow check would be one branch more).
#[inline]
fn bump(counter: &mut u64) {
    *counter = counter.wrapping_add(1);
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Mutex => "mutex",
            Op::GuardMutex => "mutex (guard::Mutex)",
            Op::MutexInterruptible => "mutex interruptible",
            Op::RwSemRead => "rwsem read",
            Op::RwSemWrite => "rwsem write",
            Op::SpinLock => "spinlock",
            Op::RawSpinLock => "raw_spinlock",
            Op::RawSpinLockIrqSave => "raw_spinlock irqsave",
            Op::SpinLockBh => "spinlock_bh",
            Op::RwLockRead => "rwlock read",
            Op::RwLockWrite => "rwlock write",
            Op::SeqLockRead => "seqlock read",
            Op::SeqLockWrite => "seqlock write",
            Op::Preempt => "preempt",
            Op::Migrate => "migrate",
            Op::IrqSave => "irqsave",
        }
    }

    /// The same operation in C.
    fn c_op(self) -> guard_bench::Op {
        match self {
            Op::Mutex | Op::GuardMutex => guard_bench::Op::MUTEX,
            Op::MutexInterruptible => guard_bench::Op::MUTEX_INTR,
            Op::RwSemRead => guard_bench::Op::RWSEM_READ,
            Op::RwSemWrite => guard_bench::Op::RWSEM_WRITE,
            Op::SpinLock => guard_bench::Op::SPINLOCK,
            Op::RawSpinLock => guard_bench::Op::RAW_SPINLOCK,
            Op::RawSpinLockIrqSave => guard_bench::Op::RAW_SPINLOCK_IRQSAVE,
            Op::SpinLockBh => guard_bench::Op::SPINLOCK_BH,
            Op::RwLockRead => guard_bench::Op::RWLOCK_READ,
            Op::RwLockWrite => guard_bench::Op::RWLOCK_WRITE,
            Op::SeqLockRead => guard_bench::Op::SEQLOCK_READ,
            Op::SeqLockWrite => guard_bench::Op::SEQLOCK_WRITE,
            Op::Preempt => guard_bench::Op::PREEMPT,
            Op::Migrate => guard_bench::Op::MIGRATE,
            Op::IrqSave => guard_bench::Op::IRQSAVE,
        }
    }

    /// Whether the contended runs include it: the context guards take no lock.
    fn contended(self) -> bool {
        !matches!(self, Op::Preempt | Op::Migrate | Op::IrqSave)
    }

    /// Drives the Rust pair of this operation; writers increment the counter, readers read it.
    fn drive(self, locks: &Locks, d: &mut impl Driver) -> Result {
        match self {
            Op::Mutex => d.drive(|| {
                bump(&mut locks.mutex.lock());
                Ok(())
            }),
            Op::GuardMutex => d.drive(|| {
                bump(&mut locks.guard_mutex.lock());
                Ok(())
            }),
            Op::MutexInterruptible => d.drive(|| {
                let mut g = locks.mutex.lock_interruptible()?;
                bump(&mut g);
                Ok(())
            }),
            Op::RwSemRead => d.drive(|| {
                black_box(*locks.rwsem.read());
                Ok(())
            }),
            Op::RwSemWrite => d.drive(|| {
                bump(&mut locks.rwsem.write());
                Ok(())
            }),
            Op::SpinLock => d.drive(|| {
                bump(&mut locks.spinlock.lock());
                Ok(())
            }),
            Op::RawSpinLock => d.drive(|| {
                bump(&mut locks.raw_spinlock.lock());
                Ok(())
            }),
            Op::RawSpinLockIrqSave => d.drive(|| {
                bump(&mut locks.raw_spinlock.lock_irqsave());
                Ok(())
            }),
            Op::SpinLockBh => d.drive(|| {
                bump(&mut locks.spinlock_bh.lock());
                Ok(())
            }),
            Op::RwLockRead => d.drive(|| {
                black_box(*locks.rwlock.read());
                Ok(())
            }),
            Op::RwLockWrite => d.drive(|| {
                bump(&mut locks.rwlock.write());
                Ok(())
            }),
            Op::SeqLockRead => d.drive(|| {
                black_box(locks.seqlock.read(|v| *v));
                Ok(())
            }),
            Op::SeqLockWrite => d.drive(|| {
                bump(&mut locks.seqlock.write());
                Ok(())
            }),
            Op::Preempt => d.drive(|| {
                let _preempt = guard::preempt_disable();
                count(&locks.count);
                Ok(())
            }),
            Op::Migrate => d.drive(|| {
                let _migrate = guard::migrate_disable();
                count(&locks.count);
                Ok(())
            }),
            Op::IrqSave => d.drive(|| {
                let _irq = guard::local_irq_save();
                count(&locks.count);
                Ok(())
            }),
        }
    }

    /// Nanoseconds for `n` pairs through the Rust guard.
    fn rust_ns(self, locks: &Locks, n: u32) -> Result<u64> {
        let start = Instant::<Monotonic>::now();
        self.drive(locks, &mut Counted(n))?;
        u64::try_from(start.elapsed().as_nanos()).map_err(|_| ERANGE)
    }

    /// Nanoseconds for `n` pairs in C, raw or with `guard()`; `None` where C has no guard.
    fn c_ns(self, guard: bool, n: u32) -> Result<Option<u64>> {
        match guard_bench::pairs_ns(self.c_op(), guard, n) {
            Ok(ns) => Ok(Some(ns)),
            Err(e) if e == EOPNOTSUPP => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// What the contending threads of one run share.
#[pin_data]
struct Contention {
    #[pin]
    locks: Locks,
    #[pin]
    go: Completion,
    stop: Atomic<bool>,
    pairs: Atomic<u64>,
    failures: Atomic<u32>,
    reported: Atomic<usize>,
    /// Completed when every thread has added its count. `kthread_stop()` sets
    /// `TIF_NOTIFY_SIGNAL`, so a thread still waiting in `mutex_lock_interruptible()` when it is
    /// stopped would fail with `EINTR`: threads are stopped only after this.
    #[pin]
    all_reported: Completion,
}

/// Pairs per second of `op` with `threads` threads contending for `duration`.
fn contend(op: Op, rust: bool, threads: usize, duration: Delta) -> Result<u64> {
    let shared = Arc::pin_init(
        pin_init!(Contention {
            locks <- Locks::new(),
            go <- Completion::new(),
            stop: Atomic::new(false),
            pairs: Atomic::new(0),
            failures: Atomic::new(0),
            reported: Atomic::new(0),
            all_reported <- Completion::new(),
        }),
        GFP_KERNEL,
    )?;
    let mut workers = KVec::with_capacity(threads, GFP_KERNEL)?;
    let spawned = (0..threads).try_for_each(|_| -> Result {
        let s = shared.clone();
        let worker = KThread::spawn(c"rkm_guard_bench", move |_| {
            s.go.wait_for_completion();
            let pairs = if rust {
                let mut d = UntilStop {
                    stop: &s.stop,
                    pairs: 0,
                };
                op.drive(&s.locks, &mut d).map(|()| d.pairs)
            } else {
                guard_bench::contend(op.c_op(), &s.stop)
            };
            match pairs {
                Ok(pairs) => {
                    s.pairs.add(pairs, Relaxed);
                }
                Err(_) => {
                    s.failures.add(1, Relaxed);
                }
            }
            if s.reported.fetch_add(1, Full) + 1 == threads {
                s.all_reported.complete_all();
            }
        })?;
        // Cannot fail: the capacity is reserved.
        workers.push(worker, GFP_KERNEL)?;
        Ok(())
    });
    if let Err(e) = spawned {
        // The threads started so far wait for `go`: let them run straight into `stop`, so that
        // dropping `workers` can stop them.
        shared.stop.store(true, Relaxed);
        shared.go.complete_all();
        return Err(e);
    }
    let start = Instant::<Monotonic>::now();
    shared.go.complete_all();
    fsleep(duration);
    shared.stop.store(true, Relaxed);
    let elapsed = start.elapsed();
    shared.all_reported.wait_for_completion();
    drop(workers);
    if shared.failures.load(Relaxed) != 0 {
        return Err(EINTR);
    }
    let elapsed_ns = u64::try_from(elapsed.as_nanos()).map_err(|_| ERANGE)?;
    ops_per_sec(shared.pairs.load(Relaxed), elapsed_ns).ok_or(ERANGE)
}

/// Everything one benchmark run measured.
struct Results {
    params: BenchParams,
    costs: KVec<PairCost<'static>>,
    throughput: KVec<Throughput<'static>>,
}

fn measure(params: BenchParams) -> Result<Results> {
    let locks = KBox::pin_init(Locks::new(), GFP_KERNEL)?;
    let samples = params.samples as usize;
    // samples[op][variant][sample], flattened.
    let mut ns = KVec::from_elem(0u64, OPS.len() * VARIANTS * samples, GFP_KERNEL)?;
    let mut has_c_guard = [true; OPS.len()];
    let slot =
        |op: usize, variant: usize, sample: usize| (op * VARIANTS + variant) * samples + sample;
    // Interleaved, so that a slow moment of the machine hits every variant alike, and each
    // variant goes first in a third of the samples, so that none gains from its place.
    let n = params.iterations;
    for sample in 0..samples {
        for (i, op) in OPS.iter().enumerate() {
            for turn in 0..VARIANTS {
                let variant = (turn + sample) % VARIANTS;
                let t = match variant {
                    RUST => Some(op.rust_ns(&locks, n)?),
                    C_RAW => Some(op.c_ns(false, n)?.ok_or(EINVAL)?),
                    _ => op.c_ns(true, n)?,
                };
                match t {
                    Some(t) => ns[slot(i, variant, sample)] = t,
                    None => has_c_guard[i] = false,
                }
            }
        }
    }
    let iterations = u64::from(params.iterations);
    let mut costs = KVec::with_capacity(OPS.len(), GFP_KERNEL)?;
    for (i, op) in OPS.iter().enumerate() {
        let mut ps = [0u64; VARIANTS];
        for (variant, ps) in ps.iter_mut().enumerate() {
            let start = slot(i, variant, 0);
            let total = median(&mut ns[start..start + samples]).ok_or(EINVAL)?;
            *ps = per_op_ps(total, iterations).ok_or(ERANGE)?;
        }
        costs.push(
            PairCost {
                kind: op.name(),
                rust_ps: ps[RUST],
                c_raw_ps: ps[C_RAW],
                c_guard_ps: has_c_guard[i].then_some(ps[C_GUARD]),
            },
            GFP_KERNEL,
        )?;
    }
    let duration = Delta::from_millis(i64::from(params.duration_ms));
    let runs = params.runs as usize;
    let mut rates = KVec::from_elem(0u64, 2 * runs, GFP_KERNEL)?;
    let mut throughput = KVec::new();
    for op in OPS.into_iter().filter(|op| op.contended()) {
        let mut t = Throughput {
            kind: op.name(),
            rust: [0; CONTENDED_THREADS.len()],
            c_raw: [0; CONTENDED_THREADS.len()],
        };
        for (i, threads) in CONTENDED_THREADS.into_iter().enumerate() {
            // Interleaved as above; the median run of each side.
            let (rust, c_raw) = rates.split_at_mut(runs);
            for run in 0..runs {
                rust[run] = contend(op, true, threads, duration)?;
                c_raw[run] = contend(op, false, threads, duration)?;
            }
            t.rust[i] = median(rust).ok_or(EINVAL)?;
            t.c_raw[i] = median(c_raw).ok_or(EINVAL)?;
        }
        throughput.push(t, GFP_KERNEL)?;
    }
    Ok(Results {
        params,
        costs,
        throughput,
    })
}

/// The benchmark state behind the debugfs file: the last results.
#[pin_data]
pub(crate) struct Bench {
    #[pin]
    last: Mutex<Option<Results>>,
}

impl Bench {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            last <- new_mutex!(None),
        })
    }
}

/// `bench`, written: `run [iterations=N] [samples=N] [duration_ms=N] [runs=N]` measures (for
/// some seconds) and keeps the results.
pub(crate) fn write_bench(bench: &Bench, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; MAX_LINE];
    let params = BenchParams::parse(crate::read_line(reader, &mut buf)?).map_err(|e| {
        pr_notice!("bench: {}\n", format_args!("{e}"));
        EINVAL
    })?;
    // One run at a time; a second writer is told so rather than queued behind minutes of work.
    let mut last = bench.last.try_lock().ok_or(EBUSY)?;
    *last = Some(measure(params)?);
    Ok(())
}

/// `bench`, read: the last results as JSON (waiting for a run in progress); nothing before the
/// first run.
pub(crate) fn show_bench(bench: &Bench, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &*bench.last.lock() {
        Some(r) => write!(
            f,
            "{}",
            BenchReport {
                params: r.params,
                costs: &r.costs,
                throughput: &r.throughput,
            }
        ),
        None => Ok(()),
    }
}
