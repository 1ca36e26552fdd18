// SPDX-License-Identifier: GPL-2.0

//! Sorting in place without `core`'s sort.
//!
//! `core`'s unstable sort reports a broken order with a panic function
//! objtool does not know to be noreturn, so kernel code using it draws
//! "falls through to next function" warnings. Segments and blob folios are
//! sorted with this heapsort instead: in place, O(n log n), no recursion.

/// Sorts `items` by `key`, ascending. Not stable.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let len = items.len();
    for root in (0..len / 2).rev() {
        sift_down(items, root, len, &key);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &key);
    }
}

/// Restores the max-heap below `root` among the first `end` items.
fn sift_down<T, K: Ord>(items: &mut [T], mut root: usize, end: usize, key: &impl Fn(&T) -> K) {
    loop {
        let Some(mut child) = root.checked_mul(2).and_then(|n| n.checked_add(1)) else {
            return;
        };
        if child >= end {
            return;
        }
        let right = child + 1;
        if right < end && larger(items, right, child, key) {
            child = right;
        }
        if !larger(items, child, root, key) {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

/// Whether item `a` sorts after item `b`; both must be in range.
fn larger<T, K: Ord>(items: &[T], a: usize, b: usize, key: &impl Fn(&T) -> K) -> bool {
    match (items.get(a), items.get(b)) {
        (Some(a), Some(b)) => key(a) > key(b),
        _ => false,
    }
}
