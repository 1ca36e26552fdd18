// SPDX-License-Identifier: GPL-2.0

//! What the emulator's debugfs files accept and show.

use core::fmt;

use super::oa_tdr::{
    CableFault,
    MAX_FAULT_METRES, //
};
use super::partner::Role;
use super::phy::{
    FaultCount,
    Link, //
};

/// Input a debugfs file does not accept (the write fails with `EINVAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidInput;

/// The longest input any file accepts, in bytes.
pub const MAX_INPUT: usize = 32;

fn words(input: &[u8]) -> Result<impl Iterator<Item = &[u8]>, InvalidInput> {
    if input.len() > MAX_INPUT {
        return Err(InvalidInput);
    }
    Ok(input
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty()))
}

/// Exactly one word.
fn one_word(input: &[u8]) -> Result<&[u8], InvalidInput> {
    let mut words = words(input)?;
    match (words.next(), words.next()) {
        (Some(word), None) => Ok(word),
        _ => Err(InvalidInput),
    }
}

fn number_word(word: &[u8]) -> Result<u32, InvalidInput> {
    let (digits, radix) = match word {
        [b'0', b'x' | b'X', hex @ ..] => (hex, 16),
        _ => (word, 10),
    };
    if digits.is_empty() {
        return Err(InvalidInput);
    }
    digits.iter().try_fold(0u32, |acc, &b| {
        let digit = char::from(b).to_digit(radix).ok_or(InvalidInput)?;
        acc.checked_mul(radix)
            .and_then(|v| v.checked_add(digit))
            .ok_or(InvalidInput)
    })
}

/// A decimal or `0x` hexadecimal number up to `max`.
pub fn parse_number(input: &[u8], max: u32) -> Result<u32, InvalidInput> {
    let n = number_word(one_word(input)?)?;
    if n > max {
        return Err(InvalidInput);
    }
    Ok(n)
}

/// A decimal or `0x` hexadecimal 16-bit number.
pub fn parse_u16(input: &[u8]) -> Result<u16, InvalidInput> {
    u16::try_from(parse_number(input, u16::MAX.into())?).map_err(|_| InvalidInput)
}

/// A decimal or `0x` hexadecimal number up to `max`.
pub fn parse_u8(input: &[u8], max: u8) -> Result<u8, InvalidInput> {
    u8::try_from(parse_number(input, max.into())?).map_err(|_| InvalidInput)
}

/// `0`/`1`, `off`/`on`, `down`/`up`.
pub fn parse_switch(input: &[u8]) -> Result<bool, InvalidInput> {
    match one_word(input)? {
        b"1" | b"on" | b"up" => Ok(true),
        b"0" | b"off" | b"down" => Ok(false),
        _ => Err(InvalidInput),
    }
}

/// `master` or `slave`.
pub fn parse_role(input: &[u8]) -> Result<Role, InvalidInput> {
    match one_word(input)? {
        b"master" => Ok(Role::Master),
        b"slave" => Ok(Role::Slave),
        _ => Err(InvalidInput),
    }
}

/// What the `state_machine` file accepts: who runs phylib's state machine of
/// the PHY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateMachineCommand {
    /// phylib's own timer: it polls the PHY.
    Auto,
    /// Nothing runs it but [`StateMachineCommand::Run`].
    Manual,
    /// One run, now (manual mode only).
    Run,
}

/// `auto`, `manual` or `run`.
pub fn parse_state_machine(input: &[u8]) -> Result<StateMachineCommand, InvalidInput> {
    match one_word(input)? {
        b"auto" => Ok(StateMachineCommand::Auto),
        b"manual" => Ok(StateMachineCommand::Manual),
        b"run" => Ok(StateMachineCommand::Run),
        _ => Err(InvalidInput),
    }
}

/// A number of failures, or `always`.
pub fn parse_fault_count(input: &[u8]) -> Result<FaultCount, InvalidInput> {
    match one_word(input)? {
        b"always" => Ok(FaultCount::Always),
        word => Ok(FaultCount::Next(number_word(word)?)),
    }
}

/// `ok`, `noise`, `open <metres>` or `short <metres>` (1 to 31 metres).
pub fn parse_cable(input: &[u8]) -> Result<CableFault, InvalidInput> {
    let mut words = words(input)?;
    let kind = words.next().ok_or(InvalidInput)?;
    let metres = words.next().map(number_word).transpose()?;
    if words.next().is_some() {
        return Err(InvalidInput);
    }
    let located = |make: fn(u8) -> CableFault| match metres {
        Some(m @ 1..) if m <= u32::from(MAX_FAULT_METRES) => {
            u8::try_from(m).map(make).map_err(|_| InvalidInput)
        }
        _ => Err(InvalidInput),
    };
    match (kind, metres) {
        (b"ok", None) => Ok(CableFault::None),
        (b"noise", None) => Ok(CableFault::Noise),
        (b"open", _) => located(CableFault::Open),
        (b"short", _) => located(CableFault::Short),
        _ => Err(InvalidInput),
    }
}

/// A [`CableFault`] as [`parse_cable`] accepts it.
pub struct CableText(pub CableFault);

impl fmt::Display for CableText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            CableFault::None => f.write_str("ok"),
            CableFault::Open(m) => write!(f, "open {m}"),
            CableFault::Short(m) => write!(f, "short {m}"),
            CableFault::Noise => f.write_str("noise"),
        }
    }
}

/// A [`FaultCount`] as [`parse_fault_count`] accepts it.
pub struct FaultCountText(pub FaultCount);

impl fmt::Display for FaultCountText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            FaultCount::Always => f.write_str("always"),
            FaultCount::Next(n) => write!(f, "{n}"),
        }
    }
}

/// A [`Link`] as the `status` file shows it: `down`, `training`, or `up`
/// with speed and duplex (`up 100 full`).
pub struct LinkText(pub Link);

impl fmt::Display for LinkText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Link::Down => f.write_str("down"),
            Link::Training { .. } => f.write_str("training"),
            Link::Up(mode) => {
                let duplex = if mode.full_duplex() { "full" } else { "half" };
                write!(f, "up {} {}", mode.speed(), duplex)
            }
        }
    }
}
