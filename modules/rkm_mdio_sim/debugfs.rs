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

use crate::emulator::{
    Emulator,
    SimPhy, //
};
use crate::phy_model::{
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
    Partner, //
};
use crate::port::PortLink;

/// The longest autonegotiation delay accepted, in milliseconds.
const MAX_AN_DELAY_MS: u32 = 60_000;

/// What each PHY's files act on.
pub(crate) struct PortFiles {
    emulator: Arc<Emulator>,
    addr: u8,
    link: Arc<PortLink>,
}

impl PortFiles {
    pub(crate) fn new(emulator: Arc<Emulator>, addr: u8, link: Arc<PortLink>) -> Self {
        Self {
            emulator,
            addr,
            link,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut SimPhy, u64) -> R) -> Result<R> {
        self.emulator.with_phy(self.addr, f).ok_or(ENODEV)
    }

    /// Reads the user's input and applies it under the lock.
    fn store<P>(
        &self,
        reader: &mut UserSliceReader,
        parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
        apply: impl FnOnce(&mut SimPhy, u64, P),
    ) -> Result {
        let value = read_input(reader, parse)?;
        self.with(|p, now| apply(p, now, value))
    }

    fn store_partner<P>(
        &self,
        reader: &mut UserSliceReader,
        parse: impl FnOnce(&[u8]) -> Result<P, InvalidInput>,
        apply: impl FnOnce(&mut Partner, P),
    ) -> Result {
        self.store(reader, parse, |p, now, value| {
            let mut partner = p.phy.partner();
            apply(&mut partner, value);
            p.phy.set_partner(now, partner);
        })
    }

    fn show(
        &self,
        f: &mut Formatter<'_>,
        show: impl FnOnce(&mut SimPhy, u64, &mut Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        self.with(|p, now| show(p, now, f))
            .unwrap_or(Err(fmt::Error))
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

fn populate<'data>(port: &'data PortFiles, dir: &ScopedDir<'data, '_>) {
    dir.read_callback_file(c"model", port, &show_model);
    dir.read_callback_file(c"status", port, &show_status);
    dir.read_callback_file(c"regs", port, &show_regs);
    dir.read_write_callback_file(c"link", port, &show_link, &store_link);
    dir.read_write_callback_file(c"partner_adv", port, &show_partner_adv, &store_partner_adv);
    dir.read_write_callback_file(
        c"partner_role",
        port,
        &show_partner_role,
        &store_partner_role,
    );
    dir.read_write_callback_file(c"sqi", port, &show_sqi, &store_sqi);
    dir.read_write_callback_file(c"cable", port, &show_cable, &store_cable);
    dir.read_write_callback_file(
        c"partner_active",
        port,
        &show_partner_active,
        &store_partner_active,
    );
    dir.read_write_callback_file(c"old_switch", port, &show_old_switch, &store_old_switch);
    dir.read_write_callback_file(c"an_delay_ms", port, &show_an_delay, &store_an_delay);
    dir.read_write_callback_file(c"reset_reads", port, &show_reset_reads, &store_reset_reads);
    dir.read_write_callback_file(c"read_errors", port, &show_read_errors, &store_read_errors);
    dir.read_write_callback_file(
        c"write_errors",
        port,
        &show_write_errors,
        &store_write_errors,
    );
    dir.read_write_callback_file(c"stuck_reset", port, &show_stuck_reset, &store_stuck_reset);
    dir.read_write_callback_file(c"counters", port, &show_counters, &store_clear_counters);
    dir.read_write_callback_file(c"trace", port, &show_trace, &store_clear_trace);
    dir.read_write_callback_file(
        c"state_machine",
        port,
        &show_state_machine,
        &store_state_machine,
    );
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

fn show_model(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        let model = p.phy.model();
        writeln!(f, "{} 0x{:08x}", model.name(), model.phy_id())
    })
}

fn show_status(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, now, f| {
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
    })
}

fn show_regs(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, now, f| {
        for reg in 0..32u8 {
            writeln!(f, "0x{:02x} 0x{:04x}", reg, p.phy.peek(now, reg))?;
        }
        Ok(())
    })
}

fn show_link(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", if p.phy.partner().link { "up" } else { "down" })
    })
}

fn store_link(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_switch, |partner, up| partner.link = up)
}

fn show_partner_adv(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "0x{:04x}", p.phy.partner().advertise)
    })
}

fn store_partner_adv(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_u16, |partner, adv| {
        partner.advertise = adv
    })
}

fn show_partner_role(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| writeln!(f, "{}", p.phy.partner().role.name()))
}

fn store_partner_role(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_role, |partner, role| {
        partner.role = role
    })
}

fn show_sqi(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| writeln!(f, "{}", p.phy.partner().sqi))
}

fn store_sqi(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(
        reader,
        |input| text::parse_u8(input, SQI_MAX),
        |partner, sqi| partner.sqi = sqi,
    )
}

fn show_cable(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", CableText(p.phy.partner().cable))
    })
}

fn store_cable(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_cable, |partner, cable| {
        partner.cable = cable
    })
}

fn show_partner_active(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", u8::from(p.phy.partner().active_during_tdr))
    })
}

fn store_partner_active(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_switch, |partner, on| {
        partner.active_during_tdr = on
    })
}

fn show_old_switch(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", u8::from(p.phy.partner().old_switch))
    })
}

fn store_old_switch(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store_partner(reader, text::parse_switch, |partner, on| {
        partner.old_switch = on
    })
}

fn show_an_delay(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| writeln!(f, "{}", p.phy.timing.an_delay_ms))
}

fn store_an_delay(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(
        reader,
        |input| text::parse_number(input, MAX_AN_DELAY_MS),
        |p, _, ms| p.phy.timing.an_delay_ms = ms,
    )
}

fn show_reset_reads(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| writeln!(f, "{}", p.phy.timing.reset_reads))
}

fn store_reset_reads(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(
        reader,
        |input| text::parse_u8(input, u8::MAX),
        |p, _, reads| p.phy.timing.reset_reads = reads,
    )
}

fn show_read_errors(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", FaultCountText(p.phy.faults.read_errors))
    })
}

fn store_read_errors(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(reader, text::parse_fault_count, |p, _, count| {
        p.phy.faults.read_errors = count
    })
}

fn show_write_errors(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", FaultCountText(p.phy.faults.write_errors))
    })
}

fn store_write_errors(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(reader, text::parse_fault_count, |p, _, count| {
        p.phy.faults.write_errors = count
    })
}

fn show_stuck_reset(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        writeln!(f, "{}", u8::from(p.phy.faults.stuck_reset))
    })
}

fn store_stuck_reset(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(reader, text::parse_switch, |p, _, on| {
        p.phy.faults.stuck_reset = on
    })
}

fn show_counters(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| write!(f, "{}", p.phy.counters()))
}

fn store_clear_counters(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(reader, parse_clear, |p, _, ()| p.phy.clear_counters())
}

fn show_trace(port: &PortFiles, f: &mut Formatter<'_>) -> fmt::Result {
    port.show(f, |p, _, f| {
        if p.trace.overwritten() > 0 {
            writeln!(f, "# {} older accesses overwritten", p.trace.overwritten())?;
        }
        for access in p.trace.iter() {
            writeln!(f, "{access}")?;
        }
        Ok(())
    })
}

fn store_clear_trace(port: &PortFiles, reader: &mut UserSliceReader) -> Result {
    port.store(reader, parse_clear, |p, _, ()| p.trace.clear())
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
