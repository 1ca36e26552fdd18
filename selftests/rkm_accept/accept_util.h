/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rkm_accept test and tool share: the device, its geometry, the
 * bitmap and the counters.
 */
#ifndef ACCEPT_UTIL_H
#define ACCEPT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rkm_accept.h"

#define ACCEPT_DEVICE "/dev/rkm_accept"
#define ACCEPT_PARAMS "/sys/module/rkm_accept/parameters/"
#define PAGE 4096UL

/* The region as user space sees it. */
struct region {
	int fd;
	uint64_t units;
	uint64_t unit_size;
	uint64_t size;
	volatile uint8_t *map; /* the whole region, MAP_SHARED, or NULL */
};

/* Opens the device and reads the geometry; -errno on failure. */
static inline int region_open(struct region *r)
{
	struct rkm_accept_bitmap b = { 0 };

	memset(r, 0, sizeof(*r));
	r->fd = open(ACCEPT_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ioctl(r->fd, RKM_ACCEPT_IOC_BITMAP, &b))
		return -errno;
	r->units = b.units;
	r->unit_size = b.unit_size;
	r->size = b.units * b.unit_size;
	return 0;
}

/* Maps the whole region; -errno on failure. */
static inline int region_map(struct region *r)
{
	void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->map = p;
	return 0;
}

static inline void region_close(struct region *r)
{
	if (r->map)
		munmap((void *)r->map, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

/* ioctl on a range; the ioctl's return value, or -errno. */
static inline long range_ioctl(int fd, unsigned long cmd, uint64_t start, uint64_t size)
{
	struct rkm_accept_range range = { .start = start, .size = size };
	long ret = ioctl(fd, cmd, &range);

	return ret < 0 ? -errno : ret;
}

static inline int read_stats(int fd, struct rkm_accept_stats *s)
{
	return ioctl(fd, RKM_ACCEPT_IOC_STATS, s) ? -errno : 0;
}

/* Reads the bitmap into words (at least DIV_ROUND_UP(units, 64) of them). */
static inline int read_bitmap(struct region *r, uint64_t *words, size_t count)
{
	struct rkm_accept_bitmap b = {
		.bitmap = (uintptr_t)words,
		.bitmap_bytes = count * sizeof(*words),
	};

	return ioctl(r->fd, RKM_ACCEPT_IOC_BITMAP, &b) ? -errno : 0;
}

static inline bool unit_unaccepted(const uint64_t *words, uint64_t unit)
{
	return words[unit / 64] >> (unit % 64) & 1;
}

/* Reads a module parameter the shim exports (mode, backend) into buf. */
static inline int read_param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), ACCEPT_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

#endif
