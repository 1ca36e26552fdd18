// SPDX-License-Identifier: GPL-2.0

//! CRC32C against published check values.

use handover_format::{
    crc32c,
    Crc32c, //
};
use proptest::prelude::*;

#[test]
fn check_value() {
    assert_eq!(crc32c(b"123456789"), 0xe306_9283);
}

#[test]
fn empty_input() {
    assert_eq!(crc32c(b""), 0);
}

// Test vectors of RFC 3720 (iSCSI), appendix B.4.
#[test]
fn rfc3720_vectors() {
    let ascending: Vec<u8> = (0..32).collect();
    let descending: Vec<u8> = (0..32).rev().collect();
    assert_eq!(crc32c(&[0; 32]), 0x8a91_36aa);
    assert_eq!(crc32c(&[0xff; 32]), 0x62a8_ab43);
    assert_eq!(crc32c(&ascending), 0x46dd_794e);
    assert_eq!(crc32c(&descending), 0x113f_db5c);
}

proptest! {
    #[test]
    fn pieces_equal_whole(bytes in prop::collection::vec(any::<u8>(), 0..512), cut in any::<prop::sample::Index>()) {
        let (front, back) = bytes.split_at(cut.index(bytes.len() + 1));
        prop_assert_eq!(Crc32c::new().update(front).update(back).finish(), crc32c(&bytes));
    }
}
