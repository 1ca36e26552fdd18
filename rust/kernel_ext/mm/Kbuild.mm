# SPDX-License-Identifier: GPL-2.0
# The mm part's C side (see ../Kbuild.ext): page static inlines and macros, as
# functions for Rust.
rkm_ext_shims_mm := mm_shim.o
