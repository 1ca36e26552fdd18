// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the coco part: see coco_shim.h. Without CONFIG_UNACCEPTED_MEMORY
 * there is neither the firmware's table nor the NR_UNACCEPTED counter.
 */
#include <linux/efi.h>
#include <linux/mm.h>
#include <linux/vmstat.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/unaccepted_memory.h>
#include "coco_shim.h"

__rkm_shim const struct efi_unaccepted_memory *coco_shim_efi_get_unaccepted_table(void)
{
#ifdef CONFIG_UNACCEPTED_MEMORY
	return efi_get_unaccepted_table();
#else
	return NULL;
#endif
}

__rkm_shim unsigned long coco_shim_nr_unaccepted(void)
{
#ifdef CONFIG_UNACCEPTED_MEMORY
	return global_zone_page_state(NR_UNACCEPTED);
#else
	return 0;
#endif
}

__rkm_shim bool coco_shim_tdx_guest(void)
{
	return cpu_feature_enabled(X86_FEATURE_TDX_GUEST);
}

__rkm_shim unsigned long coco_shim_phys_to_virt(phys_addr_t phys)
{
	return (unsigned long)__va(phys);
}
