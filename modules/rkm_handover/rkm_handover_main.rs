// SPDX-License-Identifier: GPL-2.0

//! rkm_handover: a keyed store whose contents survive kexec.
//!
//! The store holds records (a key of up to 64 bytes mapping to a value of up
//! to 256 bytes, or to a blob of up to 256 MiB) that user space puts, gets,
//! deletes and lists through `/dev/rkm_handover` (the ioctls of
//! `uapi/rkm_handover.h`). It is the producer of a handover [`Registration`]
//! (the library in `handover/`): at kexec its records are handed over
//! through Kexec HandOver, blobs in place, and when the module is loaded in
//! the next kernel it takes them over, generation + 1. Documentation/
//! rkm_handover.rst has the whole story, failure semantics included.
//!
//! debugfs, `/sys/kernel/debug/rkm_handover/` (root only):
//!
//! - `status`: KHO state, generation, records, bytes, what was found at
//!   load (`restore:`), whether the state is prepared, the armed fault.
//! - `fault` (test only): writing a fault name (`envelope_magic`,
//!   `envelope_crc`, `segment_address`, `payload_magic`, `header_crc`,
//!   `data_crc`, `record_count`, `foreign_abi`) damages every handover from
//!   now on that way; `none` disarms. `EINVAL` for anything else.
//! - `probe` (test only): writing `intact` or a fault name hands over a
//!   small fixed state of its own, damaged that way, under the subtree
//!   `rkm_handover.<name>`, so one kexec tests every fault. `EINVAL` for an
//!   unknown name, `EEXIST` if already handed over, `EOPNOTSUPP` without
//!   KHO.
//! - `probes`: what was found at load under each probe name.

use core::{
    fmt,
    mem::size_of, //
};

use kernel::{
    debugfs::{
        Dir,
        File as DebugFile, //
    },
    fs::File,
    ioctl::{
        _IO,
        _IOR,
        _IOW,
        _IOWR, //
    },
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        ArcBorrow,
        Mutex, //
    },
    time::{
        Instant,
        Monotonic, //
    },
    uaccess::{
        UserPtr,
        UserSlice,
        UserSliceReader, //
    },
};
use zerocopy::{
    FromBytes,
    IntoBytes, //
};

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;
use kernel_ext::handover;
mod probe;
#[path = "../../rust/handover_store/src/store/mod.rs"]
pub mod store;

use handover::{
    format::{
        Fault,
        Generation,
        Key,
        Outcome,
        Value, //
    },
    Blob,
    Entry,
    Item,
    Producer,
    Registration,
    Sink, //
};
use probe::{
    show_probes,
    show_timings,
    write_probe,
    Probes, //
};
use store::{
    uapi::{
        self,
        BlobArg,
        EntryArg,
        Invalid,
        KeyArg,
        ListArg,
        RecordArg,
        Restore,
        StatusArg, //
    },
    Full,
    Kho,
    Kind,
    Report,
    Usage, //
};

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

/// Name of the store's KHO subtree.
const SUBTREE: &CStr = c"rkm_handover";

// The store's ABI and the format agree on what a record holds.
const _: () = assert!(uapi::KEY_MAX == handover::format::KEY_MAX);
const _: () = assert!(uapi::VALUE_MAX == handover::format::VALUE_MAX);
const _: () = assert!(store::BLOBS_MAX == handover::format::MAX_BLOBS);

/// The ioctl commands of uapi/rkm_handover.h.
mod cmd {
    use super::*;

    const MAGIC: u32 = 0xBB;
    pub(super) const PUT: u32 = _IOW::<RecordArg>(MAGIC, 0x01);
    pub(super) const GET: u32 = _IOWR::<RecordArg>(MAGIC, 0x02);
    pub(super) const DELETE: u32 = _IOW::<KeyArg>(MAGIC, 0x03);
    pub(super) const LIST: u32 = _IOWR::<ListArg>(MAGIC, 0x04);
    pub(super) const ATTACH_BLOB: u32 = _IOW::<BlobArg>(MAGIC, 0x05);
    pub(super) const READ_BLOB: u32 = _IOW::<BlobArg>(MAGIC, 0x06);
    pub(super) const STATUS: u32 = _IOR::<StatusArg>(MAGIC, 0x07);
    pub(super) const PREPARE: u32 = _IO(MAGIC, 0x08);

