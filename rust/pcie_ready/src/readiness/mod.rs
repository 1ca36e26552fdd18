// SPDX-License-Identifier: GPL-2.0

//! Readiness of a PCI Express device after a Conventional Reset of its link.
//!
//! After a secondary bus reset, software may not talk to the device below the port at once:
//! PCIe r6.0, sec 6.6.1 makes it wait 100 ms, counted from the reset below 5.0 GT/s and from the
//! link coming up above it, and then lets the device take up to 1.0 s, or longer with Request
//! Retry Status. [`Readiness`] turns one such wait into a conversation: the caller gives the
//! time and what it found, the engine answers with the next [`Action`] and finally a
//! [`Verdict`], keeping a [`Record`] and handing every [`Step`] to a [`Trace`].
//!
//! Two [`Policy`]s drive it:
//!
//! - [`Policy::Kernel`] reproduces Linux 7.3's `pci_bridge_wait_for_secondary_bus()`, with its
//!   D3cold delay in place of the 100 ms and its exponential backoff.
//! - [`Policy::Spec`] waits exactly what the spec requires, polls at a fixed interval, and uses
//!   what the device reports about itself ([`SelfReport`]) where the spec allows it.
//!
//! The helpers decode what the glue reads before the reset: link speeds ([`SupportedSpeeds`]),
//! the port type ([`PortKind`]), Immediate Readiness ([`immediate_readiness`]) and Readiness
//! Time Reporting ([`ExtCapHeader`], [`ReadinessTimes`]).

mod conversation;
mod engine;
mod kernel_wait;
mod link;
mod names;
mod poll;
mod record;
mod self_report;
mod spec_wait;
mod topology;

pub use self::{
    conversation::{
        Action,
        Response,
        Verdict, //
    },
    engine::{
        Policy,
        Readiness, //
    },
    link::{
        link_active,
        link_active_reporting,
        LinkSpeed,
        SupportedSpeeds, //
    },
    record::{
        Record,
        Step,
        Trace, //
    },
    self_report::{
        immediate_readiness,
        ExtCapHeader,
        ReadinessTime,
        ReadinessTimes,
        SelfReport,
        READINESS_TIME_REPORTING_1,
        READINESS_TIME_REPORTING_ID, //
    },
    spec_wait::SpecTiming,
    topology::{
        bus_max_d3cold_delay,
        Path,
        PortKind,
        Topology, //
    },
};
