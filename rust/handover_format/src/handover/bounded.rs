// SPDX-License-Identifier: GPL-2.0

//! Keys and values of the sizes a record slot holds, checked once when made.

use core::{
    cmp::Ordering,
    fmt, //
};

use super::payload::{
    KEY_MAX,
    VALUE_MAX, //
};

/// The key of a record: 1 to [`KEY_MAX`] bytes.
#[derive(Clone, Copy)]
pub struct Key {
    len: u8,
    bytes: [u8; KEY_MAX],
}

/// The value of a record: 0 to [`VALUE_MAX`] bytes.
#[derive(Clone, Copy)]
pub struct Value {
    len: u16,
    bytes: [u8; VALUE_MAX],
}

// The lengths fit their fields.
const _: () = assert!(KEY_MAX <= u8::MAX as usize);
const _: () = assert!(VALUE_MAX <= u16::MAX as usize);

impl Key {
    /// Returns `bytes` as a key, or [`None`] if it is empty or longer than
    /// [`KEY_MAX`].
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return None;
        }
        let mut key = Self {
            len: u8::try_from(bytes.len()).ok()?,
            bytes: [0; KEY_MAX],
        };
        key.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(key)
    }

    /// Returns the bytes of the key.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl Value {
    /// Returns `bytes` as a value, or [`None`] if it is longer than
    /// [`VALUE_MAX`].
    pub fn new(bytes: &[u8]) -> Option<Self> {
        let mut value = Self {
            len: u16::try_from(bytes.len()).ok()?,
            bytes: [0; VALUE_MAX],
        };
        value.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(value)
    }

    /// Returns the bytes of the value.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keys sort bytewise, the order records are handed over in.
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Value {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({:?})", self.as_bytes())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value({:?})", self.as_bytes())
    }
}
