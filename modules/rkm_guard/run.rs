// SPDX-License-Identifier: GPL-2.0

//! The torture workload: writer and reader kthreads hammering one lock, in the spirit of
//! kernel/locking/locktorture.c, checking inside every critical section that the lock did its
//! job.
//!
//! Every lock protects the same multi-word value, whose words are always equal outside a write:
//! a writer increments them one by one (busy-waiting `hold_us` in between), so a second writer
//! or a reader let in too early sees them differ. Two counters outside the lock catch the same
//! faults directly: writers inside and readers inside. The threads cycle through every way the
//! library takes a lock (plain, try, interruptible, killable, irqsave, downgrade). Parsing and
//! the verdict are in the pure core (`torture`); this file drives the threads.

use crate::{
    guard::{
        MutexExt,
        RawSpinLock,
        RawSpinLockExt,
        RwLock,
        RwSem,
        SeqLock,
        SpinLockBh, //
    },
    kthread::{
        self,
        Current,
        KThread, //
    },
    torture::{
        LockKind,
        Params,
        Report,
        ThreadCounts, //
    },
};
use core::fmt;
use kernel::{
    new_mutex,
    new_spinlock,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex,
        SpinLock, //
    },
    time::{
        delay::{
            fsleep,
            udelay, //
        },
        Delta,
        Instant,
        Monotonic, //
    },
    uaccess::UserSliceReader, //
};

/// Words of the value every lock protects.
const WORDS: usize = 4;

/// The protected value: its words are equal whenever no writer is inside.
type Value = [u64; WORDS];

/// Longest parameter line accepted by `start`.
const MAX_LINE: usize = 256;

/// How often the controller looks at the clock and at whether it is asked to stop.
const CONTROLLER_TICK: Delta = Delta::from_millis(20);

/// One lock of each kind; a run uses the one its parameters name.
#[pin_data]
struct Locks {
    #[pin]
    mutex: Mutex<Value>,
    #[pin]
    spinlock: SpinLock<Value>,
    #[pin]
    raw_spinlock: RawSpinLock<Value>,
    #[pin]
    spinlock_bh: SpinLockBh<Value>,
    #[pin]
    rwlock: RwLock<Value>,
    #[pin]
    rwsem: RwSem<Value>,
    #[pin]
    seqlock: SeqLock<Value>,
}

impl Locks {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            mutex <- new_mutex!([0; WORDS], "rkm_guard_torture_mutex"),
            spinlock <- new_spinlock!([0; WORDS], "rkm_guard_torture_spinlock"),
            raw_spinlock <- crate::new_raw_spinlock!([0; WORDS], "rkm_guard_torture_raw_spinlock"),
            spinlock_bh <- crate::new_spinlock_bh!([0; WORDS], "rkm_guard_torture_spinlock_bh"),
            rwlock <- crate::new_rwlock!([0; WORDS], "rkm_guard_torture_rwlock"),
            rwsem <- crate::new_rwsem!([0; WORDS], "rkm_guard_torture_rwsem"),
            seqlock <- crate::new_seqlock!([0; WORDS], "rkm_guard_torture_seqlock"),
        })
    }
}

/// What one thread counts; written by that thread only.
struct ThreadStats {
    ops: Atomic<u64>,
    failures: Atomic<u64>,
}

impl ThreadStats {
    fn new() -> Self {
        Self {
            ops: Atomic::new(0),
            failures: Atomic::new(0),
        }
    }

    fn counts(&self) -> ThreadCounts {
        ThreadCounts {
            ops: self.ops.load(Relaxed),
            failures: self.failures.load(Relaxed),
        }
    }
}

/// Where a run is.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
enum Phase {
    Running = 0,
    Done = 1,
    DoneEarly = 2,
}

/// One torture run, shared by its threads and the debugfs files.
#[pin_data]
pub(crate) struct Run {
    params: Params,
    #[pin]
    locks: Locks,
    writers_inside: Atomic<i32>,
    readers_inside: Atomic<i32>,
    writers: KVec<ThreadStats>,
    readers: KVec<ThreadStats>,
    read_retries: Atomic<u64>,
    started: Instant<Monotonic>,
    elapsed_ms: Atomic<u64>,
    phase: Atomic<i32>,
    /// Set by the controller to end the workers' loops all at once: stopping them one by one
    /// would leave the last ones contending, at lowest priority, for seconds.
    stopping: Atomic<bool>,
}

fn stats(n: u32) -> Result<KVec<ThreadStats>> {
    let mut v = KVec::with_capacity(n as usize, GFP_KERNEL)?;
    for _ in 0..n {
        v.push(ThreadStats::new(), GFP_KERNEL)?;
    }
    Ok(v)
}

