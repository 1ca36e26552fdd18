// SPDX-License-Identifier: GPL-2.0
/*
 * rkm_accept through its user interface: touching pages accepts exactly the
 * units the kernel's accept_memory() would, accepted memory reads as the
 * backend says, concurrent faults accept a unit once, unaccepting tears the
 * mappings down first, the counters add up, and bad input gets an errno.
 *
 * Every test starts from a region that is unaccepted all over (the fixture
 * unaccepts it), so the tests hold whatever parameters the module was loaded
 * with; the emulated backend in use is read from its sysfs parameter. The
 * environment variable RKM_ACCEPT_PRE_UNITS gives the number of units the
 * module was loaded with pre-accepted (default 0).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "accept_util.h"

#define THREADS 32

FIXTURE(region) {
	struct region r;
	uint64_t *words;
	size_t nwords;
	bool tdx; /* emulated-tdx: accepted memory reads zeros; emulated-snp: poison */
};

FIXTURE_SETUP(region)
{
	char backend[32];

	ASSERT_EQ(0, region_open(&self->r)) TH_LOG("is rkm_accept loaded?");
	ASSERT_EQ(0, read_param("backend", backend, sizeof(backend)));
	if (strncmp(backend, "emulated-", 9))
		SKIP(return, "backend=%s is not emulated", backend);
	self->tdx = !strcmp(backend, "emulated-tdx");
	ASSERT_LE(16, self->r.units) TH_LOG("the tests need at least 16 units");
	ASSERT_EQ(0, region_map(&self->r));
	self->nwords = (self->r.units + 63) / 64;
	self->words = calloc(self->nwords, sizeof(uint64_t));
	ASSERT_NE(NULL, self->words);
	ASSERT_LE(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_UNACCEPT, 0, self->r.size));
}

FIXTURE_TEARDOWN(region)
{
	free(self->words);
	region_close(&self->r);
}

/* The units that are accepted now, as a bit mask of the first 64. */
static uint64_t accepted_mask(struct region *r, uint64_t *words, size_t nwords)
{
	uint64_t units = r->units < 64 ? (1ULL << r->units) - 1 : ~0ULL;

	if (read_bitmap(r, words, nwords))
		return ~0ULL;
	return ~words[0] & units;
}

static uint64_t page_of(struct region *r, uint64_t unit, uint64_t page)
{
	return unit * r->unit_size + page * PAGE;
}

static uint8_t touch(struct region *r, uint64_t offset)
{
	return r->map[offset];
}

/* Returns the first byte of [offset, offset + len) that is not value, or -1. */
static long first_not(struct region *r, uint64_t offset, uint64_t len, uint8_t value)
{
	for (uint64_t i = 0; i < len; i++)
		if (r->map[offset + i] != value)
			return i;
	return -1;
}

TEST_F(region, touch_accepts_its_unit)
{
	struct rkm_accept_stats before, after;

	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	touch(&self->r, page_of(&self->r, 3, 1));
	ASSERT_EQ(0, read_stats(self->r.fd, &after));

	EXPECT_EQ(1ULL << 3, accepted_mask(&self->r, self->words, self->nwords));
	EXPECT_EQ(before.backend_calls + 1, after.backend_calls);
	EXPECT_EQ(before.units_accepted + 1, after.units_accepted);
	EXPECT_EQ(before.faults_waited + 1, after.faults_waited);
	EXPECT_LE(before.faults + 1, after.faults);

	/* Other pages of the same unit map without another accept. */
	touch(&self->r, page_of(&self->r, 3, 0));
	touch(&self->r, page_of(&self->r, 3, 7));
	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	EXPECT_EQ(after.backend_calls, before.backend_calls);
	EXPECT_EQ(after.faults_waited, before.faults_waited);
}

TEST_F(region, touch_last_page_accepts_next_unit)
{
	uint64_t last = self->r.unit_size / PAGE - 1;
	struct rkm_accept_stats before, after;

	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	touch(&self->r, page_of(&self->r, 5, last));
	ASSERT_EQ(0, read_stats(self->r.fd, &after));

	/* As accept_memory() does for load_unaligned_zeropad(): units 5 and 6, in one run. */
	EXPECT_EQ(3ULL << 5, accepted_mask(&self->r, self->words, self->nwords));
	EXPECT_EQ(before.backend_calls + 1, after.backend_calls);
	EXPECT_EQ(before.units_accepted + 2, after.units_accepted);
}

