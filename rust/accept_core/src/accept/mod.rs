// SPDX-License-Identifier: GPL-2.0

//! Unaccepted memory acceptor, free of kernel types.
//!
//! Confidential guests (Intel TDX, AMD SEV-SNP) must accept memory before using it, and
//! accepting the same memory twice is fatal. The firmware describes what is still unaccepted in
//! the EFI unaccepted memory table, a bitmap of units (2 MiB on x86), and Linux accepts units on
//! demand in `accept_memory()`
//! ([`drivers/firmware/efi/unaccepted_memory.c`](srctree/drivers/firmware/efi/unaccepted_memory.c)).
//!
//! This module is that code without its lock and its platform calls, so that a module can run
//! it over memory it owns and tests can run it on the host:
//!
//! - [`Table`] models `struct efi_unaccepted_memory` and does the kernel's range-to-unit
//!   arithmetic, without ever overflowing.
//! - [`Acceptor`] is the protocol of `accept_memory()` as a state machine the caller drives
//!   under its own lock: [`Acceptor::begin`], then [`Acceptor::next_run`] and
//!   [`Acceptor::complete_run`] around each backend call made without the lock, then
//!   [`Acceptor::end`].
//! - [`AcceptAhead`] spots sequential walks and proposes units to accept before they are
//!   touched.
//! - [`accept_tdx`] and [`accept_snp`] split a range the way `tdx_accept_memory()` and
//!   `snp_accept_memory()` do and turn a failed request into an [`AcceptFailure`].
//!
//! Nothing here allocates, panics or uses `unsafe`.

mod acceptor;
mod ahead;
mod backend;
mod chunk;
mod failed;
mod in_flight;
mod table;

pub use acceptor::{
    Acceptor,
    Begin,
    Run,
    RunError,
    Stats,
    Ticket,
    Unaccept,
    Wakeup, //
};
pub use ahead::AcceptAhead;
pub use backend::{
    AcceptBackend,
    AcceptFailure, //
};
pub use chunk::{
    accept_snp,
    accept_tdx,
    psc_batches,
    Chunk,
    ChunkOutcome,
    PageSize,
    PscBatch,
    PscBatches,
    PscPages,
    PSC_MAX_ENTRY, //
};
pub use table::{
    RangeOverflow,
    Table,
    TableError,
    UnitRange,
    PAGE_SIZE,
    TABLE_VERSION, //
};