impl Run {
    fn new(params: Params) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Self {
                params,
                locks <- Locks::new(),
                writers_inside: Atomic::new(0),
                readers_inside: Atomic::new(0),
                writers: stats(params.writers)?,
                readers: stats(params.readers)?,
                read_retries: Atomic::new(0),
                started: Instant::now(),
                elapsed_ms: Atomic::new(0),
                phase: Atomic::new(Phase::Running as i32),
                stopping: Atomic::new(false),
            }? Error),
            GFP_KERNEL,
        )
    }

    fn phase(&self) -> Phase {
        match self.phase.load(Relaxed) {
            0 => Phase::Running,
            1 => Phase::Done,
            _ => Phase::DoneEarly,
        }
    }

    fn counts(stats: &[ThreadStats], out: &mut KVec<ThreadCounts>) -> Result {
        for s in stats {
            out.push(s.counts(), GFP_KERNEL)?;
        }
        Ok(())
    }

    /// Formats the report of a finished run with `f`.
    fn with_report<R>(&self, f: impl FnOnce(&Report<'_>) -> R) -> Result<R> {
        let mut writers = KVec::with_capacity(self.writers.len(), GFP_KERNEL)?;
        let mut readers = KVec::with_capacity(self.readers.len(), GFP_KERNEL)?;
        Self::counts(&self.writers, &mut writers)?;
        Self::counts(&self.readers, &mut readers)?;
        Ok(f(&Report {
            params: &self.params,
            elapsed_ms: self.elapsed_ms.load(Relaxed),
            writers: &writers,
            readers: &readers,
            read_retries: self.read_retries.load(Relaxed),
            stopped_early: self.phase() == Phase::DoneEarly,
        }))
    }

    /// Records the end of the run and logs its summary, line by line, as locktorture does.
    fn finish(&self, elapsed: Delta, stopped_early: bool) {
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(0);
        self.elapsed_ms.store(elapsed_ms, Relaxed);
        let phase = if stopped_early {
            Phase::DoneEarly
        } else {
            Phase::Done
        };
        self.phase.store(phase as i32, Relaxed);
        let text = self.with_report(|report| CString::try_from_fmt(format_args!("{report}")));
        match text {
            Ok(Ok(text)) => {
                // The summary is ASCII by construction.
                for line in text.to_str().unwrap_or_default().lines() {
                    pr_info!("{line}\n");
                }
            }
            _ => pr_info!("torture run ended; no memory for its summary\n"),
        }
    }
}

/// Checks the protected value: its words must be equal outside a write.
fn consistent(value: &Value) -> bool {
    value.iter().all(|&w| w == value[0])
}

/// A write: the words one by one, with the critical section's busy-wait in between, so that
/// anybody let in during the write sees them differ.
fn update(value: &mut Value, hold_us: u32) {
    value[0] = value[0].wrapping_add(1);
    hold(hold_us);
    for w in &mut value[1..] {
        *w = w.wrapping_add(1);
    }
}

fn hold(hold_us: u32) {
    if hold_us > 0 {
        udelay(Delta::from_micros(i64::from(hold_us)));
    }
}

/// An interruptible wait of a worker failed. A kthread gets no signals, but `kthread_stop()` sets
/// `TIF_NOTIFY_SIGNAL`, which ends such a wait: once the run is stopping that is the stop, before
/// it a failure.
fn interrupted(run: &Run, stats: &ThreadStats) {
    if !run.stopping.load(Relaxed) {
        stats.failures.add(1, Relaxed);
    }
}

/// A writer's view of one run: what it checks on the way in and out of a critical section.
struct Writer<'a> {
    run: &'a Run,
    stats: &'a ThreadStats,
}

