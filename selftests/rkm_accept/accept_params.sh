#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rkm_accept under other module parameters, one reload each: eager mode,
# pre-accepted memory, SNP semantics, a slow backend, accept-ahead, a failing
# backend, bad parameters, the real TDX/SNP backends (refused outside such a
# guest), unloading while mapped, and the firmware report. The module is left
# loaded with its defaults, as the harness found it.
#
# Needs RKM_ROOT (the repository, where modules/rkm_accept/rkm_accept.ko is).
DIR="$(dirname "$(readlink -f "$0")")"
source "$DIR/../kselftest/ktap_helpers.sh" || exit 4

ko="${RKM_ROOT:-}/modules/rkm_accept/rkm_accept.ko"
tool="$DIR/accept_tool"
test_prog="$DIR/accept_test"
log=$(mktemp)
MIB=$((1 << 20))
UNIT=$((2 * MIB))

ktap_print_header
ktap_set_plan 33

if [ ! -f "$ko" ]; then
	ktap_exit_fail_msg "no $ko (is RKM_ROOT set?)"
fi

# Loads the module afresh with the given parameters.
reload() {
	rmmod rkm_accept 2>/dev/null
	insmod "$ko" "$@" 2>"$log"
}
stat_of() { "$tool" stats | sed -n "s/^$1=//p"; }
# Runs accept_test with the given arguments; its output only goes to our
# output on failure, each line marked so that it cannot pass for a result.
run_tests() {
	if "$test_prog" "$@" >"$log" 2>&1; then
		return 0
	fi
	sed 's/^/log: /' "$log" | tail -40 | while IFS= read -r line; do ktap_print_msg "$line"; done
	return 1
}
# Lines the module logged (its pr_* prefix), for counting.
module_lines() { dmesg | grep -c '^\[[ 0-9.]*\] rkm_accept: '; }

# --- eager: everything accepted at load, in one backend call ---
eager_fully_accepted() {
	reload mode=eager &&
		[ "$(stat_of unaccepted_units)" = 0 ] &&
		[ "$(stat_of units_accepted)" = "$(stat_of units)" ] &&
		[ "$(stat_of backend_calls)" = 1 ] &&
		! "$tool" bitmap | grep -q '#'
}
eager_touch_needs_no_accept() {
	"$tool" touch 5 && [ "$(stat_of backend_calls)" = 1 ] && [ "$(stat_of faults_waited)" = 0 ]
}
ktap_test_result "eager mode: fully accepted at load, one backend call" eager_fully_accepted
ktap_test_result "eager mode: a touch maps without accepting" eager_touch_needs_no_accept

# --- pre-accepted: what firmware accepted needs no backend call ---
pre_accepted_units() {
	# 5 MiB reach into the third unit, which the firmware accepts whole.
	reload pre_accepted=$((5 * MIB)) &&
		[ "$("$tool" bitmap | cut -c1-4)" = "...#" ] &&
		[ "$(stat_of backend_calls)" = 0 ] &&
		[ "$(stat_of unaccepted_units)" = $(($(stat_of units) - 3)) ]
}
ktap_test_result "pre_accepted: partial units accepted whole, no backend call" pre_accepted_units
pre_accepted_stats() {
	local status
	export RKM_ACCEPT_PRE_UNITS=3
	run_tests -t stats_add_up
	status=$?
	unset RKM_ACCEPT_PRE_UNITS
	return $status
}
ktap_test_result "pre_accepted: stats add up" pre_accepted_stats

# --- SNP semantics: accepted memory reads as it was (poison) until written ---
snp_tests() {
	reload backend=emulated-snp &&
		run_tests -t accepted_memory_reads_as_the_backend_says -t unaccept_then_touch_accepts_again \
			-t concurrent_unaccept_and_fault -t threads_fault_one_unit_once -t bad_mappings
}
ktap_test_result "backend=emulated-snp: reads poison, unaccept, threads, mappings" snp_tests

