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
# Every program started costs seconds in a TCG guest with KASAN, so the checks
# read the counters once each (stats) and use shell builtins otherwise.
DIR="$(dirname "$(readlink -f "$0")")"
# Without the helpers nothing can be reported: a failure, not a skip.
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

ko="${RKM_ROOT:-}/modules/rkm_accept/rkm_accept.ko"
tool="$DIR/accept_tool"
test_prog="$DIR/accept_test"
log=/tmp/rkm_accept_params.$$
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
# Sets a shell variable for each counter (units, backend_calls, ...).
stats() {
	local out
	out=$("$tool" stats) && eval "$out"
}
bitmap() { map=$("$tool" bitmap); }
# Prints the log, each line marked so that it cannot pass for a result.
show_log() {
	while IFS= read -r line; do ktap_print_msg "log: $line"; done <"$log"
}
# Runs accept_test with the given arguments; its output only shows on failure.
run_tests() {
	"$test_prog" "$@" >"$log" 2>&1 || { show_log; return 1; }
}
# Lines the module logged (its pr_* prefix), for counting.
module_lines() { dmesg | grep -c '^\[[ 0-9.]*\] rkm_accept: '; }

# --- eager: everything accepted at load, in one backend call ---
eager_fully_accepted() {
	reload mode=eager && stats && bitmap &&
		[ "$unaccepted_units" = 0 ] && [ "$units_accepted" = "$units" ] &&
		[ "$backend_calls" = 1 ] && [[ $map != *"#"* ]]
}
eager_touch_needs_no_accept() {
	"$tool" touch 5 && stats && [ "$backend_calls" = 1 ] && [ "$faults_waited" = 0 ]
}
ktap_test_result "eager mode: fully accepted at load, one backend call" eager_fully_accepted
ktap_test_result "eager mode: a touch maps without accepting" eager_touch_needs_no_accept

# --- pre-accepted: what firmware accepted needs no backend call ---
pre_accepted_units() {
	# 5 MiB reach into the third unit, which the firmware accepts whole.
	reload pre_accepted=$((5 * MIB)) && stats && bitmap &&
		[ "${map:0:4}" = "...#" ] && [ "$backend_calls" = 0 ] &&
		[ "$unaccepted_units" = $((units - 3)) ]
}
pre_accepted_stats() {
	RKM_ACCEPT_PRE_UNITS=3 "$test_prog" -t stats_add_up >"$log" 2>&1 || { show_log; return 1; }
}
ktap_test_result "pre_accepted: partial units accepted whole, no backend call" pre_accepted_units
ktap_test_result "pre_accepted: stats add up" pre_accepted_stats

# --- SNP semantics: accepted memory reads as poison (unspecified) until written ---
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
	stats || return 1
	ktap_print_msg "waits=$waits wait_ns=$wait_ns faults_waited=$faults_waited"
	[ "$waits" -gt 0 ] && [ "$wait_ns" -gt 0 ] && [ "$double_accepts" = 0 ]
}
ktap_test_result "accept_delay_us=20000: 32 threads on one unit, one backend call" slow_backend
ktap_test_result "accept_delay_us=20000: the other faults waited" slow_backend_waits

# --- accept-ahead: a sequential walk finds its units accepted ---
walk_without_ahead() {
	reload && "$tool" walk 0 8 50 && stats && [ "$faults_waited" = 8 ] && [ "$ahead_units" = 0 ]
}
walk_with_ahead() {
	reload accept_ahead=4 && "$tool" walk 0 8 50 && stats || return 1
	ktap_print_msg "accept-ahead: $faults_waited of 8 faults waited, $ahead_units units accepted ahead"
	[ "$faults_waited" -lt 8 ] && [ "$ahead_units" -ge 4 ]
}
ahead_window() {
	# After unit 7, the worker accepts units 8..11 and stops at the window.
	local tries=50
	while bitmap && [ "${map:8:4}" != "...." ] && [ $tries -gt 0 ]; do
		sleep 0.2
		tries=$((tries - 1))
	done
	ktap_print_msg "bitmap after the walk: $map"
	[ "${map:0:13}" = "............#" ]
}
ktap_test_result "accept_ahead=0: every unit of a walk waits" walk_without_ahead
ktap_test_result "accept_ahead=4: a walk waits less" walk_with_ahead
ktap_test_result "accept_ahead=4: accepts up to the window, no further" ahead_window

# --- a failing backend: the failed unit is never used, the rest is ---
fail_accept_ioctl() {
	local before
	reload fail_unit=3 || return 1
	before=$(module_lines)
	"$tool" accept 0 $((8 * UNIT)) 2>"$log" && return 1
	[[ $(<"$log") == *"Input/output error"* ]] && bitmap && stats &&
		[ "${map:0:10}" = "...#######" ] && [ "$units_failed" = 1 ] &&
		[ $(($(module_lines) - before)) = 1 ]
}
fail_touch_sigbus() {
	local calls=$backend_calls
	"$tool" touch 3 >/dev/null
	[ $? = 3 ] && stats && [ "$backend_calls" = "$calls" ]
}
fail_guard_sigbus() {
	# The last page of unit 2 also needs unit 3, as in accept_memory().
	"$tool" touch 2 -1 >/dev/null
	[ $? = 3 ]
}
fail_rest_usable() {
	"$tool" touch 5 && bitmap && stats && [ "${map:0:10}" = "...##.####" ] &&
		[ "$units_failed" = 1 ] && [ "$double_accepts" = 0 ]
}
ktap_test_result "fail_unit=3: ACCEPT fails with EIO after units 0-2, one log line" fail_accept_ioctl
ktap_test_result "fail_unit=3: touching the failed unit raises SIGBUS, no backend call" fail_touch_sigbus
ktap_test_result "fail_unit=3: touching the page before it raises SIGBUS (guard unit)" fail_guard_sigbus
ktap_test_result "fail_unit=3: the other units are accepted as usual" fail_rest_usable
ktap_test_result "fail_unit=3: unloads" rmmod rkm_accept

