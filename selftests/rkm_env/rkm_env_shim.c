// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of rkm_env: what only C can reach, here a macro (IS_ENABLED) and a
 * static inline (num_online_cpus), exposed as plain functions that the
 * generated bindings declare for Rust.
 */
#include <linux/cpumask.h>
#include <linux/kconfig.h>
#include "rkm_env_shim.h"

__rkm_shim unsigned int rkm_env_config(void)
{
	return (IS_ENABLED(CONFIG_RUST) ? RKM_ENV_RUST : 0) |
	       (IS_ENABLED(CONFIG_KUNIT) ? RKM_ENV_KUNIT : 0) |
	       (IS_ENABLED(CONFIG_KEXEC_HANDOVER) ? RKM_ENV_KEXEC_HANDOVER : 0) |
	       (IS_ENABLED(CONFIG_PROVE_LOCKING) ? RKM_ENV_PROVE_LOCKING : 0) |
	       (IS_ENABLED(CONFIG_KASAN) ? RKM_ENV_KASAN : 0) |
	       (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) ? RKM_ENV_DEBUG_KMEMLEAK : 0) |
	       (IS_ENABLED(CONFIG_PHYLIB) ? RKM_ENV_PHYLIB : 0);
}

__rkm_shim unsigned int rkm_env_num_online_cpus(void)
{
	return num_online_cpus();
}
