/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_ACCEPT_SHIM_H
#define RKM_ACCEPT_SHIM_H

#include <linux/types.h>

struct efi_unaccepted_memory;
struct page;

const char *rkm_accept_mode_param(void);
const char *rkm_accept_backend_param(void);
const struct efi_unaccepted_memory *rkm_accept_firmware_table(void);
unsigned long rkm_accept_kernel_unaccepted_pages(void);
bool rkm_accept_tdx_guest(void);
phys_addr_t rkm_accept_page_to_phys(struct page *page);
unsigned long rkm_accept_phys_to_virt(phys_addr_t phys);
void rkm_accept_fill_page(struct page *page, u8 byte);
void rkm_accept_clear_page(struct page *page);

#endif
