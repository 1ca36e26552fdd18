// SPDX-License-Identifier: GPL-2.0

//! debugfs: `/sys/kernel/debug/rkm_mdio_sim/rkmsim<addr>/`, root only.
//!
//! Read-only: `model` (name and PHY id), `status` (link, reset, role,
//! partner), `regs` (the 32 clause 22 registers, read without side effects).
//!
//! The link partner: `link` (`up`/`down`), `partner_adv` (its ADVERTISE
//! value), `partner_role` (`master`/`slave`), `sqi` (0-7), `cable` (`ok`,
//! `noise`, `open <m>`, `short <m>`, 1-31 m), `partner_active` (0/1: it
//! transmits during a TDR, which then fails), `old_switch` (0/1: AX88772A's
//! LPA reads 0).
//!
//! Timing and faults: `an_delay_ms` (0-60000), `reset_reads` (0-255),
//! `read_errors` and `write_errors` (a count of transactions to fail, or
//! `always`; reads show what is left), `stuck_reset` (0/1).
//!
//! Records: `counters` (per-register reads, writes, failures) and `trace`
//! (the latest MDIO transactions, oldest first); writing `clear` empties them.
//!
//! phylib's state machine: `state_machine` shows `auto` (phylib's timer runs
//! it) or `manual` (nothing does); writing `auto` or `manual` switches,
//! `run` runs it once in manual mode (`EBUSY` in auto mode, `ENODEV` while
//! the PHY has no driver).
//!
//! Input that does not parse fails with `EINVAL`; longer than 32 bytes too.

use core::fmt::{
    self,
    Formatter, //
};

use kernel::{
    debugfs::{
        Scope,
        ScopedDir, //
    },
    prelude::*,
    str::CString,
    sync::Arc,
    uaccess::UserSliceReader, //
};

use crate::emulation::{
    regs::dp83tg720::SQI_MAX,
    text::{
        self,
        CableText,
        FaultCountText,
        InvalidInput,
        LinkText,
        StateMachineCommand,
        MAX_INPUT, //
    },
    Partner,
    Phy, //
};
use crate::emulator::{
    Emulator,
    SimPhy, //
};
use crate::mac::PortLink;

/// The longest autonegotiation delay accepted, in milliseconds.
const MAX_AN_DELAY_MS: u32 = 60_000;

/// Declares a PHY's files, a row `(name, kind(...))` each:
///
/// - `read(show)`: read-only, `show(phy, now, f)` writes its contents;
/// - `phy(show, parse, set)`: a setting of the PHY model: `show(phy, f)` writes it, and a write
///   `set(phy, value)`s the value `parse` makes of the input;
/// - `partner(show, parse, set)`: the same for a setting of the link partner, which then
///   renegotiates;
/// - `record(show, clear)`: read as `read`, and writing `clear` empties the record;
/// - `file(show, store)`: a file of its own.
///
/// Each row expands into the `kernel::debugfs` callbacks of the file, non-capturing closures.
macro_rules! port_files {
    ($dir:expr, $port:expr, [$(($name:expr, $kind:ident($($arg:expr),+ $(,)?))),+ $(,)?]) => {
        $(port_files!(@$kind $dir, $port, $name, $($arg),+);)+
    };
    (@read $dir:expr, $port:expr, $name:expr, $show:expr) => {
        $dir.read_callback_file($name, $port, &|port: &PortFiles, f: &mut Formatter<'_>| {
            port.show(f, $show)
        })
    };
    (@phy $dir:expr, $port:expr, $name:expr, $show:expr, $parse:expr, $set:expr) => {
        $dir.read_write_callback_file(
            $name,
            $port,
            &|port: &PortFiles, f: &mut Formatter<'_>| port.show_phy(f, $show),
            &|port: &PortFiles, reader: &mut UserSliceReader| port.store_phy(reader, $parse, $set),
        )
    };
    (@partner $dir:expr, $port:expr, $name:expr, $show:expr, $parse:expr, $set:expr) => {
        $dir.read_write_callback_file(
            $name,
            $port,
            &|port: &PortFiles, f: &mut Formatter<'_>| port.show_partner(f, $show),
            &|port: &PortFiles, reader: &mut UserSliceReader| {
                port.store_partner(reader, $parse, $set)
            },
        )
    };
    (@record $dir:expr, $port:expr, $name:expr, $show:expr, $clear:expr) => {
        $dir.read_write_callback_file(
            $name,
            $port,
            &|port: &PortFiles, f: &mut Formatter<'_>| port.show(f, $show),
            &|port: &PortFiles, reader: &mut UserSliceReader| port.clear(reader, $clear),
        )
    };
    (@file $dir:expr, $port:expr, $name:expr, $show:expr, $store:expr) => {
        $dir.read_write_callback_file($name, $port, &$show, &$store)
    };
}

