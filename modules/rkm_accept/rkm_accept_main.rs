// SPDX-License-Identifier: GPL-2.0

//! Unaccepted-memory acceptor: lazy, on-demand acceptance in units, never twice.
//!
//! A confidential guest (Intel TDX, AMD SEV-SNP) must accept memory before it uses it, and
//! accepting memory twice is fatal. Linux accepts the memory the firmware left unaccepted on
//! demand, in 2 MiB units, in `accept_memory()`
//! ([`drivers/firmware/efi/unaccepted_memory.c`](srctree/drivers/firmware/efi/unaccepted_memory.c)).
//! This module runs the same acceptor (the core in rust/accept_core) over a region of memory it
//! owns, so that its behaviour can be watched and measured in any VM:
//!
//! - `/dev/rkm_accept` maps the region (`mmap(MAP_SHARED)`); the first touch of a page accepts
//!   its unit in the fault handler, then maps it ([`mapping`], [`region`]).
//! - ioctls accept a range, ask whether a range holds unaccepted memory, read the bitmap and the
//!   counters, and unaccept a range for tests ([`ioctl`], uapi/rkm_accept.h); the counters are
//!   also in the file's fdinfo.
//! - Backends: TDX or SNP semantics emulated on ordinary memory, or real conversions in a TDX or
//!   SNP guest ([`memory`]).
//! - `/sys/kernel/debug/rkm_accept/firmware` shows the guest's own unaccepted memory
//!   ([`firmware`]).
//!
//! The parameters are checked at load ([`config`]); Documentation/rkm_accept.rst has the rest.

use kernel::{
    debugfs::{
        Dir,
        File as DebugFile, //
    },
    fs::File,
    miscdevice::MiscDeviceOptions,
    mm::virt::{
        VmaNew,
        VmaRef, //
    },
    prelude::*,
    seq_file::SeqFile,
    sync::{
        Arc,
        ArcBorrow, //
    }, //
};

/// The acceptor core, free of kernel types (rust/accept_core).
#[path = "../../rust/accept_core/src/accept/mod.rs"]
pub mod accept;

mod config;
mod firmware;
mod ioctl;
mod mapping;
mod memory;
mod region;

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

use kernel_ext::miscdev::{
    SharedMiscDevice,
    SharedRegistration,
    VmFault,
    VmFaultReason, //
};

crate::generated_bindings!(
    /// Items generated from rkm_accept_bindings.h.
    mod ffi_ext = "rkm_accept_bindings_generated.rs"
);

use config::Config;
use region::Region;

module! {
    type: RkmAccept,
    name: "rkm_accept",
    authors: ["rkm developers"],
    description: "Unaccepted-memory acceptor over a region of its own (TDX/SNP semantics)",
    license: "GPL",
    params: {
        size: u64 {
            default: 64 << 20,
            description: "Bytes in the region, a multiple of unit_size",
        },
        unit_size: u32 {
            default: 2 << 20,
            description: "Bytes per unit of the bitmap, a multiple of the page size (2 MiB as on x86)",
        },
        pre_accepted: u64 {
            default: 0,
            description: "Bytes at the start of the region accepted before load, rounded up to units",
        },
        accept_ahead: u64 {
            default: 0,
            description: "Units to accept ahead of a sequential walk (0: off)",
        },
        accept_delay_us: u32 {
            default: 0,
            description: "Emulated backends: extra microseconds each unit takes to accept",
        },
        fail_unit: i64 {
            default: -1,
            description: "Emulated backends: the unit whose acceptance fails (-1: none)",
        },
    },
}

/// The module: the region and the device that exposes it.
#[pin_data(PinnedDrop)]
struct RkmAccept {
    /// `/dev/rkm_accept` and the region every open file shares; deregistered first on unload.
    #[pin]
    misc: SharedRegistration<RegionFile>,
    /// `/sys/kernel/debug/rkm_accept/firmware`.
    #[pin]
    _firmware: DebugFile<()>,
    /// Last: the file above borrows it while it is created.
    _debugfs: Dir,
}

impl kernel::InPlaceModule for RkmAccept {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"rkm_accept");
        try_pin_init!(Self {
            misc <- SharedRegistration::register(
                MiscDeviceOptions {
                    name: c"rkm_accept",
                },
                load(module)?,
            ),
            _firmware <- debugfs.read_callback_file(c"firmware", (), &firmware::show),
            _debugfs: debugfs,
        })
    }
}

/// Checks the parameters and builds the region.
fn load(module: &'static ThisModule) -> Result<Arc<Region>> {
    let config = Config::from_params(module)?;
    config::check_backend(config.backend)?;
    let region = Region::new(&config).inspect_err(|err| {
        if *err == ENOMEM {
            pr_err!("size={}: not enough memory for the region\n", config.size);
        }
    })?;
    pr_info!(
        "{} units of {} KiB, {:?}, {:?} backend\n",
        config.units(),
        config.unit_size.get() / 1024,
        config.mode,
        config.backend
    );
    Ok(region)
}

#[pinned_drop]
impl PinnedDrop for RkmAccept {
    fn drop(self: Pin<&mut Self>) {
        // The module's code goes away after this: a queued accept-ahead must not outlive it.
        // Nothing can queue more, since no file of the module is open any more.
        self.misc.shared().flush_ahead();
    }
}

/// An open `/dev/rkm_accept`.
struct RegionFile;

#[vtable]
impl SharedMiscDevice for RegionFile {
    type Shared = Arc<Region>;
    type Ptr = Arc<Region>;

    fn open(_file: &File, misc: &SharedRegistration<Self>) -> Result<Arc<Region>> {
        Ok(misc.shared().clone())
    }

    fn mmap(region: ArcBorrow<'_, Region>, file: &File, vma: &VmaNew) -> Result {
        mapping::mmap(region, file, vma)
    }

    fn fault(region: ArcBorrow<'_, Region>, vma: &VmaRef, fault: VmFault) -> VmFaultReason {
        mapping::fault(region, vma, fault)
    }

    fn ioctl(region: ArcBorrow<'_, Region>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        ioctl::dispatch(&region, cmd, arg)
    }

    fn show_fdinfo(region: ArcBorrow<'_, Region>, m: &SeqFile, _file: &File) {
        ioctl::show_fdinfo(&region, m);
    }
}
