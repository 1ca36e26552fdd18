// SPDX-License-Identifier: GPL-2.0

//! The ioctl structures of `/dev/rkm_handover`, as in
//! modules/rkm_handover/uapi/rkm_handover.h, and the checks of what user
//! space passes in.
//!
//! The layouts are those of the C header on the same machine (native
//! endianness, no implicit padding); the module's KUnit suite compares
//! their sizes and the command numbers with what the C compiler makes of
//! the header.

use core::mem::size_of;

use zerocopy_derive::{
    FromBytes,
    Immutable,
    IntoBytes,
    KnownLayout, //
};

/// `RKM_HANDOVER_KEY_MAX`.
pub const KEY_MAX: usize = 64;

/// `RKM_HANDOVER_VALUE_MAX`.
pub const VALUE_MAX: usize = 256;

/// `RKM_HANDOVER_VALUE`: the record holds a value.
pub const KIND_VALUE: u32 = 1;

/// `RKM_HANDOVER_BLOB`: the record holds a blob.
pub const KIND_BLOB: u32 = 2;

/// `RKM_HANDOVER_KHO_ENABLED`.
pub const FLAG_KHO_ENABLED: u32 = 1 << 0;

/// `RKM_HANDOVER_KHO_BOOT`.
pub const FLAG_KHO_BOOT: u32 = 1 << 1;

/// `RKM_HANDOVER_PUBLISHED`.
pub const FLAG_PUBLISHED: u32 = 1 << 2;

/// `enum rkm_handover_restore`, in order from `RKM_HANDOVER_RESTORE_NONE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Restore {
    /// Nothing handed over: fresh start (with [`FLAG_KHO_BOOT`], state an
    /// earlier kernel had is lost).
    None = 0,
    /// KHO disabled.
    Volatile = 1,
    /// State taken over.
    Restored = 2,
    /// Payload refused, memory reclaimed.
    Refused = 3,
    /// Envelope damaged, nothing trusted.
    Corrupt = 4,
    /// Taken over earlier in this kernel.
    Taken = 5,
    /// Kernel error while taking over.
    Failed = 6,
}

/// What is wrong with an ioctl argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// The key is empty or longer than [`KEY_MAX`].
    KeyLength,
    /// A `flags` or `reserved` field is not zero.
    Reserved,
    /// The record kind is not one that can be put.
    Kind,
    /// The value is longer than [`VALUE_MAX`].
    ValueTooLong,
    /// The blob is empty.
    BlobEmpty,
    /// The blob is longer than the store holds.
    BlobTooLong,
    /// An offset where none is allowed.
    Offset,
    /// More list entries asked for than the store can hold.
    Capacity,
}

impl Invalid {
    /// Whether the argument is too large (`E2BIG`) rather than malformed
    /// (`EINVAL`).
    pub fn too_big(self) -> bool {
        matches!(self, Self::ValueTooLong | Self::BlobTooLong)
    }
}

/// `struct rkm_handover_key`.
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct KeyArg {
    /// Length of the key.
    pub len: u32,
    /// Must be zero.
    pub flags: u32,
    /// The key, then anything.
    pub bytes: [u8; KEY_MAX],
}

/// `struct rkm_handover_record`: PUT and GET.
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct RecordArg {
    /// The key.
    pub key: KeyArg,
    /// [`KIND_VALUE`] or [`KIND_BLOB`]; 0 is accepted by PUT.
    pub kind: u32,
    /// Length of the value.
    pub value_len: u32,
    /// Length of a blob (GET).
    pub blob_len: u64,
    /// The value, then anything.
    pub value: [u8; VALUE_MAX],
}

/// `struct rkm_handover_entry`: one record as LIST reports it.
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct EntryArg {
    /// The key.
    pub key: KeyArg,
    /// [`KIND_VALUE`] or [`KIND_BLOB`].
    pub kind: u32,
    /// Length of a value.
    pub value_len: u32,
    /// Length of a blob.
    pub blob_len: u64,
}

/// `struct rkm_handover_list`: LIST.
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ListArg {
    /// User address of an array of `capacity` [`EntryArg`]s.
    pub entries: u64,
    /// Position of the first record to report.
    pub start: u32,
    /// Most records to report.
    pub capacity: u32,
    /// Out: records in the store.
    pub total: u32,
    /// Must be zero.
    pub reserved: u32,
}

/// `struct rkm_handover_blob`: ATTACH_BLOB and READ_BLOB.
#[derive(Clone, Copy, Debug, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct BlobArg {
    /// The key.
    pub key: KeyArg,
    /// User address of the bytes.
    pub data: u64,
    /// Number of bytes.
    pub len: u64,
    /// Offset in the blob (READ_BLOB).
    pub offset: u64,
}

/// `struct rkm_handover_status`: STATUS.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct StatusArg {
    /// Kernels the state has lived through, from 1.
    pub generation: u64,
    /// Records, blobs included.
    pub records: u32,
    /// Blobs.
    pub blobs: u32,
    /// Bytes of all values.
    pub value_bytes: u64,
    /// Bytes of all blobs.
    pub blob_bytes: u64,
    /// `FLAG_*`.
    pub flags: u32,
    /// [`Restore`] as a number.
    pub restore: u32,
    /// Bytes reclaimed from a refused handover.
    pub reclaimed: u64,
}

