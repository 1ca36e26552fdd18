// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/rkm_accept and the module loads, preloaded under
 * selftests/rkm_accept/accept_bench by scripts/tests/test_bench.py, so that
 * the report it prints can be checked on the host. The region is anonymous
 * memory; ACCEPT takes ACCEPT_US, CLEAR takes CLEAR_US (environment), so the
 * test knows what the targets must say.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rkm_accept.h"

static int device_fd = -1;
static unsigned long long region_size = 64ULL << 20;
static unsigned long long accept_ns;

static long env_us(const char *name)
{
	const char *v = getenv(name);

	return v ? atol(v) : 0;
}

int open(const char *path, int flags, ...)
{
	int (*next)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (strcmp(path, "/dev/rkm_accept"))
		return next(path, flags, mode);
	device_fd = next("/dev/null", O_RDWR);
	return device_fd;
}

/* On x86-64 open64 is open. */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int ioctl(int fd, unsigned long cmd, ...)
{
	int (*next)(int, unsigned long, void *) = dlsym(RTLD_NEXT, "ioctl");
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != device_fd || fd < 0)
		return next(fd, cmd, arg);
	switch (cmd) {
	case RKM_ACCEPT_IOC_BITMAP: {
		struct rkm_accept_bitmap *b = arg;

		b->unit_size = 2 << 20;
		b->units = region_size / b->unit_size;
		return 0;
	}
	case RKM_ACCEPT_IOC_STATS: {
		struct rkm_accept_stats *s = arg;

		memset(s, 0, sizeof(*s));
		s->backend_calls = 1;
		s->units_accepted = 1;
		s->faults = region_size / 4096;
		s->accept_ns = accept_ns;
		return 0;
	}
	case RKM_ACCEPT_IOC_ACCEPT:
		usleep(env_us("ACCEPT_US"));
		/* Nine tenths of it in the backend. */
		accept_ns += env_us("ACCEPT_US") * 900;
		return 0;
	case RKM_ACCEPT_IOC_CLEAR:
		usleep(env_us("CLEAR_US"));
		return region_size / 4096;
	default:
		return 0;
	}
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *(*next)(void *, size_t, int, int, int, off_t) = dlsym(RTLD_NEXT, "mmap");

	if (fd == device_fd && fd >= 0)
		return next(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return next(addr, len, prot, flags, fd, off);
}

long syscall(long number, ...)
{
	va_list ap;
	const char *params;

	va_start(ap, number);
	va_arg(ap, long);
	params = va_arg(ap, const char *);
	va_end(ap);
	if (number == SYS_finit_module) {
		const char *size = strstr(params, "size=");

		region_size = size ? strtoull(size + 5, NULL, 10) : 64ULL << 20;
		return 0;
	}
	if (number == SYS_delete_module)
		return 0;
	errno = ENOSYS;
	return -1;
}
