/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_handover uses beyond the tree's bindings crate: Kexec HandOver
 * and reboot notifiers (their headers are not in
 * rust/bindings/bindings_helper.h), the handover library's C glue, and the
 * module's own shim (the uapi header as the C compiler sees it).
 */
#include <linux/kexec_handover.h>
#include <linux/reboot.h>
#include "handover/handover_glue.h"
#include "rkm_handover_shim.h"
