/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rkm_handover: a keyed store whose contents survive kexec through Kexec
 * HandOver (KHO). User space reaches it through /dev/rkm_handover (root
 * only), with the ioctls below; Documentation/rkm_handover.rst describes the
 * store, the handover and every error.
 *
 * Every structure has a fixed layout without implicit padding. Fields named
 * "flags" or "reserved" must be zero (EINVAL otherwise), so that later
 * versions can give them a meaning.
 *
 * Errors common to all ioctls: ENOTTY for an unknown command, EFAULT for an
 * argument (or a pointer in it) that cannot be read or written, EINVAL for a
 * malformed argument.
 */
#ifndef _UAPI_RKM_HANDOVER_H
#define _UAPI_RKM_HANDOVER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RKM_HANDOVER_KEY_MAX	64		/* bytes in a key */
#define RKM_HANDOVER_VALUE_MAX	256		/* bytes in a value */
#define RKM_HANDOVER_RECORDS_MAX 4096		/* records in the store */
#define RKM_HANDOVER_BLOBS_MAX	64		/* blobs in the store */
#define RKM_HANDOVER_BLOB_BYTES_MAX (256ULL << 20) /* all blobs together */

/* What a record holds (rkm_handover_record.kind, rkm_handover_entry.kind). */
#define RKM_HANDOVER_VALUE	1	/* a value of up to 256 bytes */
#define RKM_HANDOVER_BLOB	2	/* a blob, read with READ_BLOB */

/* A key: 1 to RKM_HANDOVER_KEY_MAX bytes, any values. EINVAL otherwise. */
struct rkm_handover_key {
	__u32 len;
	__u32 flags;				/* must be 0 */
	__u8 bytes[RKM_HANDOVER_KEY_MAX];
};

/*
 * PUT: key and value in (kind must be 0 or RKM_HANDOVER_VALUE, blob_len 0);
 * replaces any record of that key.
 * GET: key in; kind, value_len and value out for a value, kind and blob_len
 * out (value_len 0) for a blob.
 */
struct rkm_handover_record {
	struct rkm_handover_key key;
	__u32 kind;
	__u32 value_len;			/* 0 to RKM_HANDOVER_VALUE_MAX */
	__u64 blob_len;
	__u8 value[RKM_HANDOVER_VALUE_MAX];
};

/* One record as LIST reports it. */
struct rkm_handover_entry {
	struct rkm_handover_key key;
	__u32 kind;
	__u32 value_len;
	__u64 blob_len;
};

/*
 * LIST: reports up to `capacity` records, in key order, from position
 * `start`, into the array at user address `entries`. Returns the number
 * written; `total` is set to the number of records in the store.
 */
struct rkm_handover_list {
	__u64 entries;				/* struct rkm_handover_entry[capacity] */
	__u32 start;
	__u32 capacity;				/* at most 4096 */
	__u32 total;				/* out */
	__u32 reserved;				/* must be 0 */
};

/*
 * ATTACH_BLOB: copies `len` bytes (1 to RKM_HANDOVER_BLOB_BYTES_MAX) from
 * user address `data` into a blob under `key` (offset must be 0), replacing
 * any record of that key. Its pages are handed over as they are at kexec.
 * READ_BLOB: copies up to `len` bytes of the blob from `offset` to `data`
 * and returns the number copied (0 at or past its end).
 */
struct rkm_handover_blob {
	struct rkm_handover_key key;
	__u64 data;
	__u64 len;
	__u64 offset;
};

/* rkm_handover_status.flags */
#define RKM_HANDOVER_KHO_ENABLED  (1U << 0)	/* booted with kho=on */
#define RKM_HANDOVER_KHO_BOOT	  (1U << 1)	/* this kernel came from a KHO kexec */
#define RKM_HANDOVER_PUBLISHED	  (1U << 2)	/* the current state is prepared for kexec */

/*
 * rkm_handover_status.restore: what the module found when it was loaded.
 * RKM_HANDOVER_RESTORE_NONE in a KHO boot (flags has RKM_HANDOVER_KHO_BOOT)
 * means the previous kernel handed no state of this module over: it did not
 * load the module, or unloaded it before kexec, so any state is lost.
 */
enum rkm_handover_restore {
	RKM_HANDOVER_RESTORE_NONE = 0,		/* nothing handed over: fresh start */
	RKM_HANDOVER_RESTORE_VOLATILE = 1,	/* KHO disabled */
	RKM_HANDOVER_RESTORE_RESTORED = 2,	/* state taken over */
	RKM_HANDOVER_RESTORE_REFUSED = 3,	/* payload refused, memory reclaimed */
	RKM_HANDOVER_RESTORE_CORRUPT = 4,	/* envelope damaged, nothing trusted */
	RKM_HANDOVER_RESTORE_TAKEN = 5,		/* taken over earlier in this kernel */
	RKM_HANDOVER_RESTORE_FAILED = 6,	/* kernel error while taking over */
};

/* STATUS: the store and its handover. */
struct rkm_handover_status {
	__u64 generation;	/* kernels this state has lived through, from 1 */
	__u32 records;		/* blobs included */
	__u32 blobs;
	__u64 value_bytes;
	__u64 blob_bytes;
	__u32 flags;		/* RKM_HANDOVER_KHO_ENABLED | ... */
	__u32 restore;		/* enum rkm_handover_restore */
	__u64 reclaimed;	/* bytes reclaimed from a refused handover */
};

#define RKM_HANDOVER_IOC_MAGIC	0xBB

/* E2BIG: value_len over RKM_HANDOVER_VALUE_MAX; ENOSPC: the store is full. */
#define RKM_HANDOVER_IOC_PUT	_IOW(RKM_HANDOVER_IOC_MAGIC, 0x01, struct rkm_handover_record)
/* ENOENT: no such key. */
#define RKM_HANDOVER_IOC_GET	_IOWR(RKM_HANDOVER_IOC_MAGIC, 0x02, struct rkm_handover_record)
/* ENOENT: no such key. */
#define RKM_HANDOVER_IOC_DELETE	_IOW(RKM_HANDOVER_IOC_MAGIC, 0x03, struct rkm_handover_key)
/* EINVAL: capacity over RKM_HANDOVER_RECORDS_MAX. */
#define RKM_HANDOVER_IOC_LIST	_IOWR(RKM_HANDOVER_IOC_MAGIC, 0x04, struct rkm_handover_list)
/*
 * EINVAL: len 0 or offset not 0; E2BIG: len over RKM_HANDOVER_BLOB_BYTES_MAX;
 * ENOSPC: the store is full (records, blobs or blob bytes); ENOMEM.
 */
#define RKM_HANDOVER_IOC_ATTACH_BLOB _IOW(RKM_HANDOVER_IOC_MAGIC, 0x05, struct rkm_handover_blob)
/* ENOENT: no such key; EMEDIUMTYPE: the record is a value, not a blob. */
#define RKM_HANDOVER_IOC_READ_BLOB _IOW(RKM_HANDOVER_IOC_MAGIC, 0x06, struct rkm_handover_blob)
#define RKM_HANDOVER_IOC_STATUS	_IOR(RKM_HANDOVER_IOC_MAGIC, 0x07, struct rkm_handover_status)
/*
 * PREPARE: hand the current state over now rather than only at kexec
 * (where changes made since are handed over again). EOPNOTSUPP: KHO is
 * disabled; ENOMEM.
 */
#define RKM_HANDOVER_IOC_PREPARE _IO(RKM_HANDOVER_IOC_MAGIC, 0x08)

#endif /* _UAPI_RKM_HANDOVER_H */
