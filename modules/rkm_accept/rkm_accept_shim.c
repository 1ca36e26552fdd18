// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of rkm_accept: what Rust cannot reach directly.
 *
 * - The string parameters: Rust's module! macro only declares integer and
 *   bool parameters, and `mode` and `backend` are names.
 * - Static inlines and macros: efi_get_unaccepted_table(),
 *   global_zone_page_state(), cpu_feature_enabled(), page_to_phys(),
 *   __va() and kmap_local_page() (the kernel crate's Page can zero a page or
 *   copy into it, not fill it with a byte).
 */
#include <linux/efi.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/vmstat.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/unaccepted_memory.h>
#include "rkm_accept_shim.h"

static char mode[8] = "lazy";
module_param_string(mode, mode, sizeof(mode), 0444);
MODULE_PARM_DESC(mode, "lazy: accept a unit on its first touch; eager: accept everything at load");

static char backend[16] = "emulated-tdx";
module_param_string(backend, backend, sizeof(backend), 0444);
MODULE_PARM_DESC(backend,
		 "emulated-tdx (accepted memory reads zeros), emulated-snp (reads as it was: poison), "
		 "tdx or snp (real conversions, in such a guest only)");

__rkm_shim const char *rkm_accept_mode_param(void)
{
	return mode;
}

__rkm_shim const char *rkm_accept_backend_param(void)
{
	return backend;
}

__rkm_shim const struct efi_unaccepted_memory *rkm_accept_firmware_table(void)
{
#ifdef CONFIG_UNACCEPTED_MEMORY
	return efi_get_unaccepted_table();
#else
	return NULL;
#endif
}

__rkm_shim unsigned long rkm_accept_kernel_unaccepted_pages(void)
{
#ifdef CONFIG_UNACCEPTED_MEMORY
	return global_zone_page_state(NR_UNACCEPTED);
#else
	return 0;
#endif
}

__rkm_shim bool rkm_accept_tdx_guest(void)
{
	return cpu_feature_enabled(X86_FEATURE_TDX_GUEST);
}

__rkm_shim phys_addr_t rkm_accept_page_to_phys(struct page *page)
{
	return page_to_phys(page);
}

__rkm_shim unsigned long rkm_accept_phys_to_virt(phys_addr_t phys)
{
	return (unsigned long)__va(phys);
}

__rkm_shim void rkm_accept_fill_page(struct page *page, u8 byte)
{
	void *addr = kmap_local_page(page);

	memset(addr, byte, PAGE_SIZE);
	kunmap_local(addr);
}

__rkm_shim void rkm_accept_clear_page(struct page *page)
{
	clear_highpage(page);
}
