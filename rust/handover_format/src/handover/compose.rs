// SPDX-License-Identifier: GPL-2.0

//! Composing a whole handover from a module's state in one call.

use super::{
    envelope::Segment,
    error::Error,
    payload::{
        Contents,
        Record, //
    },
    sort::sort_by_key,
    writer::{
        Plan,
        Writer, //
    },
};

/// Writes the handover `plan` describes into `area` and returns its length.
///
/// `segments` are all preserved segments: the area's own, with
/// [`AREA_OWNER`](super::AREA_OWNER), and each blob's, with the blob's tag
/// as owner; they are sorted here. `records` come in ascending key order,
/// and the n-th blob among them carries tag n (counted from 1), the tag its
/// segments are listed under. Within one blob, the segments' physical order
/// must be the order its bytes run through them.
pub fn compose<'r>(
    area: &mut [u8],
    plan: Plan,
    segments: &mut [Segment],
    records: impl IntoIterator<Item = Record<'r>>,
) -> Result<usize, Error> {
    let mut writer = Writer::new(area, plan)?;
    sort_by_key(segments, |segment| segment.phys);
    for segment in segments.iter() {
        writer.push_segment(*segment)?;
    }
    for record in records {
        match record.contents {
            Contents::Value(value) => writer.push_value(record.key, value)?,
            Contents::Blob(blob) => {
                // The writer numbers blobs itself; a caller that numbered
                // them otherwise listed the segments under the wrong owner.
                if writer.push_blob(record.key, blob.len, blob.segments)? != blob.tag {
                    return Err(Error::PlanMismatch);
                }
            }
        }
    }
    writer.finish()
}
