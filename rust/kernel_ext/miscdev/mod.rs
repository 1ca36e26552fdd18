// SPDX-License-Identifier: GPL-2.0

//! Misc devices whose files reach state the registration owns, and fault in their mappings.
//!
//! The kernel crate's [`MiscDeviceRegistration`] hands [`MiscDevice::open`] the registration
//! alone: it carries no data, so a driver whose files share state (a store, a region of memory)
//! has to find it through a global or by `container_of!` from the registration, each of which
//! takes `unsafe` in the driver and an argument that holds only for the driver's own layout. Nor
//! does it let a driver set the VMA operations of its mappings, so a mapping that faults its
//! pages in on first touch takes raw `vm_operations_struct` code in the driver.
//!
//! This part adds both, on top of the kernel crate's own registration and file operations:
//!
//! - [`SharedRegistration`] registers a misc device together with its [`Shared`] state, built
//!   before the device is registered and dropped after it is deregistered; `open` gets it from
//!   [`SharedRegistration::shared`].
//! - [`SharedMiscDevice::fault`] handles page faults on the VMAs [`SharedMiscDevice::mmap`] set
//!   up, with the file's private data, as `ioctl` gets it.
//!
//! Everything else is [`MiscDevice`]'s: the file operations a driver leaves out are left out of
//! the device's `file_operations` too.
//!
//! ```ignore
//! #[vtable]
//! impl SharedMiscDevice for StoreFile {
//!     type Shared = Arc<Store>;
//!     type Ptr = Arc<Store>;
//!
//!     fn open(_file: &File, misc: &SharedRegistration<Self>) -> Result<Arc<Store>> {
//!         Ok(misc.shared().clone())
//!     }
//! }
//! ```
//!
//! [`Shared`]: SharedMiscDevice::Shared

use core::{
    marker::PhantomData,
    ptr, //
};
use kernel::{
    bindings,
    device::Device,
    fs::File,
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    mm::virt::{
        VmaNew,
        VmaRef, //
    },
    prelude::*,
    seq_file::SeqFile,
    types::ForeignOwnable, //
};

/// A misc device whose open files share the state of its registration.
///
/// As [`MiscDevice`], with [`SharedMiscDevice::open`] given a [`SharedRegistration`] and the
/// VMA operation [`SharedMiscDevice::fault`] in addition.
#[vtable]
pub trait SharedMiscDevice: Sized {
    /// The state the registration owns and every open file reaches.
    type Shared: Send + Sync;

    /// What kind of pointer an open file holds, as [`MiscDevice::Ptr`].
    type Ptr: ForeignOwnable + Send + Sync;

    /// Called when the misc device is opened; the result is the file's private data.
    fn open(file: &File, misc: &SharedRegistration<Self>) -> Result<Self::Ptr>;

    /// Sets up `vma`, a new mapping of `file`, as [`MiscDevice::mmap`].
    fn mmap(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _vma: &VmaNew,
    ) -> Result {
        build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }

    /// Handles a page fault at `fault` in `vma`, a mapping [`SharedMiscDevice::mmap`] set up.
    ///
    /// Called with the mmap or VMA read lock held, which `vma` stands for. Implementing it
    /// requires implementing [`SharedMiscDevice::mmap`].
    fn fault(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _vma: &VmaRef,
        _fault: VmFault,
    ) -> VmFaultReason {
        build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }

    /// Handles an ioctl, as [`MiscDevice::ioctl`].
    fn ioctl(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _cmd: u32,
        _arg: usize,
    ) -> Result<isize> {
        build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }

    /// Shows info for this file in `/proc/<pid>/fdinfo/<fd>`, as [`MiscDevice::show_fdinfo`].
    fn show_fdinfo(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _m: &SeqFile,
        _file: &File,
    ) {
        build_error!(kernel::error::VTABLE_DEFAULT_ERROR)
    }
}

/// Where a page fault happened.
#[derive(Clone, Copy, Debug)]
pub struct VmFault {
    /// The faulting user address, rounded down to its page.
    pub address: usize,
    /// The page of the file it falls on: the VMA's `vm_pgoff` plus its page in the VMA.
    pub pgoff: usize,
}

/// How a page fault ended (`enum vm_fault_reason`): the outcomes a fault handler that maps the
/// page itself may report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmFaultReason {
    /// The handler mapped the page, or found it mapped (`VM_FAULT_NOPAGE`).
    NoPage,
    /// Out of memory (`VM_FAULT_OOM`).
    Oom,
    /// The access is not allowed: the task gets `SIGBUS` (`VM_FAULT_SIGBUS`).
    Sigbus,
}

impl VmFaultReason {
    fn into_raw(self) -> bindings::vm_fault_t {
        match self {
            Self::NoPage => bindings::vm_fault_reason_VM_FAULT_NOPAGE,
            Self::Oom => bindings::vm_fault_reason_VM_FAULT_OOM,
            Self::Sigbus => bindings::vm_fault_reason_VM_FAULT_SIGBUS,
        }
    }
}

/// A registered misc device and the state its files share.
///
/// # Invariants
///
/// `inner` is registered while `shared` is initialised: `shared` is initialised first, and
/// dropped after `inner`, which deregisters the device.
#[pin_data]
pub struct SharedRegistration<T: SharedMiscDevice> {
    /// Declared first: dropped, so deregistered, before `shared`.
    #[pin]
    inner: MiscDeviceRegistration<Files<T>>,
    #[pin]
    shared: T::Shared,
}

