// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the guard library, run at module load (suite `rkm_guard`).
//!
//! Where a test needs "another context", it is a second kthread: bound to another CPU when the
//! lock spins (so both really run at once), signalled on purpose when the test is about
//! signals. The threads tell each other what happened (flags, the other thread's scheduler
//! state); no test infers it from time passing. Every wait for such an event has a time limit,
//! far beyond what scheduling takes, so that a broken lock fails the test instead of hanging it.

use crate::{
    guard::{
        self,
        in_softirq,
        irqs_disabled,
        migration_disabled,
        preempt_count,
        MutexExt,
        RawSpinLockExt,
        RwSem, //
    },
    kthread::{
        self,
        KThread,
        Signal, //
    }, //
};
use core::cell::Cell;
use kernel::{
    bindings,
    new_mutex,
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        Arc,
        Mutex, //
    },
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic, //
    }, //
};

/// Longest a test sleeps waiting for the other thread.
const LIMIT: Delta = Delta::from_secs(60);
/// Longest a test spins, holding a spinning lock, waiting for the other thread: below the RCU
/// stall timeout (21 s), since this CPU cannot pass through a quiescent state meanwhile.
const SPIN_LIMIT: Delta = Delta::from_secs(10);

/// What a test and its second thread tell each other.
struct Flags {
    /// The side holding the lock has it.
    held: Atomic<bool>,
    /// The other thread is about to take the lock: set right before it does.
    trying: Atomic<bool>,
    /// The other thread has finished its attempt.
    done: Atomic<bool>,
    /// What the attempt found: 1/0 for yes/no, or an errno.
    value: Atomic<i32>,
}

fn flags() -> Result<Arc<Flags>> {
    Arc::new(
        Flags {
            held: Atomic::new(false),
            trying: Atomic::new(false),
            done: Atomic::new(false),
            value: Atomic::new(i32::MIN),
        },
        GFP_KERNEL,
    )
    .map_err(Error::from)
}

/// Sleeps until `event` returns true; false after [`LIMIT`].
fn wait_until(event: impl Fn() -> bool) -> bool {
    let start = Instant::<Monotonic>::now();
    while !event() {
        if start.elapsed() > LIMIT {
            return false;
        }
        fsleep(Delta::from_millis(1));
    }
    true
}

/// Sleeps until `flag` is set; false after [`LIMIT`].
fn wait_sleeping(flag: &Atomic<bool>) -> bool {
    wait_until(|| flag.load(Acquire))
}

/// Sleeps until `thread`, which sets `f.trying` right before it takes a lock, waits for the lock
/// in scheduler state `state`, or until it is done; true in the first case. Once it announced
/// its attempt, the thread can be in that state only inside the lock's wait, which it leaves
/// only with the lock: while the caller holds it, the thread is blocked.
fn wait_blocked(thread: &KThread, f: &Flags, state: u32) -> bool {
    // `trying` is read first, so the state read is at least as recent as the announcement, never
    // the uninterruptible sleep of a kthread that has not started yet.
    wait_until(|| f.done.load(Acquire) || (f.trying.load(Acquire) && thread.state() == state))
        && !f.done.load(Acquire)
}

/// Spins until `flag` is set (for holders of spinning locks); false after [`SPIN_LIMIT`].
fn wait_spinning(flag: &Atomic<bool>) -> bool {
    let start = Instant::<Monotonic>::now();
    while !flag.load(Acquire) {
        if start.elapsed() > SPIN_LIMIT {
            return false;
        }
        core::hint::spin_loop();
    }
    true
}

