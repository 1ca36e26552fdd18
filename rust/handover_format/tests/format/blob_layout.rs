// SPDX-License-Identifier: GPL-2.0

//! How a blob's bytes are spread over folios and found again.

use handover_format::{
    chunk_order,
    clip,
    pages_for,
    sort_by_key,
    Key,
    Value,
    KEY_MAX,
    VALUE_MAX, //
};
use proptest::{
    collection::vec,
    prelude::*, //
};

/// The folio orders a blob of `pages` pages is allocated in.
fn orders(mut pages: u64, max_order: u32) -> Vec<u32> {
    let mut orders = Vec::new();
    while let Some(order) = chunk_order(pages, max_order) {
        orders.push(order);
        pages -= 1 << order;
    }
    orders
}

#[test]
fn chunk_orders_of_known_sizes() {
    assert_eq!(orders(0, 10), Vec::<u32>::new());
    assert_eq!(orders(1, 10), [0]);
    assert_eq!(orders(5, 10), [2, 0]);
    // 64 MiB of 4 KiB pages: sixteen 4 MiB folios.
    assert_eq!(orders(16384, 10), [10; 16]);
    assert_eq!(orders(1025, 10), [10, 0]);
}

#[test]
fn clip_at_the_edges() {
    assert_eq!(clip(0, 10, 10, 5), None);
    assert_eq!(clip(10, 10, 0, 10), None);
    assert_eq!(clip(10, 10, 0, 0), None);
    let run = clip(10, 10, 5, 100).unwrap();
    assert_eq!((run.start, run.len, run.blob_offset), (0, 10, 10));
    assert_eq!(clip(u64::MAX, 1, 0, 1), None);
    assert_eq!(clip(0, 10, u64::MAX, 1), None);
}

#[test]
fn pages_round_up() {
    assert_eq!(pages_for(0, 12), Some(0));
    assert_eq!(pages_for(1, 12), Some(1));
    assert_eq!(pages_for(4096, 12), Some(1));
    assert_eq!(pages_for(4097, 12), Some(2));
    assert_eq!(pages_for(u64::MAX, 12), None);
}

proptest! {
    #[test]
    fn chunks_cover_the_pages_exactly(pages in 0..1u64 << 20, max_order in 0..=10u32) {
        let orders = orders(pages, max_order);
        prop_assert_eq!(orders.iter().map(|o| 1u64 << o).sum::<u64>(), pages);
        prop_assert!(orders.iter().all(|&o| o <= max_order));
        // Never more than one chunk below the largest size, per order.
        prop_assert!(orders.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn clipping_each_chunk_covers_the_range_in_order(
        sizes in vec(1..10_000u64, 0..12),
        offset in 0..60_000u64,
        len in 0..60_000u64,
    ) {
        let total: u64 = sizes.iter().sum();
        let end = (offset + len).min(total).max(offset);
        let mut next = offset;
        let mut chunk_start = 0;
        for size in &sizes {
            if let Some(run) = clip(chunk_start, *size, offset, len) {
                prop_assert_eq!(run.blob_offset, next);
                prop_assert!(run.len > 0);
                prop_assert!(run.start + run.len <= *size);
                prop_assert_eq!(chunk_start + run.start, run.blob_offset);
                next += run.len;
            }
            chunk_start += size;
        }
        prop_assert_eq!(next, end);
    }

    #[test]
    fn keys_and_values_keep_their_bytes(bytes in vec(any::<u8>(), 0..300)) {
        let key = Key::new(&bytes);
        prop_assert_eq!(key.is_some(), !bytes.is_empty() && bytes.len() <= KEY_MAX);
        if let Some(key) = key {
            prop_assert_eq!(key.as_bytes(), &bytes[..]);
        }
        let value = Value::new(&bytes);
        prop_assert_eq!(value.is_some(), bytes.len() <= VALUE_MAX);
        if let Some(value) = value {
            prop_assert_eq!(value.as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn heapsort_sorts_like_std(mut items in vec(any::<(u8, u16)>(), 0..200)) {
        let mut expected = items.clone();
        expected.sort_by_key(|item| item.0);
        sort_by_key(&mut items, |item| item.0);
        let keys: Vec<_> = items.iter().map(|item| item.0).collect();
        let expected_keys: Vec<_> = expected.iter().map(|item| item.0).collect();
        prop_assert_eq!(keys, expected_keys);
        items.sort();
        expected.sort();
        prop_assert_eq!(items, expected);
    }

    #[test]
    fn keys_sort_bytewise(a in vec(any::<u8>(), 1..8), b in vec(any::<u8>(), 1..8)) {
        prop_assert_eq!(Key::new(&a).unwrap().cmp(&Key::new(&b).unwrap()), a.cmp(&b));
    }
}