/// Sizes of the structures, as `sizeof` in C gives them.
pub const SIZES: [(&str, usize); 6] = [
    ("rkm_handover_key", size_of::<KeyArg>()),
    ("rkm_handover_record", size_of::<RecordArg>()),
    ("rkm_handover_entry", size_of::<EntryArg>()),
    ("rkm_handover_list", size_of::<ListArg>()),
    ("rkm_handover_blob", size_of::<BlobArg>()),
    ("rkm_handover_status", size_of::<StatusArg>()),
];

/// A blob to attach: ATTACH_BLOB checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attach<'a> {
    /// The key.
    pub key: &'a [u8],
    /// User address of the bytes.
    pub data: u64,
    /// Number of bytes.
    pub len: u64,
}

/// A read of part of a blob: READ_BLOB checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read<'a> {
    /// The key.
    pub key: &'a [u8],
    /// User address to copy to.
    pub data: u64,
    /// Offset in the blob.
    pub offset: u64,
    /// Most bytes to copy.
    pub len: u64,
}

/// A LIST request checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct List {
    /// User address of the entry array.
    pub entries: u64,
    /// Position of the first record.
    pub start: u32,
    /// Most records to report.
    pub capacity: u32,
}

/// Copies as much of `source` as fits into `target` and returns how much.
fn fill(target: &mut [u8], source: &[u8]) -> u32 {
    let len = source.len().min(target.len());
    if let (Some(target), Some(source)) = (target.get_mut(..len), source.get(..len)) {
        target.copy_from_slice(source);
    }
    u32::try_from(len).unwrap_or(0)
}

impl KeyArg {
    /// Returns a key argument holding `key`, which must fit.
    pub fn new(key: &[u8]) -> Self {
        let mut bytes = [0; KEY_MAX];
        Self {
            len: fill(&mut bytes, key),
            flags: 0,
            bytes,
        }
    }

    /// Returns the key.
    pub fn key(&self) -> Result<&[u8], Invalid> {
        if self.flags != 0 {
            return Err(Invalid::Reserved);
        }
        let len = usize::try_from(self.len).map_err(|_| Invalid::KeyLength)?;
        match self.bytes.get(..len) {
            Some(key) if !key.is_empty() => Ok(key),
            _ => Err(Invalid::KeyLength),
        }
    }
}

impl RecordArg {
    /// Returns the key and value to PUT.
    pub fn put(&self) -> Result<(&[u8], &[u8]), Invalid> {
        let key = self.key.key()?;
        if !matches!(self.kind, 0 | KIND_VALUE) || self.blob_len != 0 {
            return Err(Invalid::Kind);
        }
        let len = usize::try_from(self.value_len).map_err(|_| Invalid::ValueTooLong)?;
        let value = self.value.get(..len).ok_or(Invalid::ValueTooLong)?;
        Ok((key, value))
    }

    /// Returns the answer to GET for a value.
    pub fn value(key: KeyArg, value: &[u8]) -> Self {
        let mut bytes = [0; VALUE_MAX];
        Self {
            key,
            kind: KIND_VALUE,
            value_len: fill(&mut bytes, value),
            blob_len: 0,
            value: bytes,
        }
    }

    /// Returns the answer to GET for a blob of `len` bytes.
    pub fn blob(key: KeyArg, len: u64) -> Self {
        Self {
            key,
            kind: KIND_BLOB,
            value_len: 0,
            blob_len: len,
            value: [0; VALUE_MAX],
        }
    }
}

impl EntryArg {
    /// Returns the entry for a value record.
    pub fn value(key: &[u8], len: usize) -> Self {
        Self {
            key: KeyArg::new(key),
            kind: KIND_VALUE,
            value_len: u32::try_from(len).unwrap_or(u32::MAX),
            blob_len: 0,
        }
    }

    /// Returns the entry for a blob record.
    pub fn blob(key: &[u8], len: u64) -> Self {
        Self {
            key: KeyArg::new(key),
            kind: KIND_BLOB,
            value_len: 0,
            blob_len: len,
        }
    }
}

impl ListArg {
    /// Returns the LIST request.
    pub fn request(&self) -> Result<List, Invalid> {
        if self.reserved != 0 {
            return Err(Invalid::Reserved);
        }
        if self.capacity > super::RECORDS_MAX {
            return Err(Invalid::Capacity);
        }
        Ok(List {
            entries: self.entries,
            start: self.start,
            capacity: self.capacity,
        })
    }
}

impl BlobArg {
    /// Returns the blob to ATTACH_BLOB.
    pub fn attach(&self) -> Result<Attach<'_>, Invalid> {
        let key = self.key.key()?;
        if self.offset != 0 {
            return Err(Invalid::Offset);
        }
        if self.len == 0 {
            return Err(Invalid::BlobEmpty);
        }
        if self.len > super::BLOB_BYTES_MAX {
            return Err(Invalid::BlobTooLong);
        }
        Ok(Attach {
            key,
            data: self.data,
            len: self.len,
        })
    }

    /// Returns the part of a blob to READ_BLOB.
    pub fn read(&self) -> Result<Read<'_>, Invalid> {
        Ok(Read {
            key: self.key.key()?,
            data: self.data,
            offset: self.offset,
            len: self.len,
        })
    }
}
