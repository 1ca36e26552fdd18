// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/rkm_handover/` (root only):
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
//! - `probes`: what was found at load under each probe name; `timings`:
//!   what handing each over and taking it over cost.
//!
//! The first two are here; the others, the fixtures', in [`crate::fixtures`].

use core::fmt;

use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::UserSliceReader, //
};

use crate::{
    handover::format::Fault,
    shared::Shared, //
};

/// `status`: the status report.
pub(crate) fn show_status(shared: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{}", shared.report())
}

/// `fault`: damages every handover from now on as the fault named by the
/// word written says, or by nothing (`none`).
pub(crate) fn write_fault(shared: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0; 32];
    let fault = match read_word(reader, &mut buf)? {
        b"none" => None,
        name => Some(Fault::from_name(name).ok_or(EINVAL)?),
    };
    shared.inject(fault);
    Ok(())
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
