// SPDX-License-Identifier: GPL-2.0

//! Negative tests: lock misuse that lockdep and the atomic-sleep check must catch in the Rust
//! guards, proving that they are visible to the kernel's checkers under their own names.
//!
//! Reachable only when the module is loaded with `negative_tests=1`, through the debugfs file
//! `negative`; each needs a boot of its own, because lockdep turns itself off after its first
//! report (selftests/rkm_guard/boot-abba.conf and boot-sleep-in-atomic.conf).

use crate::guard::{
    RawSpinLock,
    RwSem, //
};
use kernel::{
    prelude::*,
    uaccess::UserSliceReader, //
};

/// Takes two write guards in the order A, B and then B, A: lockdep reports a possible circular
/// locking dependency between `rkm_guard_abba_a` and `rkm_guard_abba_b`. Never deadlocks: one
/// task takes both orders one after the other.
fn abba() -> Result {
    let a = KBox::pin_init(crate::new_rwsem!((), "rkm_guard_abba_a"), GFP_KERNEL)?;
    let b = KBox::pin_init(crate::new_rwsem!((), "rkm_guard_abba_b"), GFP_KERNEL)?;
    take_in_order(&a, &b);
    take_in_order(&b, &a);
    Ok(())
}

fn take_in_order(first: &RwSem<()>, second: &RwSem<()>) {
    let _first = first.write();
    let _second = second.write();
}

/// Takes a sleeping lock inside a raw spinlock guard: the atomic-sleep check reports "BUG:
/// sleeping function called from invalid context" (and lockdep an invalid wait context). The
/// semaphore is free, so nothing actually sleeps.
fn sleep_in_atomic() -> Result {
    let spin: Pin<KBox<RawSpinLock<()>>> = KBox::pin_init(
        crate::new_raw_spinlock!((), "rkm_guard_atomic_spin"),
        GFP_KERNEL,
    )?;
    let sem = KBox::pin_init(crate::new_rwsem!((), "rkm_guard_atomic_sem"), GFP_KERNEL)?;
    let _spin = spin.lock();
    let _sem = sem.write();
    Ok(())
}

/// `negative`: `abba` or `sleep_in_atomic` runs that test; anything else is `EINVAL`.
pub(crate) fn write_negative(_: &(), reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 16];
    match crate::read_line(reader, &mut buf)?.trim_ascii_end() {
        b"abba" => abba(),
        b"sleep_in_atomic" => sleep_in_atomic(),
        _ => Err(EINVAL),
    }
}
