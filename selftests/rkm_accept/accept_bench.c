// SPDX-License-Identifier: GPL-2.0
/*
 * accept_bench: rkm_accept's part of `make bench`. Prints one JSON report
 * (scripts/harness/bench.py) with four tables:
 *
 *   (a) time to first use of a 4 GiB region, lazy vs eager: from the start of
 *       finit_module() to the first byte read through the mapping;
 *   (b) acceptance throughput of the emulated backends (one ACCEPT ioctl of
 *       the whole region, its pages allocated by an earlier one) vs memset()
 *       of the same memory, mapped;
 *   (c) the cost of a fault on an accepted page vs a fault on anonymous
 *       memory, per page of a fresh mapping;
 *   (d) a sequential touch of every page of 1 GiB: faults that waited for an
 *       accept, with and without accept-ahead.
 *
 *   accept_bench KO
 *
 * KO is rkm_accept.ko; the module must not be loaded. The program loads it
 * with the parameters of each measurement and unloads it. Every comparison
 * alternates which variant runs first and reports medians. Exit status 0, or
 * 1 with a message on standard error.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <sys/syscall.h>
#include <time.h>

#include "accept_util.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* (a) */
#define FIRST_USE_SIZE (4 * GIB)
#define FIRST_USE_ROUNDS 3
#define FIRST_USE_TARGET 0.01
/* (b) */
#define THROUGHPUT_SIZE (256 * MIB)
#define THROUGHPUT_ROUNDS 7
#define THROUGHPUT_TARGET 0.8
/* (c) */
#define FAULT_SIZE (64 * MIB)
#define FAULT_ROUNDS 7
#define FAULT_TARGET 1.2
/* (d) */
#define WALK_SIZE GIB
#define WALK_ROUNDS 3
static const unsigned int walk_windows[] = { 0, 8, 64 };

#define MAX_ROUNDS 7

static const char *ko_path;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "accept_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of n samples (the upper one of the middle two for even n). */
static uint64_t median(const uint64_t *samples, int n)
{
	uint64_t sorted[MAX_ROUNDS];

	memcpy(sorted, samples, n * sizeof(*samples));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	return sorted[n / 2];
}

/* Loads rkm_accept with the given parameters. */
static void load(const char *fmt, ...)
{
	char params[256];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);
	fd = open(ko_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", ko_path, strerror(errno));
	if (syscall(SYS_finit_module, fd, params, 0))
		die("loading rkm_accept %s: %s", params, strerror(errno));
	close(fd);
}

static void unload(void)
{
	if (syscall(SYS_delete_module, "rkm_accept", O_NONBLOCK))
		die("unloading rkm_accept: %s", strerror(errno));
}

static void open_region(struct region *r)
{
	int err = region_open(r);

	if (!err)
		err = region_map(r);
	if (err)
		die("%s: %s", ACCEPT_DEVICE, strerror(-err));
}

static struct rkm_accept_stats stats(struct region *r)
{
	struct rkm_accept_stats s;
	int err = read_stats(r->fd, &s);

	if (err)
		die("stats: %s", strerror(-err));
	return s;
}

static void range(struct region *r, unsigned long cmd, const char *name)
{
	long ret = range_ioctl(r->fd, cmd, 0, r->size);

	if (ret < 0)
		die("%s of the region: %s", name, strerror(-ret));
}

/* Reads (or writes) one byte of every page of [map, map + size). */
static void touch_pages(volatile uint8_t *map, uint64_t size, bool write)
{
	for (uint64_t off = 0; off < size; off += PAGE) {
		if (write)
			map[off] = 1;
		else
			(void)map[off];
	}
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / b : 0;
}

/* Bytes per nanosecond is GB/s. */
static double gb_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / ns : 0;
}

/*
 * (a) One load of a 4 GiB region: nanoseconds of the load and of the first
 * touch, the units accepted by then and the time the backend took for them.
 */
struct first_use {
	uint64_t load_ns, touch_ns, units_accepted, accept_ns;
};

static struct first_use first_use(const char *mode)
{
	struct rkm_accept_stats s;
	struct first_use f;
	struct region r;
	uint64_t start = now_ns(), loaded, touched;

