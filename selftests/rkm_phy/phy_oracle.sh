#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Oracle: the same scenario on the same emulator, once with the rkm drivers
# and once with the kernel's own drivers for these PHYs (ax88796b_rust, the
# in-tree Rust Asix driver, and dp83tg720), loaded one set at a time. What
# ethtool shows must be identical, and the MDIO traffic equivalent
# (trace_norm.py says what that means).
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

STEPS="attach up partner_10 forced_10_half restart old_switch role_master partner_slave cable down"

ktap_print_header
ktap_set_plan $((4 + 2 * $(echo $STEPS | wc -w)))

work=$(mktemp -d)
cleanup() {
	restore_modules
	rm -rf "$work"
}
trap cleanup EXIT

clear_traces() {
	local p
	for p in $PORTS; do echo clear >"$DBG/$p/trace"; done
}

# Records what ethtool shows and the trace of every port (normalised once
# both runs are done: a Python start costs seconds in the guest).
record() {
	local p
	for p in $PORTS; do
		ethtool "$p" >"$out/$1.$p.ethtool" 2>&1
		cat "$DBG/$p/trace" >"$out/$1.$p.raw"
	done
	clear_traces
}

all_carrier() {
	local p
	for p in $PORTS; do wait_carrier "$p" 1 || return 1; done
}

# Each step changes one thing and waits until its effect is visible, so that
# the two runs end each step in the same state.
step_up() { ports_up $PORTS; }
step_partner_10() {
	local p
	for p in rkmsim1 rkmsim2 rkmsim3; do
		flap_after "$p" knob "$p/partner_adv" 0x0061 || return 1
	done
}
step_forced_10_half() { flap_after rkmsim2 ethtool -s rkmsim2 speed 10 duplex half autoneg off; }
step_restart() { flap_after rkmsim3 ethtool -r rkmsim3; }
step_old_switch() {
	knob rkmsim1/old_switch 1 && knob rkmsim1/link down && wait_carrier rkmsim1 0 &&
		knob rkmsim1/link up && wait_carrier rkmsim1 1
}
step_role_master() { ethtool -s rkmsim4 master-slave forced-master && wait_carrier rkmsim4 0; }
step_partner_slave() { knob rkmsim4/partner_role slave && wait_carrier rkmsim4 1; }
step_cable() {
	knob rkmsim4/cable "open 7" && ethtool --cable-test rkmsim4 >"$out/cable.result" 2>&1
	knob rkmsim4/cable ok && wait_carrier rkmsim4 1
}
step_down() {
	local p
	for p in $PORTS; do ip link set "$p" down; done
}

# Runs the scenario into $work/$1.
scenario() {
	local step a start=$SECONDS
	out=$work/$1
	mkdir -p "$out"
	sim_load || return 1
	for a in 1 2 3 4; do phy_driver $a; done >"$out/drivers"
	record attach
	for step in $STEPS; do
		[ "$step" = attach ] && continue
		"step_$step" || ktap_print_msg "$1: step $step did not complete"
		record "$step"
	done
	sim_unload
	ktap_print_msg "$1 run: $((SECONDS - start)) s"
}

use_rkm_drivers && scenario rkm
use_intree_drivers && scenario intree
python3 "$DIR/trace_norm.py" "$work"/*/*.raw || ktap_print_msg "trace_norm.py failed"

bound() { printf '%s\n' "$@" | diff -q - "$work/$run/drivers" >/dev/null; }
run=rkm check "the rkm drivers drove the first run" bound "rkm Asix Electronics AX88772A" \
	"rkm Asix Electronics AX88772C" "rkm Asix Electronics AX88796B" "rkm TI DP83TG720S"
run=intree check "the in-tree drivers drove the second run" bound "Asix Electronics AX88772A" \
	"Asix Electronics AX88772C" "Asix Electronics AX88796B" "TI DP83TG720S"

# Compares the files of kind $2 (ethtool or trace: the writes) of step $1
# between the runs.
same() {
	local f files ok=0
	files=("$work/rkm/$1".*."$2")
	[ "$1.$2" = cable.ethtool ] && files+=("$work/rkm/cable.result")
	for f in "${files[@]}"; do
		if ! diff -u "$f" "$work/intree/${f##*/}" >"$work/diff" 2>&1; then
			ok=1
			while read -r line; do ktap_print_msg "$line"; done <"$work/diff"
		fi
	done
	return $ok
}
for step in $STEPS; do
	check "$step: ethtool shows the same" same "$step" ethtool
	check "$step: the same MDIO writes" same "$step" trace
done

# What each PHY's driver did over the whole scenario, of kind $1: reads (the
# registers read) or polls (the writes of its link-down polls).
union_of() { cat "$work/$1"/*."$2.$3" | sort -u; }
same_union() {
	local p ok=0
	for p in $PORTS; do
		if ! diff -u <(union_of rkm "$p" "$1") <(union_of intree "$p" "$1") >"$work/diff"; then
			ok=1
			ktap_print_msg "$p:"
			while read -r line; do ktap_print_msg "$line"; done <"$work/diff"
		fi
	done
	return $ok
}
check "the same registers read over the scenario" same_union reads
check "the same link-down polls over the scenario" same_union polls

ktap_finished
