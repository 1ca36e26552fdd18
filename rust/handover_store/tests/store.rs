// SPDX-License-Identifier: GPL-2.0

//! The store's ABI checks, limits and status report.

use handover_format::{
    Generation,
    PhysSpace,
    Plan,
    KEY_MAX as FORMAT_KEY_MAX,
    MAX_BLOBS,
    VALUE_MAX as FORMAT_VALUE_MAX, //
};
use handover_store::{
    uapi::{
        BlobArg,
        EntryArg,
        Invalid,
        KeyArg,
        ListArg,
        RecordArg,
        Restore,
        FLAG_KHO_BOOT,
        FLAG_KHO_ENABLED,
        FLAG_PUBLISHED, //
        KEY_MAX,
        KIND_BLOB,
        KIND_VALUE,
        SIZES,
        VALUE_MAX,
    },
    Full,
    Kho,
    Kind,
    Report,
    Usage,
    BLOBS_MAX,
    BLOB_BYTES_MAX,
    RECORDS_MAX, //
};
use proptest::{
    collection::vec,
    prelude::*, //
};
use zerocopy::FromBytes;

/// The sizes `sizeof` gives in C (x86_64), as the header promises.
#[test]
fn layouts_match_the_c_header() {
    let expected = [
        ("rkm_handover_key", 72),
        ("rkm_handover_record", 344),
        ("rkm_handover_entry", 88),
        ("rkm_handover_list", 24),
        ("rkm_handover_blob", 96),
        ("rkm_handover_status", 48),
    ];
    assert_eq!(SIZES, expected);
}

#[test]
fn limits_match_the_format() {
    assert_eq!(KEY_MAX, FORMAT_KEY_MAX);
    assert_eq!(VALUE_MAX, FORMAT_VALUE_MAX);
    assert_eq!(BLOBS_MAX, MAX_BLOBS);
}

/// A full store hands over in one `kho_alloc_preserve()` allocation (at
/// most 4 MiB), even with every blob page in a folio of its own.
#[test]
fn a_full_store_fits_one_handover_area() {
    let page_shift = 12;
    let plan = Plan {
        space: PhysSpace {
            page_shift,
            limit: 1 << 52,
        },
        generation: Generation::FIRST,
        segments: 1 + (BLOB_BYTES_MAX >> page_shift) as u32,
        records: RECORDS_MAX,
    };
    assert!(plan.area_len().unwrap() <= 4 << 20);
}

fn key_arg(len: u32) -> KeyArg {
    let mut arg = KeyArg::new(&[b'k'; KEY_MAX]);
    arg.len = len;
    arg
}

#[test]
fn keys_are_checked() {
    assert_eq!(key_arg(0).key(), Err(Invalid::KeyLength));
    assert_eq!(key_arg(65).key(), Err(Invalid::KeyLength));
    assert_eq!(key_arg(u32::MAX).key(), Err(Invalid::KeyLength));
    assert_eq!(key_arg(64).key(), Ok(&[b'k'; 64][..]));
    let mut flagged = key_arg(1);
    flagged.flags = 1;
    assert_eq!(flagged.key(), Err(Invalid::Reserved));
}

fn record(value_len: u32) -> RecordArg {
    let mut arg = RecordArg::value(KeyArg::new(b"key"), &[7; VALUE_MAX]);
    arg.value_len = value_len;
    arg.kind = 0;
    arg
}

#[test]
fn puts_are_checked() {
    assert_eq!(record(0).put(), Ok((&b"key"[..], &[][..])));
    assert_eq!(record(256).put(), Ok((&b"key"[..], &[7; 256][..])));
    assert_eq!(record(257).put(), Err(Invalid::ValueTooLong));
    assert!(Invalid::ValueTooLong.too_big());
    let mut blob = record(1);
    blob.kind = KIND_BLOB;
    assert_eq!(blob.put(), Err(Invalid::Kind));
    let mut sized = record(1);
    sized.blob_len = 1;
    assert_eq!(sized.put(), Err(Invalid::Kind));
    let mut value = record(1);
    value.kind = KIND_VALUE;
    assert!(value.put().is_ok());
}

#[test]
fn blobs_are_checked() {
    let blob = |len, offset| BlobArg {
        key: KeyArg::new(b"blob"),
        data: 0x1000,
        len,
        offset,
    };
    assert_eq!(blob(0, 0).attach().unwrap_err(), Invalid::BlobEmpty);
    assert_eq!(
        blob(BLOB_BYTES_MAX + 1, 0).attach().unwrap_err(),
        Invalid::BlobTooLong
    );
    assert!(Invalid::BlobTooLong.too_big());
    assert_eq!(blob(1, 1).attach().unwrap_err(), Invalid::Offset);
    assert_eq!(
        blob(BLOB_BYTES_MAX, 0).attach().unwrap().len,
        BLOB_BYTES_MAX
    );
    let read = blob(10, 5);
    let read = read.read().unwrap();
    assert_eq!((read.offset, read.len, read.key), (5, 10, &b"blob"[..]));
}

