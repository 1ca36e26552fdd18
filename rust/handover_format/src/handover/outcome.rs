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
    /// The previous kernel handed nothing over under this name: a fresh
    /// start.
    Absent,
    /// The state was taken over.
    Restored {
        /// Generation of the kernel that handed the state over.
        generation: u64,
        /// Records taken over, blobs included.
        records: u32,
        /// Blobs among them.
        blobs: u32,
        /// Bytes of blob memory adopted in place.
        blob_bytes: u64,
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
    /// One word for the outcome, the start of its status line.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Volatile => "volatile",
            Self::Absent => "none",
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
            Self::Absent => f.write_str("no handover found, fresh start"),
            Self::Restored {
                generation,
                records,
                blobs,
                blob_bytes,
            } => write!(
                f,
                "from generation {generation}, {records} records, {blobs} blobs, \
                 {blob_bytes} blob bytes adopted"
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
