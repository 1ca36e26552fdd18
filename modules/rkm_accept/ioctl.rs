// SPDX-License-Identifier: GPL-2.0

//! The ioctls of `/dev/rkm_accept`, as documented in uapi/rkm_accept.h, and the counters of
//! `RKM_ACCEPT_IOC_STATS` in the file's fdinfo.

use crate::{
    ffi_ext::{
        self,
        rkm_accept_bitmap,
        rkm_accept_range,
        rkm_accept_stats, //
    },
    region::Region, //
};
use core::mem::size_of;
use kernel::{
    ioctl::{
        _IO,
        _IOR,
        _IOW,
        _IOWR, //
    },
    prelude::*,
    seq_file::{
        seq_print,
        SeqFile, //
    },
    uaccess::{
        UserPtr,
        UserSlice, //
    }, //
};
use zerocopy::{
    FromZeros,
    IntoBytes, //
};

/// `RKM_ACCEPT_IOC_MAGIC`.
const MAGIC: u32 = ffi_ext::RKM_ACCEPT_IOC_MAGIC;

/// `RKM_ACCEPT_IOC_ACCEPT`.
pub(crate) const ACCEPT: u32 = _IOW::<rkm_accept_range>(MAGIC, 1);
/// `RKM_ACCEPT_IOC_QUERY`.
pub(crate) const QUERY: u32 = _IOW::<rkm_accept_range>(MAGIC, 2);
/// `RKM_ACCEPT_IOC_BITMAP`.
pub(crate) const BITMAP: u32 = _IOWR::<rkm_accept_bitmap>(MAGIC, 3);
/// `RKM_ACCEPT_IOC_STATS`.
pub(crate) const STATS: u32 = _IOR::<rkm_accept_stats>(MAGIC, 4);
/// `RKM_ACCEPT_IOC_UNACCEPT`.
pub(crate) const UNACCEPT: u32 = _IOW::<rkm_accept_range>(MAGIC, 5);
/// `RKM_ACCEPT_IOC_CLEAR`.
pub(crate) const CLEAR: u32 = _IO(MAGIC, 6);

/// Runs the ioctl `cmd` with argument `arg` on `region`.
pub(crate) fn dispatch(region: &Region, cmd: u32, arg: usize) -> Result<isize> {
    let arg = UserPtr::from_addr(arg);
    match cmd {
        ACCEPT => {
            let range = read_range(arg)?;
            region.accept(range.start, range.size)?;
            Ok(0)
        }
        QUERY => {
            let range = read_range(arg)?;
            Ok(isize::from(
                region.contains_unaccepted(range.start, range.size)?,
            ))
        }
        BITMAP => copy_bitmap(region, arg),
        STATS => {
            let stats = region.stats();
            UserSlice::new(arg, size_of::<rkm_accept_stats>())
                .writer()
                .write_slice(stats.as_bytes())?;
            Ok(0)
        }
        UNACCEPT => {
            let range = read_range(arg)?;
            let accepted = region.unaccept(range.start, range.size)?;
            Ok(isize::try_from(accepted).unwrap_or(isize::MAX))
        }
        CLEAR => Ok(isize::try_from(region.clear()?).unwrap_or(isize::MAX)),
        _ => Err(ENOTTY),
    }
}

/// Reads a `struct rkm_accept_range` from user space.
fn read_range(arg: UserPtr) -> Result<rkm_accept_range> {
    let mut range = rkm_accept_range::new_zeroed();
    UserSlice::new(arg, size_of::<rkm_accept_range>())
        .reader()
        .read_slice(range.as_mut_bytes())?;
    Ok(range)
}

/// `RKM_ACCEPT_IOC_BITMAP`: the geometry always, the bitmap if the buffer holds it.
fn copy_bitmap(region: &Region, arg: UserPtr) -> Result<isize> {
    let (mut reader, mut writer) =
        UserSlice::new(arg, size_of::<rkm_accept_bitmap>()).reader_writer();
    let mut request = rkm_accept_bitmap::new_zeroed();
    reader.read_slice(request.as_mut_bytes())?;
    let bitmap = region.bitmap()?;
    let bytes = bitmap.as_slice().as_bytes();
    request.units = region.units();
    request.unit_size = region.unit_size();

    let outcome = if request.bitmap_bytes == 0 {
        Ok(0)
    } else if request.bitmap_bytes < bytes.len() as u64 {
        Err(ENOSPC)
    } else {
        let buffer = UserPtr::from_addr(usize::try_from(request.bitmap).map_err(|_| EFAULT)?);
        UserSlice::new(buffer, bytes.len())
            .writer()
            .write_slice(bytes)?;
        Ok(0)
    };
    writer.write_slice(request.as_bytes())?;
    outcome
}

/// Writes the counters of `RKM_ACCEPT_IOC_STATS` to an open file's fdinfo
/// (`/proc/<pid>/fdinfo/<fd>`), one `name:\tvalue` line each, named as in the uapi struct.
pub(crate) fn show_fdinfo(region: &Region, m: &SeqFile) {
    let s = region.stats();
    let counters = [
        ("units", s.units),
        ("unit_size", s.unit_size),
        ("unaccepted_units", s.unaccepted_units),
        ("units_accepted", s.units_accepted),
        ("backend_calls", s.backend_calls),
        ("waits", s.waits),
        ("units_failed", s.units_failed),
        ("units_unaccepted", s.units_unaccepted),
        ("faults", s.faults),
        ("faults_waited", s.faults_waited),
        ("ahead_units", s.ahead_units),
        ("double_accepts", s.double_accepts),
        ("accept_ns", s.accept_ns),
        ("wait_ns", s.wait_ns),
    ];
    for (name, value) in counters {
        seq_print!(m, "{name}:\t{value}\n");
    }
}