TEST_F(region, last_page_of_region_has_no_guard_unit)
{
	uint64_t unit = self->r.units - 1;

	touch(&self->r, page_of(&self->r, unit, self->r.unit_size / PAGE - 1));
	ASSERT_EQ(0, read_bitmap(&self->r, self->words, self->nwords));
	for (uint64_t u = 0; u < self->r.units; u++) {
		EXPECT_EQ(u != unit, unit_unaccepted(self->words, u))
			TH_LOG("unit %llu", (unsigned long long)u);
	}
}

TEST_F(region, accepted_memory_reads_as_the_backend_says)
{
	uint64_t start = page_of(&self->r, 2, 0);
	uint8_t expected = self->tdx ? 0 : RKM_ACCEPT_POISON;

	/* TDX clears a page it accepts; after SNP validation the contents are what was there. */
	EXPECT_EQ(-1, first_not(&self->r, start, self->r.unit_size, expected));

	/* Accepted memory is ordinary memory from then on. */
	memset((void *)(self->r.map + start), 0x5a, self->r.unit_size);
	EXPECT_EQ(-1, first_not(&self->r, start, self->r.unit_size, 0x5a));
}

TEST_F(region, unaccept_then_touch_accepts_again)
{
	uint64_t start = page_of(&self->r, 2, 0);
	struct rkm_accept_stats before, after;

	self->r.map[start] = 0x5a;
	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	EXPECT_EQ(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_UNACCEPT, start, self->r.unit_size));
	EXPECT_EQ(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_QUERY, start, PAGE));
	EXPECT_EQ(0, accepted_mask(&self->r, self->words, self->nwords));

	/* The old mapping is gone: this faults, and accepts the unit again. */
	EXPECT_EQ(self->tdx ? 0 : RKM_ACCEPT_POISON, touch(&self->r, start));
	ASSERT_EQ(0, read_stats(self->r.fd, &after));
	EXPECT_EQ(1ULL << 2, accepted_mask(&self->r, self->words, self->nwords));
	EXPECT_EQ(before.units_unaccepted + 1, after.units_unaccepted);
	EXPECT_EQ(before.backend_calls + 1, after.backend_calls);
	EXPECT_EQ(0, after.double_accepts);

	/* Unaccepting unaccepted units does nothing. */
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_UNACCEPT, page_of(&self->r, 9, 0), 1));
}

/* The benchmark's baseline: a clear of the region's pages without the acceptor. */
TEST_F(region, clear_needs_the_region_unaccepted_and_accepts_nothing)
{
	uint64_t start = page_of(&self->r, 2, 0), unit_pages = self->r.unit_size / PAGE;
	struct rkm_accept_stats before, after;
	int cleared;

	/* An accepted unit may be mapped: no clear then. */
	touch(&self->r, start);
	EXPECT_EQ(-1, ioctl(self->r.fd, RKM_ACCEPT_IOC_CLEAR));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_LE(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_UNACCEPT, 0, self->r.size));
	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	cleared = ioctl(self->r.fd, RKM_ACCEPT_IOC_CLEAR);
	ASSERT_EQ(0, read_stats(self->r.fd, &after));
	/* Every page of every unit that has pages (unit 2 has), and nothing accepted. */
	EXPECT_LE((int)unit_pages, cleared);
	EXPECT_EQ(0, cleared % unit_pages);
	EXPECT_EQ(before.backend_calls, after.backend_calls);
	EXPECT_EQ(before.units_accepted, after.units_accepted);
	EXPECT_EQ(self->r.units, after.unaccepted_units);

	/* The region works as before: a touch accepts the unit again. */
	EXPECT_EQ(self->tdx ? 0 : RKM_ACCEPT_POISON, touch(&self->r, start));
	EXPECT_EQ(1ULL << 2, accepted_mask(&self->r, self->words, self->nwords));
}

