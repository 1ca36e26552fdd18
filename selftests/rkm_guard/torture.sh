#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rkm_guard under lockdep and KASAN: a torture run of every lock kind ends in
# SUCCESS (the harness fails the boot on any splat), unloading the module in the
# middle of a run stops its threads, the benchmark path yields a whole JSON
# report, and the debugfs files are root-only with the negative tests off.
DIR="$(dirname "$(readlink -f "$0")")"
# Without the helpers nothing can be reported: a failure, not a skip.
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

d=/sys/kernel/debug/rkm_guard
# The harness installs this script in build/kselftest/rkm_guard/ of the repository.
ko="$DIR/../../../modules/rkm_guard/rkm_guard.ko"

ktap_print_header
# The harness loads the module first: once it is loaded, its files must be there.
if ! [ -d /sys/module/rkm_guard ]; then
	ktap_skip_all "rkm_guard is not loaded"
	exit "$KSFT_SKIP"
fi
[ -r "$d/kinds" ] || ktap_exit_fail_msg "rkm_guard is loaded but $d/kinds is missing"
kinds=$(cat "$d/kinds")
ktap_set_plan $(($(wc -w <<<"$kinds") + 6))

# Waits up to $1 seconds for the run to end.
wait_done() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(cat "$d/state")" = done ] && return 0
		sleep 0.1
	done
	return 1
}

# ktap_test_result runs "$@" unquoted, so each check is a function.
files_root_only() { test -z "$(find "$d" -type f -perm /077)"; }
negative_tests_off() { ! [ -e "$d/negative" ]; }

torture() {
	local kind=$1 readers=0
	case $kind in rwlock | rwsem | seqlock) readers=2 ;; esac
	echo "kind=$kind writers=2 readers=$readers duration_s=2 hold_us=1" >"$d/start" || return 1
	if ! wait_done 60; then
		ktap_print_msg "$kind: still running after 60 s"
		return 1
	fi
	grep -v '^End of test' "$d/summary" | while read -r line; do ktap_print_msg "$line"; done
	tail -n 1 "$d/summary" | grep -qx 'End of test: SUCCESS'
}

# Bad input fails with EINVAL and says why in at most one line.
bad_input_one_line() {
	local before after
	before=$(dmesg | wc -l)
	echo "kind=nope" >"$d/start" 2>/dev/null && return 1
	after=$(dmesg | wc -l)
	[ $((after - before)) -le 1 ]
}

# rmmod in the middle of a long run returns promptly, logs the summary of the
# stopped run, and leaves no thread behind; the module is loaded again for the
# harness.
unload_during_run() {
	local start end ok=0
	if ! [ -f "$ko" ]; then
		ktap_print_msg "no $ko"
		return 1
	fi
	echo "kind=rwsem writers=4 readers=4 duration_s=120 hold_us=5" >"$d/start" || return 1
	sleep 1
	[ "$(cat "$d/state")" = running ] || ok=1
	start=$(date +%s)
	rmmod rkm_guard || ok=1
	end=$(date +%s)
	ktap_print_msg "rmmod took $((end - start)) s"
	[ $((end - start)) -le 20 ] || ok=1
	if ps -e -o comm= | grep -q '^rkm_guard_'; then
		ktap_print_msg "threads left: $(ps -e -o comm= | grep '^rkm_guard_' | tr '\n' ' ')"
		ok=1
	fi
	dmesg | tail -n 30 | grep -q 'Elapsed: .*(stopped early)' || ok=1
	dmesg | tail -n 30 | grep -q 'End of test: SUCCESS' || ok=1
	insmod "$ko" || ok=1
	return $ok
}

# A short benchmark run under the debug kernel: the numbers mean nothing here,
# but every row is there and the report is JSON.
bench_report_whole() {
	echo "run iterations=200 samples=3 duration_ms=20 runs=1" >"$d/bench" || return 1
	python3 - "$d/bench" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
costs, contended = report["tables"]
assert len(costs["rows"]) == 16, costs["rows"]
assert len(contended["rows"]) == 13, contended["rows"]
# Each row: the lock, its figures, the name of its target (or why none).
for row in costs["rows"]:
    assert all(v is None or v > 0 for v in row[1:4]), row
    assert isinstance(row[-1], str), row
for row in contended["rows"]:
    assert all(v >= 0 for v in row[1:5]), row
    assert isinstance(row[-1], str), row
assert [r[0] for r in costs["rows"] if r[3] is None] == ["seqlock write"]
PY
}

ktap_test_result "debugfs files are root-only" files_root_only
ktap_test_result "negative tests are off without negative_tests=1" negative_tests_off
for kind in $kinds; do
	ktap_test_result "torture $kind: End of test: SUCCESS" torture "$kind"
done
ktap_test_result "bad input: EINVAL and at most one log line" bad_input_one_line
ktap_test_result "benchmark report has every row, as JSON" bench_report_whole
ktap_test_result "rmmod during a run stops its threads" unload_during_run
ktap_test_result "module reloaded after the unload test" test -d "$d"
ktap_finished
