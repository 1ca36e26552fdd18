/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the coco part calls beyond the tree's bindings crate: the EFI
 * unaccepted memory table, the page encryption calls of confidential guests
 * and its C shim. cc_platform_has() comes from kernel::bindings.
 */
#include <linux/efi.h>
#include <asm/set_memory.h>
#include "coco_shim.h"
