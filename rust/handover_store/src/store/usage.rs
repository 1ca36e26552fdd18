// SPDX-License-Identifier: GPL-2.0

//! How much the store holds, and the limits that keep its handover small.

/// Most records the store holds, blobs included.
pub const RECORDS_MAX: u32 = 4096;

/// Most blobs the store holds, the format's limit per handover.
pub const BLOBS_MAX: u32 = 64;

/// Most bytes all blobs hold together.
pub const BLOB_BYTES_MAX: u64 = 256 << 20;

/// What a record holds, as far as the limits care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A value of this many bytes.
    Value(u64),
    /// A blob of this many bytes.
    Blob(u64),
}

/// The limit a change would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// [`RECORDS_MAX`].
    Records,
    /// [`BLOBS_MAX`].
    Blobs,
    /// [`BLOB_BYTES_MAX`].
    BlobBytes,
}

/// What the store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Records, blobs included.
    pub records: u32,
    /// Blobs.
    pub blobs: u32,
    /// Bytes of all values.
    pub value_bytes: u64,
    /// Bytes of all blobs.
    pub blob_bytes: u64,
}

impl Usage {
    /// Returns the usage after the record `old` (if any) is replaced by
    /// `new` (if any), or the limit that would break.
    ///
    /// Removing never fails, and a replacement is judged on the result, so
    /// a full store can still swap a record for one no larger.
    pub fn replace(&self, old: Option<Kind>, new: Option<Kind>) -> Result<Self, Full> {
        let mut next = *self;
        if let Some(old) = old {
            next.remove(old);
        }
        if let Some(new) = new {
            next.records = next
                .records
                .checked_add(1)
                .filter(|&n| n <= RECORDS_MAX)
                .ok_or(Full::Records)?;
            match new {
                Kind::Value(len) => next.value_bytes = next.value_bytes.saturating_add(len),
                Kind::Blob(len) => {
                    next.blobs = next
                        .blobs
                        .checked_add(1)
                        .filter(|&n| n <= BLOBS_MAX)
                        .ok_or(Full::Blobs)?;
                    next.blob_bytes = next
                        .blob_bytes
                        .checked_add(len)
                        .filter(|&n| n <= BLOB_BYTES_MAX)
                        .ok_or(Full::BlobBytes)?;
                }
            }
        }
        Ok(next)
    }

    fn remove(&mut self, kind: Kind) {
        self.records = self.records.saturating_sub(1);
        match kind {
            Kind::Value(len) => self.value_bytes = self.value_bytes.saturating_sub(len),
            Kind::Blob(len) => {
                self.blobs = self.blobs.saturating_sub(1);
                self.blob_bytes = self.blob_bytes.saturating_sub(len);
            }
        }
    }
}
