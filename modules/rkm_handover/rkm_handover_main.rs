// SPDX-License-Identifier: GPL-2.0

//! rkm_handover: a keyed store whose contents survive kexec.
//!
//! User space puts, gets, deletes and lists records (a key of up to 64 bytes
//! mapping to a value of up to 256 bytes, or to a blob of up to 256 MiB)
//! through `/dev/rkm_handover` ([`device`], uapi/rkm_handover.h). At kexec
//! the records ([`records`]) are handed over through Kexec HandOver, blobs in
//! place, by the `handover` part of rust/kernel_ext; loaded in the next
//! kernel, the module takes them over, one generation later ([`shared`]).
//! `/sys/kernel/debug/rkm_handover/` shows the state and, for tests, damages
//! handovers ([`debugfs`], [`fixtures`]). Documentation/rkm_handover.rst has
//! the whole story, failure semantics included.

use kernel::{
    debugfs::{
        Dir,
        File as DebugFile, //
    },
    miscdevice::MiscDeviceOptions,
    prelude::*,
    sync::Arc, //
};

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;
use kernel_ext::{
    handover,
    miscdev::SharedRegistration, //
};
/// The store's ioctl ABI, limits and status report (rust/handover_store).
#[path = "../../rust/handover_store/src/store/mod.rs"]
pub mod store;

mod debugfs;
mod device;
mod fixtures;
mod kunit;
mod records;
mod shared;

use device::StoreFile;
use fixtures::Fixtures;
use shared::Shared;

crate::generated_bindings!(
    /// Items generated from rkm_handover_bindings.h: the uapi header as C reads it.
    mod ffi_ext = "rkm_handover_bindings_generated.rs"
);

module! {
    type: RkmHandover,
    name: "rkm_handover",
    authors: ["rkm developers"],
    description: "A keyed store that survives kexec through Kexec HandOver",
    license: "GPL",
}

/// The module: the store behind `/dev/rkm_handover`, and its debugfs files.
#[pin_data]
struct RkmHandover {
    shared: Arc<Shared>,
    fixtures: Arc<Fixtures>,
    #[pin]
    _misc: SharedRegistration<StoreFile>,
    #[pin]
    _status: DebugFile<Arc<Shared>>,
    #[pin]
    _fault: DebugFile<Arc<Shared>>,
    #[pin]
    _probe: DebugFile<Arc<Fixtures>>,
    #[pin]
    _probes: DebugFile<Arc<Fixtures>>,
    #[pin]
    _timings: DebugFile<Arc<Fixtures>>,
    // After the files, which borrow it while they are created.
    _dir: Dir,
}

impl kernel::InPlaceModule for RkmHandover {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let dir = Dir::new(c"rkm_handover");
        try_pin_init!(Self {
            shared: Shared::load()?,
            fixtures: Arc::pin_init(Fixtures::retrieve(), GFP_KERNEL)?,
            _misc <- SharedRegistration::register(
                MiscDeviceOptions {
                    name: c"rkm_handover",
                },
                shared.clone(),
            ),
            _status <- dir.read_callback_file(c"status", shared.clone(), &debugfs::show_status),
            _fault <- dir.write_callback_file(c"fault", shared.clone(), &debugfs::write_fault),
            _probe <- dir.write_callback_file(c"probe", fixtures.clone(), &fixtures::write_probe),
            _probes <- dir.read_callback_file(c"probes", fixtures.clone(), &fixtures::show_probes),
            _timings <- dir.read_callback_file(
                c"timings",
                fixtures.clone(),
                &fixtures::show_timings
            ),
            _dir: dir,
        })
    }
}
