// SPDX-License-Identifier: GPL-2.0

//! The two sleeps of `include/linux/delay.h` that `kernel::time::delay` lacks.
//!
//! The kernel crate has [`fsleep`](kernel::time::delay::fsleep), which picks a mechanism by the
//! length of the sleep: an hrtimer below four jiffies, the timer wheel above. Code that must sleep
//! the way given C code sleeps needs the mechanism itself:
//!
//! - [`msleep`]: the timer wheel, in whole jiffies, as most of the kernel's waits (and so their
//!   rounding: `msleep(100)` at `HZ=1000` may end a wheel step late).
//! - [`usleep_range`]: an hrtimer that may fire anywhere in a range, so that a sleep ends when
//!   asked and no later than the range allows.
//!
//! Both may sleep, so they must not be called in atomic context, as `fsleep` must not.

use kernel::{
    bindings,
    ffi::{
        c_uint,
        c_ulong, //
    },
    time::Delta, //
};

/// Sleeps at least `delta`, rounded up to whole milliseconds, on the timer wheel: C's `msleep()`.
///
/// A negative `delta` does not sleep; one beyond `u32::MAX` milliseconds sleeps that long.
pub fn msleep(delta: Delta) {
    let ms = c_uint::try_from(delta.as_millis_ceil().max(0)).unwrap_or(c_uint::MAX);
    // SAFETY: `msleep()` takes any number of milliseconds and has no other requirement.
    unsafe { bindings::msleep(ms) };
}

/// Sleeps at least `min` and at most about `max` on an hrtimer, uninterruptibly: C's
/// `usleep_range()`.
///
/// The timer may fire anywhere between the two, so that it can share a wakeup with another.
/// Both are rounded up to whole microseconds; a negative time counts as 0, and a `max` below
/// `min` as `min`.
pub fn usleep_range(min: Delta, max: Delta) {
    let micros =
        |delta: Delta| c_ulong::try_from(delta.as_micros_ceil().max(0)).unwrap_or(c_ulong::MAX);
    let (min, max) = (micros(min), micros(max));
    // SAFETY: `usleep_range_state()` takes any range with `min <= max`, which `max()` makes, and
    // `TASK_UNINTERRUPTIBLE` is a task state it may sleep in.
    unsafe { bindings::usleep_range_state(min, max.max(min), bindings::TASK_UNINTERRUPTIBLE) };
}
