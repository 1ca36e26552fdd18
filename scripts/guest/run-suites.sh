#!/bin/sh
# Runs inside the test VM as root (started by scripts/check.py through vng).
#
#   run-suites.sh RESULTS KSELFTEST_DIR
#
# RESULTS/modules.list names the .ko files to load, in order; RESULTS/
# collections.list the kselftest collections to run. Everything found is written
# back into RESULTS for the host to read: module load/unload results (TAP),
# KUnit results, the kselftest runner's TAP output. RESULTS/tails.list names
# the boots that run here instead of booting a kernel of their own
# (boot-*.conf with shared = yes), one "FOLDER COMMAND" per line: each runs
# last, after the unload, with RKM_RESULTS=RESULTS/FOLDER, its exit status in
# FOLDER/exit_status, between two lines in the kernel log that tell the host
# which reports are its own (scripts/harness/splat.py, SECTION). kmemleak's
# report and dmesg are saved after it all, as after every boot's command
# (end-boot.sh).
set -u
results=$1
ksft=$2
# Host tests point this at a stand-in; in the guest it is unset.
debugfs=${RKM_DEBUGFS:-/sys/kernel/debug}
kmsg=${RKM_KMSG:-/dev/kmsg}

mountpoint -q "$debugfs" || mount -t debugfs none "$debugfs"

tap() { echo "$1" >>"$results/modules.tap"; }
# A phase of the timing table begins (scripts/harness/timing.py, MARKER).
phase() { echo "rkm-timing: $1"; }
: >"$results/modules.tap"

# Load everything first: KUnit suites run at load, and kselftests may use any
# module of their suite.
loaded=""
while read -r ko; do
	[ -n "$ko" ] || continue
	name=$(basename "$ko" .ko)
	phase "load $name"
	if out=$(insmod "$ko" 2>&1); then
		tap "ok - load $name"
		loaded="$name $loaded"
	else
		tap "not ok - load $name # $out"
	fi
done <"$results/modules.list"

mkdir -p "$results/kunit"
for suite in "$debugfs"/kunit/*/; do
	[ -f "$suite/results" ] || continue
	cp "$suite/results" "$results/kunit/$(basename "$suite").ktap"
done

: >"$results/kselftest.tap"
# The runner's output into kselftest.tap, and a phase of the timing table
# for each program it starts. Builtins only: a process costs about a second
# in this guest. (The runner reopens /dev/stdout per test; through a pipe,
# unlike a file, that cannot rewind the output.)
keep_tap() {
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$results/kselftest.tap"
		case $line in
		"# selftests: "*) phase "kselftest ${line#"# selftests: "}" ;;
		esac
	done
}
# One run per collection.
while read -r collection; do
	[ -n "$collection" ] || continue
	"$ksft/run_kselftest.sh" -c "$collection" </dev/null 2>&1 | keep_tap
done <"$results/collections.list"

phase unload
for name in $loaded; do
	if out=$(rmmod "$name" 2>&1); then
		tap "ok - unload $name"
	else
		tap "not ok - unload $name # $out"
	fi
done

[ -f "$results/tails.list" ] || exit 0
while read -r folder command; do
	[ -n "$folder" ] || continue
	phase "boot $folder"
	mkdir -p "$results/$folder"
	echo "rkm-section: begin $folder" >>"$kmsg"
	RKM_RESULTS=$results/$folder sh -c "$command" </dev/null
	echo $? >"$results/$folder/exit_status"
	echo "rkm-section: end $folder" >>"$kmsg"
done <"$results/tails.list"
