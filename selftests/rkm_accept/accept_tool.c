// SPDX-License-Identifier: GPL-2.0
/*
 * accept_tool: drive /dev/rkm_accept from a shell, for the parameter tests
 * and the demo.
 *
 *   stats                the counters, one "name=value" a line
 *   bitmap               one character a unit: '.' accepted, '#' unaccepted
 *   touch UNIT [PAGE]    read a byte of page PAGE (default 0, -1 the last) of UNIT
 *   accept START SIZE    RKM_ACCEPT_IOC_ACCEPT of the byte range
 *   walk FIRST COUNT MS  touch the first page of COUNT units in order, MS ms apart
 *   first-use            microseconds from open() to the first byte read
 *   hold SECONDS         map the region, touch a page, print "mapped", sleep
 *
 * Exit status: 0 done, 1 an error (the message says which), 3 SIGBUS.
 */
#include <setjmp.h>
#include <signal.h>
#include <time.h>

#include "accept_util.h"

static sigjmp_buf sigbus_jump;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jump, sig);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "accept_tool: %s: %s\n", what, strerror(err));
	return 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int print_stats(struct region *r)
{
	struct rkm_accept_stats s;
	int err = read_stats(r->fd, &s);

	if (err)
		return fail("stats", -err);
#define FIELD(name) printf(#name "=%llu\n", (unsigned long long)s.name)
	FIELD(units);
	FIELD(unit_size);
	FIELD(unaccepted_units);
	FIELD(units_accepted);
	FIELD(backend_calls);
	FIELD(waits);
	FIELD(units_failed);
	FIELD(units_unaccepted);
	FIELD(faults);
	FIELD(faults_waited);
	FIELD(ahead_units);
	FIELD(double_accepts);
	FIELD(accept_ns);
	FIELD(wait_ns);
#undef FIELD
	return 0;
}

static int print_bitmap(struct region *r)
{
	size_t count = (r->units + 63) / 64;
	uint64_t *words = calloc(count, sizeof(*words));
	int err;

	if (!words)
		return fail("bitmap", ENOMEM);
	err = read_bitmap(r, words, count);
	if (err) {
		free(words);
		return fail("bitmap", -err);
	}
	for (uint64_t unit = 0; unit < r->units; unit++)
		putchar(unit_unaccepted(words, unit) ? '#' : '.');
	putchar('\n');
	free(words);
	return 0;
}

/* Reads one byte at each offset; 3 if a read raised SIGBUS. */
static int touch_all(struct region *r, const uint64_t *offsets, int count, unsigned int pause_ms)
{
	volatile int i;
	int err = region_map(r);

	if (err)
		return fail("mmap", -err);
	signal(SIGBUS, on_sigbus);
	for (i = 0; i < count; i++) {
		if (sigsetjmp(sigbus_jump, 1)) {
			printf("SIGBUS at offset %llu\n", (unsigned long long)offsets[i]);
			return 3;
		}
		(void)r->map[offsets[i]];
		if (pause_ms && i + 1 < count)
			usleep(pause_ms * 1000);
	}
	return 0;
}

static int first_use(void)
{
	uint64_t start = now_us();
	struct region r;
	int err = region_open(&r);

	if (err)
		return fail(ACCEPT_DEVICE, -err);
	err = region_map(&r);
	if (err)
		return fail("mmap", -err);
	(void)r.map[0];
	printf("%llu\n", (unsigned long long)(now_us() - start));
	region_close(&r);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct region r;
	int err;

	if (!strcmp(cmd, "first-use"))
		return first_use();

	err = region_open(&r);
	if (err)
		return fail(ACCEPT_DEVICE, -err);

	if (!strcmp(cmd, "stats"))
		return print_stats(&r);
	if (!strcmp(cmd, "bitmap"))
		return print_bitmap(&r);
	if (!strcmp(cmd, "touch") && argc >= 3) {
		long long page = argc > 3 ? atoll(argv[3]) : 0;
		uint64_t offset = strtoull(argv[2], NULL, 0) * r.unit_size;

		offset += (page < 0 ? r.unit_size / PAGE + page : (uint64_t)page) * PAGE;
		return touch_all(&r, &offset, 1, 0);
	}
	if (!strcmp(cmd, "accept") && argc == 4) {
		long ret = range_ioctl(r.fd, RKM_ACCEPT_IOC_ACCEPT, strtoull(argv[2], NULL, 0),
				       strtoull(argv[3], NULL, 0));

		return ret < 0 ? fail("accept", -ret) : 0;
	}
	if (!strcmp(cmd, "walk") && argc == 5) {
		uint64_t first = strtoull(argv[2], NULL, 0);
		int count = atoi(argv[3]);
		uint64_t offsets[4096];

		if (count <= 0 || count > 4096)
			return fail("walk", EINVAL);
		for (int i = 0; i < count; i++)
			offsets[i] = (first + i) * r.unit_size;
		return touch_all(&r, offsets, count, atoi(argv[4]));
	}
	if (!strcmp(cmd, "hold") && argc == 3) {
		uint64_t offset = 0;

		err = touch_all(&r, &offset, 1, 0);
		if (err)
			return err;
		printf("mapped\n");
		fflush(stdout);
		sleep(atoi(argv[2]));
		return 0;
	}
	fprintf(stderr, "usage: accept_tool stats | bitmap | touch UNIT [PAGE] | accept START SIZE |\n"
			"       walk FIRST COUNT MS | first-use | hold SECONDS\n");
	return 1;
}
