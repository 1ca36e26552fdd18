// SPDX-License-Identifier: GPL-2.0
/*
 * reset_timer FILE [CONFIG]: writes "1" to FILE (a sysfs reset file) and
 * prints how long the write took, in microseconds of CLOCK_MONOTONIC, without
 * a shell's fork in the way.
 *
 * With CONFIG (the device's sysfs config file) a second thread reads the
 * device's Vendor ID from it in a loop meanwhile, and the line is
 * "WRITE READY HELD": READY is when, after the write began, the first read
 * that the reset held off (the longest read during the write, or the first
 * begun after it began) returned a Vendor ID (not all ones, not RRS), HELD
 * how long that read took. A reset keeps user space out of the
 * device's configuration space until it is done with it (the module's
 * CfgAccessLock, the kernel's pci_dev_lock()), so READY is when the device
 * was given back, timed by this program's clock, not by the module's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_READS 65536

struct read_sample {
	long long start, end;
	uint16_t vendor;
	int ok;
};

static struct read_sample reads[MAX_READS];
static atomic_int nreads;
static atomic_int stop;
static int config_fd;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void *poll_config(void *unused)
{
	(void)unused;
	while (!atomic_load(&stop)) {
		int i = atomic_load(&nreads);
		struct read_sample *r;

		if (i == MAX_READS)
			break;
		r = &reads[i];
		r->start = now_us();
		r->ok = pread(config_fd, &r->vendor, sizeof(r->vendor), 0) == sizeof(r->vendor);
		r->end = now_us();
		atomic_store(&nreads, i + 1);
	}
	return NULL;
}

/* The read the reset held off: the longest one in progress during the write. */
static int held_read(int n, long long t0, long long t1)
{
	int held = -1;

	for (int i = 0; i < n; i++) {
		if (reads[i].end < t0 || reads[i].start > t1)
			continue;
		if (held < 0 || reads[i].end - reads[i].start > reads[held].end - reads[held].start)
			held = i;
	}
	return held;
}

int main(int argc, char **argv)
{
	long long t0, t1;
	pthread_t poller;
	int fd, n, held, i;
	ssize_t written;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s FILE [CONFIG]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 3) {
		config_fd = open(argv[2], O_RDONLY);
		if (config_fd < 0) {
			fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		if (pthread_create(&poller, NULL, poll_config, NULL)) {
			fprintf(stderr, "cannot start the reader thread\n");
			return 1;
		}
		/* Reading before the write begins, so that a short reset is seen too. */
		while (atomic_load(&nreads) == 0)
			usleep(100);
	}
	t0 = now_us();
	written = write(fd, "1", 1);
	t1 = now_us();
	close(fd);
	if (written < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 2) {
		printf("%lld\n", t1 - t0);
		return 0;
	}
	/* Reads go on after the write until one completed after it. */
	while (atomic_load(&nreads) < MAX_READS &&
	       (atomic_load(&nreads) == 0 || reads[atomic_load(&nreads) - 1].start <= t1))
		usleep(100);
	atomic_store(&stop, 1);
	pthread_join(poller, NULL);
	n = atomic_load(&nreads);
	held = held_read(n, t0, t1);
	/* No read overlapped a reset that short: the first one after it began. */
	for (i = 0; held < 0 && i < n; i++)
		if (reads[i].start >= t0)
			held = i;
	for (i = held < 0 ? n : held; i < n; i++)
		if (reads[i].ok && reads[i].vendor != 0xffff && reads[i].vendor != 0x0001)
			break;
	if (i == n) {
		fprintf(stderr, "%s: no read returned a Vendor ID after the reset\n", argv[2]);
		return 1;
	}
	printf("%lld %lld %lld\n", t1 - t0, reads[i].end - t0, reads[held].end - reads[held].start);
	return 0;
}
