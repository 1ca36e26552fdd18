#!/bin/sh
# Runs inside the test VM after every boot's command (scripts/harness/vm.py
# wraps each command with it):
#
#   end-boot.sh RESULTS
#
# saves what the host's splat scan reads besides the console: kmemleak's
# report after a forced scan (kmemleak.txt; kmemleak.error when the scan
# could not run) and the kernel log (dmesg.txt, last, so that it holds the
# scan's own message).
set -u
results=$1
# Host tests point this at a stand-in; in the guest it is unset.
debugfs=${RKM_DEBUGFS:-/sys/kernel/debug}

mountpoint -q "$debugfs" || mount -t debugfs none "$debugfs"

# kmemleak reports an object that a scan found unreferenced and unchanged
# since the scan before, if it was older than 5 s when that scan began. So the
# second scan begins 6 s after the command at the earliest: under TCG the
# first scan takes longer than that by itself. A scan that cannot run is
# recorded: no report is not "no leak".
if [ -e "$debugfs/kmemleak" ]; then
	sleep 6 &
	six_seconds=$!
	if { echo scan >"$debugfs/kmemleak" && wait "$six_seconds" &&
		echo scan >"$debugfs/kmemleak"; } 2>"$results/kmemleak.error"; then
		cat "$debugfs/kmemleak" >"$results/kmemleak.txt"
	fi
else
	echo "no $debugfs/kmemleak" >"$results/kmemleak.error"
fi
dmesg >"$results/dmesg.txt"
