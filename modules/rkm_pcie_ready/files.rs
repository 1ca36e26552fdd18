// SPDX-License-Identifier: GPL-2.0

//! The sysfs files of a device, in `/sys/bus/pci/devices/<device>/rkm_pcie_ready/`.
//!
//! - `reset` (0200): writing `1` resets the device and returns when the wait is over. `EINVAL`
//!   for anything else; for the errors of the reset itself see [`ReadyDevice::reset`].
//! - `policy` (0644): `spec` (the default) or `kernel`, the rules the next reset follows.
//!   `EINVAL` for anything else.
//! - `verdict` (0444): how the last wait ended (`ready`, `no-wait`, `waited`, `link-down`,
//!   `timed-out`, `disconnected`), `waiting` while one runs, `none` before the first.
//! - `path`, `first_access_us`, `link_up_us`, `ready_us`, `polls`, `link_reads`, `slept_ms`
//!   (0444): the fields of the last [`Report`]; `none` before the first reset, and for a time
//!   that did not happen (no read of the device, no active link seen).
//! - `resets` (0444): how many resets finished.

use core::fmt::{
    self,
    Write, //
};
use kernel::{
    device::Bound,
    prelude::*,
    str::Formatter, //
};

use crate::{
    kernel_ext::{
        pci::Function,
        sysfs::File, //
    },
    readiness::Policy,
    report::{
        OrNone,
        Report, //
    },
    reset::ReadyDevice,
};

crate::device_files! {
    /// The files of each device the driver binds.
    pub(crate) struct Files: ReadyDevice, Function<Bound> = c"rkm_pcie_ready" [
        File::wo(c"reset", |dev, pdev, input| match input {
            b"1" | b"1\n" => dev.reset(pdev),
            _ => Err(EINVAL),
        }),
        File::rw(
            c"policy",
            |dev, _, out| writeln!(out, "{}", dev.status().policy.name()),
            |dev, _, input| {
                dev.set_policy(Policy::from_name(input).ok_or(EINVAL)?);
                Ok(())
            },
        ),
        File::ro(c"verdict", |dev, _, out| {
            let status = dev.status();
            let verdict = match status.last {
                _ if status.waiting => "waiting",
                Some(report) => report.verdict.name(),
                None => "none",
            };
            writeln!(out, "{verdict}")
        }),
        File::ro(c"path", |dev, _, out| {
            let path = dev.status().last.map_or("none", |report| report.path.name());
            writeln!(out, "{path}")
        }),
        File::ro(c"first_access_us", |dev, _, out| last(dev, out, |r| r.first_access_us)),
        File::ro(c"link_up_us", |dev, _, out| last(dev, out, |r| r.link_up_us)),
        File::ro(c"ready_us", |dev, _, out| last(dev, out, |r| Some(r.ready_us))),
        File::ro(c"polls", |dev, _, out| last(dev, out, |r| Some(r.polls.into()))),
        File::ro(c"link_reads", |dev, _, out| last(dev, out, |r| Some(r.link_reads.into()))),
        File::ro(c"slept_ms", |dev, _, out| last(dev, out, |r| Some(r.slept_ms.into()))),
        File::ro(c"resets", |dev, _, out| writeln!(out, "{}", dev.status().resets)),
    ];
}

/// Shows a number of the last report, `none` before the first reset or when `get` has none.
fn last(
    dev: &ReadyDevice,
    out: &mut Formatter<'_>,
    get: fn(&Report) -> Option<u64>,
) -> fmt::Result {
    writeln!(out, "{}", OrNone(dev.status().last.as_ref().and_then(get)))
}
