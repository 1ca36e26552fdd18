// SPDX-License-Identifier: GPL-2.0

//! The `rkm_handover` KUnit suite: the uapi as C reads it, blobs, and the
//! handover of a registration. The fixtures have theirs, in
//! [`crate::fixtures`].

use kernel::prelude::*;

#[kunit_tests(rkm_handover)]
mod tests {
    use super::*;
    use kernel::sync::Arc;

    use crate::{
        device::cmd,
        ffi_ext,
        fixtures,
        handover::{
            self,
            format::{
                Generation,
                Key, //
            },
            Blob,
            Entry,
            Item,
            Producer,
            Registration,
            Sink, //
        },
        store::uapi, //
    };

    /// `sizeof()` of the structure named `name`, as the C compiler makes it
    /// of uapi/rkm_handover.h, or 0 for an unknown name.
    fn c_size(name: &str) -> u32 {
        match name {
            "rkm_handover_key" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_KEY,
            "rkm_handover_record" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_RECORD,
            "rkm_handover_entry" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_ENTRY,
            "rkm_handover_list" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_LIST,
            "rkm_handover_blob" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_BLOB,
            "rkm_handover_status" => ffi_ext::RKM_HANDOVER_UAPI_SIZE_STATUS,
            _ => 0,
        }
    }

    /// The command of ioctl number `nr`, as the C compiler makes it of
    /// uapi/rkm_handover.h, or 0.
    fn c_cmd(nr: u32) -> u32 {
        match nr {
            0x01 => ffi_ext::RKM_HANDOVER_UAPI_CMD_PUT,
            0x02 => ffi_ext::RKM_HANDOVER_UAPI_CMD_GET,
            0x03 => ffi_ext::RKM_HANDOVER_UAPI_CMD_DELETE,
            0x04 => ffi_ext::RKM_HANDOVER_UAPI_CMD_LIST,
            0x05 => ffi_ext::RKM_HANDOVER_UAPI_CMD_ATTACH_BLOB,
            0x06 => ffi_ext::RKM_HANDOVER_UAPI_CMD_READ_BLOB,
            0x07 => ffi_ext::RKM_HANDOVER_UAPI_CMD_STATUS,
            0x08 => ffi_ext::RKM_HANDOVER_UAPI_CMD_PREPARE,
            _ => 0,
        }
    }

    /// The Rust structures and commands are those the C compiler makes of
    /// uapi/rkm_handover.h.
    #[test]
    fn uapi_matches_the_c_header() {
        for (name, size) in uapi::SIZES {
            assert_eq!(c_size(name) as usize, size);
        }
        for (nr, cmd) in cmd::ALL {
            assert_eq!(c_cmd(nr), cmd);
        }
    }

    /// A blob spread over several folios reads back what was written,
    /// across folio boundaries.
    #[test]
    fn blob_round_trip() {
        let len = (5 << 20) + 4099;
        let mut blob = Blob::new_zeroed(len).unwrap();
        let mut chunk = [0u8; 4096];
        let mut offset = 0;
        while offset < len {
            for (byte, at) in chunk.iter_mut().zip(offset..) {
                *byte = fixtures::pattern(at);
            }
            let count = chunk.len().min((len - offset) as usize);
            blob.write(offset, &chunk[..count]).unwrap();
            offset += count as u64;
        }
        assert!(blob.write(len - 1, &[0, 0]).is_err());
        // A copy lies in folios of its own and holds the same bytes.
        let copy = blob.duplicate().unwrap();
        assert_eq!(copy.len(), len);
        let mut out = [0u8; 3000];
        for blob in [&blob, &copy] {
            for start in [0, 4095, (4 << 20) - 1000, len - 10] {
                let read = blob.read(start, &mut out).unwrap();
                assert_eq!(read as u64, 3000.min(len - start));
                for (i, byte) in out[..read].iter().enumerate() {
                    assert_eq!(*byte, fixtures::pattern(start + i as u64));
                }
            }
            assert_eq!(blob.read(len, &mut out).unwrap(), 0);
        }
    }

    /// The state of a test registration: a value and a blob, or keys out
    /// of order.
    struct Fixed {
        blob: Arc<Blob>,
        unsorted: bool,
    }

    impl Producer for Fixed {
        fn revision(&self) -> u64 {
            1
        }

        fn produce(&self, sink: &mut Sink) -> Result {
            sink.value(b"a", b"one")?;
            if self.unsorted {
                sink.value(b"a", b"again")?;
            }
            sink.push(Entry {
                key: Key::new(b"b").ok_or(EINVAL)?,
                item: Item::Blob(self.blob.clone()),
            })
        }
    }

    fn registration(
        name: &'static CStr,
        blob: &Arc<Blob>,
        unsorted: bool,
    ) -> Pin<KBox<Registration<Fixed>>> {
        let fixed = Fixed {
            blob: blob.clone(),
            unsorted,
        };
        KBox::pin_init(
            Registration::new(name, Generation::FIRST, Ok::<_, Error>(fixed)),
            GFP_KERNEL,
        )
        .unwrap()
    }

    /// Publishing writes a handover the writer validated in this kernel's
    /// address space; a blob is in one handover at a time; dropping a
    /// registration withdraws its handover. Without KHO nothing publishes.
    #[test]
    fn publish_and_withdraw() {
        // Two folios: 4 MiB and one page.
        let blob = Arc::new(Blob::new_zeroed((4 << 20) + 1).unwrap(), GFP_KERNEL).unwrap();
        let first = registration(c"rkm_handover.kunit_a", &blob, false);
        let second = registration(c"rkm_handover.kunit_b", &blob, false);
        if !handover::kho_enabled() {
            assert_eq!(first.publish().err(), Some(EOPNOTSUPP));
            return;
        }
        // Envelope and three segments (area, two folios), payload header
        // and two records.
        let prepared = first.publish().unwrap();
        assert_eq!(prepared.len, 24 + 3 * 24 + 40 + 2 * 328);
        assert_eq!(first.prepared(), Some(prepared));
        assert_eq!(second.publish().err(), Some(EBUSY));
        drop(first);
        assert_eq!(second.publish().map(|p| p.len), Ok(prepared.len));
        let unsorted = registration(c"rkm_handover.kunit_c", &blob, true);
        assert_eq!(unsorted.publish().err(), Some(EINVAL));
    }
}
