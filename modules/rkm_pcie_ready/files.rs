// SPDX-License-Identifier: GPL-2.0

//! The sysfs files of a device, in `/sys/bus/pci/devices/<device>/rkm_pcie_ready/`.
//!
//! - `reset` (0200): writing `1` resets the device and returns when the wait is over. `EINVAL`
//!   for anything else; for the errors of the reset itself see [`ResetState::reset`].
//! - `policy` (0644): `spec` (the default) or `kernel`, the rules the next reset follows.
//!   `EINVAL` for anything else.
//! - `verdict` (0444): how the last wait ended (`ready`, `no-wait`, `waited`, `link-down`,
//!   `timed-out`, `disconnected`), `waiting` while one runs, `none` before the first.
//! - `path`, `first_access_us`, `link_up_us`, `ready_us`, `polls`, `link_reads`, `slept_ms`
//!   (0444): the fields of the last [`Report`]; `none` before the first reset, and for a time
//!   that did not happen (no read of the device, no active link seen).
//! - `resets` (0444): how many resets finished.
//!
//! The Rust PCI abstraction has no sysfs attributes, so these are C `struct device_attribute`s,
//! each paired with the state it shows as `struct dev_ext_attribute` pairs one with a variable.

use core::{
    fmt::{
        self,
        Write, //
    },
    ptr,
    slice, //
};
use kernel::{
    bindings,
    error::to_result,
    ffi::c_char,
    page::PAGE_SIZE,
    prelude::*,
    str::Formatter, //
};

use crate::{
    port::attr_init,
    readiness::Policy,
    reset::{
        OrNone,
        Report,
        ResetState, //
    },
};

/// The directory of the files in the device's sysfs directory.
const GROUP_NAME: &CStr = c"rkm_pcie_ready";

/// What a file shows or takes.
#[derive(Clone, Copy)]
enum Field {
    Reset,
    Policy,
    Verdict,
    Path,
    FirstAccessUs,
    LinkUpUs,
    ReadyUs,
    Polls,
    LinkReads,
    SleptMs,
    Resets,
}

/// Read-only for everybody.
const READ: u16 = 0o444;
/// Readable by everybody, writable by root.
const READ_WRITE: u16 = 0o644;
/// Writable by root only.
const WRITE: u16 = 0o200;

const COUNT: usize = 11;

const FILES: [(&CStr, u16, Field); COUNT] = [
    (c"reset", WRITE, Field::Reset),
    (c"policy", READ_WRITE, Field::Policy),
    (c"verdict", READ, Field::Verdict),
    (c"path", READ, Field::Path),
    (c"first_access_us", READ, Field::FirstAccessUs),
    (c"link_up_us", READ, Field::LinkUpUs),
    (c"ready_us", READ, Field::ReadyUs),
    (c"polls", READ, Field::Polls),
    (c"link_reads", READ, Field::LinkReads),
    (c"slept_ms", READ, Field::SleptMs),
    (c"resets", READ, Field::Resets),
];

/// One file: the C attribute, what it shows and whose.
#[repr(C)]
struct DeviceFile {
    attr: bindings::device_attribute,
    field: Field,
    state: *const ResetState,
}

/// The files of one device and the tables sysfs reads, which must not move while registered.
pub(crate) struct FileTable {
    files: [DeviceFile; COUNT],
    /// The files' attributes, NULL-terminated, for `group`.
    list: [*mut bindings::attribute; COUNT + 1],
    group: bindings::attribute_group,
}

impl FileTable {
    /// Fills the table for `state` and creates the files in the directory of `kobj`.
    ///
    /// # Safety
    ///
    /// `this` is valid for writes and does not move until [`FileTable::unregister`] returns,
    /// which must be called before `state` or `kobj` go away if this returns `Ok`.
    pub(crate) unsafe fn register(
        this: *mut Self,
        kobj: *mut bindings::kobject,
        state: *const ResetState,
    ) -> Result {
        for (i, &(name, mode, field)) in FILES.iter().enumerate() {
            let writable = mode & 0o222 != 0;
            let file = DeviceFile {
                attr: bindings::device_attribute {
                    attr: bindings::attribute {
                        name: name.as_char_ptr(),
                        mode,
                        ..Default::default()
                    },
                    __bindgen_anon_1: bindings::device_attribute__bindgen_ty_1 {
                        show: if mode & 0o444 != 0 { Some(show) } else { None },
                    },
                    __bindgen_anon_2: bindings::device_attribute__bindgen_ty_2 {
                        store: if writable { Some(store) } else { None },
                    },
                },
                field,
                state,
            };
            // SAFETY: `this` is valid for writes (the caller's promise); `i < COUNT`. The
            // attribute is then at its final place, where `attr_init()` gives it its lockdep
            // key, as `sysfs_attr_init()` must for an attribute that is not static.
            unsafe {
                let slot = &raw mut (*this).files[i];
                slot.write(file);
                attr_init(&raw mut (*slot).attr.attr);
                (*this).list[i] = &raw mut (*slot).attr.attr;
            }
        }
        // SAFETY: as above; then `kobj` is a valid kobject and the group points into `this`,
        // which stays put while the group is registered.
        unsafe {
            (*this).list[COUNT] = ptr::null_mut();
            (&raw mut (*this).group).write(bindings::attribute_group {
                name: GROUP_NAME.as_char_ptr(),
                __bindgen_anon_2: bindings::attribute_group__bindgen_ty_2 {
                    attrs: (&raw mut (*this).list).cast(),
                },
                ..Default::default()
            });
            to_result(bindings::sysfs_create_group(kobj, &raw const (*this).group))
        }
    }

