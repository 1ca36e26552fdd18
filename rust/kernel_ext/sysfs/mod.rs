// SPDX-License-Identifier: GPL-2.0

//! The sysfs files of a driver's devices: a table of typed callbacks, registered as the driver's
//! `dev_groups`.
//!
//! The kernel crate has no sysfs attributes. A C driver declares `struct device_attribute`s
//! (`DEVICE_ATTR_RO()` and the like), gathers them in a `struct attribute_group` and names the
//! group in its `dev_groups`; the driver core then creates the files on each device the driver
//! binds, once its probe succeeded, and removes them before the driver unbinds, waiting for the
//! callbacks that run. [`device_files!`](crate::device_files) declares the same table in Rust,
//! each file once, with its name, its mode and its callbacks as safe Rust:
//!
//! ```ignore
//! crate::device_files! {
//!     /// The files of each device, in `/sys/bus/pci/devices/<device>/my_driver/`.
//!     pub(crate) struct Files: MyData, Function<Bound> = c"my_driver" [
//!         File::ro(c"count", |data, _, out| writeln!(out, "{}", data.count())),
//!         File::wo(c"reset", |data, device, input| data.reset(device, input)),
//!     ];
//! }
//! ```
//!
//! A callback gets the driver's data of the device (the bus adapter's `Data`, kept as drvdata)
//! and the device, as the type that [`FromDevice`] gives. A bus part registers the table: the pci
//! part's `Registration` names it in the `dev_groups` of its `struct pci_driver`. Since the files
//! exist only while the driver is bound, a callback always finds the device bound and its data
//! alive, and needs nothing else to keep them so.

use core::{
    fmt,
    marker::PhantomData,
    ptr,
    slice, //
};
use kernel::{
    bindings,
    container_of,
    device::{
        self,
        BoundInternal, //
    },
    error::from_result,
    ffi::c_char,
    page::PAGE_SIZE,
    prelude::*,
    str::Formatter,
    types::Opaque, //
};

/// What a file shows: its content for the driver's data `D` of a device `B`, written to the page
/// sysfs reads. Content beyond the page fails the read with `EINVAL`.
pub type Show<D, B> = fn(&D, &B, &mut Formatter<'_>) -> fmt::Result;

/// What a file does with what user space wrote to it; an error fails the write with it.
pub type Store<D, B> = fn(&D, &B, &[u8]) -> Result;

/// A device as the callbacks of files see it: the bus's own view of a `struct device`.
pub trait FromDevice {
    /// Returns the `Self` of `dev`, or `None` when `dev` is not one.
    ///
    /// # Safety
    ///
    /// `dev` is a valid `struct device`, bound to a driver for all of `'a`.
    unsafe fn from_device<'a>(dev: *mut bindings::device) -> Option<&'a Self>;
}

/// The files of each device a driver binds, as [`device_files!`](crate::device_files) declares
/// them.
pub trait DeviceFiles: 'static {
    /// The driver's data of each device: what its bus adapter keeps as drvdata.
    type Data: Sync + 'static;
    /// The device as the callbacks see it.
    type Device: FromDevice + Sync + 'static;

    /// Returns the directory of the files.
    fn group() -> &'static Group<Self::Data, Self::Device>;
}

/// One file: its C attribute and its callbacks.
pub struct File<D: 'static, B: 'static> {
    /// What sysfs sees; its `show` and `store` call those below.
    attr: Opaque<bindings::device_attribute>,
    show: Option<Show<D, B>>,
    store: Option<Store<D, B>>,
}

// SAFETY: Nothing writes a `File` after its initializer: sysfs reads the attribute, and the
// callbacks are plain functions.
unsafe impl<D, B> Sync for File<D, B> {}

impl<D: Sync, B: FromDevice + Sync> File<D, B> {
    /// A file everybody may read: mode 0444.
    pub const fn ro(name: &'static CStr, show: Show<D, B>) -> Self {
        Self::new(name, 0o444, Some(show), None)
    }

    /// A file only root may write: mode 0200.
    pub const fn wo(name: &'static CStr, store: Store<D, B>) -> Self {
        Self::new(name, 0o200, None, Some(store))
    }

    /// A file everybody may read and root may write: mode 0644.
    pub const fn rw(name: &'static CStr, show: Show<D, B>, store: Store<D, B>) -> Self {
        Self::new(name, 0o644, Some(show), Some(store))
    }

