/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rkm_env uses beyond the tree's bindings crate: Kexec HandOver (its
 * header is not in rust/bindings/bindings_helper.h) and the C shim.
 */
#include <linux/kexec_handover.h>
#include "rkm_env_shim.h"
