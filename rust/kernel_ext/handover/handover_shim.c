// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of the handover part (handover_shim.h): wrappers of static
 * inlines and macros, without logic.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include "handover_shim.h"

__rkm_shim struct folio *rkm_ho_folio_alloc(unsigned int order)
{
	/* Large folios are optional: the caller falls back to smaller ones. */
	gfp_t gfp = GFP_KERNEL | (order ? __GFP_NORETRY | __GFP_NOWARN : 0);

	return folio_alloc(gfp, order);
}

__rkm_shim void rkm_ho_folio_put(struct folio *folio)
{
	folio_put(folio);
}

__rkm_shim void *rkm_ho_folio_address(struct folio *folio)
{
	return folio_address(folio);
}

__rkm_shim phys_addr_t rkm_ho_folio_phys(struct folio *folio)
{
	return PFN_PHYS(folio_pfn(folio));
}

__rkm_shim unsigned int rkm_ho_folio_order(struct folio *folio)
{
	return folio_order(folio);
}

__rkm_shim unsigned int rkm_ho_virt_order(void *addr)
{
	return folio_order(virt_to_folio(addr));
}

__rkm_shim phys_addr_t rkm_ho_virt_to_phys(void *addr)
{
	return virt_to_phys(addr);
}

__rkm_shim void *rkm_ho_phys_to_virt(phys_addr_t phys)
{
	return phys_to_virt(phys);
}

__rkm_shim phys_addr_t rkm_ho_phys_limit(void)
{
	return __pa(high_memory - 1) + 1;
}

__rkm_shim void rkm_ho_free_restored_pages(struct page *page, unsigned long nr_pages)
{
	unsigned long pfn = page_to_pfn(page);

	for (unsigned long i = 0; i < nr_pages; i++)
		__free_page(pfn_to_page(pfn + i));
}