    const fn new(
        name: &'static CStr,
        mode: bindings::umode_t,
        show: Option<Show<D, B>>,
        store: Option<Store<D, B>>,
    ) -> Self {
        // A static attribute needs no `sysfs_attr_init()`: lockdep takes the address of its
        // `skey` for the key.
        let attr = bindings::device_attribute {
            attr: bindings::attribute {
                name: name.to_bytes_with_nul().as_ptr(),
                mode,
                ..pin_init::zeroed()
            },
            __bindgen_anon_1: bindings::device_attribute__bindgen_ty_1 {
                show: if show.is_some() {
                    Some(show_file::<D, B>)
                } else {
                    None
                },
            },
            __bindgen_anon_2: bindings::device_attribute__bindgen_ty_2 {
                store: if store.is_some() {
                    Some(store_file::<D, B>)
                } else {
                    None
                },
            },
        };
        Self {
            attr: Opaque::new(attr),
            show,
            store,
        }
    }
}

/// The attributes of `N - 1` files, NULL-terminated, as a `struct attribute_group` lists them.
pub struct Attributes<D: 'static, B: 'static, const N: usize> {
    list: Opaque<[*mut bindings::attribute; N]>,
    _files: PhantomData<&'static [File<D, B>]>,
}

// SAFETY: Nothing writes the list after its initializer; sysfs reads it.
unsafe impl<D, B, const N: usize> Sync for Attributes<D, B, N> {}

impl<D, B, const N: usize> Attributes<D, B, N> {
    /// Lists `files`, which must be `N - 1`.
    pub const fn new(files: &'static [File<D, B>]) -> Self {
        assert!(files.len() + 1 == N, "N must be one more than the files");
        let mut list = [ptr::null_mut(); N];
        let mut i = 0;
        while i < files.len() {
            list[i] = files[i].attr.get().cast();
            i += 1;
        }
        Self {
            list: Opaque::new(list),
            _files: PhantomData,
        }
    }
}

/// A directory of files in the device's sysfs directory, and the `dev_groups` that name it.
pub struct Group<D: 'static, B: 'static> {
    group: Opaque<bindings::attribute_group>,
    /// This group, NULL-terminated: what `dev_groups` points to.
    groups: Opaque<[*const bindings::attribute_group; 2]>,
    _files: PhantomData<&'static [File<D, B>]>,
}

// SAFETY: Nothing writes a group after its initializer; sysfs reads it.
unsafe impl<D, B> Sync for Group<D, B> {}

impl<D, B> Group<D, B> {
    /// The directory `name` of the files of `attrs`, for a `static` that gives itself as `this`.
    #[doc(hidden)]
    pub const fn new<const N: usize>(
        this: &'static Self,
        name: &'static CStr,
        attrs: &'static Attributes<D, B, N>,
    ) -> Self {
        Self {
            group: Opaque::new(bindings::attribute_group {
                name: name.to_bytes_with_nul().as_ptr(),
                __bindgen_anon_2: bindings::attribute_group__bindgen_ty_2 {
                    attrs: attrs.list.get().cast(),
                },
                ..pin_init::zeroed()
            }),
            groups: Opaque::new([this.group.get().cast_const(), ptr::null()]),
            _files: PhantomData,
        }
    }

    /// Returns the `dev_groups` of a driver that has these files on its devices.
    ///
    /// # Safety
    ///
    /// The caller names the returned list only in the `dev_groups` of a driver whose bound
    /// devices each carry a `Pin<KBox<D>>` as drvdata, set before the driver core creates the
    /// files and freed only after it removed them: as the kernel crate's bus adapters keep their
    /// `Data`, which their probe sets and the post-unbind callback of `driver::Registration`
    /// frees.
    pub unsafe fn dev_groups(&'static self) -> *mut *const bindings::attribute_group {
        self.groups.get().cast()
    }
}

