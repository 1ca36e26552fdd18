// SPDX-License-Identifier: GPL-2.0

//! Kernel threads running a Rust closure; the kernel crate has no kthread API yet.

use core::{
    cell::UnsafeCell,
    ffi::c_void,
    ptr::NonNull, //
};
use kernel::{
    bindings,
    error::from_err_ptr,
    ffi::c_int,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    }, //
};

/// What a thread runs, and where it is kept until the thread is gone.
struct Start<F> {
    // Taken by the thread when it starts; left in place if it was stopped before it started.
    body: UnsafeCell<Option<F>>,
}

/// A kernel thread running a closure. Dropping the handle stops the thread (`kthread_stop()`)
/// and waits for it.
///
/// The closure should return soon after [`should_stop`] turns true; it may also return
/// earlier, and the handle still stops and reaps the thread.
///
/// # Invariants
///
/// - `task` is a kernel thread created by [`KThread::spawn`], with a reference held by the
///   handle, and not yet stopped.
/// - `start` is the `Start<F>` handed to it, freed by `free_start` once the thread is gone.
pub(crate) struct KThread {
    task: NonNull<bindings::task_struct>,
    start: *mut c_void,
    free_start: unsafe fn(*mut c_void),
}

// SAFETY: The handle only stops the thread and frees its closure once it is gone; both may
// happen on any thread. The closure itself is `Send`.
unsafe impl Send for KThread {}

// SAFETY: `&KThread` allows nothing.
unsafe impl Sync for KThread {}

/// The thread function: runs the closure of a `Start<F>`.
///
/// # Safety
///
/// `data` is the `Start<F>` of a thread made by [`KThread::spawn`], alive until the thread is
/// gone.
unsafe extern "C" fn run<F: FnOnce() + Send + 'static>(data: *mut c_void) -> c_int {
    let start = data.cast::<Start<F>>();
    // SAFETY: By the function's requirement `start` is alive (it is freed only after
    // `kthread_stop()` returned, after this function); the thread alone touches `body`.
    let body = unsafe { (*(*start).body.get()).take() };
    if let Some(body) = body {
        body();
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
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &CStr, body: F) -> Result<Self> {
        Self::start(name, None, body)
    }

    /// Like [`KThread::spawn`], with the thread bound to CPU `cpu`, which must be online.
    pub(crate) fn spawn_on<F: FnOnce() + Send + 'static>(
        name: &CStr,
        cpu: u32,
        body: F,
    ) -> Result<Self> {
        Self::start(name, Some(cpu), body)
    }

    fn start<F: FnOnce() + Send + 'static>(name: &CStr, cpu: Option<u32>, body: F) -> Result<Self> {
        let start = KBox::into_raw(KBox::new(
            Start {
                body: UnsafeCell::new(Some(body)),
            },
            GFP_KERNEL,
        )?);
        // SAFETY: `run::<F>` matches the thread function signature and takes `start` as a
        // `Start<F>`; the format "%s" consumes `name`, a NUL-terminated string.
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
            // SAFETY: `task` is a new kthread that has not been woken yet.
            unsafe { bindings::kthread_bind(task.as_ptr(), cpu) };
        }
        // SAFETY: `task` is valid; the reference keeps it valid for `kthread_stop_put()` even
        // if the closure returns early.
        unsafe { bindings::get_task_struct(task.as_ptr()) };
        // SAFETY: `task` is valid; waking a new kthread starts it.
        unsafe { bindings::wake_up_process(task.as_ptr()) };
        // INVARIANT: a started kthread, a reference to it, and its `Start<F>`.
        Ok(Self {
            task,
            start: start.cast(),
            free_start: free_start::<F>,
        })
    }
}

impl KThread {
    /// The thread's scheduler state, as `READ_ONCE(task->__state)` reads it: `TASK_RUNNING`, or
    /// what it sleeps in (`TASK_UNINTERRUPTIBLE`, `TASK_KILLABLE`, ...). The thread may change it
    /// at once; a caller learns what it is waiting for from what else it knows of the thread.
    /// Only the KUnit tests watch a thread this way.
    #[cfg(CONFIG_KUNIT)]
    pub(crate) fn state(&self) -> u32 {
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

/// Whether the current task is a kernel thread that has been asked to stop (its handle was
/// dropped). Always false in a user task.
pub(crate) fn should_stop() -> bool {
    let current = kernel::task::Task::current_raw();
    // SAFETY: `current` is the running task, valid while it runs.
    let kthread = unsafe { (*current).flags } & bindings::PF_KTHREAD != 0;
    // SAFETY: `kthread_should_stop()` may be called from any kernel thread.
    kthread && unsafe { bindings::kthread_should_stop() }
}
