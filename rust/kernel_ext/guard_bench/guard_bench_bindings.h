/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guard_bench part calls: the C comparison loops of guard_bench.c.
 */
#include "guard_bench.h"