/// The files of a PHY.
fn populate<'data>(port: &'data PortFiles, dir: &ScopedDir<'data, '_>) {
    port_files!(
        dir,
        port,
        [
            (c"model", read(show_model)),
            (c"status", read(show_status)),
            (c"regs", read(show_regs)),
            (
                c"link",
                partner(
                    |q, f| writeln!(f, "{}", if q.link { "up" } else { "down" }),
                    text::parse_switch,
                    |q, up| q.link = up
                )
            ),
            (
                c"partner_adv",
                partner(
                    |q, f| writeln!(f, "0x{:04x}", q.advertise),
                    text::parse_u16,
                    |q, adv| q.advertise = adv
                )
            ),
            (
                c"partner_role",
                partner(
                    |q, f| writeln!(f, "{}", q.role.name()),
                    text::parse_role,
                    |q, role| q.role = role
                )
            ),
            (
                c"sqi",
                partner(
                    |q, f| writeln!(f, "{}", q.sqi),
                    |input| text::parse_u8(input, SQI_MAX),
                    |q, sqi| q.sqi = sqi
                )
            ),
            (
                c"cable",
                partner(
                    |q, f| writeln!(f, "{}", CableText(q.cable)),
                    text::parse_cable,
                    |q, cable| q.cable = cable
                )
            ),
            (
                c"partner_active",
                partner(
                    |q, f| writeln!(f, "{}", u8::from(q.active_during_tdr)),
                    text::parse_switch,
                    |q, on| q.active_during_tdr = on
                )
            ),
            (
                c"old_switch",
                partner(
                    |q, f| writeln!(f, "{}", u8::from(q.old_switch)),
                    text::parse_switch,
                    |q, on| q.old_switch = on
                )
            ),
            (
                c"an_delay_ms",
                phy(
                    |phy, f| writeln!(f, "{}", phy.timing.an_delay_ms),
                    |input| text::parse_number(input, MAX_AN_DELAY_MS),
                    |phy, ms| phy.timing.an_delay_ms = ms
                )
            ),
            (
                c"reset_reads",
                phy(
                    |phy, f| writeln!(f, "{}", phy.timing.reset_reads),
                    |input| text::parse_u8(input, u8::MAX),
                    |phy, reads| phy.timing.reset_reads = reads
                )
            ),
            (
                c"read_errors",
                phy(
                    |phy, f| writeln!(f, "{}", FaultCountText(phy.faults.read_errors)),
                    text::parse_fault_count,
                    |phy, count| phy.faults.read_errors = count
                )
            ),
            (
                c"write_errors",
                phy(
                    |phy, f| writeln!(f, "{}", FaultCountText(phy.faults.write_errors)),
                    text::parse_fault_count,
                    |phy, count| phy.faults.write_errors = count
                )
            ),
            (
                c"stuck_reset",
                phy(
                    |phy, f| writeln!(f, "{}", u8::from(phy.faults.stuck_reset)),
                    text::parse_switch,
                    |phy, on| phy.faults.stuck_reset = on
                )
            ),
            (
                c"counters",
                record(
                    |p, _, f| write!(f, "{}", p.phy.counters()),
                    |p| p.phy.clear_counters()
                )
            ),
            (c"trace", record(show_trace, |p| p.trace.clear())),
            (
                c"state_machine",
                file(show_state_machine, store_state_machine)
            ),
        ]
    );
}

/// What each PHY's files act on.
pub(crate) struct PortFiles {
    emulator: Arc<Emulator>,
    addr: u8,
    link: PortLink,
}

impl PortFiles {
    pub(crate) fn new(emulator: Arc<Emulator>, addr: u8, link: PortLink) -> Self {
        Self {
            emulator,
            addr,
            link,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut SimPhy, u64) -> R) -> Result<R> {
        self.emulator.with_phy(self.addr, f).ok_or(ENODEV)
    }

