// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the mm part: see mm_shim.h. The kernel crate's Page can zero a
 * page or copy into it, not fill it with a byte.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <asm/io.h>
#include "mm_shim.h"

__rkm_shim int mm_shim_page_count(struct page *page)
{
	return page_count(page);
}

__rkm_shim phys_addr_t mm_shim_page_to_phys(struct page *page)
{
	return page_to_phys(page);
}

__rkm_shim void mm_shim_fill_page(struct page *page, u8 byte)
{
	void *addr = kmap_local_page(page);

	memset(addr, byte, PAGE_SIZE);
	kunmap_local(addr);
}

__rkm_shim void mm_shim_clear_highpage(struct page *page)
{
	clear_highpage(page);
}
