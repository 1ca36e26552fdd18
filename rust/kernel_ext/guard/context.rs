// SPDX-License-Identifier: GPL-2.0

//! Context guards: `guard(preempt)`, `guard(migrate)` and `guard(irqsave)` of cleanup.h.
//!
//! Each function changes the CPU context and returns a guard that changes it back when dropped.
//! The guards are not `Send`: the context belongs to the CPU and task that entered it. The
//! context they change can be read back, to check it: [`preempt_count`], [`irqs_disabled`],
//! [`in_softirq`] and [`migration_disabled`].

use super::ffi;
use kernel::{
    bindings,
    ffi::{
        c_int,
        c_ushort, //
    },
    task::Task,
    types::NotThreadSafe, //
};

/// Preemption is disabled while this guard exists; from [`preempt_disable`].
///
/// # Invariants
///
/// `preempt_disable()` was called when the guard was created; its `preempt_enable()` is due.
#[must_use = "preemption is enabled again at once when the guard is unused"]
pub struct PreemptGuard(NotThreadSafe);

/// Disables preemption until the returned guard is dropped (`guard(preempt)()` in C).
///
/// ```ignore
/// let _preempt = preempt_disable();
/// // No other task runs on this CPU until the end of the scope.
/// ```
#[inline]
pub fn preempt_disable() -> PreemptGuard {
    // SAFETY: Disabling preemption has no precondition; the guard re-enables it.
    unsafe { ffi::guard_shim_preempt_disable() };
    // INVARIANT: Preemption was just disabled.
    PreemptGuard(NotThreadSafe)
}

impl Drop for PreemptGuard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this balances the `preempt_disable()` of `new`.
        unsafe { ffi::guard_shim_preempt_enable() };
    }
}

/// The task stays on its CPU while this guard exists; from [`migrate_disable`].
///
/// # Invariants
///
/// `migrate_disable()` was called when the guard was created; its `migrate_enable()` is due.
#[must_use = "migration is enabled again at once when the guard is unused"]
pub struct MigrateGuard(NotThreadSafe);

/// Pins the current task to its CPU, staying preemptible, until the returned guard is dropped
/// (`guard(migrate)()` in C).
#[inline]
pub fn migrate_disable() -> MigrateGuard {
    // SAFETY: `migrate_disable()` has no precondition; the guard balances it.
    unsafe { bindings::migrate_disable() };
    // INVARIANT: Migration was just disabled.
    MigrateGuard(NotThreadSafe)
}

impl Drop for MigrateGuard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant this balances the `migrate_disable()` of `new`, on the
        // same task (the guard is not `Send`).
        unsafe { bindings::migrate_enable() };
    }
}

/// Local interrupts are disabled while this guard exists; from [`local_irq_save`].
///
/// # Invariants
///
/// `flags` is what `local_irq_save()` returned when the guard was created, on this CPU.
#[must_use = "interrupts are restored at once when the guard is unused"]
pub struct IrqSaveGuard {
    flags: kernel::ffi::c_ulong,
    _not_send: NotThreadSafe,
}

/// Disables local interrupts, remembering whether they were enabled, until the returned guard
/// is dropped (`guard(irqsave)()` in C). Nests: the innermost guard restores what it found.
#[inline]
pub fn local_irq_save() -> IrqSaveGuard {
    // SAFETY: Saving and disabling the interrupt state has no precondition.
    let flags = unsafe { ffi::guard_shim_local_irq_save() };
    // INVARIANT: `flags` was just returned by `local_irq_save()`.
    IrqSaveGuard {
        flags,
        _not_send: NotThreadSafe,
    }
}

impl Drop for IrqSaveGuard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant `flags` came from `local_irq_save()` on this CPU (the
        // guard is not `Send`), and guards drop in the reverse order of creation.
        unsafe { ffi::guard_shim_local_irq_restore(self.flags) };
    }
}

/// This CPU's preemption count (`preempt_count()`): how many sections that disable preemption
/// ([`preempt_disable`], a spinlock, ...) it is in, with the softirq and hardirq nesting in the
/// bits above.
#[inline]
pub fn preempt_count() -> c_int {
    // SAFETY: Reads this CPU's count; no precondition.
    unsafe { ffi::guard_shim_preempt_count() }
}

/// Whether interrupts are disabled on this CPU (`irqs_disabled()`), as under [`local_irq_save`].
#[inline]
pub fn irqs_disabled() -> bool {
    // SAFETY: Reads this CPU's interrupt state; no precondition.
    unsafe { ffi::guard_shim_irqs_disabled() }
}

/// Whether this CPU has bottom halves disabled or is serving one (`in_softirq()`), as under
/// the guard of a [`SpinLockBh`](super::SpinLockBh).
#[inline]
pub fn in_softirq() -> bool {
    // SAFETY: Reads this CPU's preemption count; no precondition.
    unsafe { ffi::guard_shim_in_softirq() }
}

/// How many [`migrate_disable`] sections the current task is in (`current->migration_disabled`).
#[inline]
pub fn migration_disabled() -> c_ushort {
    // SAFETY: `current` is the running task, valid while it runs; only the task itself writes its
    // `migration_disabled` (`migrate_disable()` and `migrate_enable()` act on `current`), so this
    // read races with no write.
    unsafe { (*Task::current_raw()).migration_disabled }
}
