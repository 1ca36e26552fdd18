// SPDX-License-Identifier: GPL-2.0
/*
 * reset_timer FILE: writes "1" to FILE (a sysfs reset file) and prints how
 * long the write took, in microseconds; for the demo, which times the
 * kernel's own reset from user space without a shell's fork in the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	long long t0, elapsed;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	t0 = now_us();
	n = write(fd, "1", 1);
	elapsed = now_us() - t0;
	close(fd);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%lld\n", elapsed);
	return 0;
}
