#!/bin/sh
# rkm_pcie_ready's part of `make bench`: time to ready after a secondary bus
# reset, for each port speed, by the module with each policy and by the
# kernel's own bus reset. Prints the JSON report (scripts/harness/bench.py).
#
# Every reset is timed twice, by two clocks: the module's own figures (its
# sysfs files: ktime from the end of the reset), and from user space by
# reset_timer (CLOCK_MONOTONIC from before the write to the reset file): when
# the write returned, and when a thread reading the device's sysfs config in
# a loop got a Vendor ID again after the reset held it off. A module whose
# clock or first read was wrong shows there: the device is given back to
# user space before the spec's minimum, or before the module says it was
# ready.
#
# The spec's minimum (PCIe r6.0 sec 6.6.1) is 100 ms after the reset up to
# 5 GT/s, and 100 ms after the link came up above 5 GT/s; the link-up time is
# the one the spec policy saw in the same round (it reads the link first).
#
# Each round resets every device three ways, each way first in turn, so that
# a slow moment of the host hits them alike. A row shows the round in the
# middle by the user-space time, and the lowest ratio to the minimum.
set -u
here=$(dirname "$(readlink -f "$0")")
timer=$here/reset_timer
devices=/sys/bus/pci/devices
rounds=9
# vm.conf's root ports: a pci-testdev (no PM capability) at 2.5, 5 and 16 GT/s,
# an e1000e (PM capability) at 2.5 and 16 GT/s.
ports="10 11 12 16 17"

fail() {
	echo "rkm_pcie_ready bench: $*" >&2
	exit 1
}

[ -x "$timer" ] || fail "$timer is missing (make bench builds it)"
# No driver for the e1000e in the perf kernel: this one takes them, named by
# its id parameter (make bench loaded it without).
rmmod rkm_pcie_ready && insmod "$here/../../modules/rkm_pcie_ready/rkm_pcie_ready.ko" id=0x808610d3 ||
	fail "cannot load rkm_pcie_ready with id=0x808610d3"

samples=$(mktemp) || exit 1
trap 'rm -f "$samples"' EXIT

below() {
	for d in "$devices/0000:00:$1.0"/0000:??:??.?; do basename "$d"; done
}

for port in $ports; do
	dev=$(below "$port")
	[ -d "$devices/$dev/rkm_pcie_ready" ] || fail "no device of rkm_pcie_ready below 00:$port.0"
	echo bus >"$devices/$dev/reset_method" || fail "$dev: no bus reset"
	case $(cat "$devices/$dev/vendor"):$(cat "$devices/$dev/device") in
	0x1b36:0x0005) name=pci-testdev ;;
	0x8086:0x10d3) name=e1000e ;;
	*) name=$dev ;;
	esac
	echo "port 00:$port.0 $(cut -d' ' -f1 "$devices/0000:00:$port.0/max_link_speed") $name" >>"$samples"
done

# reset PORT ROUND WAY: one reset, appended to the samples as
# "WAY PORT ROUND WRITE_US BACK_US HELD_US [module's files]".
reset() {
	dev=$(below "$1")
	files=$devices/$dev/rkm_pcie_ready
	config=$devices/$dev/config
	if [ "$3" = own ]; then
		us=$("$timer" "$devices/$dev/reset" "$config") || fail "$dev: the kernel's reset failed"
		echo "own 00:$1.0 $2 $us" >>"$samples"
		return
	fi
	echo "$3" >"$files/policy" || fail "$dev: cannot set policy $3"
	us=$("$timer" "$files/reset" "$config") || fail "$dev: reset with policy $3 failed"
	echo "$3 00:$1.0 $2 $us $(cd "$files" &&
		cat path link_up_us first_access_us ready_us polls slept_ms verdict | tr '\n' ' ')" >>"$samples"
}

round=1
while [ "$round" -le "$rounds" ]; do
	case $((round % 3)) in
	1) ways="spec kernel own" ;;
	2) ways="kernel own spec" ;;
	0) ways="own spec kernel" ;;
	esac
	for port in $ports; do
		for way in $ways; do reset "$port" "$round" "$way"; done
	done
	round=$((round + 1))
done

awk -v rounds="$rounds" -f "$here/bench_report.awk" "$samples"