/// Returns the callback that `pick` takes from the file of `attr`, the driver's data of `dev`, and
/// `dev` as a `B`.
///
/// `EIO` when the file has no such callback, as the driver core's `dev_attr_show()` and
/// `dev_attr_store()` return then; `ENODEV` when `dev` is no `B`.
///
/// # Safety
///
/// `attr` and `dev` are what sysfs passes to `show()` or `store()` of a file of a
/// [`Group<D, B>`] named in the `dev_groups` of a driver as [`Group::dev_groups`] requires. The
/// results live as long as that callback runs.
unsafe fn callee<'a, D: 'static, B: FromDevice + 'static, C>(
    dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    pick: fn(&File<D, B>) -> Option<C>,
) -> Result<(C, &'a D, &'a B)> {
    // SAFETY: `attr` is the `attr` field of a `File<D, B>`, which is static (the caller's
    // promise).
    let file = unsafe { &*container_of!(Opaque::cast_from(attr).cast_mut(), File<D, B>, attr) };
    let callback = pick(file).ok_or(EIO)?;
    // SAFETY: `dev` is bound to the driver whose `dev_groups` name the file; its drvdata is a
    // `Pin<KBox<D>>`, set before the files were created and freed only after they were removed,
    // which waits for their callbacks (the caller's promise).
    let data = unsafe { device::Device::<BoundInternal>::from_raw(dev).drvdata_borrow::<D>() };
    // SAFETY: `dev` is valid and bound while the callback runs (as above).
    let device = unsafe { B::from_device(dev) }.ok_or(ENODEV)?;
    Ok((callback, data.get_ref(), device))
}

/// `show()` of every readable file.
///
/// # Safety
///
/// Called by sysfs as the `show()` of `attr`, for `dev`, with a page at `buf`, where `attr` and
/// `dev` are as [`callee()`] requires.
unsafe extern "C" fn show_file<D: 'static, B: FromDevice + 'static>(
    dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    from_result(|| {
        // SAFETY: The caller's promise.
        let (show, data, device) = unsafe { callee(dev, attr, |file: &File<D, B>| file.show) }?;
        // SAFETY: Sysfs hands `show()` a buffer of a page (the caller's promise).
        let page = unsafe { slice::from_raw_parts_mut(buf.cast::<u8>(), PAGE_SIZE) };
        let mut out = Formatter::new(page);
        show(data, device, &mut out).map_err(|fmt::Error| EINVAL)?;
        Ok(isize::try_from(out.bytes_written())?)
    })
}

/// `store()` of every writable file.
///
/// # Safety
///
/// Called by sysfs as the `store()` of `attr`, for `dev`, with the `count` bytes user space
/// wrote at `buf`, where `attr` and `dev` are as [`callee()`] requires.
unsafe extern "C" fn store_file<D: 'static, B: FromDevice + 'static>(
    dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *const c_char,
    count: usize,
) -> isize {
    from_result(|| {
        // SAFETY: The caller's promise.
        let (store, data, device) = unsafe { callee(dev, attr, |file: &File<D, B>| file.store) }?;
        // SAFETY: Sysfs hands `store()` the `count` bytes at `buf` (the caller's promise).
        let input = unsafe { slice::from_raw_parts(buf.cast::<u8>(), count) };
        store(data, device, input)?;
        Ok(isize::try_from(count)?)
    })
}

/// Declares the sysfs files of each device a driver binds: a type that implements
/// [`DeviceFiles`], for a bus part to register (see the module documentation).
///
/// `struct NAME: DATA, DEVICE = DIRECTORY [FILES];` declares `NAME`, whose files, in the
/// directory `DIRECTORY` (a C string literal) of each device, are `FILES`: one
/// [`File`]`::ro()`, `::wo()` or `::rw()` each, whose callbacks get the driver's data `DATA` and
/// the device as a `DEVICE`.
#[macro_export]
macro_rules! device_files {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident: $data:ty, $device:ty = $directory:literal [
            $($file:expr),+ $(,)?
        ];
    ) => {
        $(#[$attr])*
        $vis struct $name;

        impl $crate::kernel_ext::sysfs::DeviceFiles for $name {
            type Data = $data;
            type Device = $device;

            fn group() -> &'static $crate::kernel_ext::sysfs::Group<$data, $device> {
                const COUNT: usize = [$(::core::stringify!($file)),+].len();
                static FILES: [$crate::kernel_ext::sysfs::File<$data, $device>; COUNT] =
                    [$($file),+];
                static ATTRIBUTES: $crate::kernel_ext::sysfs::Attributes<
                    $data,
                    $device,
                    { COUNT + 1 },
                > = $crate::kernel_ext::sysfs::Attributes::new(&FILES);
                static GROUP: $crate::kernel_ext::sysfs::Group<$data, $device> =
                    $crate::kernel_ext::sysfs::Group::new(&GROUP, $directory, &ATTRIBUTES);
                &GROUP
            }
        }
    };
}
