#!/bin/sh
# Runs inside the demo VM as root (started by scripts/demo.py through vng).
#
#   demo.sh RESULTS
#
# RESULTS/demo.list has one line per suite: "<name> <demo script> <.ko>...".
# For each: load the modules, run the demo script, unload; the report goes to
# RESULTS/demo.txt. A demo script may kexec ($RKM_RESULTS keeps what it needs
# across): the next kernel runs this again, which skips the suites done
# (RESULTS/<name>.done) and runs that suite's script again, modules loaded
# anew, its report continuing where it stopped.
set -u
results=$1
export RKM_RESULTS="$results"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
exec >>"$results/demo.txt" 2>&1

while read -r name script modules; do
	[ -e "$results/$name.done" ] && continue
	[ -e "$results/$name.started" ] || echo "=== $name ==="
	touch "$results/$name.started"
	loaded=""
	for ko in $modules; do
		insmod "$ko" && loaded="$(basename "$ko" .ko) $loaded"
	done
	sh "$script"
	for m in $loaded; do rmmod "$m"; done
	echo
	touch "$results/$name.done"
done <"$results/demo.list"
