/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_accept uses beyond the tree's bindings crate: the EFI unaccepted
 * memory table, the page encryption calls of confidential guests, the uapi
 * structures and the C shim.
 */
#include <linux/efi.h>
#include <asm/set_memory.h>
#include "uapi/rkm_accept.h"
#include "rkm_accept_shim.h"