struct toucher {
	struct region *r;
	uint64_t offset;
	pthread_barrier_t *start;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;

	pthread_barrier_wait(t->start);
	return (void *)(uintptr_t)t->r->map[t->offset];
}

TEST_F(region, threads_fault_one_unit_once)
{
	struct toucher touchers[THREADS];
	pthread_t threads[THREADS];
	pthread_barrier_t start;
	struct rkm_accept_stats before, after;

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, THREADS));
	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	for (int i = 0; i < THREADS; i++) {
		/* Different pages of unit 7, none its last (which would add unit 8). */
		touchers[i] = (struct toucher){ &self->r, page_of(&self->r, 7, i), &start };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, touch_thread, &touchers[i]));
	}
	for (int i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	ASSERT_EQ(0, read_stats(self->r.fd, &after));
	pthread_barrier_destroy(&start);

	EXPECT_EQ(1ULL << 7, accepted_mask(&self->r, self->words, self->nwords));
	EXPECT_EQ(before.backend_calls + 1, after.backend_calls);
	EXPECT_EQ(before.units_accepted + 1, after.units_accepted);
	EXPECT_EQ(0, after.double_accepts);
	TH_LOG("%llu of %d faults waited for the accept, %llu waits, %llu ns waiting",
	       (unsigned long long)(after.faults_waited - before.faults_waited), THREADS,
	       (unsigned long long)(after.waits - before.waits),
	       (unsigned long long)(after.wait_ns - before.wait_ns));
}

TEST_F(region, accept_ioctl_follows_accept_memory)
{
	uint64_t unit = self->r.unit_size;
	struct rkm_accept_stats before, after;

	/* One page: its unit. */
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 10 * unit + PAGE, PAGE));
	/* A range ending on a unit boundary: plus the next unit. */
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 12 * unit, unit));
	/* Unaligned: widened to pages, as the kernel does. */
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 1 * unit + 1, 10));
	/* Size 0 still names the unit of start, as in the kernel. */
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 3 * unit + PAGE, 0));
	EXPECT_EQ((1ULL << 10) | (3ULL << 12) | (1ULL << 1) | (1ULL << 3),
		  accepted_mask(&self->r, self->words, self->nwords));

	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_QUERY, 12 * unit, unit));
	EXPECT_EQ(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_QUERY, 12 * unit, 2 * unit));
	EXPECT_EQ(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_QUERY, 9 * unit, 2 * unit));

	/* Accepted memory maps without another backend call. */
	ASSERT_EQ(0, read_stats(self->r.fd, &before));
	touch(&self->r, 13 * unit);
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 10 * unit, PAGE));
	ASSERT_EQ(0, read_stats(self->r.fd, &after));
	EXPECT_EQ(before.backend_calls, after.backend_calls);
}

TEST_F(region, stats_add_up)
{
	const char *pre = getenv("RKM_ACCEPT_PRE_UNITS");
	uint64_t unit = self->r.unit_size, set = 0;
	struct rkm_accept_stats s;

	touch(&self->r, 4 * unit);
	touch(&self->r, 6 * unit - PAGE);
	ASSERT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_ACCEPT, 8 * unit, 3 * unit));
	ASSERT_EQ(1, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_UNACCEPT, 4 * unit, 1));

	ASSERT_EQ(0, read_stats(self->r.fd, &s));
	ASSERT_EQ(0, read_bitmap(&self->r, self->words, self->nwords));
	for (uint64_t u = 0; u < self->r.units; u++)
		set += unit_unaccepted(self->words, u);

	EXPECT_EQ(self->r.units, s.units);
	EXPECT_EQ(self->r.unit_size, s.unit_size);
	EXPECT_EQ(set, s.unaccepted_units);
	/* What was unaccepted at load, less what was accepted since, plus what was unaccepted. */
	EXPECT_EQ(s.unaccepted_units + s.units_accepted - s.units_unaccepted,
		  self->r.units - (pre ? strtoull(pre, NULL, 0) : 0));
	EXPECT_EQ(0, s.units_failed);
	EXPECT_EQ(0, s.double_accepts);
	/* Each backend call accepts a run of at least one unit and takes time. */
	EXPECT_LE(s.backend_calls, s.units_accepted);
	EXPECT_LT(0, s.accept_ns);
	EXPECT_LE(s.faults_waited, s.faults);
}