# --- bad parameters: the load fails with a clear errno, at most one line each ---
# refused MESSAGE PARAMS...: insmod fails and says MESSAGE (with '_' for
# spaces: ktap_test_result splits its arguments).
refused() {
	local message=${1//_/ }
	shift
	if insmod "$ko" "$@" 2>"$log"; then
		rmmod rkm_accept
		ktap_print_msg "loaded with $*"
		return 1
	fi
	ktap_print_msg "$* -> $(<"$log")"
	[[ $(<"$log") == *"$message"* ]] && [ ! -e /sys/module/rkm_accept ]
}
refusals=0
lines_before=$(module_lines)
bad_param() {
	refusals=$((refusals + 1))
	ktap_test_result "$@"
}
bad_param "size not a multiple of unit_size: EINVAL" refused Invalid_parameters size=3000000
bad_param "unit_size not a multiple of pages: EINVAL" refused Invalid_parameters unit_size=1000
bad_param "unit_size=0: EINVAL" refused Invalid_parameters unit_size=0
bad_param "pre_accepted beyond size: EINVAL" refused Invalid_parameters \
	size=$((64 * MIB)) pre_accepted=$((65 * MIB))
bad_param "mode=bogus: EINVAL" refused Invalid_parameters mode=bogus
bad_param "mode longer than any mode: ENOSPC" refused No_space_left mode=much-too-long
bad_param "backend=bogus: EINVAL" refused Invalid_parameters backend=bogus
bad_param "fail_unit=abc: EINVAL" refused Invalid_parameters fail_unit=abc
bad_param "size=1T: ENOMEM" refused Cannot_allocate_memory size=$((1 << 40))

# --- the real backends: chosen only in a TDX or SNP guest ---
# (QEMU here can run neither: Documentation/testing.rst, "What cannot be tested here".)
# Both results exist on every machine; the one this machine cannot run skips.
cc_guest() {
	case $1 in
	tdx) grep -qw tdx_guest /proc/cpuinfo ;;
	snp) [ -e /sys/devices/system/cpu/sev/vmpl ] ;; # sev_sysfs_init(): SNP guests only
	esac
}
refused_outside_guest() {
	if insmod "$ko" backend="$1" 2>"$log"; then
		ktap_print_msg "backend=$1 loaded in a VM that is no $1 guest"
		rmmod rkm_accept
		return 1
	fi
	ktap_print_msg "backend=$1 -> $(<"$log")"
	[[ $(<"$log") == *"No such device"* ]]
}
loads_in_guest() {
	insmod "$ko" backend="$1" && rmmod rkm_accept
}
for name in tdx snp; do
	outside="backend=$name outside a $name guest: ENODEV"
	inside="backend=$name in a $name guest: loads"
	if cc_guest $name; then
		ktap_print_msg "this VM is a $name guest"
		ktap_test_skip "$outside"
		ktap_test_result "$inside" loads_in_guest $name
	else
		bad_param "$outside" refused_outside_guest $name
		ktap_print_msg "this VM is no $name guest"
		ktap_test_skip "$inside"
	fi
done
one_line_each() {
	local lines
	lines=$(($(module_lines) - lines_before))
	ktap_print_msg "$refusals refused loads logged $lines lines"
	[ "$lines" -le "$refusals" ]
}
ktap_test_result "refused loads: at most one log line each" one_line_each

# --- unloading while mapped: refused until the mapping is gone ---
reload
coproc holder { exec "$tool" hold 300; }
read -r -t 120 mapped <&"${holder[0]}"
unload_while_mapped() {
	[ "$mapped" = mapped ] && ! rmmod rkm_accept 2>"$log" && [[ $(<"$log") == *"in use"* ]] &&
		[ -e /dev/rkm_accept ]
}
unload_after_unmap() {
	kill "$holder_PID" && wait "$holder_PID"
	rmmod rkm_accept
}
ktap_test_result "rmmod while mapped: refused (in use)" unload_while_mapped
ktap_test_result "rmmod once unmapped: done" unload_after_unmap

# --- the guest's own unaccepted memory: none in this VM ---
# QEMU boots it through SeaBIOS: without EFI firmware there is no unaccepted
# memory table and nothing left to accept. The module's reading of a table is
# tested by its KUnit suite rkm_accept_firmware, on tables the test builds.
reload
firmware_report_without_efi() {
	local report line
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	if [ -d /sys/firmware/efi ]; then
		ktap_print_msg "this VM booted through EFI: the check expects the harness's BIOS boot"
		return 1
	fi
	report=$(</sys/kernel/debug/rkm_accept/firmware) || return 1
	while IFS= read -r line; do ktap_print_msg "firmware: $line"; done <<<"$report"
	[ "$report" = $'meminfo_unaccepted_kb: 0\ntable: none' ]
}
defaults_reloaded() {
	stats && [ "$unaccepted_units" = "$units" ] && [ "$units_accepted" = 0 ]
}
ktap_test_result "firmware report without EFI: no table, nothing unaccepted" firmware_report_without_efi
ktap_test_result "defaults reloaded: the region is all unaccepted" defaults_reloaded

rm -f "$log"
ktap_finished
