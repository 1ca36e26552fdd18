// SPDX-License-Identifier: GPL-2.0

//! Test fixtures, which debugfs and the log call probes: fixed states handed
//! over under subtrees of their own, so that one kexec tests every fault and
//! measures every size.
//!
//! A fixture holds its name and a blob of a known pattern. Written to the
//! debugfs file `probe`, a fixture is handed over right away, intact or
//! damaged by one fault; at load the module takes over every fixture the
//! previous kernel handed over and shows the outcomes in `probes`. The
//! `bench_*` fixtures carry 1, 64 and 256 MiB, taken over by adopting their
//! folios; the `copy_*` fixtures carry the same, taken over by copying them
//! into new folios: `timings` shows what handing each over and taking it
//! over cost.

use core::fmt;

use kernel::{
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
    uaccess::UserSliceReader, //
};

use crate::{
    debugfs::read_word, //
    handover::{
        self,
        format::{
            Fault,
            Generation,
            Key,
            Outcome, //
        },
        nanos_since,
        Blob,
        Entry,
        Item,
        Prepared,
        Producer,
        Registration,
        Restore,
        Sink, //
    },
};

/// A fixture: what it is called and what it hands over.
struct Fixture {
    /// The word written to `probe`.
    name: &'static str,
    /// The KHO subtree it is handed over as.
    subtree: &'static CStr,
    /// The damage done to its handover.
    fault: Option<Fault>,
    /// Length of its blob.
    blob_len: u64,
    /// How the next kernel takes it over.
    restore: Restore,
}

/// Blob of the fault fixtures: one folio of 16 pages.
const SMALL: u64 = 64 << 10;

/// A fixture named `$name`, handed over as the subtree `rkm_handover.$name`,
/// taken over by adopting its folios unless `$restore` says otherwise.
macro_rules! fixture {
    ($name:literal, $fault:expr, $blob_len:expr) => {
        fixture!($name, $fault, $blob_len, Restore::Adopt)
    };
    ($name:literal, $fault:expr, $blob_len:expr, $restore:expr) => {
        Fixture {
            name: $name,
            subtree: kernel::c_str!(concat!("rkm_handover.", $name)),
            fault: $fault,
            blob_len: $blob_len,
            restore: $restore,
        }
    };
}

/// Every fixture. Each benchmark size is taken over both ways, adopted first.
const FIXTURES: [Fixture; 15] = [
    fixture!("intact", None, SMALL),
    fixture!("envelope_magic", Some(Fault::EnvelopeMagic), SMALL),
    fixture!("envelope_crc", Some(Fault::EnvelopeCrc), SMALL),
    fixture!("segment_address", Some(Fault::SegmentAddress), SMALL),
    fixture!("payload_magic", Some(Fault::PayloadMagic), SMALL),
    fixture!("header_crc", Some(Fault::HeaderCrc), SMALL),
    fixture!("data_crc", Some(Fault::DataCrc), SMALL),
    fixture!("record_count", Some(Fault::RecordCount), SMALL),
    fixture!("foreign_abi", Some(Fault::ForeignAbi), SMALL),
    fixture!("bench_1M", None, 1 << 20),
    fixture!("copy_1M", None, 1 << 20, Restore::Copy),
    fixture!("bench_64M", None, 64 << 20),
    fixture!("copy_64M", None, 64 << 20, Restore::Copy),
    fixture!("bench_256M", None, 256 << 20),
    fixture!("copy_256M", None, 256 << 20, Restore::Copy),
];

/// Byte `offset` of a fixture's blob: a pattern the next kernel checks.
pub(crate) fn pattern(offset: u64) -> u8 {
    (offset.wrapping_mul(7) ^ (offset >> 9)) as u8
}

/// Bytes filled or checked at a time.
const STRIDE: usize = 64 << 10;

/// A blob of `len` bytes of the pattern.
fn patterned_blob(len: u64) -> Result<Blob> {
    let mut blob = Blob::new_zeroed(len)?;
    let mut buf = KVec::from_elem(0u8, STRIDE, GFP_KERNEL)?;
    let mut offset = 0;
    while offset < len {
        let count = buf.len().min(usize::try_from(len - offset)?);
        for (byte, at) in buf.iter_mut().zip(offset..) {
            *byte = pattern(at);
        }
        blob.write(offset, &buf[..count])?;
        offset += count as u64;
    }
    Ok(blob)
}