impl Writer<'_> {
    fn fail(&self) {
        self.stats.failures.add(1, Relaxed);
    }

    /// Called with the lock held for writing: nobody else may be inside.
    fn enter(&self, value: &Value) {
        if self.run.writers_inside.fetch_add(1, Relaxed) != 0 {
            self.fail();
        }
        if self.run.readers_inside.load(Relaxed) != 0 || !consistent(value) {
            self.fail();
        }
    }

    fn leave(&self) {
        self.run.writers_inside.fetch_sub(1, Relaxed);
        self.stats.ops.add(1, Relaxed);
    }

    /// The whole critical section of an exclusive lock.
    fn section(&self, value: &mut Value) {
        self.enter(value);
        update(value, self.run.params.hold_us);
        self.leave();
    }

    /// One pass of the writer loop; `turn` picks how the lock is taken this time.
    fn once(&self, turn: u64) {
        let locks = &self.run.locks;
        match self.run.params.kind {
            LockKind::Mutex => match turn % 4 {
                0 => self.section(&mut locks.mutex.lock()),
                1 => match locks.mutex.lock_interruptible() {
                    Ok(mut g) => self.section(&mut g),
                    Err(_) => interrupted(self.run, self.stats),
                },
                2 => match locks.mutex.lock_killable() {
                    Ok(mut g) => self.section(&mut g),
                    Err(_) => self.fail(),
                },
                _ => {
                    if let Some(mut g) = locks.mutex.try_lock() {
                        self.section(&mut g);
                    }
                }
            },
            LockKind::Spinlock => match turn % 2 {
                0 => self.section(&mut locks.spinlock.lock()),
                _ => {
                    if let Some(mut g) = locks.spinlock.try_lock() {
                        self.section(&mut g);
                    }
                }
            },
            LockKind::RawSpinlock => match turn % 4 {
                0 => self.section(&mut locks.raw_spinlock.lock()),
                1 => self.section(&mut locks.raw_spinlock.lock_irqsave()),
                2 => {
                    if let Some(mut g) = locks.raw_spinlock.try_lock() {
                        self.section(&mut g);
                    }
                }
                _ => {
                    if let Some(mut g) = locks.raw_spinlock.try_lock_irqsave() {
                        self.section(&mut g);
                    }
                }
            },
            LockKind::SpinlockBh => match turn % 2 {
                0 => self.section(&mut locks.spinlock_bh.lock()),
                _ => {
                    if let Some(mut g) = locks.spinlock_bh.try_lock() {
                        self.section(&mut g);
                    }
                }
            },
            LockKind::Rwlock => match turn % 2 {
                0 => self.section(&mut locks.rwlock.write()),
                _ => {
                    if let Some(mut g) = locks.rwlock.try_write() {
                        self.section(&mut g);
                    }
                }
            },
            LockKind::Rwsem => match turn % 4 {
                0 => self.section(&mut locks.rwsem.write()),
                1 => match locks.rwsem.write_killable() {
                    Ok(mut g) => self.section(&mut g),
                    Err(_) => self.fail(),
                },
                2 => {
                    if let Some(mut g) = locks.rwsem.try_write() {
                        self.section(&mut g);
                    }
                }
                _ => {
                    // Write, then downgrade and check as a reader that no writer got in.
                    let mut g = locks.rwsem.write();
                    self.section(&mut g);
                    let r = g.downgrade();
                    Reader {
                        run: self.run,
                        stats: self.stats,
                    }
                    .section(&r, false);
                }
            },
            LockKind::Seqlock => self.section(&mut locks.seqlock.write()),
        }
    }
}

/// A reader's view of one run.
struct Reader<'a> {
    run: &'a Run,
    stats: &'a ThreadStats,
}

impl Reader<'_> {
    fn fail(&self) {
        self.stats.failures.add(1, Relaxed);
    }

    /// The critical section of a shared lock: no writer may be inside, and the value must be
    /// whole. A downgraded writer checks the same but was counted as a writer already.
    fn section(&self, value: &Value, count: bool) {
        self.run.readers_inside.fetch_add(1, Relaxed);
        if self.run.writers_inside.load(Relaxed) != 0 || !consistent(value) {
            self.fail();
        }
        hold(self.run.params.hold_us);
        self.run.readers_inside.fetch_sub(1, Relaxed);
        if count {
            self.stats.ops.add(1, Relaxed);
        }
    }

    fn once(&self, turn: u64) {
        let locks = &self.run.locks;
        match self.run.params.kind {
            LockKind::Rwlock => match turn % 2 {
                0 => self.section(&locks.rwlock.read(), true),
                _ => {
                    if let Some(g) = locks.rwlock.try_read() {
                        self.section(&g, true);
                    }
                }
            },
            LockKind::Rwsem => match turn % 4 {
                0 => self.section(&locks.rwsem.read(), true),
                1 => match locks.rwsem.read_interruptible() {
                    Ok(g) => self.section(&g, true),
                    Err(_) => interrupted(self.run, self.stats),
                },
                2 => match locks.rwsem.read_killable() {
                    Ok(g) => self.section(&g, true),
                    Err(_) => self.fail(),
                },
                _ => {
                    if let Some(g) = locks.rwsem.try_read() {
                        self.section(&g, true);
                    }
                }
            },
            LockKind::Seqlock => {
                let mut attempts = 0u64;
                // The section lasts `hold_us` like the other readers' (a longer read is more
                // likely to be overlapped by a write, and retried).
                let value = locks.seqlock.read(|v| {
                    attempts += 1;
                    hold(self.run.params.hold_us);
                    *v
                });
                if !consistent(&value) {
                    self.fail();
                }
                self.run.read_retries.add(attempts - 1, Relaxed);
                self.stats.ops.add(1, Relaxed);
            }
            // `Params` gives readers only to kinds with a read side.
            _ => self.fail(),
        }
    }
}

