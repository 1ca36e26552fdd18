/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RKM_HANDOVER_SHIM_H
#define RKM_HANDOVER_SHIM_H

/*
 * The ioctl ABI as the C compiler reads uapi/rkm_handover.h, for the KUnit
 * suite to compare with the Rust definitions (rust/handover_store).
 */
#include <linux/types.h>

/* sizeof() of the structure named `name`, or 0 for an unknown name. */
size_t rkm_handover_uapi_size(const char *name);
/* The command of ioctl number `nr` (0x01 to 0x08), or 0. */
unsigned int rkm_handover_uapi_cmd(unsigned int nr);

#endif
