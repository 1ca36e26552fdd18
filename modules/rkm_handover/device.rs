// SPDX-License-Identifier: GPL-2.0

//! `/dev/rkm_handover`: the ioctls of uapi/rkm_handover.h, one function each.

use core::mem::size_of;

use kernel::{
    fs::File,
    ioctl::{
        _IO,
        _IOR,
        _IOW,
        _IOWR, //
    },
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    },
};
use zerocopy::{
    FromBytes,
    IntoBytes, //
};

use crate::{
    handover::{
        format::{
            Key,
            Value, //
        },
        Item, //
    },
    kernel_ext::miscdev::{
        SharedMiscDevice,
        SharedRegistration, //
    },
    records::Store,
    shared::Shared,
    store::uapi::{
        BlobArg,
        EntryArg,
        Invalid,
        KeyArg,
        ListArg,
        RecordArg,
        StatusArg, //
    }, //
};

/// The ioctl commands of uapi/rkm_handover.h.
pub(crate) mod cmd {
    use super::*;

    const MAGIC: u32 = 0xBB;
    pub(crate) const PUT: u32 = _IOW::<RecordArg>(MAGIC, 0x01);
    pub(crate) const GET: u32 = _IOWR::<RecordArg>(MAGIC, 0x02);
    pub(crate) const DELETE: u32 = _IOW::<KeyArg>(MAGIC, 0x03);
    pub(crate) const LIST: u32 = _IOWR::<ListArg>(MAGIC, 0x04);
    pub(crate) const ATTACH_BLOB: u32 = _IOW::<BlobArg>(MAGIC, 0x05);
    pub(crate) const READ_BLOB: u32 = _IOW::<BlobArg>(MAGIC, 0x06);
    pub(crate) const STATUS: u32 = _IOR::<StatusArg>(MAGIC, 0x07);
    pub(crate) const PREPARE: u32 = _IO(MAGIC, 0x08);

    /// Every command, by number.
    pub(crate) const ALL: [(u32, u32); 8] = [
        (0x01, PUT),
        (0x02, GET),
        (0x03, DELETE),
        (0x04, LIST),
        (0x05, ATTACH_BLOB),
        (0x06, READ_BLOB),
        (0x07, STATUS),
        (0x08, PREPARE),
    ];
}

/// An open `/dev/rkm_handover`.
pub(crate) struct StoreFile;

#[vtable]
impl SharedMiscDevice for StoreFile {
    type Shared = Arc<Shared>;
    type Ptr = Arc<Shared>;

    fn open(_file: &File, misc: &SharedRegistration<Self>) -> Result<Arc<Shared>> {
        Ok(misc.shared().clone())
    }

    fn ioctl(shared: ArcBorrow<'_, Shared>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let store = shared.store();
        match cmd {
            cmd::PUT => put(store, arg),
            cmd::GET => get(store, arg),
            cmd::DELETE => delete(store, arg),
            cmd::LIST => list(store, arg),
            cmd::ATTACH_BLOB => attach_blob(store, arg),
            cmd::READ_BLOB => read_blob(store, arg),
            cmd::STATUS => status(&shared, arg),
            cmd::PREPARE => prepare(&shared),
            _ => Err(ENOTTY),
        }
    }
}

/// The errno of an argument the uapi checks refuse.
fn invalid(invalid: Invalid) -> Error {
    if invalid.too_big() {
        E2BIG
    } else {
        EINVAL
    }
}

/// Reads an ioctl argument of type `T` from user space.
fn read_arg<T: FromBytes + IntoBytes>(arg: usize) -> Result<T> {
    let mut value = T::new_zeroed();
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .reader()
        .read_slice(value.as_mut_bytes())?;
    Ok(value)
}

/// Writes an ioctl argument of type `T` back to user space.
fn write_arg<T: IntoBytes + zerocopy::Immutable>(arg: usize, value: &T) -> Result {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .writer()
        .write_slice(value.as_bytes())
}

