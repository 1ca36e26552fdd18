// SPDX-License-Identifier: GPL-2.0

//! The keyed store of the rkm_handover module, without the kernel: the
//! ioctl ABI of `/dev/rkm_handover` (modules/rkm_handover/uapi/
//! rkm_handover.h), the store's limits, and its status report. The same
//! sources are compiled into the module.

#![no_std]

mod store;

pub use store::*;
