// SPDX-License-Identifier: GPL-2.0

//! State that survives kexec: a handover library for Rust modules, built on
//! Kexec HandOver (KHO).
//!
//! A module registers a named [`Producer`] of its state with
//! [`Registration::new`]. When the kernel kexecs (from a reboot notifier),
//! or earlier with [`Registration::publish`], the library asks the producer
//! for its records, writes them into memory KHO preserves and publishes
//! that memory as the KHO subtree `name`. Blobs are not copied: their
//! folios are preserved as they are. Dropping the registration withdraws
//! everything, so a module unloaded before kexec hands nothing over and
//! leaks nothing.
//!
//! In the next kernel the module calls [`retrieve`] with the same name, at
//! any time after boot, and gets its records back (blobs adopted in place)
//! or the [`Outcome`] that says why not: KHO disabled, not a KHO boot, a
//! KHO boot whose previous kernel handed nothing over under that name, a
//! payload it cannot read (whose memory is reclaimed all the same), a
//! damaged envelope (whose memory is left alone), or state already taken
//! over in this kernel.
//!
//! The format is `format` (rust/handover_format), described in
//! Documentation/rkm_handover.rst. A module gets this part through
//! `rust/kernel_ext/Kbuild.ext` (Documentation/kernel_ext.rst).
//!
//! ```ignore
//! let restored = handover::retrieve(c"my_driver");
//! let generation = match &restored {
//!     Ok(restored) => restored.generation.next()?,
//!     Err(_) => Generation::FIRST,
//! };
//! let registration = Arc::pin_init(
//!     Registration::new(c"my_driver", generation, MyState::new(restored)),
//!     GFP_KERNEL,
//! )?;
//! ```

mod blob;
#[path = "../../handover_format/src/handover/mod.rs"]
pub mod format;
mod kho;

use super::handover_ffi as ffi;

use core::{
    ffi::c_void,
    ptr, //
};

use kernel::{
    error::Error,
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    time::{
        Instant,
        Monotonic, //
    },
    types::Opaque, //
};

pub use self::blob::Blob;
use self::{
    format::{
        compose,
        examine,
        reclaimable,
        retire,
        Contents,
        Examined,
        Fault,
        Generation,
        Key,
        Outcome,
        Plan,
        Record,
        Segment,
        SegmentKind,
        Value,
        AREA_OWNER, //
    },
    kho::{
        Folio,
        InArea,
        NotifierBlock,
        OutArea,
        Subtree, //
    },
};

/// Returns whether the kernel was booted with `kho=on`, without which
/// nothing is handed over.
pub fn kho_enabled() -> bool {
    kho::enabled()
}

/// Returns whether this kernel was started by a kexec that handed state
/// over.
pub fn kho_boot() -> bool {
    kho::boot()
}

/// What a record maps its key to.
// Values are stored inline: records live in one array, and boxing each value
// would cost an allocation per record for at most 256 bytes.
#[expect(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Item {
    /// A value of up to 256 bytes, copied into the handover.
    Value(Value),
    /// A blob, handed over in place.
    Blob(Arc<Blob>),
}

/// A record of a module's state.
#[derive(Clone)]
pub struct Entry {
    /// The key, unique in the state.
    pub key: Key,
    /// What the key maps to.
    pub item: Item,
}

/// Where a [`Producer`] writes its state for a handover.
pub struct Sink {
    entries: KVVec<Entry>,
}

impl Sink {
    /// Adds `entry`, whose key must sort after the previous one's.
    pub fn push(&mut self, entry: Entry) -> Result {
        if self
            .entries
            .last()
            .is_some_and(|last| last.key >= entry.key)
        {
            return Err(EINVAL);
        }
        self.entries.push(entry, GFP_KERNEL)?;
        Ok(())
    }

    /// Adds a value record; see [`Sink::push`].
    pub fn value(&mut self, key: &[u8], value: &[u8]) -> Result {
        self.push(Entry {
            key: Key::new(key).ok_or(EINVAL)?,
            item: Item::Value(Value::new(value).ok_or(E2BIG)?),
        })
    }
}

/// A module's state, as the library asks for it at handover.
pub trait Producer: Send + Sync {
    /// Returns a number that changes whenever the state does, so that an
    /// unchanged state is not written again at kexec.
    fn revision(&self) -> u64;

    /// Writes the state into `sink`, records in ascending key order.
    fn produce(&self, sink: &mut Sink) -> Result;
}

/// Blob folios preserved for one handover.
struct PreservedBlob(Arc<Blob>);