    /// Shows what `show` writes of the PHY, under the emulator's lock.
    fn show(
        &self,
        f: &mut Formatter<'_>,
        show: impl FnOnce(&mut SimPhy, u64, &mut Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.with(|p, now| show(p, now, f))
            .unwrap_or(Err(fmt::Error))
    }

    fn show_phy(
        &self,
        f: &mut Formatter<'_>,
        show: impl FnOnce(&Phy, &mut Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.show(f, |p, _, f| show(&p.phy, f))
    }

    fn show_partner(
        &self,
        f: &mut Formatter<'_>,
        show: impl FnOnce(&Partner, &mut Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.show(f, |p, _, f| show(&p.phy.partner(), f))
    }

    /// Reads the user's input and applies it under the emulator's lock.
    fn store<P>(
        &self,
        reader: &mut UserSliceReader,
        parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
        apply: impl FnOnce(&mut SimPhy, u64, P),
    ) -> Result {
        let value = read_input(reader, parse)?;
        self.with(|p, now| apply(p, now, value))
    }

    fn store_phy<P>(
        &self,
        reader: &mut UserSliceReader,
        parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
        set: impl FnOnce(&mut Phy, P),
    ) -> Result {
        self.store(reader, parse, |p, _, value| set(&mut p.phy, value))
    }

    fn store_partner<P>(
        &self,
        reader: &mut UserSliceReader,
        parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
        set: impl FnOnce(&mut Partner, P),
    ) -> Result {
        self.store(reader, parse, |p, now, value| {
            let mut partner = p.phy.partner();
            set(&mut partner, value);
            p.phy.set_partner(now, partner);
        })
    }

    /// Empties a record when the user writes `clear`.
    fn clear(&self, reader: &mut UserSliceReader, clear: impl FnOnce(&mut SimPhy)) -> Result {
        self.store(reader, parse_clear, |p, _, ()| clear(p))
    }
}

/// The files of every PHY; removed before `ports` is dropped.
pub(crate) fn create(ports: KVec<PortFiles>) -> impl PinInit<Scope<KVec<PortFiles>>, Error> {
    Scope::dir(
        Ok::<_, Error>(ports),
        c"rkm_mdio_sim",
        |ports: &KVec<PortFiles>, root| {
            for port in ports.iter() {
                let Ok(name) = CString::try_from_fmt(fmt!("rkmsim{}", port.addr)) else {
                    continue;
                };
                populate(port, &root.dir(&name));
            }
        },
    )
}

/// The user's input, parsed.
fn read_input<P>(
    reader: &mut UserSliceReader,
    parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
) -> Result<P> {
    let mut buf = [0u8; MAX_INPUT];
    let len = reader.len();
    let input = buf.get_mut(..len).ok_or(EINVAL)?;
    reader.read_slice(input)?;
    parse(input).map_err(|InvalidInput| EINVAL)
}

fn parse_clear(input: &[u8]) -> Result<(), InvalidInput> {
    match input.trim_ascii() {
        b"clear" => Ok(()),
        _ => Err(InvalidInput),
    }
}

fn show_model(p: &mut SimPhy, _now: u64, f: &mut Formatter<'_>) -> fmt::Result {
    let model = p.phy.model();
    writeln!(f, "{} 0x{:08x}", model.name(), model.phy_id())
}

fn show_status(p: &mut SimPhy, now: u64, f: &mut Formatter<'_>) -> fmt::Result {
    let link = p.phy.link(now);
    let partner = p.phy.partner();
    writeln!(f, "link: {}", LinkText(link))?;
    writeln!(
        f,
        "reset: {}",
        if p.phy.resetting() { "pending" } else { "idle" }
    )?;
    writeln!(f, "role: {}", p.phy.role().name())?;
    writeln!(
        f,
        "partner: {} adv 0x{:04x} role {} sqi {} cable {}",
        if partner.link { "up" } else { "down" },
        partner.advertise,
        partner.role.name(),
        partner.sqi,
        CableText(partner.cable)
    )
}

fn show_regs(p: &mut SimPhy, now: u64, f: &mut Formatter<'_>) -> fmt::Result {
    for reg in 0..32u8 {
        writeln!(f, "0x{:02x} 0x{:04x}", reg, p.phy.peek(now, reg))?;
    }
    Ok(())
}

fn show_trace(p: &mut SimPhy, _now: u64, f: &mut Formatter<'_>) -> fmt::Result {
    if p.trace.overwritten() > 0 {
        writeln!(f, "# {} older accesses overwritten", p.trace.overwritten())?;
    }
    for access in p.trace.iter() {
        writeln!(f, "{access}")?;
    }
    Ok(())
}

fn show_state_machine(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    let mode = if port.link.is_manual() {
        "manual"
    } else {
        "auto"
    };
    writeln!(f, "{mode}")
}

fn store_state_machine(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    match read_input(reader, text::parse_state_machine)? {
        StateMachineCommand::Auto => port.link.set_manual(false),
        StateMachineCommand::Manual => port.link.set_manual(true),
        StateMachineCommand::Run => return port.link.run_state_machine(),
    }
    Ok(())
}
