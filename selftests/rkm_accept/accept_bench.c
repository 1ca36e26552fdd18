// SPDX-License-Identifier: GPL-2.0
/*
 * accept_bench: rkm_accept's part of `make bench`. Prints one JSON report
 * (scripts/harness/bench.py) with four tables:
 *
 *   (a) time to first use of a 4 GiB region, lazy vs eager: from the start of
 *       finit_module() to the first byte read through the mapping
 *       (informational: lazy accepts one unit where eager accepts them all);
 *   (b) acceptance throughput of the emulated backends: one ACCEPT ioctl of
 *       the whole region (its pages allocated by an earlier one), the
 *       backend's part of it (the module's accept_ns) and the acceptor's own
 *       (the rest), against RKM_ACCEPT_IOC_CLEAR, the kernel's
 *       clear_highpage() of the same pages without the acceptor;
 *   (c) the acceptor's fault path: a fault on an accepted page vs a fault on
 *       anonymous memory, per page of a fresh mapping;
 *   (d) a sequential touch of every page of 1 GiB: faults that waited for an
 *       accept, with and without accept-ahead (informational).
 *
 * Both sides of every target are timed here, by CLOCK_MONOTONIC, in the same
 * rounds; the harness judges them (scripts/harness/bench.py).
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
/* (b): ACCEPT at most this many times the clear of the same pages. */
#define THROUGHPUT_SIZE (256 * MIB)
#define THROUGHPUT_ROUNDS 7
#define THROUGHPUT_TARGET 1.25
/* (c): a write fault on an accepted page at most this many times an anonymous one. */
#define FAULT_SIZE (64 * MIB)
#define FAULT_ROUNDS 7
#define FAULT_TARGET 1.2

#define INFORMATIONAL "\"none (informational)\""
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
	uint64_t units[2] = { 0 };

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
	       "\"units accepted\", \"accepting ms\", \"target\"],\n   \"rows\": [",
	       FIRST_USE_SIZE / GIB, FIRST_USE_ROUNDS);
	for (int m = 0; m < 2; m++) {
		printf("%s[\"%s\", %.1f, %.3f, %.1f, %llu, %.1f, " INFORMATIONAL "]", m ? ", " : "", modes[m],
		       median(load_ns[m], FIRST_USE_ROUNDS) / 1e6,
		       median(touch_ns[m], FIRST_USE_ROUNDS) / 1e6,
		       median(total_ns[m], FIRST_USE_ROUNDS) / 1e6,
		       (unsigned long long)units[m], median(accept_ns[m], FIRST_USE_ROUNDS) / 1e6);
	}
	printf("]},\n");
}

/* The samples of one target, both sides timed in the same rounds. */
struct target {
	char name[64];
	const char *measured, *baseline, *unit;
	double bound;
	int n;
	double m[MAX_ROUNDS], b[MAX_ROUNDS];
};

static struct target targets[3];
static int ntargets;

static struct target *new_target(const char *measured, const char *baseline, const char *unit,
				 double bound, const char *fmt, ...)
{
	struct target *t = &targets[ntargets++];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	va_end(ap);
	t->measured = measured;
	t->baseline = baseline;
	t->unit = unit;
	t->bound = bound;
	t->n = 0;
	return t;
}

static void print_samples(const double *v, int n)
{
	for (int i = 0; i < n; i++)
		printf("%s%.3f", i ? ", " : "", v[i]);
}

static void print_targets(void)
{
	printf(" \"targets\": [");
	for (int i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];

		printf("%s\n  {\"name\": \"%s\", \"max_ratio\": %.2f, \"paired\": true,\n"
		       "   \"measured\": {\"what\": \"%s, %s\", \"clock\": \"CLOCK_MONOTONIC in user space\", "
		       "\"samples\": [", i ? "," : "", t->name, t->bound, t->measured, t->unit);
		print_samples(t->m, t->n);
		printf("]},\n   \"baseline\": {\"what\": \"%s, %s\", "
		       "\"clock\": \"CLOCK_MONOTONIC in user space\", \"samples\": [", t->baseline, t->unit);
		print_samples(t->b, t->n);
		printf("]}}");
	}
	printf("\n ]}\n");
}

/*
 * (b) For one backend, alternating: an ACCEPT of the whole region, and a
 * clear of its pages without the acceptor, each after an UNACCEPT of it
 * (not timed). The first ACCEPT also allocates the pages, and is reported on
 * its own.
 */
