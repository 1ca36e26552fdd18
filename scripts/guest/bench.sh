#!/bin/sh
# Runs inside the benchmark VM as root (started by scripts/bench.py through vng).
#
#   bench.sh RESULTS
#
# RESULTS/bench.list has one line per suite: "<name> <bench script> <.ko>...".
# For each: load the modules, run the script, whose standard output (a JSON
# report) goes to RESULTS/<name>.json and exit status to RESULTS/<name>.status,
# unload. A script may kexec ($RKM_RESULTS keeps what it needs across): the
# next kernel runs this again, which skips the suites that have a status and
# runs that suite's script again, modules loaded anew.
set -u
results=$1
export RKM_RESULTS="$results"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

while read -r name script modules; do
	[ -e "$results/$name.status" ] && continue
	loaded=""
	for ko in $modules; do
		insmod "$ko" && loaded="$(basename "$ko" .ko) $loaded"
	done
	sh "$script" >"$results/$name.json" 2>>"$results/$name.err"
	echo $? >"$results/$name.status"
	for m in $loaded; do rmmod "$m"; done
done <"$results/bench.list"
