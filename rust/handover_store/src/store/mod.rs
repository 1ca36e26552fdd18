// SPDX-License-Identifier: GPL-2.0

//! The rkm_handover store's rules, free of kernel types.
//!
//! [`uapi`] mirrors the ioctl structures of `rkm_handover.h` and checks what
//! user space passes in; [`Usage`] keeps the store within limits that its
//! handover always fits (one KHO allocation of at most 4 MiB); [`Report`]
//! is the status file.

mod report;
pub mod uapi;
mod usage;

pub use self::{
    report::{
        Kho,
        Report, //
    },
    usage::{
        Full,
        Kind,
        Usage,
        BLOBS_MAX,
        BLOB_BYTES_MAX,
        RECORDS_MAX, //
    },
};
