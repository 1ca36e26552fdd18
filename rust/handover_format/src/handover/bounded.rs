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

/// Up to `N` bytes, stored inline.
#[derive(Clone, Copy)]
struct Bounded<const N: usize> {
    len: u16,
    bytes: [u8; N],
}

impl<const N: usize> Bounded<N> {
    fn new(bytes: &[u8]) -> Option<Self> {
        let mut bounded = Self {
            len: u16::try_from(bytes.len()).ok()?,
            bytes: [0; N],
        };
        bounded.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(bounded)
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// The key of a record: 1 to [`KEY_MAX`] bytes.
#[derive(Clone, Copy)]
pub struct Key(Bounded<KEY_MAX>);

/// The value of a record: 0 to [`VALUE_MAX`] bytes.
#[derive(Clone, Copy)]
pub struct Value(Bounded<VALUE_MAX>);

impl Key {
    /// Returns `bytes` as a key, or [`None`] if it is empty or longer than
    /// [`KEY_MAX`].
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return None;
        }
        Bounded::new(bytes).map(Self)
    }

    /// Returns the bytes of the key.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Value {
    /// Returns `bytes` as a value, or [`None`] if it is longer than
    /// [`VALUE_MAX`].
    pub fn new(bytes: &[u8]) -> Option<Self> {
        Bounded::new(bytes).map(Self)
    }

    /// Returns the bytes of the value.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
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