impl<T: SharedMiscDevice> SharedRegistration<T> {
    /// Builds `shared`, then registers the misc device described by `opts`.
    pub fn register<E>(
        opts: MiscDeviceOptions,
        shared: impl PinInit<T::Shared, E>,
    ) -> impl PinInit<Self, Error>
    where
        Error: From<E>,
    {
        const {
            assert!(
                T::HAS_MMAP || !T::HAS_FAULT,
                "a SharedMiscDevice that handles faults must set up its mappings in mmap()"
            )
        };
        // INVARIANT: The fields are initialised in this order, `shared` first.
        try_pin_init!(Self {
            shared <- shared,
            inner <- MiscDeviceRegistration::register(opts),
        })
    }

    /// Returns the state the open files share.
    pub fn shared(&self) -> &T::Shared {
        &self.shared
    }

    /// Returns the device of the misc device (`this_device`).
    pub fn device(&self) -> &Device {
        self.inner.device()
    }
}

/// The [`MiscDevice`] behind a [`SharedMiscDevice`].
///
/// Private to this module, so that the only `MiscDeviceRegistration<Files<T>>` there is is the
/// `inner` field of a [`SharedRegistration<T>`]: nothing outside can name the type to register
/// another.
struct Files<T>(PhantomData<T>);

#[vtable]
impl<T: SharedMiscDevice> MiscDevice for Files<T> {
    type Ptr = T::Ptr;
    type OwnerModule = T::OwnerModule;

    const HAS_MMAP: bool = T::HAS_MMAP;
    const HAS_IOCTL: bool = T::HAS_IOCTL;
    const HAS_SHOW_FDINFO: bool = T::HAS_SHOW_FDINFO;

    fn open(file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<T::Ptr> {
        let misc = ptr::from_ref(misc).cast_mut();
        // `Files<T>` is private to this module: its only registration is the `inner` field of a
        // `SharedRegistration<T>` (see `Files`), which `misc_open()` keeps alive for the call.
        // SAFETY: `misc` is that field of a live `SharedRegistration<T>` (above), whose
        // `shared` is initialised by its invariants.
        let registration = unsafe { &*kernel::container_of!(misc, SharedRegistration<T>, inner) };
        T::open(file, registration)
    }

    fn mmap(device: <T::Ptr as ForeignOwnable>::Borrowed<'_>, file: &File, vma: &VmaNew) -> Result {
        T::mmap(device, file, vma)?;
        if T::HAS_FAULT {
            // SAFETY: `vma` is being set up by this `mmap()` call, so nothing else reads
            // `vm_ops` yet, and `VmaNew` relies on nothing it holds. The table is `'static`.
            unsafe { (*vma.as_ptr()).vm_ops = VmOps::<T>::table() };
        }
        Ok(())
    }

    fn ioctl(
        device: <T::Ptr as ForeignOwnable>::Borrowed<'_>,
        file: &File,
        cmd: u32,
        arg: usize,
    ) -> Result<isize> {
        T::ioctl(device, file, cmd, arg)
    }

    fn show_fdinfo(device: <T::Ptr as ForeignOwnable>::Borrowed<'_>, m: &SeqFile, file: &File) {
        T::show_fdinfo(device, m, file)
    }
}

/// The VMA operations of the mappings of a [`SharedMiscDevice`] that handles faults.
struct VmOps<T>(PhantomData<T>);

impl<T: SharedMiscDevice> VmOps<T> {
    const TABLE: bindings::vm_operations_struct = bindings::vm_operations_struct {
        fault: Some(Self::fault),
        ..pin_init::zeroed()
    };

    /// Returns the operations, a constant promoted to `'static`.
    const fn table() -> &'static bindings::vm_operations_struct {
        &Self::TABLE
    }

    /// The `fault` operation.
    ///
    /// # Safety
    ///
    /// `vmf` is a valid `struct vm_fault` for a fault on a VMA whose `vm_ops` `Files::<T>::mmap`
    /// set, with the mmap or VMA read lock held, as the mm calls `->fault`.
    unsafe extern "C" fn fault(vmf: *mut bindings::vm_fault) -> bindings::vm_fault_t {
        // SAFETY: The caller passes a valid `vmf`.
        let fault = unsafe { (*vmf).__bindgen_anon_1 };
        // SAFETY: The VMA is valid and read-locked for the duration of the fault.
        let vma = unsafe { VmaRef::from_raw(fault.vma) };
        // SAFETY: Only `Files::<T>::mmap` sets these operations, on a mapping of a file of the
        // misc device, which the VMA holds a reference to as `vm_file` as long as it exists.
        let private = unsafe { (*(*vma.as_ptr()).vm_file).private_data };
        // SAFETY: `Files::<T>::open` set the file's private data with `T::Ptr::into_foreign`,
        // and `from_foreign` is only called when the file is released, after its last VMA is
        // gone, so after this call.
        let device = unsafe { <T::Ptr as ForeignOwnable>::borrow(private) };
        let at = VmFault {
            address: fault.address,
            pgoff: fault.pgoff,
        };
        T::fault(device, vma, at).into_raw()
    }
}
