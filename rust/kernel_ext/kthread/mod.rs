// SPDX-License-Identifier: GPL-2.0

//! Kernel threads running a Rust closure: `kthread_create()`, `kthread_bind()` and
//! `kthread_stop()` of `include/linux/kthread.h`.
//!
//! The kernel crate runs work on workqueues and in threaded interrupt handlers, but has no
//! kthread API. [`KThread::spawn`] starts a thread running a closure, like locktorture's
//! `kthread_run()`; dropping the handle stops the thread (`kthread_stop()`) and waits for it, so
//! no thread outlives what its owner lends it. The closure gets a [`Current`]: what only the
//! thread itself may do, such as seeing that it is asked to stop, lowering its priority, or
//! raising a signal on itself to test how a wait reacts to it.
//!
//! ```ignore
//! let worker = KThread::spawn(c"my_worker", move |me| {
//!     me.set_nice(kthread::MAX_NICE);
//!     while !me.should_stop() {
//!         work();
//!     }
//! })?;
//! // The thread stops, and is waited for, here.
//! drop(worker);
//! ```

use super::kthread_ffi as ffi;
use core::{
    cell::UnsafeCell,
    ffi::c_void,
    ptr::NonNull, //
};
use kernel::{
    bindings,
    cpu::CpuId,
    error::from_err_ptr,
    ffi::{
        c_int,
        c_long, //
    },
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    task::Task,
    types::NotThreadSafe, //
};

/// The highest nice value, the lowest priority: locktorture's threads run at it, so that a
/// workload does not starve the system.
pub const MAX_NICE: i32 = bindings::MAX_NICE as i32;

/// What a thread runs, and where it is kept until the thread is gone.
struct Start<F> {
    // Taken by the thread when it starts; left in place if it was stopped before it started.
    body: UnsafeCell<Option<F>>,
}

/// A kernel thread running a closure. Dropping the handle stops the thread (`kthread_stop()`)
/// and waits for it.
///
/// The closure should return soon after [`Current::should_stop`] turns true; it may also return
/// earlier, and the handle still stops and reaps the thread. Dropping the handle in its own
/// thread never returns, as `kthread_stop()` on oneself does not.
///
/// # Invariants
///
/// - `task` is a kernel thread created by [`KThread::spawn`], with a reference held by the
///   handle, and not yet stopped.
/// - `start` is the `Start<F>` handed to it, freed by `free_start` once the thread is gone.
pub struct KThread {
    task: NonNull<bindings::task_struct>,
    start: *mut c_void,
    free_start: unsafe fn(*mut c_void),
}

// SAFETY: The handle only stops the thread and frees its closure once it is gone; both may
// happen on any thread. The closure itself is `Send`.
unsafe impl Send for KThread {}

// SAFETY: `&KThread` only reads the thread's scheduler state, with an atomic load.
unsafe impl Sync for KThread {}

/// The thread function: runs the closure of a `Start<F>`.
///
/// # Safety
///
/// `data` is the `Start<F>` of a thread made by [`KThread::spawn`], alive until the thread is
/// gone, and this is that thread.
unsafe extern "C" fn run<F: FnOnce(&Current) + Send + 'static>(data: *mut c_void) -> c_int {
    let start = data.cast::<Start<F>>();
    // SAFETY: By the function's requirement `start` is alive (it is freed only after
    // `kthread_stop()` returned, after this function); the thread alone touches `body`.
    let body = unsafe { (*(*start).body.get()).take() };
    if let Some(body) = body {
        // INVARIANT: By the function's requirement this is a thread made by `KThread::spawn`;
        // the closure only borrows the token, which is not `Send`.
        body(&Current(NotThreadSafe));
    }
    0
}

/// # Safety
///
/// `start` came from `KBox::<Start<F>>::into_raw` and its thread is gone.
unsafe fn free_start<F>(start: *mut c_void) {
    // SAFETY: Guaranteed by the caller.
    drop(unsafe { KBox::from_raw(start.cast::<Start<F>>()) });
}

