/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_EXT_COCO_SHIM_H
#define RKM_EXT_COCO_SHIM_H

/*
 * C shim of the coco part (rust/kernel_ext/coco/): static inlines and macros
 * about a confidential guest's memory, as functions for Rust. No logic: each
 * calls exactly the C operation it is named after, or says it is not built.
 */
#include <linux/types.h>

struct efi_unaccepted_memory;

const struct efi_unaccepted_memory *coco_shim_efi_get_unaccepted_table(void);
unsigned long coco_shim_nr_unaccepted(void);
bool coco_shim_tdx_guest(void);
unsigned long coco_shim_phys_to_virt(phys_addr_t phys);

#endif