/// A worker: `once` over and over until the thread is stopped. Lowest priority, as
/// locktorture's threads: the workload must not starve the system.
fn spawn_worker(
    name: fmt::Arguments<'_>,
    run: &Arc<Run>,
    once: impl Fn(&Run, u64) + Send + 'static,
) -> Result<KThread> {
    let run = run.clone();
    KThread::spawn(&CString::try_from_fmt(name)?, move |me| {
        me.set_nice(kthread::MAX_NICE);
        let mut turn = 0u64;
        while !run.stopping.load(Relaxed) && !me.should_stop() {
            once(&run, turn);
            turn = turn.wrapping_add(1);
        }
    })
}

fn spawn_workers(run: &Arc<Run>) -> Result<KVec<KThread>> {
    let mut threads = KVec::with_capacity(run.writers.len() + run.readers.len(), GFP_KERNEL)?;
    for i in 0..run.writers.len() {
        let writer = spawn_worker(fmt!("rkm_guard_w{i}"), run, move |run, turn| {
            Writer {
                run,
                stats: &run.writers[i],
            }
            .once(turn)
        })?;
        threads.push(writer, GFP_KERNEL)?;
    }
    for i in 0..run.readers.len() {
        let reader = spawn_worker(fmt!("rkm_guard_r{i}"), run, move |run, turn| {
            Reader {
                run,
                stats: &run.readers[i],
            }
            .once(turn)
        })?;
        threads.push(reader, GFP_KERNEL)?;
    }
    Ok(threads)
}

/// The controller, thread `me`: lets the workers run for the run's duration (or until it is
/// stopped itself, at module unload), stops them, and records the outcome.
fn control(me: &Current, run: Arc<Run>, workers: KVec<KThread>) {
    let duration = Delta::from_secs(i64::from(run.params.duration_s));
    let mut stopped_early = false;
    while run.started.elapsed() < duration {
        if me.should_stop() {
            stopped_early = true;
            break;
        }
        fsleep(CONTROLLER_TICK);
    }
    let elapsed = run.started.elapsed();
    run.stopping.store(true, Relaxed);
    drop(workers);
    run.finish(elapsed, stopped_early);
}

/// The torture state behind the debugfs files: the current or last run and its controller.
#[pin_data]
pub(crate) struct Torture {
    #[pin]
    state: Mutex<TortureState>,
}

struct TortureState {
    controller: Option<KThread>,
    last: Option<Arc<Run>>,
}

impl Torture {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            state <- new_mutex!(TortureState {
                controller: None,
                last: None,
            }),
        })
    }

    fn start(&self, params: Params) -> Result {
        let mut state = self.state.lock();
        if let Some(last) = &state.last {
            if last.phase() == Phase::Running {
                return Err(EBUSY);
            }
        }
        // The previous controller has finished; reap it before starting anew.
        state.controller = None;
        let run = Run::new(params)?;
        let workers = spawn_workers(&run)?;
        let controller_run = run.clone();
        state.controller = Some(KThread::spawn(c"rkm_guard_ctl", move |me| {
            control(me, controller_run, workers)
        })?);
        state.last = Some(run);
        Ok(())
    }
}

/// `start`: parses a parameter line and starts a run in the background.
pub(crate) fn write_start(torture: &Torture, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; MAX_LINE];
    let params = Params::parse(crate::read_line(reader, &mut buf)?).map_err(|e| {
        pr_notice!("torture: {}\n", format_args!("{e}"));
        EINVAL
    })?;
    torture.start(params)
}

/// `state`: `idle`, `running` or `done`.
pub(crate) fn show_state(torture: &Torture, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let state = torture.state.lock();
    let word = match state.last.as_deref().map(Run::phase) {
        None => "idle",
        Some(Phase::Running) => "running",
        Some(Phase::Done | Phase::DoneEarly) => "done",
    };
    writeln!(f, "{word}")
}

/// `summary`: the report of the last finished run; nothing before the first one ends.
pub(crate) fn show_summary(torture: &Torture, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let state = torture.state.lock();
    match &state.last {
        Some(run) if run.phase() != Phase::Running => run
            .with_report(|report| write!(f, "{report}"))
            .map_err(|_| fmt::Error)?,
        _ => Ok(()),
    }
}

/// `kinds`: the lock kinds `start` accepts, one per line.
pub(crate) fn show_kinds(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for kind in LockKind::ALL {
        writeln!(f, "{}", kind.name())?;
    }
    Ok(())
}
