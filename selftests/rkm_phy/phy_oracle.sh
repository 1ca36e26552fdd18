#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Oracle: the same scenario on the same emulator, once with the rkm drivers
# and once with the kernel's own drivers for these PHYs (ax88796b_rust, the
# in-tree Rust Asix driver, and dp83tg720), loaded one set at a time. After
# every step, what ethtool shows and every MDIO read and write of every PHY,
# in order and with its value, must be the same in both runs, but for the
# intended differences listed below; a step that does not complete fails,
# whether or not it fails in the other run too.
#
# The scenario is deterministic. phylib's state machine runs only when a
# step runs it (the emulator's state_machine file in manual mode: no timer
# polls between or within steps), and autonegotiation and link training take
# no time (an_delay_ms=0: the link is up at the first access after it could
# come up, so the emulator's clock cannot decide within a run whether it is
# up yet). The one timed event left, a TDR measurement (20 ms), is waited for
# before the run that reads it. With nothing else touching the PHYs, each
# step's trace is read and cleared at its end.
#
# Intended differences: none shows in this scenario. The one between the
# drivers (Documentation/rkm_phy.rst: the rkm DP83TG720S driver reports a
# failed read of MII_REG_10, the C driver takes the error code for a status)
# needs a failing read, which the scenario does not inject.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

STEPS="attach up partner_10 forced_10_half restart old_switch role_master partner_slave cable down"

phy_test_begin $((2 + 3 * $(wc -w <<<"$STEPS")))

work=$(mktemp -d)
cleanup() {
	restore_modules
	rm -rf "$work"
}
trap cleanup EXIT