# --- a slow backend: concurrent faults wait for the one accepting ---
slow_backend() {
	reload accept_delay_us=20000 && run_tests -t threads_fault_one_unit_once
}
slow_backend_waits() {
	ktap_print_msg "waits=$(stat_of waits) wait_ns=$(stat_of wait_ns) faults_waited=$(stat_of faults_waited)"
	[ "$(stat_of waits)" -gt 0 ] && [ "$(stat_of wait_ns)" -gt 0 ] &&
		[ "$(stat_of double_accepts)" = 0 ]
}
ktap_test_result "accept_delay_us=20000: 32 threads on one unit, one backend call" slow_backend
ktap_test_result "accept_delay_us=20000: the other faults waited" slow_backend_waits

# --- accept-ahead: a sequential walk finds its units accepted ---
walk_without_ahead() {
	reload && "$tool" walk 0 8 50 && [ "$(stat_of faults_waited)" = 8 ] &&
		[ "$(stat_of ahead_units)" = 0 ]
}
walk_with_ahead() {
	reload accept_ahead=4 && "$tool" walk 0 8 50 || return 1
	ktap_print_msg "accept-ahead: $(stat_of faults_waited) of 8 faults waited," \
		"$(stat_of ahead_units) units accepted ahead"
	[ "$(stat_of faults_waited)" -lt 8 ] && [ "$(stat_of ahead_units)" -ge 4 ]
}
ahead_window() {
	# After unit 7, the worker accepts units 8..11 and stops at the window.
	local tries=100 bitmap
	while [ $tries -gt 0 ]; do
		bitmap=$("$tool" bitmap)
		[ "$(echo "$bitmap" | cut -c9-12)" = "...." ] && break
		sleep 0.1
		tries=$((tries - 1))
	done
	ktap_print_msg "bitmap after the walk: $bitmap"
	[ "$(echo "$bitmap" | cut -c1-13)" = "............#" ]
}
ktap_test_result "accept_ahead=0: every unit of a walk waits" walk_without_ahead
ktap_test_result "accept_ahead=4: a walk waits less" walk_with_ahead
ktap_test_result "accept_ahead=4: accepts up to the window, no further" ahead_window

# --- a failing backend: the failed unit is never used, the rest is ---
fail_accept_ioctl() {
	reload fail_unit=3 || return 1
	local before
	before=$(module_lines)
	"$tool" accept 0 $((8 * UNIT)) 2>"$log" && return 1
	grep -q "Input/output error" "$log" &&
		[ "$("$tool" bitmap | cut -c1-10)" = "...#######" ] &&
		[ "$(stat_of units_failed)" = 1 ] &&
		[ $(($(module_lines) - before)) = 1 ]
}
fail_touch_sigbus() {
	local calls
	calls=$(stat_of backend_calls)
	"$tool" touch 3 >/dev/null
	[ $? = 3 ] && [ "$(stat_of backend_calls)" = "$calls" ]
}
fail_guard_sigbus() {
	# The last page of unit 2 also needs unit 3, as in accept_memory().
	"$tool" touch 2 -1 >/dev/null
	[ $? = 3 ]
}
fail_rest_usable() {
	"$tool" touch 5 && [ "$("$tool" bitmap | cut -c1-10)" = "...##.####" ] &&
		[ "$(stat_of units_failed)" = 1 ] && [ "$(stat_of double_accepts)" = 0 ]
}
fail_unload() {
	rmmod rkm_accept
}
ktap_test_result "fail_unit=3: ACCEPT fails with EIO after units 0-2, one log line" fail_accept_ioctl
ktap_test_result "fail_unit=3: touching the failed unit raises SIGBUS, no backend call" fail_touch_sigbus
ktap_test_result "fail_unit=3: touching the page before it raises SIGBUS (guard unit)" fail_guard_sigbus
ktap_test_result "fail_unit=3: the other units are accepted as usual" fail_rest_usable
ktap_test_result "fail_unit=3: unloads" fail_unload

