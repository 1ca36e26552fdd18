// SPDX-License-Identifier: GPL-2.0

//! Handover format: the bytes a module leaves in KHO-preserved memory for
//! the next kernel.
//!
//! # Layout
//!
//! The handover area is one physically contiguous allocation (from
//! `kho_alloc_preserve()`), published whole as a KHO subtree. All integers
//! are little endian and no field is aligned, so the area can be read at
//! any address.
//!
//! ```text
//! +---------------------------+  0
//! | EnvelopeHeader            |  frozen: magic, CRC, page shift,
//! |                           |  segment count, payload length
//! +---------------------------+  24
//! | SegmentDescriptor x count |  frozen: every preserved run of pages,
//! |                           |  sorted by physical address
//! +---------------------------+  24 + 24 * segment count
//! | PayloadHeader             |  versioned: magic, CRCs, ABI version,
//! |                           |  sizes, record count, generation
//! +---------------------------+  + header size
//! | RecordSlot x count        |  versioned: keyed values and blob
//! |                           |  references, sorted by key
//! +---------------------------+  end of the area
//! ```
//!
//! The envelope is validated on its own by [`Envelope::parse`], so the
//! memory it lists can be reclaimed even when the payload is of an unknown
//! ABI or corrupt. [`Handover::parse`] then validates the payload against
//! it. A blob's bytes never enter the area: its pages are preserved in
//! place, listed in the envelope under the blob's tag, and adopted by the
//! next kernel.

mod adopt;
mod blob;
mod bounded;
mod compose;
mod crc32c;
mod envelope;
mod error;
mod fault;
mod generation;
mod outcome;
mod payload;
mod sort;
mod writer;

pub use self::{
    adopt::{
        examine,
        reclaimable,
        retired,
        Examined,
        Reclaimable, //
    },
    blob::{
        chunk_order,
        clip,
        pages_for,
        Run, //
    },
    bounded::{
        Key,
        Value, //
    },
    compose::compose,
    crc32c::{
        crc32c,
        Crc32c, //
    },
    envelope::{
        retire,
        Envelope,
        EnvelopeHeader,
        PhysSpace,
        Segment,
        SegmentDescriptor,
        SegmentKind,
        Segments,
        ENVELOPE_MAGIC, //
    },
    error::{
        Error,
        Part,
        RecordFault,
        SegmentFault, //
    },
    fault::Fault,
    generation::Generation,
    outcome::Outcome,
    payload::{
        Blob,
        BlobRef,
        BlobSegments,
        Contents,
        Handover,
        PayloadHeader,
        PayloadPrefix,
        Record,
        RecordSlot,
        Records,
        ABI_MAJOR,
        ABI_MINOR,
        AREA_OWNER,
        KEY_MAX,
        MAX_BLOBS,
        PAYLOAD_MAGIC,
        VALUE_MAX, //
    },
    sort::sort_by_key,
    writer::{
        Plan,
        Writer, //
    },
};