/// While this CPU holds a lock (`hold` takes it and calls its argument with it held), a
/// thread bound to another CPU runs `attempt`. Returns what `attempt` returned, or `ETIMEDOUT`
/// if it did not finish while the lock was held.
fn attempt_elsewhere(
    attempt: impl FnOnce() -> bool + Send + 'static,
    hold: impl FnOnce(&dyn Fn()),
) -> Result<bool> {
    // Stay on this CPU, so that the other thread really runs elsewhere.
    let _pinned = guard::migrate_disable();
    let cpu = kthread::other_online_cpu().ok_or(ENODEV)?;
    let f = flags()?;
    let theirs = f.clone();
    let thread = KThread::spawn_on(c"rkm_guard_try", cpu, move |_| {
        if wait_sleeping(&theirs.held) {
            theirs.value.store(i32::from(attempt()), Relaxed);
        }
        theirs.done.store(true, Release);
    })?;
    let finished = Cell::new(false);
    hold(&|| {
        f.held.store(true, Release);
        finished.set(wait_spinning(&f.done));
    });
    drop(thread);
    // An attempt that ran after the holder gave up met a free lock: its answer says nothing.
    if !finished.get() {
        return Err(ETIMEDOUT);
    }
    match f.value.load(Relaxed) {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(ETIMEDOUT),
    }
}

/// A thread that raises `signal` on itself (pending: SIGUSR1 is not fatal, SIGKILL is) and runs
/// `attempt`, which returns 0 or an errno and takes a lock first thing.
fn signalled(
    signal: Signal,
    attempt: impl FnOnce() -> i32 + Send + 'static,
) -> Result<(KThread, Arc<Flags>)> {
    let f = flags()?;
    let theirs = f.clone();
    let thread = KThread::spawn(c"rkm_guard_sig", move |me| {
        me.raise(signal);
        theirs.trying.store(true, Release);
        theirs.value.store(attempt(), Relaxed);
        theirs.done.store(true, Release);
        // Drops the signals this thread raised on itself.
        me.flush_signals();
    })?;
    Ok((thread, f))
}

fn errno<T>(r: Result<T>) -> i32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Takes the write guard, then returns early while holding a read guard.
fn read_then_return_early(sem: &RwSem<u64>) -> u64 {
    *sem.write() += 1;
    let r = sem.read();
    if *r > 0 {
        return *r;
    }
    unreachable_value()
}

fn unreachable_value() -> u64 {
    u64::MAX
}

/// Holds the write guard when `?` returns the error.
fn bump_then_fail(sem: &RwSem<u64>) -> Result {
    let mut w = sem.write();
    *w += 1;
    Err(EAGAIN)?;
    *w += 100;
    Ok(())
}

#[kunit_tests(rkm_guard)]
mod kunit {
    use super::*;

    /// Guards release on drop, on early return and on `?`.
    #[test]
    fn rwsem_releases_on_drop_return_and_question_mark() -> Result {
        let sem = KBox::pin_init(crate::new_rwsem!(0u64), GFP_KERNEL)?;
        assert_eq!(read_then_return_early(&sem), 1);
        assert!(sem.try_write().is_some());
        assert_eq!(bump_then_fail(&sem), Err(EAGAIN));
        assert!(sem.try_write().is_some());
        assert_eq!(sem.with_read(|v| *v), 2);
        sem.with_write(|v| *v += 1);
        assert_eq!(*sem.read(), 3);
        // Two read guards at once: readers share.
        let first = sem.read();
        let second = sem.try_read();
        assert!(second.is_some());
        assert!(sem.try_write().is_none());
        drop((first, second));
        assert!(sem.try_write().is_some());
        Ok(())
    }

    /// `try_read` and `try_write` give `None` while a writer holds the semaphore elsewhere,
    /// and `try_write` while a reader does.
    #[test]
    fn rwsem_try_fails_while_another_thread_holds() -> Result {
        let sem = Arc::pin_init(crate::new_rwsem!(0u64), GFP_KERNEL)?;
        let theirs = sem.clone();
        let both_failed = attempt_elsewhere(
            move || theirs.try_read().is_none() && theirs.try_write().is_none(),
            |inside| {
                let _w = sem.write();
                inside();
            },
        )?;
        assert!(both_failed);
        let theirs = sem.clone();
        let only_read = attempt_elsewhere(
            move || theirs.try_read().is_some() && theirs.try_write().is_none(),
            |inside| {
                let _r = sem.read();
                inside();
            },
        )?;
        assert!(only_read);
        assert!(sem.try_write().is_some());
        Ok(())
    }