/// `RKM_HANDOVER_IOC_PUT`: maps a key to a value.
fn put(store: &Store, arg: usize) -> Result<isize> {
    let record: RecordArg = read_arg(arg)?;
    let (key, value) = record.put().map_err(invalid)?;
    let key = Key::new(key).ok_or(EINVAL)?;
    let value = Value::new(value).ok_or(E2BIG)?;
    store.insert(key, Item::Value(value))?;
    Ok(0)
}

/// `RKM_HANDOVER_IOC_GET`: what a key maps to, a value or the length of a blob.
fn get(store: &Store, arg: usize) -> Result<isize> {
    let record: RecordArg = read_arg(arg)?;
    let key = record.key.key().map_err(invalid)?;
    let answer = match store.get(key)? {
        Item::Value(value) => RecordArg::value(record.key, value.as_bytes()),
        Item::Blob(blob) => RecordArg::blob(record.key, blob.len()),
    };
    write_arg(arg, &answer)?;
    Ok(0)
}

/// `RKM_HANDOVER_IOC_DELETE`: removes a record.
fn delete(store: &Store, arg: usize) -> Result<isize> {
    let key: KeyArg = read_arg(arg)?;
    store.delete(key.key().map_err(invalid)?)?;
    Ok(0)
}

/// `RKM_HANDOVER_IOC_LIST`: the records from a position on, in key order; returns how many were
/// written.
fn list(store: &Store, arg: usize) -> Result<isize> {
    let mut list: ListArg = read_arg(arg)?;
    let request = list.request().map_err(invalid)?;
    let (entries, total) = store.list(request.start, request.capacity)?;
    let mut writer = UserSlice::new(
        UserPtr::from_addr(usize::try_from(request.entries)?),
        entries.len() * size_of::<EntryArg>(),
    )
    .writer();
    for entry in entries.iter() {
        writer.write_slice(entry.as_bytes())?;
    }
    list.total = total;
    write_arg(arg, &list)?;
    Ok(isize::try_from(entries.len())?)
}

/// `RKM_HANDOVER_IOC_ATTACH_BLOB`: copies a blob from user space under a key.
fn attach_blob(store: &Store, arg: usize) -> Result<isize> {
    let blob: BlobArg = read_arg(arg)?;
    let attach = blob.attach().map_err(invalid)?;
    let key = Key::new(attach.key).ok_or(EINVAL)?;
    let mut reader = UserSlice::new(
        UserPtr::from_addr(usize::try_from(attach.data)?),
        usize::try_from(attach.len)?,
    )
    .reader();
    store.attach(key, &mut reader, attach.len)?;
    Ok(0)
}

/// `RKM_HANDOVER_IOC_READ_BLOB`: copies part of a blob to user space; returns how many bytes.
fn read_blob(store: &Store, arg: usize) -> Result<isize> {
    let blob: BlobArg = read_arg(arg)?;
    let read = blob.read().map_err(invalid)?;
    let Item::Blob(blob) = store.get(read.key)? else {
        return Err(EMEDIUMTYPE);
    };
    let len = read.len.min(blob.len().saturating_sub(read.offset));
    let mut writer = UserSlice::new(
        UserPtr::from_addr(usize::try_from(read.data)?),
        usize::try_from(len)?,
    )
    .writer();
    Ok(isize::try_from(blob.read_to_user(
        read.offset,
        len,
        &mut writer,
    )?)?)
}

/// `RKM_HANDOVER_IOC_STATUS`: the status report.
fn status(shared: &Shared, arg: usize) -> Result<isize> {
    write_arg(arg, &shared.report().status())?;
    Ok(0)
}

/// `RKM_HANDOVER_IOC_PREPARE`: hands the store over now.
fn prepare(shared: &Shared) -> Result<isize> {
    shared.prepare()?;
    Ok(0)
}