	load("mode=%s size=%llu", mode, (unsigned long long)FIRST_USE_SIZE);
	loaded = now_ns();
	open_region(&r);
	(void)r.map[0];
	touched = now_ns();
	f.load_ns = loaded - start;
	f.touch_ns = touched - loaded;
	s = stats(&r);
	f.units_accepted = s.units_accepted;
	f.accept_ns = s.accept_ns;
	region_close(&r);
	unload();
	return f;
}

static void bench_first_use(void)
{
	static const char *const modes[] = { "lazy", "eager" };
	uint64_t load_ns[2][MAX_ROUNDS], touch_ns[2][MAX_ROUNDS], total_ns[2][MAX_ROUNDS];
	uint64_t accept_ns[2][MAX_ROUNDS];
	uint64_t units[2] = { 0 }, total[2];

	for (int round = 0; round < FIRST_USE_ROUNDS; round++) {
		for (int i = 0; i < 2; i++) {
			int m = (round + i) % 2;
			struct first_use f = first_use(modes[m]);

			load_ns[m][round] = f.load_ns;
			touch_ns[m][round] = f.touch_ns;
			total_ns[m][round] = f.load_ns + f.touch_ns;
			accept_ns[m][round] = f.accept_ns;
			units[m] = f.units_accepted;
		}
	}
	printf("  {\"title\": \"(a) time to first use of a %llu GiB region, median of %d\",\n"
	       "   \"columns\": [\"mode\", \"load ms\", \"first touch ms\", \"first use ms\", "
	       "\"units accepted\", \"accepting ms\"],\n   \"rows\": [",
	       FIRST_USE_SIZE / GIB, FIRST_USE_ROUNDS);
	for (int m = 0; m < 2; m++) {
		total[m] = median(total_ns[m], FIRST_USE_ROUNDS);
		printf("%s[\"%s\", %.1f, %.3f, %.1f, %llu, %.1f]", m ? ", " : "", modes[m],
		       median(load_ns[m], FIRST_USE_ROUNDS) / 1e6,
		       median(touch_ns[m], FIRST_USE_ROUNDS) / 1e6, total[m] / 1e6,
		       (unsigned long long)units[m], median(accept_ns[m], FIRST_USE_ROUNDS) / 1e6);
	}
	printf("]},\n");
	printf("  {\"title\": \"(a) first use, lazy / eager\",\n"
	       "   \"columns\": [\"measure\", \"lazy / eager\", \"target\", \"met\"],\n"
	       "   \"rows\": [[\"first use\", %.4f, \"<= %.2f\", \"%s\"]]},\n",
	       ratio(total[0], total[1]), FIRST_USE_TARGET,
	       ratio(total[0], total[1]) <= FIRST_USE_TARGET ? "yes" : "no");
}

/*
 * (b) For one backend: nanoseconds of an ACCEPT of the whole region (and of
 * the backend calls in it) vs memset() of the mapped region, alternating.
 * The first ACCEPT also allocates the pages, and is reported on its own.
 */