    /// A conditional guard that fails returns `EINTR` and never runs the body.
    #[test]
    fn interruptible_and_killable_fail_with_eintr_on_a_pending_signal() -> Result {
        let mutex = Arc::pin_init(new_mutex!(0u32), GFP_KERNEL)?;
        let sem = Arc::pin_init(crate::new_rwsem!(0u32), GFP_KERNEL)?;
        let held_mutex = mutex.lock();
        let held_sem = sem.write();
        type Attempt = fn(&Mutex<u32>, &RwSem<u32>) -> i32;
        let cases: [(Signal, Attempt); 5] = [
            (Signal::Usr1, |m, _| {
                errno(m.lock_interruptible().map(|mut g| *g += 1))
            }),
            (Signal::Usr1, |_, s| {
                errno(s.read_interruptible().map(|_| ()))
            }),
            (Signal::Kill, |m, _| {
                errno(m.lock_killable().map(|mut g| *g += 1))
            }),
            (Signal::Kill, |_, s| errno(s.read_killable().map(|_| ()))),
            (Signal::Kill, |_, s| {
                errno(s.write_killable().map(|mut g| *g += 1))
            }),
        ];
        for (signal, attempt) in cases {
            let (m, s) = (mutex.clone(), sem.clone());
            let (thread, f) = signalled(signal, move || attempt(&m, &s))?;
            assert!(wait_sleeping(&f.done));
            drop(thread);
            assert_eq!(f.value.load(Relaxed), EINTR.to_errno());
        }
        // The bodies never ran.
        assert_eq!(*held_mutex, 0);
        assert_eq!(*held_sem, 0);
        Ok(())
    }

    /// A non-fatal signal does not interrupt a killable wait: it waits for the lock.
    #[test]
    fn killable_waits_through_a_plain_signal() -> Result {
        let mutex = Arc::pin_init(new_mutex!(0u32), GFP_KERNEL)?;
        let held = mutex.lock();
        let theirs = mutex.clone();
        let (thread, f) = signalled(Signal::Usr1, move || {
            errno(theirs.lock_killable().map(|mut g| *g += 1))
        })?;
        // SIGUSR1 pending, yet asleep killably in the mutex's wait. (Released before asserting,
        // so that a failure leaves no thread behind.)
        let blocked = wait_blocked(&thread, &f, bindings::TASK_KILLABLE);
        drop(held);
        assert!(blocked);
        assert!(wait_sleeping(&f.done));
        drop(thread);
        assert_eq!(f.value.load(Relaxed), 0);
        assert_eq!(*mutex.lock(), 1);
        Ok(())
    }

    /// After `downgrade`, a reader that waited behind the writer gets in, while a writer still
    /// waits until the read guard is dropped.
    #[test]
    fn downgrade_lets_readers_in_and_keeps_writers_out() -> Result {
        let sem = Arc::pin_init(crate::new_rwsem!(0u64), GFP_KERNEL)?;
        let mut w = sem.write();
        *w = 5;
        let theirs = sem.clone();
        let reader_flags = flags()?;
        let rf = reader_flags.clone();
        let reader = KThread::spawn(c"rkm_guard_rd", move |_| {
            rf.trying.store(true, Release);
            rf.value
                .store(i32::try_from(*theirs.read()).unwrap_or(-1), Relaxed);
            rf.done.store(true, Release);
        })?;
        // Queued behind the writer; downgraded before asserting, so that a failure leaves no
        // thread behind.
        let blocked = wait_blocked(&reader, &reader_flags, bindings::TASK_UNINTERRUPTIBLE);
        let r = w.downgrade();
        assert!(blocked);
        assert!(wait_sleeping(&reader_flags.done));
        drop(reader);
        assert_eq!(reader_flags.value.load(Relaxed), 5);

        let theirs = sem.clone();
        let writer_flags = flags()?;
        let wf = writer_flags.clone();
        let writer = KThread::spawn(c"rkm_guard_wr", move |_| {
            wf.trying.store(true, Release);
            *theirs.write() += 1;
            wf.done.store(true, Release);
        })?;
        // Queued behind the read guard the downgrade left.
        let blocked = wait_blocked(&writer, &writer_flags, bindings::TASK_UNINTERRUPTIBLE);
        let value = *r;
        drop(r);
        assert!(blocked);
        assert_eq!(value, 5);
        assert!(wait_sleeping(&writer_flags.done));
        drop(writer);
        assert_eq!(*sem.read(), 6);
        Ok(())
    }

