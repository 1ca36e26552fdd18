// SPDX-License-Identifier: GPL-2.0

//! Generation: how many kernels a module's state has lived through.

use core::num::NonZeroU64;

use super::error::Error;

/// Number of the kernel a module's state belongs to, counted from 1 for the
/// kernel the state was created in.
///
/// Each kernel that restores the state hands it over with the next
/// generation, so a chain of kexecs can be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Generation(NonZeroU64);

impl Generation {
    /// Generation of state created from scratch.
    pub const FIRST: Self = Self(NonZeroU64::MIN);

    /// Returns generation `number`, or [`None`] for 0.
    pub const fn new(number: u64) -> Option<Self> {
        match NonZeroU64::new(number) {
            Some(number) => Some(Self(number)),
            None => None,
        }
    }

    /// Returns the generation as a number.
    pub const fn get(self) -> u64 {
        self.0.get()
    }

    /// Returns the generation of the kernel this state is handed to.
    pub fn next(self) -> Result<Self, Error> {
        self.0
            .checked_add(1)
            .map(Self)
            .ok_or(Error::GenerationExhausted)
    }
}
