// SPDX-License-Identifier: GPL-2.0

//! The lock kinds of the torture workload.

/// A lock the torture workload can exercise, named as users write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockKind {
    /// `struct mutex`: the kernel crate's `Mutex` with the library's interruptible, killable
    /// and try variants.
    Mutex,
    /// `spinlock_t`: the kernel crate's `SpinLock`.
    Spinlock,
    /// `raw_spinlock_t`, plain and irqsave.
    RawSpinlock,
    /// `spinlock_t` taken with bottom halves disabled.
    SpinlockBh,
    /// `rwlock_t`: shared readers, exclusive writers, both spinning.
    Rwlock,
    /// `struct rw_semaphore`: shared readers, exclusive writers, both sleeping.
    Rwsem,
    /// `seqlock_t`: exclusive writers, lockless readers that retry.
    Seqlock,
}

impl LockKind {
    /// Every kind, in the order the demo and the documentation list them.
    pub const ALL: [LockKind; 7] = [
        LockKind::Mutex,
        LockKind::Spinlock,
        LockKind::RawSpinlock,
        LockKind::SpinlockBh,
        LockKind::Rwlock,
        LockKind::Rwsem,
        LockKind::Seqlock,
    ];

    /// The name users write (`kind=<name>`).
    pub fn name(self) -> &'static str {
        match self {
            LockKind::Mutex => "mutex",
            LockKind::Spinlock => "spinlock",
            LockKind::RawSpinlock => "raw_spinlock",
            LockKind::SpinlockBh => "spinlock_bh",
            LockKind::Rwlock => "rwlock",
            LockKind::Rwsem => "rwsem",
            LockKind::Seqlock => "seqlock",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().as_bytes() == name)
    }

    /// Whether the lock has a read side, so that reader threads make sense.
    pub fn has_read_side(self) -> bool {
        matches!(self, LockKind::Rwlock | LockKind::Rwsem | LockKind::Seqlock)
    }
}