/// Whether `blob` holds `len` bytes of the pattern.
fn holds_pattern(blob: &Blob, len: u64) -> Result<bool> {
    if blob.len() != len {
        return Ok(false);
    }
    let mut buf = KVec::from_elem(0u8, STRIDE, GFP_KERNEL)?;
    let mut offset = 0;
    while offset < len {
        let read = blob.read(offset, &mut buf)?;
        if read == 0 {
            return Ok(false);
        }
        if buf
            .iter()
            .take(read)
            .zip(offset..)
            .any(|(&byte, at)| byte != pattern(at))
        {
            return Ok(false);
        }
        offset += read as u64;
    }
    Ok(true)
}

/// The state a fixture hands over: its name and a blob.
struct FixtureState {
    fixture: &'static Fixture,
    blob: Arc<Blob>,
}

impl Producer for FixtureState {
    fn revision(&self) -> u64 {
        0
    }

    fn produce(&self, sink: &mut Sink) -> Result {
        sink.push(Entry {
            key: Key::new(b"probe.blob").ok_or(EINVAL)?,
            item: Item::Blob(self.blob.clone()),
        })?;
        sink.value(b"probe.name", self.fixture.name.as_bytes())
    }
}

/// The blob of a fixture taken over, if it holds what it was given.
fn intact_blob<'a>(entries: &'a [Entry], fixture: &Fixture) -> Option<&'a Blob> {
    let [blob, name] = entries else {
        return None;
    };
    let (Item::Blob(blob), Item::Value(name)) = (&blob.item, &name.item) else {
        return None;
    };
    let intact = name.as_bytes() == fixture.name.as_bytes()
        && holds_pattern(blob, fixture.blob_len).unwrap_or(false);
    intact.then_some(blob)
}

/// Nanoseconds a copy of `blob` into new folios takes: what a handover
/// that copies its data instead of preserving it in place adds before the
/// kexec.
fn copy_nanos(blob: &Blob) -> Result<u64> {
    let started = Instant::<Monotonic>::now();
    let copy = blob.duplicate()?;
    let nanos = nanos_since(started);
    drop(copy);
    Ok(nanos)
}

/// What was found under a fixture's subtree at load.
struct Found {
    fixture: &'static Fixture,
    outcome: Outcome,
    /// Whether the content is what was handed over, if it was taken over.
    intact: Option<bool>,
    /// Time `retrieve_as()` took.
    restore_ns: u64,
}

/// A fixture handed over by this kernel.
struct Published {
    registration: Pin<KBox<Registration<FixtureState>>>,
    prepared: Prepared,
    copy_ns: u64,
}

/// The fixtures found at load and those handed over since.
#[pin_data]
pub(crate) struct Fixtures {
    found: KVec<Found>,
    #[pin]
    published: Mutex<KVec<Published>>,
}

impl Fixtures {
    /// Takes over every fixture the previous kernel handed over.
    pub(crate) fn retrieve() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            found: Self::take_over()?,
            published <- new_mutex!(KVec::new()),
        })
    }

    fn take_over() -> Result<KVec<Found>> {
        let mut found = KVec::with_capacity(FIXTURES.len(), GFP_KERNEL)?;
        for fixture in FIXTURES.iter() {
            let started = Instant::<Monotonic>::now();
            let restored = handover::retrieve_as(fixture.subtree, fixture.restore);
            let restore_ns = nanos_since(started);
            let (outcome, intact) = match restored {
                Ok(restored) => (
                    restored.outcome(),
                    Some(intact_blob(&restored.entries, fixture).is_some()),
                ),
                Err(outcome) => (outcome, None),
            };
            // One line per fixture found; a reload finds them all taken.
            if !matches!(
                outcome,
                Outcome::Absent | Outcome::Missing | Outcome::Volatile | Outcome::TakenOver
            ) {
                pr_info!("probe {} {}\n", fixture.name, format_args!("{outcome}"));
            }
            found.push(
                Found {
                    fixture,
                    outcome,
                    intact,
                    restore_ns,
                },
                GFP_KERNEL,
            )?;
        }
        Ok(found)
    }

    /// Hands fixture `name` over now.
    fn publish(&self, name: &[u8]) -> Result {
        let fixture = FIXTURES
            .iter()
            .find(|fixture| fixture.name.as_bytes() == name)
            .ok_or(EINVAL)?;
        let mut published = self.published.lock();
        if published
            .iter()
            .any(|p| core::ptr::eq(p.registration.producer().fixture, fixture))
        {
            return Err(EEXIST);
        }
        let blob = patterned_blob(fixture.blob_len)?;
        let copy_ns = copy_nanos(&blob)?;
        let state = FixtureState {
            fixture,
            blob: Arc::new(blob, GFP_KERNEL)?,
        };
        let registration = KBox::pin_init(
            Registration::new(fixture.subtree, Generation::FIRST, Ok::<_, Error>(state)),
            GFP_KERNEL,
        )?;
        registration.inject(fixture.fault);
        let prepared = registration.publish()?;
        published.push(
            Published {
                registration,
                prepared,
                copy_ns,
            },
            GFP_KERNEL,
        )?;
        Ok(())
    }
}