# Records what ethtool shows and what each PHY's trace holds, without the
# times, then clears the trace for the next step. Each trace line loses its
# first field as with `cut -d' ' -f2-` (a line without a space stays whole),
# without a cut per port.
record() {
	local p lines
	for p in $PORTS; do
		ethtool "$p" >"$out/$1.$p.ethtool" 2>&1
		lines=()
		mapfile -t lines <"$DBG/$p/trace"
		if [ ${#lines[@]} -gt 0 ]; then
			printf '%s\n' "${lines[@]#* }"
		fi >"$out/$1.$p.trace"
		echo clear >"$DBG/$p/trace"
	done
}

# One run of port $1's state machine.
run_sm() {
	local err
	err=$( { echo run >"$DBG/$1/state_machine"; } 2>&1) && return 0
	ktap_print_msg "$1: no state machine run: $err"
	return 1
}

# Runs port $1's state machine until "$@" holds, at most 4 times: how many
# runs that takes is the driver's doing, and shows in the trace.
run_until() {
	local port=$1 i
	shift
	for i in 1 2 3 4; do
		run_sm "$port" || return 1
		"$@" && return 0
	done
	return 1
}

# Port $1 lost its carrier since its carrier_down_count was $2, and has it back.
flapped() { downs_above "$1" "$2" && carrier_is "$1" 1; }

# Runs "$@", which renegotiates the link of port $1, then the state machine
# until the link went down and came back.
flap_by() {
	local port=$1 before
	shift
	carrier_downs "$port"
	before=$ATTR
	"$@" && run_until "$port" flapped "$port" "$before"
}

# The TDR start in port $1's trace: the write of TDR_START to TDR_CFG (MMD 31).
# (trace_writes fields: <reg> <value> mmd <devad>.<reg>.)
tdr_started() {
	local w f
	trace_writes "$1" || return 1
	for w in "${WRITES[@]}"; do
		read -r -a f <<<"$w"
		[ "${f[1]}" = 0x8000 ] && [ "${f[3]}" = 31.0x001e ] && return 0
	done
	return 1
}

cable_test_done() { netdev_attr "$1" testing && [ "$ATTR" = 0 ]; }

# Each step changes one thing and runs the state machine until its effect
# shows.
step_attach() {
	local p
	for p in $PORTS; do
		echo manual >"$DBG/$p/state_machine" || return 1
	done
}
step_up() {
	local p
	for p in $PORTS; do
		ip link set "$p" up && run_until "$p" carrier_is "$p" 1 || return 1
	done
}
step_partner_10() {
	local p
	for p in rkmsim1 rkmsim2 rkmsim3; do
		flap_by "$p" knob "$p/partner_adv" 0x0061 || return 1
	done
}
step_forced_10_half() {
	flap_by rkmsim2 ethtool -s rkmsim2 speed 10 duplex half autoneg off &&
		link_mode_is rkmsim2 10Mb/s Half
}
step_restart() { flap_by rkmsim3 ethtool -r rkmsim3; }
step_old_switch() {
	knob rkmsim1/old_switch 1 && knob rkmsim1/link down &&
		run_until rkmsim1 carrier_is rkmsim1 0 &&
		knob rkmsim1/link up && run_until rkmsim1 carrier_is rkmsim1 1 &&
		link_mode_is rkmsim1 10Mb/s Full
}
step_role_master() {
	ethtool -s rkmsim4 master-slave forced-master && run_until rkmsim4 carrier_is rkmsim4 0
}
step_partner_slave() {
	knob rkmsim4/partner_role slave && run_until rkmsim4 carrier_is rkmsim4 1
}
# ethtool waits for the result, which the run after the TDR reports.
step_cable() {
	local pid ok=0
	knob rkmsim4/cable "open 7" || return 1
	timeout 60 ethtool --cable-test rkmsim4 >"$out/cable.result" 2>&1 &
	pid=$!
	wait_until 30 tdr_started rkmsim4 && nap 0.1 &&
		run_until rkmsim4 cable_test_done rkmsim4 || ok=1
	wait $pid || ok=1
	knob rkmsim4/cable ok && run_until rkmsim4 carrier_is rkmsim4 1 || ok=1
	return $ok
}
step_down() {
	local p cmds=()
	for p in $PORTS; do cmds+=("$p down"); done
	links "${cmds[@]}"
}

# Runs the scenario into $work/$1: per step, whether it completed (.done)
# and what record() keeps.
scenario() {
	local a step start=$SECONDS
	out=$work/$1
	mkdir -p "$out"
	sim_load an_delay_ms=0 && ports_present || return 1
	for a in 1 2 3 4; do phy_driver $a; done >"$out/drivers"
	for step in $STEPS; do
		if "step_$step"; then
			echo completed >"$out/$step.done"
		else
			echo "did not complete" >"$out/$step.done"
		fi
		record "$step"
	done
	sim_unload
	ktap_print_msg "$1 run: $((SECONDS - start)) s"
}

use_rkm_drivers && scenario rkm
use_intree_drivers && scenario intree

# The drivers file holds exactly the lines "$@" (as diff -q would find).
bound() {
	local want
	printf -v want '%s\n' "$@"
	slurp "$work/$run/drivers" && [ "$CONTENT" = "$want" ]
}
run=rkm check "the rkm drivers drove the first run" bound "rkm Asix Electronics AX88772A" \
	"rkm Asix Electronics AX88772C" "rkm Asix Electronics AX88796B" "rkm TI DP83TG720S"
run=intree check "the in-tree drivers drove the second run" bound "Asix Electronics AX88772A" \
	"Asix Electronics AX88772C" "Asix Electronics AX88796B" "TI DP83TG720S"

completed() {
	local run ok=0
	for run in rkm intree; do
		if ! file_is "$work/$run/$1.done" completed 2>/dev/null; then
			ktap_print_msg "$1 did not complete in the $run run"
			ok=1
		fi
	done
	return $ok
}

# Whether files $1 and $2 can be read and hold the same bytes.
same_bytes() {
	local a
	slurp "$1" 2>/dev/null || return 1
	a=$CONTENT
	slurp "$2" 2>/dev/null && [ "$a" = "$CONTENT" ]
}

# Compares the files of kind $2 (ethtool, trace) of step $1 between the
# runs, showing each difference. diff runs only on files that differ (or
# cannot be read), to print the difference and decide.
same() {
	local f files ok=0
	files=("$work/rkm/$1".*."$2")
	[ "$1.$2" = cable.ethtool ] && files+=("$work/rkm/cable.result")
	for f in "${files[@]}"; do
		if [ "$2" = trace ] && has_match "$f" overwritten; then
			ktap_print_msg "${f##*/}: the trace overflowed"
			ok=1
		fi
		if ! same_bytes "$f" "$work/intree/${f##*/}" &&
			! diff -u "$f" "$work/intree/${f##*/}" >"$work/diff" 2>&1; then
			ok=1
			while read -r line; do ktap_print_msg "$line"; done <"$work/diff"
		fi
	done
	return $ok
}
for step in $STEPS; do
	check "$step: completes in both runs" completed "$step"
	check "$step: ethtool shows the same" same "$step" ethtool
	check "$step: the same MDIO reads and writes" same "$step" trace
done

ktap_finished