impl PreservedBlob {
    fn new(blob: Arc<Blob>) -> Result<Self> {
        blob.claim()?;
        for (done, chunk) in blob.chunks().iter().enumerate() {
            if let Err(error) = chunk.preserve() {
                for chunk in blob.chunks().iter().take(done) {
                    chunk.unpreserve();
                }
                blob.release();
                return Err(error);
            }
        }
        Ok(Self(blob))
    }
}

impl Drop for PreservedBlob {
    fn drop(&mut self) {
        for chunk in self.0.chunks() {
            chunk.unpreserve();
        }
        self.0.release();
    }
}

/// A handover published for the next kernel.
///
/// Fields drop in order: the subtree is withdrawn before the memory it
/// names is unpreserved.
struct Published {
    _subtree: Subtree,
    _blobs: KVec<PreservedBlob>,
    _area: OutArea,
    prepared: Prepared,
    revision: u64,
}

/// A handover prepared for the next kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Length of the handover area in bytes.
    pub len: usize,
    /// Time it took to write and publish, in nanoseconds: what handing the
    /// state over adds to the kexec blackout.
    pub nanos: u64,
}

impl Published {
    /// Writes `entries` into a new area and publishes it as `name`.
    fn new(
        name: &CStr,
        generation: Generation,
        entries: &[Entry],
        fault: Option<Fault>,
        revision: u64,
        started: Instant<Monotonic>,
    ) -> Result<Self> {
        let space = kho::phys_space();
        let mut blobs = KVec::new();
        // The area's own folio, then every blob folio.
        let mut segment_count: usize = 1;
        for entry in entries {
            if let Item::Blob(blob) = &entry.item {
                segment_count += blob.chunks().len();
                blobs.push(PreservedBlob::new(blob.clone())?, GFP_KERNEL)?;
            }
        }
        let plan = Plan {
            space,
            generation,
            segments: u32::try_from(segment_count)?,
            records: u32::try_from(entries.len())?,
        };
        let len = plan.area_len().ok_or(ENOSPC)?;
        let mut area = OutArea::alloc(len).map_err(|e| if e == E2BIG { ENOSPC } else { e })?;

        let mut segments = KVec::with_capacity(segment_count, GFP_KERNEL)?;
        segments.push(
            Segment {
                phys: area.phys(),
                pages: 1 << area.order(),
                kind: SegmentKind::Folio,
                owner: AREA_OWNER,
            },
            GFP_KERNEL,
        )?;
        for (tag, blob) in (1..).zip(blobs.iter()) {
            for chunk in blob.0.chunks() {
                segments.push(
                    Segment {
                        phys: chunk.phys(),
                        pages: 1 << chunk.order(),
                        kind: SegmentKind::Folio,
                        owner: tag,
                    },
                    GFP_KERNEL,
                )?;
            }
        }
        let mut tag = 0;
        let records = entries.iter().map(|entry| Record {
            key: entry.key.as_bytes(),
            contents: match &entry.item {
                Item::Value(value) => Contents::Value(value.as_bytes()),
                Item::Blob(blob) => {
                    tag += 1;
                    Contents::Blob(format::Blob {
                        tag,
                        segments: u32::try_from(blob.chunks().len()).unwrap_or(u32::MAX),
                        len: blob.len(),
                    })
                }
            },
        });
        let bytes = area.bytes_mut();
        let len = compose(bytes, plan, &mut segments, records).map_err(|error| {
            pr_err!(
                "handover {}: cannot encode: {}\n",
                name,
                format_args!("{error}")
            );
            EINVAL
        })?;
        if let Some(fault) = fault {
            fault
                .inject(bytes.get_mut(..len).ok_or(EINVAL)?)
                .map_err(|_| EINVAL)?;
        }
        let subtree = Subtree::add(name, &mut area, len)?;
        Ok(Self {
            _subtree: subtree,
            _blobs: blobs,
            _area: area,
            prepared: Prepared {
                len,
                nanos: nanos_since(started),
            },
            revision,
        })
    }
}

/// Handover state of a [`Registration`], under its lock.
struct Outgoing {
    published: Option<Published>,
    /// Damage to inflict on every handover (fault injection, test only).
    fault: Option<Fault>,
}