static void throughput(const char *backend, bool last)
{
	uint64_t accept_ns[MAX_ROUNDS], backend_ns[MAX_ROUNDS], memset_ns[MAX_ROUNDS];
	uint64_t accept, memset_med, first_ns;
	struct region r;

	load("backend=%s size=%llu", backend, (unsigned long long)THROUGHPUT_SIZE);
	open_region(&r);
	first_ns = now_ns();
	range(&r, RKM_ACCEPT_IOC_ACCEPT, "ACCEPT");
	first_ns = now_ns() - first_ns;
	for (int round = 0; round < THROUGHPUT_ROUNDS; round++) {
		for (int i = 0; i < 2; i++) {
			if ((round + i) % 2 == 0) {
				uint64_t before = stats(&r).accept_ns, start;

				range(&r, RKM_ACCEPT_IOC_UNACCEPT, "UNACCEPT");
				start = now_ns();
				range(&r, RKM_ACCEPT_IOC_ACCEPT, "ACCEPT");
				accept_ns[round] = now_ns() - start;
				backend_ns[round] = stats(&r).accept_ns - before;
			} else {
				uint64_t start;

				/* Only the memset is timed, not the faults mapping the pages. */
				touch_pages(r.map, r.size, false);
				start = now_ns();
				memset((void *)r.map, round, r.size);
				memset_ns[round] = now_ns() - start;
			}
		}
	}
	if (stats(&r).double_accepts)
		die("backend=%s: double accepts", backend);
	region_close(&r);
	unload();

	accept = median(accept_ns, THROUGHPUT_ROUNDS);
	memset_med = median(memset_ns, THROUGHPUT_ROUNDS);
	printf("[\"%s\", %.3f, %.3f, %.3f, %.3f, %.3f, \">= %.1f\", \"%s\"]%s", backend,
	       gb_per_s(THROUGHPUT_SIZE, first_ns), gb_per_s(THROUGHPUT_SIZE, accept),
	       gb_per_s(THROUGHPUT_SIZE, median(backend_ns, THROUGHPUT_ROUNDS)),
	       gb_per_s(THROUGHPUT_SIZE, memset_med), ratio(memset_med, accept), THROUGHPUT_TARGET,
	       ratio(memset_med, accept) >= THROUGHPUT_TARGET ? "yes" : "no", last ? "" : ", ");
}

static void bench_throughput(void)
{
	printf("  {\"title\": \"(b) acceptance throughput, GB/s, %llu MiB, median of %d\",\n"
	       "   \"columns\": [\"backend\", \"first ACCEPT, allocating\", \"ACCEPT\", "
	       "\"backend only\", \"memset\", "
	       "\"ACCEPT / memset\", \"target\", \"met\"],\n   \"rows\": [",
	       THROUGHPUT_SIZE / MIB, THROUGHPUT_ROUNDS);
	throughput("emulated-tdx", false);
	throughput("emulated-snp", true);
	printf("]},\n");
}

/*
 * (c) Nanoseconds for the faults of every page of a fresh mapping: of the
 * region, every unit accepted, or of anonymous memory.
 */