impl KThread {
    /// Creates a kernel thread named `name` running `body`, and wakes it.
    pub fn spawn<F: FnOnce(&Current) + Send + 'static>(name: &CStr, body: F) -> Result<Self> {
        Self::start(name, None, body)
    }

    /// Like [`KThread::spawn`], with the thread bound to CPU `cpu` (`kthread_bind()`). If `cpu`
    /// is offline, the scheduler runs the thread elsewhere and says so in the log.
    pub fn spawn_on<F: FnOnce(&Current) + Send + 'static>(
        name: &CStr,
        cpu: CpuId,
        body: F,
    ) -> Result<Self> {
        Self::start(name, Some(cpu), body)
    }

    fn start<F: FnOnce(&Current) + Send + 'static>(
        name: &CStr,
        cpu: Option<CpuId>,
        body: F,
    ) -> Result<Self> {
        let start = KBox::into_raw(KBox::new(
            Start {
                body: UnsafeCell::new(Some(body)),
            },
            GFP_KERNEL,
        )?);
        // SAFETY: `run::<F>` matches the thread function signature and takes `start` as a
        // `Start<F>`, which lives until the thread is gone (the handle frees it after
        // `kthread_stop()`); the format "%s" consumes `name`, a NUL-terminated string.
        let task = unsafe {
            bindings::kthread_create_on_node(
                Some(run::<F>),
                start.cast(),
                bindings::NUMA_NO_NODE,
                c"%s".as_char_ptr(),
                name.as_char_ptr(),
            )
        };
        // `kthread_create_on_node()` returns a task or an error pointer, never NULL.
        let task = match from_err_ptr(task).and_then(|task| NonNull::new(task).ok_or(ENOMEM)) {
            Ok(task) => task,
            Err(e) => {
                // SAFETY: The thread was not created; `start` came from `into_raw` above.
                unsafe { free_start::<F>(start.cast()) };
                return Err(e);
            }
        };
        if let Some(cpu) = cpu {
            // SAFETY: `task` is a new kthread that has not been woken yet; `cpu` is below
            // `nr_cpu_ids` by the invariant of `CpuId`.
            unsafe { bindings::kthread_bind(task.as_ptr(), cpu.as_u32()) };
        }
        // SAFETY: `task` is valid; the reference keeps it valid for `kthread_stop_put()` even
        // if the closure returns early.
        unsafe { bindings::get_task_struct(task.as_ptr()) };
        // SAFETY: `task` is valid; waking a new kthread starts it.
        unsafe { bindings::wake_up_process(task.as_ptr()) };
        // INVARIANT: A started kthread, a reference to it, and its `Start<F>`.
        Ok(Self {
            task,
            start: start.cast(),
            free_start: free_start::<F>,
        })
    }

    /// The thread's scheduler state, as `READ_ONCE(task->__state)` reads it: `TASK_RUNNING`, or
    /// what it sleeps in (`TASK_UNINTERRUPTIBLE`, `TASK_KILLABLE`, ...). The thread may change it
    /// at once; a caller learns what it is waiting for from what else it knows of the thread.
    pub fn state(&self) -> u32 {
        // SAFETY: By the type invariant the handle's reference keeps `task` valid, and the
        // scheduler writes `__state` only with marked (`WRITE_ONCE()`-like) accesses.
        let state = unsafe { Atomic::from_ptr(&raw mut (*self.task.as_ptr()).__state) };
        state.load(Relaxed)
    }
}

impl Drop for KThread {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `task` is a kthread not yet stopped, with a reference
        // owned by the handle, which `kthread_stop_put()` drops.
        unsafe { bindings::kthread_stop_put(self.task.as_ptr()) };
        // SAFETY: The thread is gone; `start` matches `free_start` by the type invariant.
        unsafe { (self.free_start)(self.start) };
    }
}

/// A signal a kernel thread raises on itself with [`Current::raise`].
#[derive(Clone, Copy)]
pub enum Signal {
    /// `SIGUSR1`, which is not fatal: it ends interruptible waits only.
    Usr1,
    /// `SIGKILL`, which is fatal: it ends killable waits too.
    Kill,
}

/// The kernel thread running a [`KThread`]'s closure, which gets it by reference: what a thread
/// may do only to itself.
///
/// # Invariants
///
/// The current task is a kernel thread made by [`KThread::spawn`], in its closure: the token
/// is made only there, is not `Send`, and the closure only borrows it.
pub struct Current(NotThreadSafe);

impl Current {
    /// Whether the thread's [`KThread`] is being dropped (`kthread_should_stop()`): the closure
    /// should return soon.
    pub fn should_stop(&self) -> bool {
        // SAFETY: By the type invariant the current task is a thread of `kthread_create()`.
        unsafe { bindings::kthread_should_stop() }
    }

    /// Sets the thread's nice value (`set_user_nice()`), up to [`MAX_NICE`]; a value out of
    /// range is ignored, as in C.
    pub fn set_nice(&self, nice: i32) {
        // A C `long` holds every `int`.
        let nice = nice as c_long;
        // SAFETY: `current` is the running task, valid while it runs; `set_user_nice()` checks
        // the range.
        unsafe { bindings::set_user_nice(Task::current_raw(), nice) };
    }

    /// Makes `signal` pending on this thread, as if another task had sent it. A kernel thread
    /// ignores signals it did not allow: `SIGUSR1` is allowed first (`allow_signal()`);
    /// `SIGKILL` is forced (`force_sig()`).
    pub fn raise(&self, signal: Signal) {
        match signal {
            Signal::Usr1 => {
                // SAFETY: `SIGUSR1` is a valid signal; by the type invariant the handler it
                // sets is this kernel thread's own (kthreads do not share their handlers).
                unsafe { ffi::kthread_shim_allow_signal(bindings::SIGUSR1 as c_int) };
                // SAFETY: `SIGUSR1` is a valid signal; `current` is the running task.
                unsafe { bindings::send_sig(bindings::SIGUSR1 as c_int, Task::current_raw(), 0) };
            }
            // SAFETY: `SIGKILL` is a valid signal, sent to the running task.
            Signal::Kill => unsafe { bindings::force_sig(bindings::SIGKILL as c_int) },
        }
    }

    /// Drops the signals pending on this thread (`flush_signals()`).
    pub fn flush_signals(&self) {
        // SAFETY: `current` is the running task, valid while it runs.
        unsafe { bindings::flush_signals(Task::current_raw()) };
    }
}

/// An online CPU other than the one this code runs on, to bind a second thread to with
/// [`KThread::spawn_on`]; `None` when no other CPU is online. Unless migration is disabled
/// (`migrate_disable()`), the caller may already run on the CPU returned.
pub fn other_online_cpu() -> Option<CpuId> {
    // SAFETY: Reads the online mask and this CPU's number; no precondition.
    CpuId::from_i32(unsafe { ffi::kthread_shim_other_online_cpu() })
}
