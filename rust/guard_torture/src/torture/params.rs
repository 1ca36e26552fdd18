// SPDX-License-Identifier: GPL-2.0

//! Parameters of a torture run and of a benchmark run, as users write them.
//!
//! Both are one line of whitespace-separated tokens. A torture run is `key=value` pairs
//! (`kind=rwsem writers=2 readers=2 duration_s=2 hold_us=1`); only `kind` is required. Every
//! value is checked against its range here, so the module starts nothing it cannot finish.

use super::LockKind;
use core::fmt;

/// Most threads of one role (writers or readers) in a run.
pub const MAX_THREADS: u32 = 64;
/// Longest run, in seconds.
pub const MAX_DURATION_S: u32 = 600;
/// Longest critical section, in microseconds: writers of spinning locks busy-wait this long
/// with preemption (and for some kinds interrupts or bottom halves) disabled.
pub const MAX_HOLD_US: u32 = 1000;

const DEFAULT_WRITERS: u32 = 2;
const DEFAULT_READERS: u32 = 2;
const DEFAULT_DURATION_S: u32 = 2;
const DEFAULT_HOLD_US: u32 = 0;

/// Why a parameter line was refused; shown in the module's one log line about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// Nothing but whitespace.
    Empty,
    /// Not valid UTF-8, or a token that is not `key=value` where one is needed.
    Malformed,
    /// A key this line does not take.
    UnknownKey,
    /// The same key twice.
    Duplicate,
    /// A torture run without `kind=`.
    MissingKind,
    /// `kind=` names no lock kind.
    UnknownKind,
    /// A value that is not a decimal number without sign.
    NotANumber,
    /// A number outside its range.
    OutOfRange {
        /// The key.
        key: &'static str,
        /// Smallest value accepted.
        min: u32,
        /// Largest value accepted.
        max: u32,
    },
    /// Readers asked for a lock kind that has no read side.
    NoReadSide(LockKind),
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Empty => f.write_str("empty parameter line"),
            ParamError::Malformed => f.write_str("expected key=value tokens"),
            ParamError::UnknownKey => f.write_str("unknown key"),
            ParamError::Duplicate => f.write_str("key given twice"),
            ParamError::MissingKind => f.write_str("kind= is required"),
            ParamError::UnknownKind => f.write_str("unknown lock kind"),
            ParamError::NotANumber => f.write_str("value is not an unsigned decimal number"),
            ParamError::OutOfRange { key, min, max } => {
                write!(f, "{key} must be between {min} and {max}")
            }
            ParamError::NoReadSide(kind) => write!(f, "{} has no read side", kind.name()),
        }
    }
}

/// The `key=value` tokens of a line.
pub(super) struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(input: &'a [u8]) -> Result<Self, ParamError> {
        let rest = core::str::from_utf8(input).map_err(|_| ParamError::Malformed)?;
        if rest.trim_ascii().is_empty() {
            return Err(ParamError::Empty);
        }
        Ok(Self { rest })
    }

    /// The next bare word, if the line has one.
    pub(super) fn next_word(&mut self) -> Option<&'a str> {
        let trimmed = self.rest.trim_ascii_start();
        let end = trimmed
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(trimmed.len());
        let (word, rest) = trimmed.split_at(end);
        self.rest = rest;
        (!word.is_empty()).then_some(word)
    }

    /// The next `key=value` pair, if the line has more tokens.
    pub(super) fn next_pair(&mut self) -> Option<Result<(&'a str, &'a str), ParamError>> {
        let word = self.next_word()?;
        Some(match word.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key, value)),
            _ => Err(ParamError::Malformed),
        })
    }
}

/// `value` as a number in `min..=max`.
pub(super) fn number(
    key: &'static str,
    value: &str,
    min: u32,
    max: u32,
) -> Result<u32, ParamError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParamError::NotANumber);
    }
    let out_of_range = ParamError::OutOfRange { key, min, max };
    // Digits only, so the only parse error left is overflow: out of range as well.
    let n: u32 = value.parse().map_err(|_| out_of_range)?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(out_of_range)
    }
}

/// Stores `value` in `slot` unless the key was seen before.
pub(super) fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), ParamError> {
    if slot.is_some() {
        return Err(ParamError::Duplicate);
    }
    *slot = Some(value);
    Ok(())
}

/// A validated torture run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// The lock under test.
    pub kind: LockKind,
    /// Writer threads, `1..=MAX_THREADS`.
    pub writers: u32,
    /// Reader threads, `0..=MAX_THREADS`; zero for kinds without a read side.
    pub readers: u32,
    /// Length of the run in seconds, `1..=MAX_DURATION_S`.
    pub duration_s: u32,
    /// Busy-wait inside each critical section, in microseconds, `0..=MAX_HOLD_US`.
    pub hold_us: u32,
}

impl Params {
    /// Parses `kind=<kind> [writers=N] [readers=N] [duration_s=N] [hold_us=N]`.
    ///
    /// Readers default to 2 for kinds with a read side and 0 otherwise; asking for readers of a
    /// kind without a read side is an error rather than silently ignored.
    pub fn parse(input: &[u8]) -> Result<Self, ParamError> {
        let mut tokens = Tokens::new(input)?;
        let (mut kind, mut writers, mut readers, mut duration_s, mut hold_us) =
            (None, None, None, None, None);
        while let Some(pair) = tokens.next_pair() {
            let (key, value) = pair?;
            match key {
                "kind" => set_once(
                    &mut kind,
                    LockKind::from_name(value.as_bytes()).ok_or(ParamError::UnknownKind)?,
                )?,
                "writers" => set_once(&mut writers, number("writers", value, 1, MAX_THREADS)?)?,
                "readers" => set_once(&mut readers, number("readers", value, 0, MAX_THREADS)?)?,
                "duration_s" => set_once(
                    &mut duration_s,
                    number("duration_s", value, 1, MAX_DURATION_S)?,
                )?,
                "hold_us" => set_once(&mut hold_us, number("hold_us", value, 0, MAX_HOLD_US)?)?,
                _ => return Err(ParamError::UnknownKey),
            }
        }
        let kind = kind.ok_or(ParamError::MissingKind)?;
        let readers = match readers {
            Some(n) if n > 0 && !kind.has_read_side() => return Err(ParamError::NoReadSide(kind)),
            Some(n) => n,
            None if kind.has_read_side() => DEFAULT_READERS,
            None => 0,
        };
        Ok(Self {
            kind,
            writers: writers.unwrap_or(DEFAULT_WRITERS),
            readers,
            duration_s: duration_s.unwrap_or(DEFAULT_DURATION_S),
            hold_us: hold_us.unwrap_or(DEFAULT_HOLD_US),
        })
    }
}

impl fmt::Display for Params {
    /// The canonical form, which [`Params::parse`] reads back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kind={} writers={} readers={} duration_s={} hold_us={}",
            self.kind.name(),
            self.writers,
            self.readers,
            self.duration_s,
            self.hold_us
        )
    }
}