#[test]
fn lists_are_checked() {
    let list = |capacity, reserved| ListArg {
        entries: 0x1000,
        start: 3,
        capacity,
        total: 99,
        reserved,
    };
    assert_eq!(list(RECORDS_MAX + 1, 0).request(), Err(Invalid::Capacity));
    assert_eq!(list(1, 1).request(), Err(Invalid::Reserved));
    assert_eq!(list(RECORDS_MAX, 0).request().unwrap().start, 3);
}

#[test]
fn answers_carry_the_record() {
    let got = RecordArg::value(KeyArg::new(b"k"), b"value");
    assert_eq!((got.kind, got.value_len), (KIND_VALUE, 5));
    assert_eq!(&got.value[..5], b"value");
    let got = RecordArg::blob(KeyArg::new(b"k"), 1 << 20);
    assert_eq!(
        (got.kind, got.value_len, got.blob_len),
        (KIND_BLOB, 0, 1 << 20)
    );
    let entry = EntryArg::blob(b"big", 5);
    assert_eq!((entry.key.key(), entry.blob_len), (Ok(&b"big"[..]), 5));
    let entry = EntryArg::value(b"small", 3);
    assert_eq!((entry.kind, entry.value_len), (KIND_VALUE, 3));
}

#[test]
fn usage_stays_within_limits() {
    let empty = Usage::default();
    let one = empty.replace(None, Some(Kind::Value(10))).unwrap();
    assert_eq!((one.records, one.value_bytes), (1, 10));
    let swapped = one
        .replace(Some(Kind::Value(10)), Some(Kind::Blob(100)))
        .unwrap();
    assert_eq!(
        (
            swapped.records,
            swapped.blobs,
            swapped.value_bytes,
            swapped.blob_bytes
        ),
        (1, 1, 0, 100)
    );
    assert_eq!(swapped.replace(Some(Kind::Blob(100)), None).unwrap(), empty);

    let full = Usage {
        records: RECORDS_MAX,
        ..Usage::default()
    };
    assert_eq!(full.replace(None, Some(Kind::Value(0))), Err(Full::Records));
    assert!(full
        .replace(Some(Kind::Value(0)), Some(Kind::Value(1)))
        .is_ok());
    let blobs = Usage {
        records: BLOBS_MAX,
        blobs: BLOBS_MAX,
        ..Usage::default()
    };
    assert_eq!(blobs.replace(None, Some(Kind::Blob(1))), Err(Full::Blobs));
    let bytes = Usage {
        records: 1,
        blobs: 1,
        blob_bytes: BLOB_BYTES_MAX,
        ..Usage::default()
    };
    assert_eq!(
        bytes.replace(None, Some(Kind::Blob(1))),
        Err(Full::BlobBytes)
    );
    assert!(bytes
        .replace(
            Some(Kind::Blob(BLOB_BYTES_MAX)),
            Some(Kind::Blob(BLOB_BYTES_MAX))
        )
        .is_ok());
}

#[test]
fn report_lines_and_status() {
    let report = Report {
        kho: Kho {
            enabled: true,
            boot: true,
        },
        generation: 2,
        usage: Usage {
            records: 5,
            blobs: 1,
            value_bytes: 120,
            blob_bytes: 4096,
        },
        restore: "restored: from generation 1",
        restore_code: Restore::Restored,
        reclaimed: 0,
        restore_ns: 183_000,
        prepared: Some(2048),
        publish_ns: Some(91_000),
        fault: Some("data_crc"),
    };
    assert_eq!(
        report.to_string(),
        "kho: enabled, KHO boot\ngeneration: 2\nrecords: 5\nblobs: 1\nvalue_bytes: 120\n\
         blob_bytes: 4096\nrestore: restored: from generation 1\nrestore_ns: 183000\n\
         prepared: 2048 bytes\npublish_ns: 91000\nfault: data_crc\n"
    );
    let status = report.status();
    assert_eq!(
        status.flags,
        FLAG_KHO_ENABLED | FLAG_KHO_BOOT | FLAG_PUBLISHED
    );
    assert_eq!(
        (status.generation, status.records, status.restore),
        (2, 5, 2)
    );

    let volatile = Report {
        kho: Kho {
            enabled: false,
            boot: false,
        },
        prepared: None,
        publish_ns: None,
        fault: None::<&str>,
        ..report
    };
    assert!(volatile.to_string().starts_with("kho: disabled, volatile"));
    assert!(volatile
        .to_string()
        .ends_with("prepared: no\npublish_ns: none\nfault: none\n"));
    assert_eq!(volatile.status().flags, 0);
}

proptest! {
    /// Whatever user space passes, checking it gives a record within limits
    /// or an error, never a panic.
    #[test]
    fn any_bytes_are_checked_safely(bytes in vec(any::<u8>(), 344)) {
        let arg = RecordArg::read_from_bytes(&bytes).unwrap();
        if let Ok((key, value)) = arg.put() {
            prop_assert!((1..=KEY_MAX).contains(&key.len()));
            prop_assert!(value.len() <= VALUE_MAX);
        }
        let blob = BlobArg::read_from_bytes(&bytes[..96]).unwrap();
        if let Ok(attach) = blob.attach() {
            prop_assert!((1..=BLOB_BYTES_MAX).contains(&attach.len));
        }
        let list = ListArg::read_from_bytes(&bytes[..24]).unwrap();
        if let Ok(list) = list.request() {
            prop_assert!(list.capacity <= RECORDS_MAX);
        }
    }
}
