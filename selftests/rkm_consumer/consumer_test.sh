#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rkm_consumer, a module built outside rkm's modules/ through the kernel_ext
# recipe, hands its state over: KHO's debugfs lists its subtree, a handover
# area in rkm's envelope format.
DIR="$(dirname "$(readlink -f "$0")")"
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

area=/sys/kernel/debug/kho/out/sub_fdts/rkm_consumer

ktap_print_header
ktap_set_plan 2

loaded() {
	[ -d /sys/module/rkm_consumer ] && return 0
	ktap_print_msg "rkm_consumer is not loaded"
	return 1
}
ktap_test_result "rkm_consumer is loaded" loaded

# The envelope starts with its magic (Documentation/rkm_handover.rst).
handed_over() {
	local magic
	grep -qw kho=on /proc/cmdline || { ktap_print_msg "booted without kho=on"; return 1; }
	magic=$(head -c 8 "$area") || return 1
	[ "$magic" = RKMHOENV ] || { ktap_print_msg "$area starts with '$magic', not RKMHOENV"; return 1; }
}
ktap_test_result "its state is handed over under KHO as rkm_consumer" handed_over

ktap_finished