    /// Two mutexes of one lockdep class, parent then child with subclass 1: lockdep accepts it
    /// (without the subclass it reports recursive locking, which would fail the run).
    #[test]
    fn lock_nested_takes_two_locks_of_one_class() -> Result {
        fn node() -> impl PinInit<Mutex<u32>> {
            new_mutex!(0, "rkm_guard_test_node")
        }
        let parent = KBox::pin_init(node(), GFP_KERNEL)?;
        let child = KBox::pin_init(node(), GFP_KERNEL)?;
        let mut p = parent.lock();
        let mut c = child.lock_nested::<1>();
        *p += 1;
        *c += 2;
        drop((c, p));
        assert!(child.try_lock().is_some());
        // One at a time: each guard is dropped at the end of its statement.
        let parent_value = *parent.lock_nested::<0>();
        assert_eq!(parent_value + *child.lock(), 3);
        Ok(())
    }

    /// A read overlapped by a write runs again and returns what the second, whole copy gave.
    #[test]
    fn seqlock_read_retries_after_an_overlapping_write() -> Result {
        let sl = KBox::pin_init(crate::new_seqlock!([0u64; 2]), GFP_KERNEL)?;
        let mut calls = 0;
        let seen = sl.read(|v| {
            calls += 1;
            if calls == 1 {
                sl.with_write(|w| *w = [7, 7]);
            }
            *v
        });
        assert_eq!(calls, 2);
        assert_eq!(seen, [7, 7]);
        calls = 0;
        assert_eq!(
            sl.read(|v| {
                calls += 1;
                v[0] + v[1]
            }),
            14
        );
        assert_eq!(calls, 1);
        let mut w = sl.write();
        w[0] = 1;
        drop(w);
        assert_eq!(sl.read(|v| *v), [1, 7]);
        Ok(())
    }

    /// `rwlock_t`: guards release, and the trylocks fail while another CPU holds the lock.
    #[test]
    fn rwlock_guards_and_trylocks() -> Result {
        let lock = Arc::pin_init(crate::new_rwlock!(0u32), GFP_KERNEL)?;
        lock.with_write(|v| *v = 3);
        assert_eq!(lock.with_read(|v| *v), 3);
        let theirs = lock.clone();
        let both_failed = attempt_elsewhere(
            move || theirs.try_read().is_none() && theirs.try_write().is_none(),
            |inside| {
                let _w = lock.write();
                inside();
            },
        )?;
        assert!(both_failed);
        let theirs = lock.clone();
        let only_read = attempt_elsewhere(
            move || theirs.try_read().is_some() && theirs.try_write().is_none(),
            |inside| {
                let _r = lock.read();
                inside();
            },
        )?;
        assert!(only_read);
        assert!(lock.try_write().is_some());
        Ok(())
    }