/// A named producer whose state is handed over at kexec.
///
/// # Invariants
///
/// If `kho` is set, `notifier` is registered as a reboot notifier whose
/// callback is `Self::notify`, until the registration is dropped.
#[pin_data(PinnedDrop)]
pub struct Registration<P: Producer> {
    name: &'static CStr,
    generation: Generation,
    #[pin]
    producer: P,
    kho: bool,
    #[pin]
    outgoing: Mutex<Outgoing>,
    // Last: registered once everything it reaches is initialised.
    #[pin]
    notifier: Opaque<NotifierBlock>,
}

// SAFETY: The notifier block is written only before it is registered; the
// notifier chain then reads it under its own lock. Everything else is `Send`
// (the producer is).
unsafe impl<P: Producer> Send for Registration<P> {}

// SAFETY: `&self` methods reach the notifier block only through the notifier
// chain, which serialises access; everything else is `Sync`.
unsafe impl<P: Producer> Sync for Registration<P> {}

impl<P: Producer> Registration<P> {
    /// Registers `producer`, whose state is of generation `generation` in
    /// this kernel, under the KHO subtree name `name`.
    ///
    /// With KHO disabled the registration works but hands nothing over.
    pub fn new(
        name: &'static CStr,
        generation: Generation,
        producer: impl PinInit<P, Error>,
    ) -> impl PinInit<Self, Error> {
        let enabled = kho::enabled();
        try_pin_init!(Self {
            name,
            generation,
            producer <- producer,
            kho: enabled,
            outgoing <- new_mutex!(Outgoing {
                published: None,
                fault: None,
            }),
            notifier <- Opaque::try_ffi_init(move |slot: *mut NotifierBlock| {
                // SAFETY: `slot` is valid for writing.
                unsafe {
                    slot.write(NotifierBlock {
                        notifier_call: Some(Self::notify),
                        next: ptr::null_mut(),
                        priority: 0,
                    })
                };
                if !enabled {
                    return Ok(());
                }
                // INVARIANT: Registered since `kho` is set.
                // SAFETY: `slot` is pinned inside `Self` and unregistered in
                // `drop` before it goes away; every other field is already
                // initialised, so the callback can run from now on.
                unsafe { kho::register_reboot_notifier(slot) }
            }),
        })
    }

    /// Returns the producer.
    pub fn producer(&self) -> &P {
        &self.producer
    }

    /// Returns the generation of the state in this kernel.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// Hands the producer's state over now and returns what was prepared;
    /// at kexec it is only written again if it changed.
    ///
    /// Fails with `EOPNOTSUPP` when KHO is disabled.
    pub fn publish(&self) -> Result<Prepared> {
        if !self.kho {
            return Err(EOPNOTSUPP);
        }
        let mut outgoing = self.outgoing.lock();
        let started = Instant::<Monotonic>::now();
        let revision = self.producer.revision();
        if let Some(published) = &outgoing.published {
            if published.revision == revision {
                return Ok(published.prepared);
            }
        }
        // The new handover may preserve the same blobs: withdraw first.
        outgoing.published = None;
        let mut sink = Sink {
            entries: KVVec::new(),
        };
        self.producer.produce(&mut sink)?;
        let published = Published::new(
            self.name,
            self.generation,
            &sink.entries,
            outgoing.fault,
            revision,
            started,
        )?;
        let prepared = published.prepared;
        outgoing.published = Some(published);
        Ok(prepared)
    }

    /// Returns the handover prepared for the next kernel, if the producer's
    /// state has not changed since.
    pub fn prepared(&self) -> Option<Prepared> {
        let outgoing = self.outgoing.lock();
        let published = outgoing.published.as_ref()?;
        (published.revision == self.producer.revision()).then_some(published.prepared)
    }

    /// Arms `fault` (or disarms, with [`None`]) for every handover from now
    /// on: the next kernel gets a damaged handover. For tests only.
    pub fn inject(&self, fault: Option<Fault>) {
        let mut outgoing = self.outgoing.lock();
        outgoing.fault = fault;
        // Whatever was published is stale now.
        outgoing.published = None;
    }

    /// Returns the armed fault.
    pub fn fault(&self) -> Option<Fault> {
        self.outgoing.lock().fault
    }

