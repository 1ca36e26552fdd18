// SPDX-License-Identifier: GPL-2.0
/*
 * rkm_guard's debugfs files and bad input: every malformed, unknown or
 * out-of-range parameter line fails with EINVAL, a second start while a run is
 * active with EBUSY, and neither disturbs the run or the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rkm_files.h"
#include "rkm_module.h"

#define DIR "/sys/kernel/debug/rkm_guard/"

/* Waits up to @seconds for the current run to end. */
static int wait_done(int seconds)
{
	char state[32];
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (rkm_read_file(DIR "state", state, sizeof(state)))
			return -1;
		if (!strcmp(state, "done\n") || !strcmp(state, "idle\n"))
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

FIXTURE(guard) {};

FIXTURE_SETUP(guard)
{
	RKM_REQUIRE_MODULE_FILE("rkm_guard", DIR "start");
	ASSERT_EQ(0, wait_done(120));
}

FIXTURE_TEARDOWN(guard) {}

TEST_F(guard, start_rejects_malformed_lines)
{
	static const char *const bad[] = {
		"", "\n", "mutex", "=mutex", "kind", "kind=mutex kind=rwsem",
		"kind=mutex color=red", "writers=2", "kind=mutex writers=0x2",
		"kind=mutex \xff\xfe",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", bad[i])) TH_LOG("line '%s'", bad[i]);
}

TEST_F(guard, start_rejects_unknown_kinds)
{
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind=futex"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind=MUTEX"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind="));
	/* Readers for a lock without a read side. */
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind=mutex readers=1"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind=spinlock_bh readers=2"));
}

TEST_F(guard, start_rejects_zero_negative_and_huge_numbers)
{
	static const char *const bad[] = {
		"kind=rwsem writers=0", "kind=rwsem writers=-1", "kind=rwsem writers=65",
		"kind=rwsem writers=99999999999999999999", "kind=rwsem readers=-2",
		"kind=rwsem readers=65", "kind=rwsem duration_s=0", "kind=rwsem duration_s=-5",
		"kind=rwsem duration_s=601", "kind=rwsem duration_s=4294967297",
		"kind=rwsem hold_us=1001", "kind=rwsem hold_us=-1",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", bad[i])) TH_LOG("line '%s'", bad[i]);
}

TEST_F(guard, start_rejects_overlong_lines)
{
	char line[512];

	memset(line, ' ', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "kind=mutex", strlen("kind=mutex"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", line));
}

TEST_F(guard, second_start_while_running_is_ebusy)
{
	char summary[4096];

	ASSERT_EQ(0, rkm_write_file(DIR "start", "kind=spinlock writers=1 duration_s=1"));
	EXPECT_EQ(-EBUSY, rkm_write_file(DIR "start", "kind=mutex duration_s=1"));
	/* Bad input is still EINVAL, checked before the run is. */
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "start", "kind=nope"));
	ASSERT_EQ(0, wait_done(60));
	ASSERT_EQ(0, rkm_read_file(DIR "summary", summary, sizeof(summary)));
	/* The run that was refused did not replace the running one. */
	EXPECT_NE(NULL, strstr(summary, "kind=spinlock writers=1 readers=0 duration_s=1"));
	EXPECT_NE(NULL, strstr(summary, "End of test: SUCCESS\n"));
}

TEST_F(guard, bench_rejects_bad_lines)
{
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "go"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "1"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "run samples=0"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "run samples=32"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "run iterations=10000001"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "run duration_ms=0"));
	EXPECT_EQ(-EINVAL, rkm_write_file(DIR "bench", "run loops=3"));
}

TEST_F(guard, read_only_files_refuse_writes)
{
	/* Root passes the mode check; these files have no write operation. */
	EXPECT_NE(0, rkm_write_file(DIR "summary", "End of test: SUCCESS\n"));
	EXPECT_NE(0, rkm_write_file(DIR "state", "idle\n"));
	EXPECT_NE(0, rkm_write_file(DIR "kinds", "futex\n"));
}

TEST_F(guard, kinds_lists_every_lock)
{
	char kinds[256];

	ASSERT_EQ(0, rkm_read_file(DIR "kinds", kinds, sizeof(kinds)));
	EXPECT_STREQ("mutex\nspinlock\nraw_spinlock\nspinlock_bh\nrwlock\nrwsem\nseqlock\n", kinds);
}

TEST_HARNESS_MAIN