static uint64_t fault_pages(struct region *r, bool anon, bool write)
{
	volatile uint8_t *map;
	uint64_t start, ns;
	void *p;

	if (anon)
		p = mmap(NULL, FAULT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mmap(NULL, FAULT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	/* One fault per page on both sides; fails harmlessly without THP. */
	madvise(p, FAULT_SIZE, MADV_NOHUGEPAGE);
	map = p;
	start = now_ns();
	touch_pages(map, FAULT_SIZE, write);
	ns = now_ns() - start;
	munmap(p, FAULT_SIZE);
	return ns;
}

static void faults(struct region *r, bool write)
{
	uint64_t ns[2][MAX_ROUNDS], region_ns, anon_ns;
	uint64_t pages = FAULT_SIZE / PAGE;

	for (int round = 0; round < FAULT_ROUNDS; round++)
		for (int i = 0; i < 2; i++) {
			int anon = (round + i) % 2;

			ns[anon][round] = fault_pages(r, anon, write);
		}
	region_ns = median(ns[0], FAULT_ROUNDS);
	anon_ns = median(ns[1], FAULT_ROUNDS);
	if (write)
		printf("[\"write\", %.0f, %.0f, %.3f, \"<= %.1f\", \"%s\"], ", (double)region_ns / pages,
		       (double)anon_ns / pages, ratio(region_ns, anon_ns), FAULT_TARGET,
		       ratio(region_ns, anon_ns) <= FAULT_TARGET ? "yes" : "no");
	else
		printf("[\"read (anonymous: the zero page)\", %.0f, %.0f, %.3f, null, null]",
		       (double)region_ns / pages, (double)anon_ns / pages, ratio(region_ns, anon_ns));
}

static void bench_faults(void)
{
	struct rkm_accept_stats s;
	struct region r;

	load("mode=eager size=%llu", (unsigned long long)FAULT_SIZE);
	open_region(&r);
	printf("  {\"title\": \"(c) fault on an accepted page vs anonymous memory, ns per fault, "
	       "%llu pages, median of %d\",\n"
	       "   \"columns\": [\"first access\", \"accepted page\", \"anonymous\", "
	       "\"accepted / anonymous\", \"target\", \"met\"],\n   \"rows\": [",
	       FAULT_SIZE / PAGE, FAULT_ROUNDS);
	faults(&r, true);
	faults(&r, false);
	printf("]},\n");
	s = stats(&r);
	if (s.faults_waited || s.backend_calls != 1)
		die("fault bench: %llu faults waited, %llu backend calls",
		    (unsigned long long)s.faults_waited, (unsigned long long)s.backend_calls);
	region_close(&r);
	unload();
}

/* (d) One sequential touch of every page of a fresh 1 GiB lazy region. */
struct walk {
	uint64_t ns, faults, faults_waited, ahead_units, wait_ns;
};

static struct walk walk(unsigned int window)
{
	struct rkm_accept_stats s;
	struct region r;
	struct walk w;
	uint64_t start;

	load("size=%llu accept_ahead=%u", (unsigned long long)WALK_SIZE, window);
	open_region(&r);
	start = now_ns();
	touch_pages(r.map, r.size, false);
	w.ns = now_ns() - start;
	/* The fault counters are final; the worker may still be accepting ahead. */
	s = stats(&r);
	w.faults = s.faults;
	w.faults_waited = s.faults_waited;
	w.ahead_units = s.ahead_units;
	w.wait_ns = s.wait_ns;
	if (s.double_accepts)
		die("accept_ahead=%u: double accepts", window);
	region_close(&r);
	unload();
	return w;
}

static void bench_walk(void)
{
	enum { WINDOWS = sizeof(walk_windows) / sizeof(walk_windows[0]) };
	uint64_t ns[WINDOWS][MAX_ROUNDS], waited[WINDOWS][MAX_ROUNDS];
	uint64_t ahead[WINDOWS][MAX_ROUNDS], wait_ns[WINDOWS][MAX_ROUNDS], faults = 0;

	for (int round = 0; round < WALK_ROUNDS; round++)
		for (unsigned int i = 0; i < WINDOWS; i++) {
			unsigned int w = (round + i) % WINDOWS;
			struct walk result = walk(walk_windows[w]);

			ns[w][round] = result.ns;
			waited[w][round] = result.faults_waited;
			ahead[w][round] = result.ahead_units;
			wait_ns[w][round] = result.wait_ns;
			faults = result.faults;
		}
	printf("  {\"title\": \"(d) sequential touch of %llu GiB (%llu units), median of %d\",\n"
	       "   \"columns\": [\"accept_ahead\", \"faults\", \"faults waited\", \"waited %%\", "
	       "\"units ahead\", \"wait ms\", \"walk ms\"],\n   \"rows\": [",
	       WALK_SIZE / GIB, WALK_SIZE / (2 * MIB), WALK_ROUNDS);
	for (unsigned int w = 0; w < WINDOWS; w++) {
		uint64_t faults_waited = median(waited[w], WALK_ROUNDS);

		printf("%s[%u, %llu, %llu, %.2f, %llu, %.1f, %.1f]", w ? ", " : "", walk_windows[w],
		       (unsigned long long)faults, (unsigned long long)faults_waited,
		       100.0 * ratio(faults_waited, faults),
		       (unsigned long long)median(ahead[w], WALK_ROUNDS),
		       median(wait_ns[w], WALK_ROUNDS) / 1e6, median(ns[w], WALK_ROUNDS) / 1e6);
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: accept_bench KO");
	ko_path = argv[1];
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	printf("{\"suite\": \"rkm_accept\",\n"
	       " \"params\": {\"first_use_bytes\": %llu, \"throughput_bytes\": %llu, "
	       "\"fault_bytes\": %llu, \"walk_bytes\": %llu, \"unit_size\": %llu},\n"
	       " \"tables\": [\n",
	       FIRST_USE_SIZE, THROUGHPUT_SIZE, FAULT_SIZE, WALK_SIZE, 2 * MIB);
	bench_first_use();
	bench_throughput();
	bench_faults();
	bench_walk();
	printf("]}\n");
	return 0;
}