    /// The reboot notifier: hands the state over before a kexec.
    ///
    /// # Safety
    ///
    /// Called by the reboot notifier chain with `nb` registered by
    /// [`Registration::new`].
    unsafe extern "C" fn notify(nb: *mut NotifierBlock, action: usize, _data: *mut c_void) -> i32 {
        // A kexec restarts; a power-off or halt has nobody to hand over to.
        if action as u64 != kho::SYS_RESTART {
            return kho::NOTIFY_DONE;
        }
        let notifier: *const Opaque<NotifierBlock> = nb.cast();
        // SAFETY: `nb` is the `notifier` field of a live `Self`: it is
        // unregistered in `drop` before `Self` goes away.
        let this = unsafe { &*kernel::container_of!(notifier, Self, notifier) };
        match this.publish() {
            Ok(prepared) => pr_info!(
                "handover {}: generation {} handed over: {} bytes, prepared in {} ns\n",
                this.name,
                this.generation.get(),
                prepared.len,
                prepared.nanos
            ),
            Err(error) => pr_err!(
                "handover {}: state not handed over: error {}\n",
                this.name,
                error.to_errno()
            ),
        }
        kho::NOTIFY_DONE
    }
}

#[pinned_drop]
impl<P: Producer> PinnedDrop for Registration<P> {
    fn drop(self: Pin<&mut Self>) {
        if self.kho {
            // SAFETY: Registered in `new` by the type invariants.
            unsafe { kho::unregister_reboot_notifier(self.notifier.get()) };
        }
        // `outgoing` then drops the handover: withdrawn, unpreserved, freed.
    }
}

/// State taken over from the previous kernel.
pub struct Restored {
    /// Generation of the kernel that handed the state over; this kernel's
    /// is the next.
    pub generation: Generation,
    /// The records, sorted by key, blobs adopted (or copied).
    pub entries: KVVec<Entry>,
    /// Whether the blobs were copied rather than adopted ([`Restore::Copy`]).
    copied: bool,
}

impl Restored {
    /// Returns the outcome to report.
    pub fn outcome(&self) -> Outcome {
        let mut blobs = 0;
        let mut blob_bytes = 0;
        for entry in self.entries.iter() {
            if let Item::Blob(blob) = &entry.item {
                blobs += 1;
                blob_bytes += blob.len();
            }
        }
        Outcome::Restored {
            generation: self.generation.get(),
            records: u32::try_from(self.entries.len()).unwrap_or(u32::MAX),
            blobs,
            blob_bytes,
            copied: self.copied,
        }
    }
}

/// Returns the nanoseconds since `started`.
pub fn nanos_since(started: Instant<Monotonic>) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(0)
}

/// How [`retrieve_as`] takes the blobs of a handover over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restore {
    /// The preserved folios become the blobs' folios: nothing is copied.
    Adopt,
    /// Each blob is copied out of its preserved folios into new ones, and the preserved
    /// folios are freed: what a handover that does not keep its memory in place pays. The
    /// benchmark's baseline, restored through the same kexec as [`Restore::Adopt`].
    Copy,
}

/// Takes over the state the previous kernel handed over as `name`.
///
/// Whatever the outcome, the handover is consumed: a later call in this
/// kernel finds [`Outcome::TakenOver`]. On refusal, the memory the
/// envelope lists is freed; a damaged envelope's memory stays reserved.
pub fn retrieve(name: &CStr) -> Result<Restored, Outcome> {
    retrieve_as(name, Restore::Adopt)
}

/// [`retrieve`], taking blobs over as `how` says.
pub fn retrieve_as(name: &CStr, how: Restore) -> Result<Restored, Outcome> {
    if !kho::enabled() {
        return Err(Outcome::Volatile);
    }
    let mut area = match InArea::find(name) {
        Ok(Some(area)) => area,
        Ok(None) => return Err(Outcome::nothing_found(kho::boot())),
        Err(error) => {
            return Err(Outcome::Failed {
                errno: error.to_errno(),
                reclaimed: 0,
            })
        }
    };
    // A handover area is one KHO allocation: anything larger is not ours.
    if area.len > (kernel::page::PAGE_SIZE << kho::MAX_ORDER) {
        return Err(Outcome::Corrupt {
            error: format::Error::SizeMismatch(format::Part::Envelope),
        });
    }
    // SAFETY: The area is the subtree the previous kernel published, never
    // freed in this kernel; nothing writes it until `retire` below.
    let bytes = unsafe { area.bytes() };
    let result = match examine(bytes, kho::phys_space(), area.phys) {
        Examined::Retired => return Err(Outcome::TakenOver),
        Examined::Corrupt(error) => Err(Outcome::Corrupt { error }),
        Examined::Refused { error, envelope } => Err(Outcome::Refused {
            error,
            reclaimed: reclaim_all(&envelope, area.phys),
        }),
        Examined::Accepted(handover) => adopt(&handover, area.phys, how),
    };
    // SAFETY: As above; the borrows of the area have ended.
    retire(unsafe { area.bytes_mut() });
    result
}