/* Returns the value of "name:\t<value>" in the fdinfo of fd, or -1 if it is not there. */
static long long fdinfo_value(int fd, const char *name)
{
	char path[64], line[128];
	size_t len = strlen(name);
	long long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			value = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

TEST_F(region, fdinfo_shows_the_counters)
{
	struct rkm_accept_stats s;

	touch(&self->r, 3 * self->r.unit_size);
	ASSERT_EQ(0, read_stats(self->r.fd, &s));
	/* Nothing runs in between: the same numbers as the ioctl's. */
	EXPECT_EQ(s.units, fdinfo_value(self->r.fd, "units"));
	EXPECT_EQ(s.unit_size, fdinfo_value(self->r.fd, "unit_size"));
	EXPECT_EQ(s.unaccepted_units, fdinfo_value(self->r.fd, "unaccepted_units"));
	EXPECT_EQ(s.units_accepted, fdinfo_value(self->r.fd, "units_accepted"));
	EXPECT_EQ(s.backend_calls, fdinfo_value(self->r.fd, "backend_calls"));
	EXPECT_EQ(s.faults, fdinfo_value(self->r.fd, "faults"));
	EXPECT_EQ(s.faults_waited, fdinfo_value(self->r.fd, "faults_waited"));
	EXPECT_EQ(s.accept_ns, fdinfo_value(self->r.fd, "accept_ns"));
	EXPECT_EQ(0, fdinfo_value(self->r.fd, "double_accepts"));
	EXPECT_LT(0, s.units_accepted);
}

TEST_F(region, bad_ranges)
{
	static const unsigned long cmds[] = {
		RKM_ACCEPT_IOC_ACCEPT, RKM_ACCEPT_IOC_QUERY, RKM_ACCEPT_IOC_UNACCEPT,
	};
	uint64_t size = self->r.size;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-EOVERFLOW, range_ioctl(self->r.fd, cmds[i], UINT64_MAX - 10, 100));
		EXPECT_EQ(-EOVERFLOW, range_ioctl(self->r.fd, cmds[i], 1, UINT64_MAX));
		EXPECT_EQ(-EINVAL, range_ioctl(self->r.fd, cmds[i], 0, UINT64_MAX));
		EXPECT_EQ(-EINVAL, range_ioctl(self->r.fd, cmds[i], size, 1));
		EXPECT_EQ(-EINVAL, range_ioctl(self->r.fd, cmds[i], 0, size + 1));
		EXPECT_EQ(-EINVAL, range_ioctl(self->r.fd, cmds[i], UINT64_MAX / 2, PAGE));
		EXPECT_EQ(-1, ioctl(self->r.fd, cmds[i], NULL));
		EXPECT_EQ(EFAULT, errno);
	}
	/* Nothing was accepted along the way. */
	EXPECT_EQ(0, accepted_mask(&self->r, self->words, self->nwords));

	EXPECT_EQ(-1, ioctl(self->r.fd, _IO(RKM_ACCEPT_IOC_MAGIC, 99)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->r.fd, RKM_ACCEPT_IOC_STATS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(region, bitmap_buffer_sizes)
{
	struct rkm_accept_bitmap b = { 0 };
	uint64_t word = 0;

	/* No buffer: the geometry only. */
	EXPECT_EQ(0, ioctl(self->r.fd, RKM_ACCEPT_IOC_BITMAP, &b));
	EXPECT_EQ(self->r.units, b.units);
	EXPECT_EQ(self->r.unit_size, b.unit_size);

	/* Too small a buffer: ENOSPC, the geometry all the same, the buffer untouched. */
	if (self->r.units > 64) {
		memset(&b, 0, sizeof(b));
		b.bitmap = (uintptr_t)&word;
		b.bitmap_bytes = sizeof(word);
		EXPECT_EQ(-1, ioctl(self->r.fd, RKM_ACCEPT_IOC_BITMAP, &b));
		EXPECT_EQ(ENOSPC, errno);
		EXPECT_EQ(self->r.units, b.units);
		EXPECT_EQ(0, word);
	}

	/* A buffer that is not user memory. */
	b.bitmap = 8;
	b.bitmap_bytes = self->nwords * 8;
	EXPECT_EQ(-1, ioctl(self->r.fd, RKM_ACCEPT_IOC_BITMAP, &b));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(region, ioctl_buffer_inside_the_region)
{
	/* Copying to the region faults inside the ioctl: the fault accepts, nothing deadlocks. */
	uint64_t offset = page_of(&self->r, 11, 0);
	struct rkm_accept_bitmap b = {
		.bitmap = (uintptr_t)(self->r.map + offset),
		.bitmap_bytes = self->nwords * 8,
	};

	EXPECT_EQ(0, ioctl(self->r.fd, RKM_ACCEPT_IOC_BITMAP, &b));
	/* The snapshot predates the fault its copy caused. */
	EXPECT_TRUE(unit_unaccepted((uint64_t *)(self->r.map + offset), 11));
	EXPECT_EQ(0, ioctl(self->r.fd, RKM_ACCEPT_IOC_STATS, self->r.map + offset + PAGE));
	EXPECT_EQ(self->r.units, ((struct rkm_accept_stats *)(self->r.map + offset + PAGE))->units);
	EXPECT_EQ(1ULL << 11, accepted_mask(&self->r, self->words, self->nwords));
}

TEST_F(region, bad_mappings)
{
	uint64_t size = self->r.size;
	void *p;

	/* A private mapping would copy pages out of the region on write. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->r.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* Data only (EPERM instead if /dev is mounted noexec). */
	p = mmap(NULL, PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, self->r.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_TRUE(errno == EINVAL || errno == EPERM);
	/* Beyond the region, by offset or by length. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->r.fd, size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->r.fd, size - PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, size + PAGE, PROT_READ, MAP_SHARED, self->r.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/* A mapping of part of the region cannot grow. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->r.fd, size - PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	/* Its pages are the region's: the offset counts. */
	EXPECT_EQ(self->tdx ? 0 : RKM_ACCEPT_POISON, *(volatile uint8_t *)p);
	EXPECT_EQ(0, range_ioctl(self->r.fd, RKM_ACCEPT_IOC_QUERY, size - PAGE, PAGE));
	munmap(p, PAGE);
}

struct unaccepter {
	struct region *r;
	uint64_t offset;
	volatile bool stop;
	volatile long unaccepted;
	long errors;
};

static void *unaccept_thread(void *arg)
{
	struct unaccepter *u = arg;

	while (!u->stop) {
		long ret = range_ioctl(u->r->fd, RKM_ACCEPT_IOC_UNACCEPT, u->offset, PAGE);

		if (ret < 0)
			u->errors++;
		else
			u->unaccepted += ret;
	}
	return NULL;
}

TEST_F(region, concurrent_unaccept_and_fault)
{
	struct unaccepter u = { .r = &self->r, .offset = page_of(&self->r, 4, 0) };
	uint8_t expected = self->tdx ? 0 : RKM_ACCEPT_POISON;
	struct rkm_accept_stats s;
	long wrong = 0, reads = 0;
	pthread_t thread;

	ASSERT_EQ(0, pthread_create(&thread, NULL, unaccept_thread, &u));
	/* Every read maps the page again if it was taken away, so it never sees stale data. */
	while (u.unaccepted < 50 && reads < 2000000) {
		for (uint64_t page = 0; page < 4; page++)
			wrong += touch(&self->r, u.offset + page * PAGE) != expected;
		reads++;
	}
	u.stop = true;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(0, read_stats(self->r.fd, &s));

	TH_LOG("%ld rounds of reads, %ld unaccepts", reads, u.unaccepted);
	EXPECT_EQ(0, wrong);
	EXPECT_EQ(0, u.errors);
	EXPECT_LT(0, u.unaccepted);
	EXPECT_EQ(0, s.double_accepts);
}

TEST_HARNESS_MAIN