static void throughput(const char *backend, bool last)
{
	uint64_t accept_ns[MAX_ROUNDS], backend_ns[MAX_ROUNDS], own_ns[MAX_ROUNDS];
	uint64_t clear_ns[MAX_ROUNDS], first_ns;
	struct target *t = new_target("ACCEPT of the region", "clear of its pages", "ms",
				      THROUGHPUT_TARGET, "%s: ACCEPT vs clear", backend);
	struct region r;

	load("backend=%s size=%llu", backend, (unsigned long long)THROUGHPUT_SIZE);
	open_region(&r);
	first_ns = now_ns();
	range(&r, RKM_ACCEPT_IOC_ACCEPT, "ACCEPT");
	first_ns = now_ns() - first_ns;
	for (int round = 0; round < THROUGHPUT_ROUNDS; round++) {
		for (int i = 0; i < 2; i++) {
			uint64_t before, start;
			long pages;

			range(&r, RKM_ACCEPT_IOC_UNACCEPT, "UNACCEPT");
			if ((round + i) % 2 == 0) {
				before = stats(&r).accept_ns;
				start = now_ns();
				range(&r, RKM_ACCEPT_IOC_ACCEPT, "ACCEPT");
				accept_ns[round] = now_ns() - start;
				backend_ns[round] = stats(&r).accept_ns - before;
				own_ns[round] = accept_ns[round] - backend_ns[round];
			} else {
				start = now_ns();
				pages = ioctl(r.fd, RKM_ACCEPT_IOC_CLEAR);
				clear_ns[round] = now_ns() - start;
				if (pages != (long)(r.size / PAGE))
					die("backend=%s: CLEAR cleared %ld pages of %llu: %s", backend, pages,
					    (unsigned long long)(r.size / PAGE), strerror(errno));
			}
		}
		t->m[t->n] = accept_ns[round] / 1e6;
		t->b[t->n++] = clear_ns[round] / 1e6;
	}
	if (stats(&r).double_accepts)
		die("backend=%s: double accepts", backend);
	region_close(&r);
	unload();

	printf("[\"%s\", %.3f, %.3f, %.3f, %.3f, %.3f, \"%s\"]%s", backend,
	       gb_per_s(THROUGHPUT_SIZE, first_ns),
	       gb_per_s(THROUGHPUT_SIZE, median(accept_ns, THROUGHPUT_ROUNDS)),
	       gb_per_s(THROUGHPUT_SIZE, median(backend_ns, THROUGHPUT_ROUNDS)),
	       median(own_ns, THROUGHPUT_ROUNDS) / 1e6,
	       gb_per_s(THROUGHPUT_SIZE, median(clear_ns, THROUGHPUT_ROUNDS)), t->name,
	       last ? "" : ", ");
}

static void bench_throughput(void)
{
	printf("  {\"title\": \"(b) acceptance throughput, GB/s, %llu MiB, median of %d: "
	       "ACCEPT, its backend calls (module clock), the acceptor's own ms (the rest), "
	       "and the kernel's clear_highpage() of the same pages without the acceptor\",\n"
	       "   \"columns\": [\"backend\", \"first ACCEPT, allocating\", \"ACCEPT\", "
	       "\"backend only\", \"acceptor's own ms\", \"in-kernel clear\", \"target\"],\n"
	       "   \"rows\": [",
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
	struct target *t = write ? new_target("fault on an accepted page", "anonymous fault",
					      "ns per page", FAULT_TARGET, "fault path, write")
				 : NULL;

	for (int round = 0; round < FAULT_ROUNDS; round++) {
		for (int i = 0; i < 2; i++) {
			int anon = (round + i) % 2;

			ns[anon][round] = fault_pages(r, anon, write);
		}
		if (t) {
			t->m[t->n] = (double)ns[0][round] / pages;
			t->b[t->n++] = (double)ns[1][round] / pages;
		}
	}
	region_ns = median(ns[0], FAULT_ROUNDS);
	anon_ns = median(ns[1], FAULT_ROUNDS);
	if (write)
		printf("[\"write\", %.0f, %.0f, %.3f, \"%s\"], ", (double)region_ns / pages,
		       (double)anon_ns / pages, ratio(region_ns, anon_ns), t->name);
	else
		printf("[\"read (anonymous: the zero page)\", %.0f, %.0f, %.3f, " INFORMATIONAL "]",
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
	       "\"accepted / anonymous\", \"target\"],\n   \"rows\": [",
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
	       "\"units ahead\", \"wait ms\", \"walk ms\", \"target\"],\n   \"rows\": [",
	       WALK_SIZE / GIB, WALK_SIZE / (2 * MIB), WALK_ROUNDS);
	for (unsigned int w = 0; w < WINDOWS; w++) {
		uint64_t faults_waited = median(waited[w], WALK_ROUNDS);

		printf("%s[%u, %llu, %llu, %.2f, %llu, %.1f, %.1f, " INFORMATIONAL "]", w ? ", " : "",
		       walk_windows[w],
		       (unsigned long long)faults, (unsigned long long)faults_waited,
		       100.0 * ratio(faults_waited, faults),
		       (unsigned long long)median(ahead[w], WALK_ROUNDS),
		       median(wait_ns[w], WALK_ROUNDS) / 1e6, median(ns[w], WALK_ROUNDS) / 1e6);
	}
	printf("]}\n ],\n");
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
	print_targets();
	return 0;
}