/// Frees every segment of `envelope` but the area at `area_phys`, and
/// returns the bytes freed.
fn reclaim_all(envelope: &format::Envelope<'_>, area_phys: u64) -> u64 {
    let mut reclaimed: u64 = 0;
    for segment in reclaimable(envelope, area_phys) {
        // SAFETY: The envelope was validated: each segment is a run of
        // pages the previous kernel preserved, apart from the area and from
        // one another, restored by nobody yet.
        let freed = unsafe {
            kho::reclaim(
                segment.phys,
                segment.pages,
                segment.kind == SegmentKind::Folio,
            )
        };
        if freed {
            reclaimed += segment.bytes(envelope.page_shift()).unwrap_or(0);
        }
    }
    reclaimed
}

/// Takes over the records and blobs of a validated handover.
fn adopt(
    handover: &format::Handover<'_>,
    area_phys: u64,
    how: Restore,
) -> Result<Restored, Outcome> {
    let envelope = handover.envelope();
    let fail = |error: Error, reclaimed| Outcome::Failed {
        errno: error.to_errno(),
        reclaimed,
    };
    // Allocate everything first, so that a failure leaves every segment
    // untouched and reclaimable.
    let mut entries = KVVec::with_capacity(handover.records().len(), GFP_KERNEL)
        .map_err(|_| fail(ENOMEM, reclaim_all(&envelope, area_phys)))?;
    let mut blobs = KVec::new();
    for record in handover.records() {
        if let Contents::Blob(blob) = record.contents {
            // This kernel writes blobs as folios only.
            if handover
                .blob_segments(&blob)
                .any(|segment| segment.kind != SegmentKind::Folio)
            {
                return Err(fail(EOPNOTSUPP, reclaim_all(&envelope, area_phys)));
            }
            let chunks = usize::try_from(blob.segments)
                .map_err(Error::from)
                .and_then(|count| Ok(KVec::with_capacity(count, GFP_KERNEL)?))
                .and_then(|chunks| Ok(blobs.push(chunks, GFP_KERNEL)?));
            if let Err(error) = chunks {
                return Err(fail(error, reclaim_all(&envelope, area_phys)));
            }
        }
    }
    // Segments of the area's owner other than the area itself hold nothing
    // this version reads.
    let mut reclaimed: u64 = 0;
    for segment in reclaimable(&envelope, area_phys).filter(|s| s.owner == AREA_OWNER) {
        // SAFETY: A validated segment, apart from the area, restored by
        // nobody yet.
        if unsafe {
            kho::reclaim(
                segment.phys,
                segment.pages,
                segment.kind == SegmentKind::Folio,
            )
        } {
            reclaimed += segment.bytes(envelope.page_shift()).unwrap_or(0);
        }
    }
    let mut blobs = blobs.into_iter();
    for record in handover.records() {
        let item = match record.contents {
            Contents::Value(value) => {
                Item::Value(Value::new(value).ok_or(fail(EINVAL, reclaimed))?)
            }
            Contents::Blob(blob) => {
                let mut chunks = blobs.next().ok_or(fail(EINVAL, reclaimed))?;
                for segment in handover.blob_segments(&blob) {
                    // SAFETY: A validated folio segment of this blob, apart
                    // from the area and every other segment, restored by
                    // nobody yet.
                    let folio = unsafe { Folio::restore(segment.phys) }
                        .filter(|folio| {
                            folio.size() as u64 == segment.bytes(envelope.page_shift()).unwrap_or(0)
                        })
                        .ok_or(fail(EINVAL, reclaimed))?;
                    chunks
                        .push(folio, GFP_KERNEL)
                        .map_err(|_| fail(ENOMEM, reclaimed))?;
                }
                let adopted = Blob::adopt(chunks, blob.len);
                let blob = match how {
                    Restore::Adopt => adopted,
                    // Dropping the adopted blob frees the preserved folios.
                    Restore::Copy => adopted
                        .duplicate()
                        .map_err(|error| fail(error, reclaimed))?,
                };
                Item::Blob(Arc::new(blob, GFP_KERNEL).map_err(|_| fail(ENOMEM, reclaimed))?)
            }
        };
        entries
            .push(
                Entry {
                    key: Key::new(record.key).ok_or(fail(EINVAL, reclaimed))?,
                    item,
                },
                GFP_KERNEL,
            )
            .map_err(|_| fail(ENOMEM, reclaimed))?;
    }
    Ok(Restored {
        generation: handover.generation(),
        entries,
        copied: how == Restore::Copy,
    })
}