    /// Removes the files; sysfs waits for running callbacks and calls none afterwards.
    ///
    /// # Safety
    ///
    /// [`FileTable::register`] returned `Ok` for `this` and `kobj`.
    pub(crate) unsafe fn unregister(this: *const Self, kobj: *mut bindings::kobject) {
        // SAFETY: the caller's promise.
        unsafe { bindings::sysfs_remove_group(kobj, &raw const (*this).group) };
    }
}

/// Returns the file of an attribute that [`FileTable::register`] created.
///
/// # Safety
///
/// `attr` is the attribute of a registered [`FileTable`]'s file, called back by sysfs.
unsafe fn file<'a>(attr: *mut bindings::device_attribute) -> (&'a ResetState, Field) {
    // SAFETY: `attr` is the `attr` field of a `DeviceFile` (the caller's promise). The table
    // and the state it points to outlive the callback: `FileTable::unregister()` waits for it.
    unsafe {
        let file = kernel::container_of!(attr, DeviceFile, attr);
        (&*(*file).state, (*file).field)
    }
}

/// `show()` of every file.
extern "C" fn show(
    _dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *mut c_char,
) -> isize {
    // SAFETY: sysfs calls `show()` only for the attributes this module registered.
    let (state, field) = unsafe { file(attr) };
    // SAFETY: sysfs hands `show()` a buffer of `PAGE_SIZE` bytes.
    let page = unsafe { slice::from_raw_parts_mut(buf.cast::<u8>(), PAGE_SIZE) };
    let mut out = Formatter::new(page);
    match write_field(state, field, &mut out) {
        Ok(()) => out.bytes_written() as isize,
        Err(fmt::Error) => EINVAL.to_errno() as isize,
    }
}

/// `store()` of the writable files.
extern "C" fn store(
    _dev: *mut bindings::device,
    attr: *mut bindings::device_attribute,
    buf: *const c_char,
    count: usize,
) -> isize {
    // SAFETY: sysfs calls `store()` only for the attributes this module registered.
    let (state, field) = unsafe { file(attr) };
    // SAFETY: sysfs hands `store()` `count` bytes at `buf`.
    let input = unsafe { slice::from_raw_parts(buf.cast::<u8>(), count) };
    match store_field(state, field, input) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// Takes what user space wrote to a file.
fn store_field(state: &ResetState, field: Field, input: &[u8]) -> Result {
    match field {
        Field::Reset => match input {
            b"1" | b"1\n" => state.reset(),
            _ => Err(EINVAL),
        },
        Field::Policy => {
            state.set_policy(Policy::from_name(input).ok_or(EINVAL)?);
            Ok(())
        }
        _ => Err(EINVAL),
    }
}

/// Shows a file's value, one line.
fn write_field(state: &ResetState, field: Field, out: &mut impl Write) -> fmt::Result {
    let status = state.status();
    let last = status.last;
    let time = |get: fn(&Report) -> Option<u64>| OrNone(last.as_ref().and_then(get));
    let count = |get: fn(&Report) -> u32| OrNone(last.as_ref().map(|r| u64::from(get(r))));
    match field {
        Field::Reset => Err(fmt::Error),
        Field::Policy => writeln!(out, "{}", status.policy.name()),
        Field::Verdict if status.waiting => writeln!(out, "waiting"),
        Field::Verdict => writeln!(out, "{}", last.map_or("none", |r| r.verdict.name())),
        Field::Path => writeln!(out, "{}", last.map_or("none", |r| r.path.name())),
        Field::FirstAccessUs => writeln!(out, "{}", time(|r| r.first_access_us)),
        Field::LinkUpUs => writeln!(out, "{}", time(|r| r.link_up_us)),
        Field::ReadyUs => writeln!(out, "{}", time(|r| Some(r.ready_us))),
        Field::Polls => writeln!(out, "{}", count(|r| r.polls)),
        Field::LinkReads => writeln!(out, "{}", count(|r| r.link_reads)),
        Field::SleptMs => writeln!(out, "{}", count(|r| r.slept_ms)),
        Field::Resets => writeln!(out, "{}", status.resets),
    }
}
