/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the handover part calls beyond the tree's bindings crate: Kexec
 * HandOver and reboot notifiers (their headers are not in the tree's
 * rust/bindings/bindings_helper.h) and its C shim.
 */
#include <linux/kexec_handover.h>
#include <linux/reboot.h>
#include "handover_shim.h"