    /// `raw_spinlock_t`: preemption off while held, interrupts off with `lock_irqsave`, both
    /// restored on drop; the trylocks fail while another CPU holds it.
    #[test]
    fn raw_spinlock_context_and_trylocks() -> Result {
        let lock = Arc::pin_init(crate::new_raw_spinlock!(0u32), GFP_KERNEL)?;
        let before = preempt_count();
        {
            let mut g = lock.lock();
            *g += 1;
            assert!(preempt_count() > before);
        }
        assert_eq!(preempt_count(), before);
        assert!(!irqs_disabled());
        {
            let mut g = lock.lock_irqsave();
            *g += 1;
            assert!(irqs_disabled());
        }
        assert!(!irqs_disabled());
        assert_eq!(*lock.lock(), 2);
        let theirs = lock.clone();
        let all_failed = attempt_elsewhere(
            move || theirs.try_lock().is_none() && theirs.try_lock_irqsave().is_none(),
            |inside| {
                let _g = lock.lock();
                inside();
            },
        )?;
        assert!(all_failed);
        assert!(!irqs_disabled());
        assert!(lock.try_lock_irqsave().is_some());
        Ok(())
    }

    /// `spin_lock_bh`: bottom halves off while held; the trylock fails while another CPU
    /// holds it.
    #[test]
    fn spinlock_bh_disables_bottom_halves() -> Result {
        let lock = Arc::pin_init(crate::new_spinlock_bh!(0u32), GFP_KERNEL)?;
        assert!(!in_softirq());
        {
            let mut g = lock.lock();
            *g += 1;
            assert!(in_softirq());
        }
        assert!(!in_softirq());
        let theirs = lock.clone();
        let failed = attempt_elsewhere(
            move || theirs.try_lock().is_none(),
            |inside| {
                let _g = lock.lock();
                inside();
            },
        )?;
        assert!(failed);
        assert_eq!(*lock.try_lock().ok_or(EBUSY)?, 1);
        Ok(())
    }

    /// The context guards change the CPU's context and restore it on drop, nesting.
    #[test]
    fn context_guards_nest_and_restore() {
        let before = preempt_count();
        {
            let _outer = guard::preempt_disable();
            assert_eq!(preempt_count(), before + 1);
            {
                let _inner = guard::preempt_disable();
                assert_eq!(preempt_count(), before + 2);
            }
            assert_eq!(preempt_count(), before + 1);
        }
        assert_eq!(preempt_count(), before);

        assert!(!irqs_disabled());
        {
            let _outer = guard::local_irq_save();
            assert!(irqs_disabled());
            {
                let _inner = guard::local_irq_save();
                assert!(irqs_disabled());
            }
            // The inner guard restores "disabled", as it found it.
            assert!(irqs_disabled());
        }
        assert!(!irqs_disabled());

        let pinned = migration_disabled();
        {
            let _migrate = guard::migrate_disable();
            assert_eq!(migration_disabled(), pinned + 1);
        }
        assert_eq!(migration_disabled(), pinned);
    }

    /// The mutex extensions return the kernel crate's guard, released on drop and on `?`.
    #[test]
    fn mutex_extensions_release_on_drop_and_question_mark() -> Result {
        fn bump(m: &Mutex<u32>) -> Result {
            let mut g = m.lock_interruptible()?;
            *g += 1;
            Err(EAGAIN)?;
            Ok(())
        }
        let m = KBox::pin_init(new_mutex!(0u32), GFP_KERNEL)?;
        assert_eq!(bump(&m), Err(EAGAIN));
        assert!(m.try_lock().is_some());
        *m.lock_killable()? += 1;
        assert!(m.try_lock().is_some());
        assert_eq!(*m.lock(), 2);
        Ok(())
    }

    /// `guard::Mutex` excludes like the kernel crate's, takes the same extensions, and its guard
    /// releases on drop.
    #[test]
    fn guard_mutex_excludes_and_takes_the_extensions() -> Result {
        let m = KBox::pin_init(crate::new_guard_mutex!(0u32), GFP_KERNEL)?;
        {
            let mut held = m.lock();
            *held += 1;
            assert!(m.try_lock().is_none());
        }
        *m.lock_interruptible()? += 1;
        *m.lock_killable()? += 1;
        *m.lock_nested::<1>() += 1;
        assert_eq!(*m.try_lock().ok_or(EBUSY)?, 4);
        Ok(())
    }
}
