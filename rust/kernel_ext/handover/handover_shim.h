/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_HANDOVER_SHIM_H
#define RKM_EXT_HANDOVER_SHIM_H

/*
 * C shim of the handover part: static inlines and macros of the page
 * allocator and the direct map, which Rust cannot call, as functions.
 * Nothing here decides anything; see kho.rs.
 */
#include <linux/types.h>

struct folio;
struct page;

struct folio *rkm_ho_folio_alloc(unsigned int order);
void rkm_ho_folio_put(struct folio *folio);
void *rkm_ho_folio_address(struct folio *folio);
phys_addr_t rkm_ho_folio_phys(struct folio *folio);
unsigned int rkm_ho_folio_order(struct folio *folio);
unsigned int rkm_ho_virt_order(void *addr);
phys_addr_t rkm_ho_virt_to_phys(void *addr);
void *rkm_ho_phys_to_virt(phys_addr_t phys);
phys_addr_t rkm_ho_phys_limit(void);
void rkm_ho_free_restored_pages(struct page *page, unsigned long nr_pages);

#endif
