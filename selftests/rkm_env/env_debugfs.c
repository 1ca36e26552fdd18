// SPDX-License-Identifier: GPL-2.0
/*
 * The rkm_env probe's debugfs files: formats and bad input. The `warn` file
 * exists to raise a real WARNING; anything but "1" must fail with EINVAL and
 * leave the kernel log clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rkm_files.h"
#include "rkm_module.h"

#define PROBE "/sys/kernel/debug/rkm_env/"

TEST(kho_file_format)
{
	int enabled = -1, boot = -1;
	FILE *f;

	RKM_REQUIRE_MODULE_FILE("rkm_env", PROBE "kho");
	f = fopen(PROBE "kho", "r");
	ASSERT_NE(NULL, f) TH_LOG("open %s: %s", PROBE "kho", strerror(errno));
	ASSERT_EQ(2, fscanf(f, "enabled=%d boot=%d", &enabled, &boot));
	fclose(f);
	EXPECT_TRUE(enabled == 0 || enabled == 1);
	EXPECT_TRUE(boot == 0 || boot == 1);
}

TEST(warn_rejects_other_values)
{
	RKM_REQUIRE_MODULE_FILE("rkm_env", PROBE "warn");
	EXPECT_EQ(-EINVAL, rkm_write_file(PROBE "warn", "0"));
	EXPECT_EQ(-EINVAL, rkm_write_file(PROBE "warn", "2\n"));
	EXPECT_EQ(-EINVAL, rkm_write_file(PROBE "warn", "warn"));
	EXPECT_EQ(-EINVAL, rkm_write_file(PROBE "warn", "1111111111111111"));
}

TEST(read_only_files_refuse_writes)
{
	RKM_REQUIRE_MODULE_FILE("rkm_env", PROBE "config");
	/* Root passes the 0400 mode check; the file has no write operation. */
	EXPECT_NE(0, rkm_write_file(PROBE "config", "CONFIG_RUST=n\n"));
}

TEST_HARNESS_MAIN
