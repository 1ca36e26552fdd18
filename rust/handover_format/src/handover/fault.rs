// SPDX-License-Identifier: GPL-2.0

//! Deliberate damage to a finished handover, to test how the next kernel
//! copes with each kind of corruption.

use zerocopy::FromBytes;

use super::{
    envelope::{
        self,
        EnvelopeHeader,
        SegmentDescriptor, //
    },
    error::{
        Error,
        Part, //
    },
    payload::{
        self,
        PayloadHeader,
        ABI_MAJOR, //
    },
};

/// A way to damage a finished handover area.
///
/// Faults that lie about a field recompute the checksums around it, so that
/// the lie itself is what the next kernel has to catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Breaks the envelope magic.
    EnvelopeMagic,
    /// Breaks the envelope CRC.
    EnvelopeCrc,
    /// Moves the first segment to the top of the 64-bit address space,
    /// where it ends past the end of any physical memory.
    SegmentAddress,
    /// Breaks the payload magic.
    PayloadMagic,
    /// Breaks the payload header CRC.
    HeaderCrc,
    /// Breaks the payload data CRC.
    DataCrc,
    /// Claims one record more than the payload holds.
    RecordCount,
    /// Claims the payload is of the next major ABI version.
    ForeignAbi,
}

impl Fault {
    /// Every fault, in the order the envelope and payload are checked.
    pub const ALL: [Self; 8] = [
        Self::EnvelopeMagic,
        Self::EnvelopeCrc,
        Self::SegmentAddress,
        Self::PayloadMagic,
        Self::HeaderCrc,
        Self::DataCrc,
        Self::RecordCount,
        Self::ForeignAbi,
    ];

    /// Returns the fault's name, as fault-injection interfaces spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::EnvelopeMagic => "envelope_magic",
            Self::EnvelopeCrc => "envelope_crc",
            Self::SegmentAddress => "segment_address",
            Self::PayloadMagic => "payload_magic",
            Self::HeaderCrc => "header_crc",
            Self::DataCrc => "data_crc",
            Self::RecordCount => "record_count",
            Self::ForeignAbi => "foreign_abi",
        }
    }

    /// Returns the fault named `name`.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|fault| fault.name().as_bytes() == name)
    }

    /// Damages `area`, a handover area as written by a
    /// [`Writer`](super::Writer).
    ///
    /// Fails if `area` does not hold the field the fault damages.
    pub fn inject(self, area: &mut [u8]) -> Result<(), Error> {
        match self {
            Self::EnvelopeMagic => edit_envelope(area, false, |header, _| {
                header.magic[0] ^= 0xff;
                Some(())
            }),
            Self::EnvelopeCrc => edit_envelope(area, false, |header, _| {
                header.crc.set(header.crc.get() ^ 1);
                Some(())
            }),
            Self::SegmentAddress => edit_envelope(area, true, |header, table| {
                // The top of the 64-bit space, aligned to the segment's size:
                // it ends past any limit, and is refused for that alone.
                let (segment, _) = SegmentDescriptor::mut_from_prefix(table).ok()?;
                let page_shift = header.page_shift.get();
                let bytes = segment
                    .pages
                    .get()
                    .checked_shl(page_shift)
                    .filter(|bytes| bytes.checked_shr(page_shift) == Some(segment.pages.get()))
                    .unwrap_or(1u64.checked_shl(page_shift)?);
                segment.phys.set(0u64.wrapping_sub(bytes));
                Some(())
            }),
            Self::PayloadMagic => edit_payload(area, false, |header| {
                header.prefix.magic[0] ^= 0xff;
            }),
            Self::HeaderCrc => edit_payload(area, false, |header| {
                let crc = &mut header.prefix.header_crc;
                crc.set(crc.get() ^ 1);
            }),
            Self::DataCrc => edit_payload(area, true, |header| {
                header.data_crc.set(header.data_crc.get() ^ 1);
            }),
            Self::RecordCount => edit_payload(area, true, |header| {
                let count = header.record_count.get().saturating_add(1);
                header.record_count.set(count);
            }),
            Self::ForeignAbi => edit_payload(area, true, |header| {
                header.prefix.abi_major.set(ABI_MAJOR.saturating_add(1));
            }),
        }
    }
}

/// Applies `edit` to the envelope header and segment table of `area`, then
/// recomputes the envelope CRC if `reseal`.
fn edit_envelope(
    area: &mut [u8],
    reseal: bool,
    edit: impl FnOnce(&mut EnvelopeHeader, &mut [u8]) -> Option<()>,
) -> Result<(), Error> {
    let damaged = EnvelopeHeader::mut_from_prefix(area)
        .ok()
        .and_then(|(header, table)| edit(header, table));
    if damaged.is_none() || (reseal && envelope::seal(area).is_none()) {
        return Err(Error::Truncated(Part::Envelope));
    }
    Ok(())
}

/// Applies `edit` to the payload header of `area`, then recomputes the
/// header CRC if `reseal`.
fn edit_payload(
    area: &mut [u8],
    reseal: bool,
    edit: impl FnOnce(&mut PayloadHeader),
) -> Result<(), Error> {
    let payload = envelope::payload_mut(area).ok_or(Error::Truncated(Part::Envelope))?;
    let (header, _) =
        PayloadHeader::mut_from_prefix(payload).map_err(|_| Error::Truncated(Part::Payload))?;
    edit(header);
    if reseal {
        payload::seal_header(payload).ok_or(Error::Truncated(Part::Payload))?;
    }
    Ok(())
}
