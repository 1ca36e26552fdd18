// SPDX-License-Identifier: GPL-2.0
/*
 * C shim of rkm_accept: the string parameters. Rust's module! macro only
 * declares integer and bool parameters, and `mode` and `backend` are names;
 * the Rust side reads them with kernel_ext::module_param::string().
 */
#include <linux/moduleparam.h>

static char mode[8] = "lazy";
module_param_string(mode, mode, sizeof(mode), 0444);
MODULE_PARM_DESC(mode, "lazy: accept a unit on its first touch; eager: accept everything at load");

static char backend[16] = "emulated-tdx";
module_param_string(backend, backend, sizeof(backend), 0444);
MODULE_PARM_DESC(backend,
		 "emulated-tdx (accepted memory reads zeros), emulated-snp (reads as it was: poison), "
		 "tdx or snp (real conversions, in such a guest only)");
