// SPDX-License-Identifier: GPL-2.0

//! A module that uses rkm's kernel_ext from outside rkm's modules/.
//!
//! It gets two parts through the recipe of Documentation/kernel_ext.rst and nothing else: its
//! Kbuild includes `$(RKM_EXT)/Kbuild.ext` and asks for `guard handover`, and the `kernel_ext`
//! item below mounts them. Its state is how many times it was loaded, counted across kexecs: a
//! `u64` behind the guard part's [`RwSem`], handed over by the handover part under the KHO
//! subtree `rkm_consumer` and taken back at the next load. consumer_test.sh finds the
//! handover in KHO's debugfs; the KUnit suite checks both parts.

use kernel::prelude::*;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

use kernel_ext::{
    guard::RwSem,
    handover::{
        self,
        format::Generation,
        Item,
        Producer,
        Registration,
        Restored,
        Sink, //
    },
};

module! {
    type: RkmConsumer,
    name: "rkm_consumer",
    authors: ["rkm developers"],
    description: "Uses rkm kernel_ext's guard and handover parts from outside rkm",
    license: "GPL",
}

/// Name of the KHO subtree the count is handed over under.
const SUBTREE: &CStr = c"rkm_consumer";

/// Key of the count's record.
const LOADS: &[u8] = b"loads";

/// How many times the module was loaded, this load included.
#[pin_data]
struct Loads {
    #[pin]
    count: RwSem<u64>,
}

impl Loads {
    fn new(count: u64) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            count <- crate::new_rwsem!(count, "rkm_consumer_loads"),
        })
    }
}

impl Producer for Loads {
    fn revision(&self) -> u64 {
        *self.count.read()
    }

    fn produce(&self, sink: &mut Sink) -> Result {
        sink.value(LOADS, &self.count.read().to_le_bytes())
    }
}

/// The count a previous kernel handed over, if it did.
fn handed_over_loads(restored: &Restored) -> Option<u64> {
    let entry = restored
        .entries
        .iter()
        .find(|entry| entry.key.as_bytes() == LOADS)?;
    match &entry.item {
        Item::Value(value) => Some(u64::from_le_bytes(value.as_bytes().try_into().ok()?)),
        Item::Blob(_) => None,
    }
}

struct RkmConsumer {
    // Withdraws the handover when the module is unloaded.
    _registration: Pin<KBox<Registration<Loads>>>,
}

impl kernel::Module for RkmConsumer {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let (generation, loads) = match handover::retrieve(SUBTREE) {
            Ok(restored) => (
                restored.generation.next().map_err(|_| EOVERFLOW)?,
                handed_over_loads(&restored).unwrap_or(0),
            ),
            Err(_) => (Generation::FIRST, 0),
        };
        let loads = loads.checked_add(1).ok_or(EOVERFLOW)?;
        let registration = KBox::pin_init(
            Registration::new(SUBTREE, generation, Loads::new(loads)),
            GFP_KERNEL,
        )?;
        if handover::kho_enabled() {
            registration.publish()?;
        }
        pr_info!("load {loads}, generation {}\n", generation.get());
        Ok(Self {
            _registration: registration,
        })
    }
}

#[kunit_tests(rkm_consumer)]
mod tests {
    use super::*;

    #[test]
    fn rwsem_keeps_a_writer_out_while_read() -> Result {
        let sem = KBox::pin_init(crate::new_rwsem!(1u64, "rkm_consumer_test"), GFP_KERNEL)?;
        let reader = sem.read();
        assert!(sem.try_write().is_none());
        assert!(sem.try_read().is_some());
        drop(reader);
        *sem.try_write().ok_or(EBUSY)? += 1;
        assert_eq!(*sem.read(), 2);
        Ok(())
    }

    #[test]
    fn handover_publishes_again_only_when_the_count_changed() -> Result {
        // The suite boots with kho=on (vm.conf): publishing must work.
        assert!(handover::kho_enabled());
        let registration = KBox::pin_init(
            Registration::new(c"rkm_consumer_test", Generation::FIRST, Loads::new(7)),
            GFP_KERNEL,
        )?;
        assert_eq!(registration.prepared(), None);
        let first = registration.publish()?;
        assert_eq!(registration.prepared(), Some(first));
        *registration.producer().count.write() += 1;
        assert_eq!(registration.prepared(), None);
        let second = registration.publish()?;
        assert_eq!(registration.prepared(), Some(second));
        Ok(())
    }
}
