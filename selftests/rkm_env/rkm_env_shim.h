/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_ENV_SHIM_H
#define RKM_ENV_SHIM_H

/*
 * Bits of rkm_env_config(): kernel options the rkm suites rely on, as the C
 * preprocessor sees them (IS_ENABLED() is a macro Rust cannot call).
 */
#define RKM_ENV_RUST			(1U << 0)
#define RKM_ENV_KUNIT			(1U << 1)
#define RKM_ENV_KEXEC_HANDOVER		(1U << 2)
#define RKM_ENV_PROVE_LOCKING		(1U << 3)
#define RKM_ENV_KASAN			(1U << 4)
#define RKM_ENV_DEBUG_KMEMLEAK		(1U << 5)
#define RKM_ENV_PHYLIB			(1U << 6)

unsigned int rkm_env_config(void);
unsigned int rkm_env_num_online_cpus(void);

#endif
