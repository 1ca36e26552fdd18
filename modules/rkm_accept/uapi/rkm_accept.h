/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rkm_accept: user interface of /dev/rkm_accept, a region of memory that
 * starts unaccepted and is accepted in units the way Linux accepts the
 * memory of a confidential guest (see Documentation/rkm_accept.rst).
 *
 * Addresses are byte offsets into the region, which is also the offset to
 * pass to mmap(). The region is mapped with mmap(MAP_SHARED); any page of it
 * can be touched: the fault accepts the page's unit first.
 *
 * Errors common to every ioctl:
 *   EFAULT     the argument is not readable or writable user memory
 *   ENOTTY     unknown command
 * Errors of the range ioctls (ACCEPT, QUERY, UNACCEPT):
 *   EOVERFLOW  start + size wraps around 2^64
 *   EINVAL     start + size lies beyond the region
 */
#ifndef _UAPI_RKM_ACCEPT_H
#define _UAPI_RKM_ACCEPT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * What accepted memory reads as under SNP semantics (its contents are
 * unspecified) until written; under TDX semantics it reads as zeros.
 */
#define RKM_ACCEPT_POISON 0xa5

/* A byte range of the region: [start, start + size). */
struct rkm_accept_range {
	__u64 start;
	__u64 size;
};

/* The bitmap of the region, one bit per unit, set while unaccepted. */
struct rkm_accept_bitmap {
	/* in: user pointer to an array of __u64, bit n = bit n % 64 of word n / 64 */
	__u64 bitmap;
	/* in: size of that array in bytes (0 asks for units and unit_size only) */
	__u64 bitmap_bytes;
	/* out: number of units in the region */
	__u64 units;
	/* out: bytes per unit */
	__u64 unit_size;
};

/* Counters since the module was loaded, and the state now. */
struct rkm_accept_stats {
	__u64 units;            /* units in the region */
	__u64 unit_size;        /* bytes per unit */
	__u64 unaccepted_units; /* units whose bit is set now */
	__u64 units_accepted;   /* units the backend accepted */
	__u64 backend_calls;    /* calls to the backend, one per run of units */
	__u64 waits;            /* times a caller found its units being accepted by another */
	__u64 units_failed;     /* units a backend failed on: never usable again */
	__u64 units_unaccepted; /* units made unaccepted again by UNACCEPT */
	__u64 faults;           /* page faults handled */
	__u64 faults_waited;    /* faults whose unit was not accepted yet: they accepted it or waited */
	__u64 ahead_units;      /* units accepted ahead of use by the background worker */
	__u64 double_accepts;   /* units a backend accepted while accepted (a bug: must be 0) */
	__u64 accept_ns;        /* time spent in backend calls */
	__u64 wait_ns;          /* time callers spent waiting for another's accept */
};

#define RKM_ACCEPT_IOC_MAGIC 0xb9

/*
 * Accept the units accept_memory(start, size) would, as the kernel does:
 * the range is widened to whole pages, and one more unit is accepted when it
 * ends on a unit boundary. Waits while another caller accepts any of them.
 * Returns 0. ENOMEM: no memory for the pages of units that had none (a
 * unit's pages are allocated before its first accept; nothing was accepted
 * by this call then). EIO: a backend failed on one of the units. EINTR: a
 * signal arrived while waiting (nothing was accepted by this call then).
 */
#define RKM_ACCEPT_IOC_ACCEPT _IOW(RKM_ACCEPT_IOC_MAGIC, 1, struct rkm_accept_range)

/*
 * range_contains_unaccepted_memory(start, size): returns 1 if any unit an
 * ACCEPT of the same range would accept is unaccepted, 0 otherwise.
 */
#define RKM_ACCEPT_IOC_QUERY _IOW(RKM_ACCEPT_IOC_MAGIC, 2, struct rkm_accept_range)

/*
 * Copy the bitmap (a snapshot) and the geometry. ENOSPC: bitmap_bytes is
 * non-zero but smaller than 8 * DIV_ROUND_UP(units, 64); units and unit_size
 * are written back all the same.
 */
#define RKM_ACCEPT_IOC_BITMAP _IOWR(RKM_ACCEPT_IOC_MAGIC, 3, struct rkm_accept_bitmap)

/*
 * Read the counters. They are also in /proc/<pid>/fdinfo/<fd> of an open
 * /dev/rkm_accept, one "name:\tvalue" line each, named as in the struct.
 */
#define RKM_ACCEPT_IOC_STATS _IOR(RKM_ACCEPT_IOC_MAGIC, 4, struct rkm_accept_stats)

/*
 * Test only (the kernel never unaccepts): make every unit holding a byte of
 * the range unaccepted again. Mappings of those units are torn down first; a
 * later touch accepts them again. Waits while any of them is being accepted. Returns
 * how many of them were accepted. EIO: a backend failed on one of them.
 * EINTR: a signal arrived while waiting.
 */
#define RKM_ACCEPT_IOC_UNACCEPT _IOW(RKM_ACCEPT_IOC_MAGIC, 5, struct rkm_accept_range)

/*
 * Test only, the benchmark's baseline: clear every page of the region with
 * the kernel's clear_highpage(), as the page allocator clears pages, without
 * the acceptor (no bitmap, no backend): the work of an accept under TDX
 * semantics and nothing else. Returns the number of pages cleared (a unit
 * gets its pages at its first accept). EBUSY unless every unit is
 * unaccepted and none is being accepted (UNACCEPT the region first).
 * EOPNOTSUPP with a real backend.
 */
#define RKM_ACCEPT_IOC_CLEAR _IO(RKM_ACCEPT_IOC_MAGIC, 6)

#endif /* _UAPI_RKM_ACCEPT_H */
