/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reason a test of an rkm module may skip: the module is not loaded.
 * The harness loads every suite's modules before the kselftests run, so once
 * /sys/module/<name> exists, a missing device, debugfs or sysfs file of the
 * module is a failure, never a skip.
 */
#ifndef RKM_MODULE_H
#define RKM_MODULE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

/* Whether module @name is loaded (sysfs has /sys/module/@name for every loaded module). */
static inline bool rkm_module_loaded(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/*
 * In a TEST or FIXTURE_SETUP of kselftest_harness.h: skips unless @module is
 * loaded, then fails unless @path (a file the module creates) exists.
 */
#define RKM_REQUIRE_MODULE_FILE(module, path)                                  \
	do {                                                                   \
		if (!rkm_module_loaded(module))                                \
			SKIP(return, "%s is not loaded", module);              \
		ASSERT_EQ(0, access(path, F_OK))                               \
			TH_LOG("%s is loaded but %s is missing", module, path); \
	} while (0)

#endif /* RKM_MODULE_H */
