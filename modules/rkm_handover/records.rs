// SPDX-License-Identifier: GPL-2.0

//! The keyed store: records sorted by key, within the limits of the uapi
//! (`store`, rust/handover_store), and the state this module hands over.

use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    uaccess::UserSliceReader, //
};

use crate::{
    handover::{
        self,
        format::Key,
        Blob,
        Entry,
        Item,
        Producer,
        Sink, //
    },
    store::{
        self,
        uapi::EntryArg,
        Full,
        Kind,
        Usage, //
    }, //
};

// The store's ABI and the format agree on what a record holds.
const _: () = assert!(store::uapi::KEY_MAX == handover::format::KEY_MAX);
const _: () = assert!(store::uapi::VALUE_MAX == handover::format::VALUE_MAX);
const _: () = assert!(store::BLOBS_MAX == handover::format::MAX_BLOBS);

/// Records of the store, sorted by key, and what they add up to.
struct Records {
    entries: KVVec<Entry>,
    usage: Usage,
    /// Changes with every change of the records.
    revision: u64,
}

/// The keyed store: the state this module hands over.
#[pin_data]
pub(crate) struct Store {
    #[pin]
    records: Mutex<Records>,
    /// Serialises blob attachments, so that the blob-byte limit holds for
    /// the memory they allocate, not only for what they insert.
    #[pin]
    attaching: Mutex<()>,
}

/// What `item` counts as in the store's limits.
fn kind(item: &Item) -> Kind {
    match item {
        Item::Value(value) => Kind::Value(value.as_bytes().len() as u64),
        Item::Blob(blob) => Kind::Blob(blob.len()),
    }
}

/// The errno of a store that is full.
fn full(_: Full) -> Error {
    ENOSPC
}

impl Store {
    /// A store holding `entries` (sorted by key), taken over or empty.
    pub(crate) fn new(entries: KVVec<Entry>) -> impl PinInit<Self, Error> {
        let mut usage = Usage::default();
        for entry in entries.iter() {
            let kind = kind(&entry.item);
            usage.records += 1;
            match kind {
                Kind::Value(len) => usage.value_bytes += len,
                Kind::Blob(len) => {
                    usage.blobs += 1;
                    usage.blob_bytes += len;
                }
            }
        }
        try_pin_init!(Self {
            records <- new_mutex!(Records {
                entries,
                usage,
                revision: 0,
            }),
            attaching <- new_mutex!(()),
        })
    }

    /// Maps `key` to `item`, replacing any record of that key.
    pub(crate) fn insert(&self, key: Key, item: Item) -> Result {
        let mut records = self.records.lock();
        let found = records.entries.binary_search_by(|e| e.key.cmp(&key));
        let old = found
            .ok()
            .and_then(|i| records.entries.get(i))
            .map(|e| kind(&e.item));
        let usage = records
            .usage
            .replace(old, Some(kind(&item)))
            .map_err(full)?;
        let old = match found {
            Ok(index) => {
                let entry = records.entries.get_mut(index).ok_or(ENOENT)?;
                Some(core::mem::replace(&mut entry.item, item))
            }
            Err(index) => {
                records.entries.reserve(1, GFP_KERNEL)?;
                records
                    .entries
                    .insert_within_capacity(index, Entry { key, item })
                    .map_err(|_| ENOMEM)?;
                None
            }
        };
        records.usage = usage;
        records.revision = records.revision.wrapping_add(1);
        // The old item, a blob maybe, is freed outside the lock.
        drop(records);
        drop(old);
        Ok(())
    }

    /// Removes the record of `key`.
    pub(crate) fn delete(&self, key: &[u8]) -> Result {
        let mut records = self.records.lock();
        let index = records
            .entries
            .binary_search_by(|e| e.key.as_bytes().cmp(key))
            .map_err(|_| ENOENT)?;
        let entry = records.entries.remove(index).map_err(|_| ENOENT)?;
        records.usage = records
            .usage
            .replace(Some(kind(&entry.item)), None)
            .map_err(full)?;
        records.revision = records.revision.wrapping_add(1);
        // A blob handed over for kexec stays alive until that handover is
        // written again; otherwise it is freed here, outside the lock.
        drop(records);
        drop(entry);
        Ok(())
    }

    /// Returns what `key` maps to.
    pub(crate) fn get(&self, key: &[u8]) -> Result<Item> {
        let records = self.records.lock();
        let index = records
            .entries
            .binary_search_by(|e| e.key.as_bytes().cmp(key))
            .map_err(|_| ENOENT)?;
        records
            .entries
            .get(index)
            .map(|entry| entry.item.clone())
            .ok_or(ENOENT)
    }

    /// Returns `capacity` entries from position `start`, and the number of
    /// records.
    pub(crate) fn list(&self, start: u32, capacity: u32) -> Result<(KVVec<EntryArg>, u32)> {
        let records = self.records.lock();
        let start = usize::try_from(start)?.min(records.entries.len());
        let end = start
            .saturating_add(usize::try_from(capacity)?)
            .min(records.entries.len());
        let mut listed = KVVec::with_capacity(end - start, GFP_KERNEL)?;
        for entry in records.entries.get(start..end).unwrap_or_default() {
            let key = entry.key.as_bytes();
            let arg = match &entry.item {
                Item::Value(value) => EntryArg::value(key, value.as_bytes().len()),
                Item::Blob(blob) => EntryArg::blob(key, blob.len()),
            };
            listed.push(arg, GFP_KERNEL)?;
        }
        Ok((listed, records.usage.records))
    }

    /// Returns what the records add up to.
    pub(crate) fn usage(&self) -> Usage {
        self.records.lock().usage
    }

    /// Copies a blob of `len` bytes from `reader` and maps `key` to it.
    pub(crate) fn attach(&self, key: Key, reader: &mut UserSliceReader, len: u64) -> Result {
        let _attaching = self.attaching.lock();
        // Refuse before allocating up to 256 MiB for nothing.
        {
            let records = self.records.lock();
            let old = records
                .entries
                .binary_search_by(|e| e.key.cmp(&key))
                .ok()
                .and_then(|i| records.entries.get(i))
                .map(|e| kind(&e.item));
            records
                .usage
                .replace(old, Some(Kind::Blob(len)))
                .map_err(full)?;
        }
        let blob = Arc::new(Blob::from_user(reader, len)?, GFP_KERNEL)?;
        self.insert(key, Item::Blob(blob))
    }
}

impl Producer for Store {
    fn revision(&self) -> u64 {
        self.records.lock().revision
    }

    fn produce(&self, sink: &mut Sink) -> Result {
        let records = self.records.lock();
        for entry in records.entries.iter() {
            sink.push(entry.clone())?;
        }
        Ok(())
    }
}
