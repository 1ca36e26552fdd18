// SPDX-License-Identifier: GPL-2.0

//! What became of the state a module looked for at load: the line its
//! status shows and the one line it logs.

use core::fmt;

use super::error::Error;

/// The result of looking for a module's handover at load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// KHO is disabled (no `kho=on`): nothing can be handed over, in either
    /// direction; the module keeps its state in memory only.
    Volatile,
    /// Not a KHO boot (a cold boot, or a kexec without KHO): nothing was
    /// handed over to this kernel at all; a fresh start.
    Absent,
    /// A KHO boot, but the previous kernel handed nothing over under this
    /// name: it never loaded the module, or unloaded it before kexec, so
    /// whatever state an earlier kernel had is lost; a fresh start.
    Missing,
    /// The state was taken over.
    Restored {
        /// Generation of the kernel that handed the state over.
        generation: u64,
        /// Records taken over, blobs included.
        records: u32,
        /// Blobs among them.
        blobs: u32,
        /// Bytes of blob memory taken over.
        blob_bytes: u64,
        /// Whether the blobs were copied into new memory (the benchmark's
        /// baseline) rather than adopted in place.
        copied: bool,
    },
    /// The payload was refused (unknown ABI, corruption) but the envelope
    /// was intact, so the memory it lists was reclaimed.
    Refused {
        /// Why the payload was refused.
        error: Error,
        /// Bytes of preserved memory freed.
        reclaimed: u64,
    },
    /// The envelope was damaged: nothing was trusted, and the memory it
    /// preserves stays reserved until the next boot.
    Corrupt {
        /// What was wrong with it.
        error: Error,
    },
    /// The handover was taken over earlier in this kernel, by a module
    /// instance since unloaded: there is nothing left to take.
    TakenOver,
    /// Taking over failed in the kernel (an errno); what could be reclaimed
    /// was.
    Failed {
        /// The kernel error, negative.
        errno: i32,
        /// Bytes of preserved memory freed.
        reclaimed: u64,
    },
}

impl Outcome {
    /// What finding no handover under a name means, in a KHO boot or not.
    pub fn nothing_found(kho_boot: bool) -> Self {
        if kho_boot {
            Self::Missing
        } else {
            Self::Absent
        }
    }

    /// One word for the outcome, the start of its status line.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Volatile => "volatile",
            Self::Absent => "none",
            Self::Missing => "missing",
            Self::Restored { .. } => "restored",
            Self::Refused { .. } => "refused",
            Self::Corrupt { .. } => "corrupt",
            Self::TakenOver => "taken",
            Self::Failed { .. } => "failed",
        }
    }
}

/// `<word>: <details>`, e.g. `refused: unsupported payload ABI 2.0;
/// reclaimed 65536 bytes`.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.word())?;
        match self {
            Self::Volatile => {
                f.write_str("KHO disabled (boot with kho=on), state kept in memory only")
            }
            Self::Absent => f.write_str("not a KHO boot, nothing handed over; fresh start"),
            Self::Missing => f.write_str(
                "KHO boot, but nothing handed over under this name (module not loaded \
                 in the previous kernel, or unloaded before kexec); fresh start",
            ),
            Self::Restored {
                generation,
                records,
                blobs,
                blob_bytes,
                copied,
            } => write!(
                f,
                "from generation {generation}, {records} records, {blobs} blobs, \
                 {blob_bytes} blob bytes {}",
                if *copied { "copied" } else { "adopted" }
            ),
            Self::Refused { error, reclaimed } => {
                write!(f, "{error}; reclaimed {reclaimed} bytes")
            }
            Self::Corrupt { error } => write!(
                f,
                "{error}; nothing trusted, its memory stays reserved until reboot"
            ),
            Self::TakenOver => f.write_str("taken over earlier in this kernel"),
            Self::Failed { errno, reclaimed } => {
                write!(f, "error {errno}; reclaimed {reclaimed} bytes")
            }
        }
    }
}
