/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_MM_SHIM_H
#define RKM_EXT_MM_SHIM_H

/*
 * C shim of the mm part (rust/kernel_ext/mm/): static inlines and macros of
 * the page allocator and highmem, as functions for Rust. No logic: each calls
 * exactly the C operation it is named after.
 */
#include <linux/types.h>

struct page;

int mm_shim_page_count(struct page *page);
phys_addr_t mm_shim_page_to_phys(struct page *page);
void mm_shim_fill_page(struct page *page, u8 byte);
void mm_shim_clear_highpage(struct page *page);

#endif