    /// Every command, by number.
    pub(super) const ALL: [(u32, u32); 8] = [
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

/// Records of the store, sorted by key, and what they add up to.
struct Records {
    entries: KVVec<Entry>,
    usage: Usage,
    /// Changes with every change of the records.
    revision: u64,
}

/// The keyed store: the state this module hands over.
#[pin_data]
struct Store {
    #[pin]
    records: Mutex<Records>,
    /// Serialises blob attachments, so that the blob-byte limit holds for
    /// the memory they allocate, not only for what they insert.
    #[pin]
    attaching: Mutex<()>,
}

fn kind(item: &Item) -> Kind {
    match item {
        Item::Value(value) => Kind::Value(value.as_bytes().len() as u64),
        Item::Blob(blob) => Kind::Blob(blob.len()),
    }
}

impl Store {
    /// A store holding `entries` (sorted by key), taken over or empty.
    fn new(entries: KVVec<Entry>) -> impl PinInit<Self, Error> {
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
    fn insert(&self, key: Key, item: Item) -> Result {
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

    fn delete(&self, key: &[u8]) -> Result {
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

    fn get(&self, key: &[u8]) -> Result<Item> {
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
    fn list(&self, start: u32, capacity: u32) -> Result<(KVVec<EntryArg>, u32)> {
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

    fn usage(&self) -> Usage {
        self.records.lock().usage
    }

    /// Copies a blob of `len` bytes from `reader` and maps `key` to it.
    fn attach(&self, key: Key, reader: &mut UserSliceReader, len: u64) -> Result {
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

fn full(_: Full) -> Error {
    ENOSPC
}

fn invalid(invalid: Invalid) -> Error {
    if invalid.too_big() {
        E2BIG
    } else {
        EINVAL
    }
}

/// What the misc device and debugfs share: the store, its registration
/// and what was found at load.
#[pin_data]
struct Shared {
    #[pin]
    registration: Registration<Store>,
    outcome: Outcome,
    /// Time the look for a handover took at load.
    restore_ns: u64,
    kho: Kho,
}

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
    fn store(&self) -> &Store {
        self.registration.producer()
    }

    fn report(&self) -> Report<&Outcome, &'static str> {
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

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module initialiser before first use.
    unsafe(uninit) static SHARED: Mutex<Option<Arc<Shared>>> = None;
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

/// `/dev/rkm_handover`.
struct StoreDevice;

#[vtable]
impl MiscDevice for StoreDevice {
    type Ptr = Arc<Shared>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<Arc<Shared>> {
        SHARED.lock().clone().ok_or(ENODEV)
    }

    fn ioctl(shared: ArcBorrow<'_, Shared>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let store = shared.store();
        match cmd {
            cmd::PUT => {
                let record: RecordArg = read_arg(arg)?;
                let (key, value) = record.put().map_err(invalid)?;
                let key = Key::new(key).ok_or(EINVAL)?;
                let value = Value::new(value).ok_or(E2BIG)?;
                store.insert(key, Item::Value(value))?;
                Ok(0)
            }
            cmd::GET => {
                let record: RecordArg = read_arg(arg)?;
                let key = record.key.key().map_err(invalid)?;
                let answer = match store.get(key)? {
                    Item::Value(value) => RecordArg::value(record.key, value.as_bytes()),
                    Item::Blob(blob) => RecordArg::blob(record.key, blob.len()),
                };
                write_arg(arg, &answer)?;
                Ok(0)
            }
            cmd::DELETE => {
                let key: KeyArg = read_arg(arg)?;
                store.delete(key.key().map_err(invalid)?)?;
                Ok(0)
            }
            cmd::LIST => {
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
            cmd::ATTACH_BLOB => {
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
            cmd::READ_BLOB => {
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
            cmd::STATUS => {
                write_arg(arg, &shared.report().status())?;
                Ok(0)
            }
            cmd::PREPARE => {
                shared.registration.publish()?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}

fn show_status(shared: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{}", shared.report())
}

/// Reads a debugfs write: one word, an optional newline.
pub(crate) fn read_word<'a>(
    reader: &mut UserSliceReader,
    buf: &'a mut [u8; 32],
) -> Result<&'a [u8]> {
    let len = reader.len();
    let bytes = buf.get_mut(..len).ok_or(EINVAL)?;
    reader.read_slice(bytes)?;
    Ok(bytes.strip_suffix(b"\n").unwrap_or(bytes))
}

fn write_fault(shared: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0; 32];
    let fault = match read_word(reader, &mut buf)? {
        b"none" => None,
        name => Some(Fault::from_name(name).ok_or(EINVAL)?),
    };
    shared.registration.inject(fault);
    Ok(())
}

/// Makes `/dev/rkm_handover` reach `shared` while alive.
struct DeviceLink;

impl DeviceLink {
    fn new(shared: &Arc<Shared>) -> Self {
        *SHARED.lock() = Some(shared.clone());
        Self
    }
}

impl Drop for DeviceLink {
    fn drop(&mut self) {
        // Opening the device fails with ENODEV from now on; files already
        // open keep their reference.
        SHARED.lock().take();
    }
}

/// Takes over the previous kernel's state, if any, and logs what became
/// of it.
fn load() -> Result<Arc<Shared>> {
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
        try_pin_init!(Shared {
            registration <- Registration::new(SUBTREE, generation, Store::new(entries)),
            outcome,
            restore_ns,
            kho,
        }),
        GFP_KERNEL,
    )
}

#[pin_data]
struct RkmHandover {
    shared: Arc<Shared>,
    probes: Arc<Probes>,
    _link: DeviceLink,
    #[pin]
    _misc: MiscDeviceRegistration<StoreDevice>,
    #[pin]
    _status: DebugFile<Arc<Shared>>,
    #[pin]
    _fault: DebugFile<Arc<Shared>>,
    #[pin]
    _probe: DebugFile<Arc<Probes>>,
    #[pin]
    _probes: DebugFile<Arc<Probes>>,
    #[pin]
    _timings: DebugFile<Arc<Probes>>,
    // After the files, which borrow it while they are created.
    _dir: Dir,
}

impl kernel::InPlaceModule for RkmHandover {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // SAFETY: Called once, before anything uses the lock.
        unsafe { SHARED.init() };
        let dir = Dir::new(c"rkm_handover");
        try_pin_init!(Self {
            shared: load()?,
            probes: Arc::pin_init(Probes::retrieve(), GFP_KERNEL)?,
            _link: DeviceLink::new(shared),
            _misc <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"rkm_handover",
            }),
            _status <- dir.read_callback_file(c"status", shared.clone(), &show_status),
            _fault <- dir.write_callback_file(c"fault", shared.clone(), &write_fault),
            _probe <- dir.write_callback_file(c"probe", probes.clone(), &write_probe),
            _probes <- dir.read_callback_file(c"probes", probes.clone(), &show_probes),
            _timings <- dir.read_callback_file(c"timings", probes.clone(), &show_timings),
            _dir: dir,
        })
    }
}

#[kunit_tests(rkm_handover)]
mod tests {
    use super::*;

    /// The Rust structures and commands are those the C compiler makes of
    /// uapi/rkm_handover.h.
    #[test]
    fn uapi_matches_the_c_header() {
        for (name, size) in uapi::SIZES {
            let mut c_name = [0u8; 32];
            c_name[..name.len()].copy_from_slice(name.as_bytes());
            // SAFETY: `c_name` is NUL-terminated.
            let c_size = unsafe { ffi_ext::rkm_handover_uapi_size(c_name.as_ptr().cast()) };
            assert_eq!(c_size, size);
        }
        for (nr, cmd) in cmd::ALL {
            // SAFETY: Pure lookup, no preconditions.
            assert_eq!(unsafe { ffi_ext::rkm_handover_uapi_cmd(nr) }, cmd);
        }
    }

    /// A blob spread over several folios reads back what was written,
    /// across folio boundaries.
    #[test]
    fn blob_round_trip() {
        let len = (5 << 20) + 4099;
        let mut blob = Blob::new_zeroed(len).unwrap();
        let mut chunk = [0u8; 4096];
        let mut offset = 0;
        while offset < len {
            for (byte, at) in chunk.iter_mut().zip(offset..) {
                *byte = probe::pattern(at);
            }
            let count = chunk.len().min((len - offset) as usize);
            blob.write(offset, &chunk[..count]).unwrap();
            offset += count as u64;
        }
        assert!(blob.write(len - 1, &[0, 0]).is_err());
        // A copy lies in folios of its own and holds the same bytes.
        let copy = blob.duplicate().unwrap();
        assert_eq!(copy.len(), len);
        let mut out = [0u8; 3000];
        for blob in [&blob, &copy] {
            for start in [0, 4095, (4 << 20) - 1000, len - 10] {
                let read = blob.read(start, &mut out).unwrap();
                assert_eq!(read as u64, 3000.min(len - start));
                for (i, byte) in out[..read].iter().enumerate() {
                    assert_eq!(*byte, probe::pattern(start + i as u64));
                }
            }
            assert_eq!(blob.read(len, &mut out).unwrap(), 0);
        }
    }

    /// The state of a test registration: a value and a blob, or keys out
    /// of order.
    struct Fixed {
        blob: Arc<Blob>,
        unsorted: bool,
    }

    impl Producer for Fixed {
        fn revision(&self) -> u64 {
            1
        }

        fn produce(&self, sink: &mut Sink) -> Result {
            sink.value(b"a", b"one")?;
            if self.unsorted {
                sink.value(b"a", b"again")?;
            }
            sink.push(Entry {
                key: Key::new(b"b").ok_or(EINVAL)?,
                item: Item::Blob(self.blob.clone()),
            })
        }
    }

    fn registration(
        name: &'static CStr,
        blob: &Arc<Blob>,
        unsorted: bool,
    ) -> Pin<KBox<Registration<Fixed>>> {
        let fixed = Fixed {
            blob: blob.clone(),
            unsorted,
        };
        KBox::pin_init(
            Registration::new(name, Generation::FIRST, Ok::<_, Error>(fixed)),
            GFP_KERNEL,
        )
        .unwrap()
    }

    /// Publishing writes a handover the writer validated in this kernel's
    /// address space; a blob is in one handover at a time; dropping a
    /// registration withdraws its handover. Without KHO nothing publishes.
    #[test]
    fn publish_and_withdraw() {
        // Two folios: 4 MiB and one page.
        let blob = Arc::new(Blob::new_zeroed((4 << 20) + 1).unwrap(), GFP_KERNEL).unwrap();
        let first = registration(c"rkm_handover.kunit_a", &blob, false);
        let second = registration(c"rkm_handover.kunit_b", &blob, false);
        if !handover::kho_enabled() {
            assert_eq!(first.publish().err(), Some(EOPNOTSUPP));
            return;
        }
        // Envelope and three segments (area, two folios), payload header
        // and two records.
        let prepared = first.publish().unwrap();
        assert_eq!(prepared.len, 24 + 3 * 24 + 40 + 2 * 328);
        assert_eq!(first.prepared(), Some(prepared));
        assert_eq!(second.publish().err(), Some(EBUSY));
        drop(first);
        assert_eq!(second.publish().map(|p| p.len), Ok(prepared.len));
        let unsorted = registration(c"rkm_handover.kunit_c", &blob, true);
        assert_eq!(unsorted.publish().err(), Some(EINVAL));
    }
}
