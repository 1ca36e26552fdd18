#!/bin/sh
# Runs inside the demo VM as root (started by scripts/demo.py through vng).
#
#   demo.sh RESULTS
#
# RESULTS/demo.list has one line per suite: "<name> <demo script> <.ko>...".
# For each: load the modules, run the demo script, unload; the report goes to
# RESULTS/demo.txt.
set -u
results=$1
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
exec >"$results/demo.txt" 2>&1

while read -r name script modules; do
	echo "=== $name ==="
	loaded=""
	for ko in $modules; do
		insmod "$ko" && loaded="$(basename "$ko" .ko) $loaded"
	done
	sh "$script"
	for m in $loaded; do rmmod "$m"; done
	echo
done <"$results/demo.list"
