// SPDX-License-Identifier: GPL-2.0

//! What `/dev/rkm_handover` and debugfs share: the store, its handover
//! registration and what was found at load.

use kernel::{
    prelude::*,
    sync::Arc,
    time::{
        Instant,
        Monotonic, //
    }, //
};

use crate::{
    handover::{
        self,
        format::{
            Fault,
            Generation,
            Outcome, //
        },
        Registration, //
    },
    records::Store,
    store::{
        uapi::Restore,
        Kho,
        Report, //
    }, //
};

/// Name of the store's KHO subtree.
const SUBTREE: &CStr = c"rkm_handover";

/// The store, its registration and what was found at load.
#[pin_data]
pub(crate) struct Shared {
    #[pin]
    registration: Registration<Store>,
    outcome: Outcome,
    /// Time the look for a handover took at load.
    restore_ns: u64,
    kho: Kho,
}

/// The `restore` code of the status report for `outcome`.
fn restore_code(outcome: &Outcome) -> Restore {
    match outcome {
        Outcome::Volatile => Restore::Volatile,
        // STATUS tells the two apart by `FLAG_KHO_BOOT`.
        Outcome::Absent | Outcome::Missing => Restore::None,
        Outcome::Restored { .. } => Restore::Restored,
        Outcome::Refused { .. } => Restore::Refused,
        Outcome::Corrupt { .. } => Restore::Corrupt,
        Outcome::TakenOver => Restore::Taken,
        Outcome::Failed { .. } => Restore::Failed,
    }
}

impl Shared {
    /// Takes over the previous kernel's state, if any, logs what became
    /// of it, and registers the store to be handed over in turn.
    pub(crate) fn load() -> Result<Arc<Self>> {
        let kho = Kho {
            enabled: handover::kho_enabled(),
            boot: handover::kho_boot(),
        };
        let started = Instant::<Monotonic>::now();
        let restored = handover::retrieve(SUBTREE);
        let restore_ns = handover::nanos_since(started);
        let (generation, entries, outcome) = match restored {
            Ok(restored) => {
                let outcome = restored.outcome();
                let generation = restored.generation.next().map_err(|_| EOVERFLOW)?;
                (generation, restored.entries, outcome)
            }
            Err(outcome) => (Generation::FIRST, KVVec::new(), outcome),
        };
        match outcome {
            Outcome::Refused { .. } | Outcome::Corrupt { .. } | Outcome::Failed { .. } => {
                pr_warn!("restore {}\n", format_args!("{outcome}"))
            }
            // State an earlier kernel had may have been lost on the way.
            Outcome::Missing => pr_notice!("restore {}\n", format_args!("{outcome}")),
            _ => pr_info!("restore {}\n", format_args!("{outcome}")),
        }
        Arc::pin_init(
            try_pin_init!(Self {
                registration <- Registration::new(SUBTREE, generation, Store::new(entries)),
                outcome,
                restore_ns,
                kho,
            }),
            GFP_KERNEL,
        )
    }

    /// Returns the store.
    pub(crate) fn store(&self) -> &Store {
        self.registration.producer()
    }

    /// Hands the store over now, as it would be at kexec (`PREPARE`).
    pub(crate) fn prepare(&self) -> Result {
        self.registration.publish()?;
        Ok(())
    }

    /// Damages every handover of the store from now on by `fault`, or by
    /// nothing (debugfs `fault`).
    pub(crate) fn inject(&self, fault: Option<Fault>) {
        self.registration.inject(fault);
    }

    /// Returns the status report: what `STATUS` and the debugfs file
    /// `status` show.
    pub(crate) fn report(&self) -> Report<&Outcome, &'static str> {
        let reclaimed = match self.outcome {
            Outcome::Refused { reclaimed, .. } | Outcome::Failed { reclaimed, .. } => reclaimed,
            _ => 0,
        };
        // Neither call holds the store's lock while taking the other's.
        let usage = self.store().usage();
        let prepared = self.registration.prepared();
        Report {
            kho: self.kho,
            generation: self.registration.generation().get(),
            usage,
            restore: &self.outcome,
            restore_code: restore_code(&self.outcome),
            reclaimed,
            restore_ns: self.restore_ns,
            prepared: prepared.map(|p| p.len),
            publish_ns: prepared.map(|p| p.nanos),
            fault: self.registration.fault().map(Fault::name),
        }
    }
}