/// `probe`: hands the fixture named by the word written over.
pub(crate) fn write_probe(fixtures: &Arc<Fixtures>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0; 32];
    fixtures.publish(read_word(reader, &mut buf)?)
}

/// `probes`: `<name> <outcome>[; content intact|differs]`, one line per
/// fixture.
pub(crate) fn show_probes(fixtures: &Arc<Fixtures>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for found in fixtures.found.iter() {
        write!(f, "{} {}", found.fixture.name, found.outcome)?;
        match found.intact {
            Some(true) => writeln!(f, "; content intact")?,
            Some(false) => writeln!(f, "; content differs")?,
            None => writeln!(f)?,
        }
    }
    Ok(())
}

/// `timings`: one line per fixture taken over at load and per fixture handed
/// over since, in nanoseconds (`copy_ns`: a copy of the blob into new
/// folios):
///
/// ```text
/// restored bench_64M blob_bytes 67108864 restore_ns 231000
/// published bench_64M blob_bytes 67108864 area_bytes 824 publish_ns 95000 copy_ns 51000000
/// ```
pub(crate) fn show_timings(fixtures: &Arc<Fixtures>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for found in fixtures.found.iter() {
        if matches!(found.outcome, Outcome::Restored { .. }) {
            writeln!(
                f,
                "restored {} blob_bytes {} restore_ns {}",
                found.fixture.name, found.fixture.blob_len, found.restore_ns
            )?;
        }
    }
    for published in fixtures.published.lock().iter() {
        let fixture = published.registration.producer().fixture;
        writeln!(
            f,
            "published {} blob_bytes {} area_bytes {} publish_ns {} copy_ns {}",
            fixture.name,
            fixture.blob_len,
            published.prepared.len,
            published.prepared.nanos,
            published.copy_ns
        )?;
    }
    Ok(())
}

#[kunit_tests(rkm_handover_probe)]
mod tests {
    use super::*;

    /// A fault fixture goes by the name the `fault` file knows its fault by,
    /// and every fixture is handed over under `rkm_handover.<name>`.
    #[test]
    fn probes_are_named_after_their_faults() {
        for fixture in FIXTURES.iter() {
            if let Some(fault) = fixture.fault {
                assert_eq!(fault.name(), fixture.name);
            }
            assert_eq!(
                fixture.subtree.to_bytes().strip_prefix(b"rkm_handover."),
                Some(fixture.name.as_bytes())
            );
        }
    }

    /// Each benchmark size is handed over twice, to be adopted and to be
    /// copied, so that both restores follow the same kexec.
    #[test]
    fn every_bench_size_has_a_copy_probe() {
        for bench in FIXTURES.iter().filter(|k| k.name.starts_with("bench_")) {
            let copy = FIXTURES
                .iter()
                .find(|k| k.name.strip_prefix("copy_") == bench.name.strip_prefix("bench_"));
            assert!(matches!(bench.restore, Restore::Adopt));
            assert!(copy.is_some_and(|c| c.blob_len == bench.blob_len
                && matches!(c.restore, Restore::Copy)
                && c.fault.is_none()));
        }
    }

    /// The check of a fixture taken over notices one byte changed.
    #[test]
    fn pattern_check_notices_a_byte() {
        let len = (1 << 20) + 5;
        let mut blob = patterned_blob(len).unwrap();
        assert!(holds_pattern(&blob, len).unwrap());
        assert!(!holds_pattern(&blob, len - 1).unwrap());
        blob.write(len - 3, &[!pattern(len - 3)]).unwrap();
        assert!(!holds_pattern(&blob, len).unwrap());
    }
}