# --- bad parameters: the load fails with a clear errno and at most one line ---
# refused PATTERN PARAMS...: insmod fails with a message matching PATTERN (a
# single word: ktap_test_result splits its arguments).
refused() {
	local message=$1 before after
	shift
	before=$(module_lines)
	if insmod "$ko" "$@" 2>"$log"; then
		rmmod rkm_accept
		ktap_print_msg "loaded with $*"
		return 1
	fi
	after=$(module_lines)
	ktap_print_msg "$* -> $(cat "$log")"
	grep -q "$message" "$log" && [ $((after - before)) -le 1 ] && [ ! -e /sys/module/rkm_accept ]
}
rmmod rkm_accept 2>/dev/null
ktap_test_result "size not a multiple of unit_size: EINVAL" refused Invalid.parameters size=3000000
ktap_test_result "unit_size not a multiple of pages: EINVAL" refused Invalid.parameters unit_size=1000
ktap_test_result "unit_size=0: EINVAL" refused Invalid.parameters unit_size=0
ktap_test_result "pre_accepted beyond size: EINVAL" refused Invalid.parameters \
	size=$((64 * MIB)) pre_accepted=$((65 * MIB))
ktap_test_result "mode=bogus: EINVAL" refused Invalid.parameters mode=bogus
ktap_test_result "mode longer than any mode: ENOSPC" refused No.space.left mode=much-too-long
ktap_test_result "backend=bogus: EINVAL" refused Invalid.parameters backend=bogus
ktap_test_result "fail_unit=abc: EINVAL" refused Invalid.parameters fail_unit=abc
ktap_test_result "size=1T: ENOMEM" refused Cannot.allocate.memory size=$((1 << 40))

# --- the real backends: chosen only in a TDX or SNP guest ---
real_backend() {
	local name=$1 before
	before=$(module_lines)
	if insmod "$ko" backend="$name" 2>"$log"; then
		ktap_print_msg "backend=$name loaded: cc_platform_has says this is a $name guest"
		rmmod rkm_accept
		return
	fi
	ktap_print_msg "backend=$name -> $(cat "$log"); $(dmesg | grep 'rkm_accept: backend=' | tail -1)"
	grep -q "No.such.device" "$log" && [ $(($(module_lines) - before)) -le 1 ]
}
for name in tdx snp; do
	ktap_test_result "backend=$name: loads in a $name guest only, else ENODEV" real_backend $name
	ktap_test_skip "backend=$name: real conversions not run (this VM is no $name guest)"
done

# --- unloading while mapped: refused until the mapping is gone ---
reload
coproc holder { "$tool" hold 120; }
read -r -t 60 mapped <&"${holder[0]}"
unload_while_mapped() {
	[ "$mapped" = mapped ] && ! rmmod rkm_accept 2>"$log" && grep -q "in use" "$log" &&
		[ -e /dev/rkm_accept ]
}
unload_after_unmap() {
	kill "$holder_PID" && wait "$holder_PID" 2>/dev/null
	rmmod rkm_accept
}
ktap_test_result "rmmod while mapped: refused (in use)" unload_while_mapped
ktap_test_result "rmmod once unmapped: done" unload_after_unmap

# --- the guest's own unaccepted memory ---
reload
firmware_report() {
	local file=/sys/kernel/debug/rkm_accept/firmware kb meminfo
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	while IFS= read -r line; do ktap_print_msg "firmware: $line"; done <"$file"
	kb=$(sed -n 's/^meminfo_unaccepted_kb: //p' "$file")
	meminfo=$(awk '/^Unaccepted:/ { print $2 }' /proc/meminfo)
	# No table means nothing left to accept; a table is read with the core's model.
	[ -n "$kb" ] && [ "$kb" = "$meminfo" ] &&
		{ ! grep -q '^table: none' "$file" || [ "$kb" = 0 ]; } &&
		{ grep -q '^table: none' "$file" || grep -q '^unaccepted_units: [0-9]' "$file"; }
}
ktap_test_result "firmware report matches /proc/meminfo Unaccepted" firmware_report
ktap_test_result "defaults reloaded: the region is all unaccepted" \
	test "$(stat_of unaccepted_units)" = "$(stat_of units)"

rm -f "$log"
ktap_finished
