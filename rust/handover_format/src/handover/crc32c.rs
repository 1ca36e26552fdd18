// SPDX-License-Identifier: GPL-2.0

//! CRC32C (Castagnoli), the checksum of every handover header and payload.
//!
//! The kernel has its own `crc32c()`, but the format core has to be testable
//! on the host, so it carries a table-driven implementation. The result is
//! the standard CRC-32C, i.e. `~crc32c(~0, data, len)` in kernel terms.

/// Castagnoli polynomial, bit-reversed because the CRC is computed LSB first.
const POLY: u32 = 0x82f6_3b78;

/// Remainder of every byte value, built at compile time so there is no
/// run-time initialisation and no mutable state.
const TABLE: [u32; 256] = table();

const fn table() -> [u32; 256] {
    let mut table = [0; 256];
    let mut byte: u8 = 0;
    loop {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte as usize] = crc;
        if byte == u8::MAX {
            return table;
        }
        byte += 1;
    }
}

/// A CRC32C computation that can be fed in several pieces.
///
/// Feeding `a` then `b` gives the same checksum as feeding `a` and `b`
/// concatenated, which lets a checksum skip the field that stores it.
#[derive(Clone, Copy, Debug)]
pub struct Crc32c(u32);

impl Crc32c {
    /// Starts a checksum over no bytes yet.
    pub const fn new() -> Self {
        Self(!0)
    }

    /// Feeds `bytes` into the checksum.
    #[must_use]
    pub fn update(self, bytes: &[u8]) -> Self {
        let crc = bytes.iter().fold(self.0, |crc, byte| {
            let index = crc.to_le_bytes()[0] ^ byte;
            TABLE[usize::from(index)] ^ (crc >> 8)
        });
        Self(crc)
    }

    /// Returns the checksum of all bytes fed so far.
    pub const fn finish(self) -> u32 {
        !self.0
    }
}

impl Default for Crc32c {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the CRC32C of `bytes`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    Crc32c::new().update(bytes).finish()
}
