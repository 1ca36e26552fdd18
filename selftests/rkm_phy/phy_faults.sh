#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Injected faults reach user space as errors, never as a splat, and the PHY
# works again once they are gone: failed MDIO writes and reads, a reset
# that never completes. (A read failing in phylib's state machine WARNs by
# design and puts the PHY in its error state: boot-phy_error.conf.) The
# emulator's debugfs rejects what it cannot parse.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 14
trap restore_modules EXIT

sim_start
ports_up rkmsim1 rkmsim2 || ktap_print_msg "no carrier"

eio() {
	local out
	out=$("$@" 2>&1)
	[[ $out == *"Input/output error"* ]]
}

write_fault() {
	echo clear >"$DBG/rkmsim2/counters"
	knob rkmsim2/write_errors 1 && eio ethtool -r rkmsim2 &&
		file_is "$DBG/rkmsim2/write_errors" 0 &&
		has_line "$DBG/rkmsim2/counters" "c22 0x00 reads [0-9]* writes 0 failed 1"
}
check "a failed write fails ethtool -r with EIO" write_fault
works_again() { ethtool -r rkmsim2 && wait_carrier rkmsim2 1; }
check "ethtool -r works again afterwards" works_again

# With the netdev down phylib does not poll, so only ethtool reads.
read_fault() {
	ip link set rkmsim2 down && knob rkmsim2/read_errors always &&
		eio ethtool -r rkmsim2 && eio ethtool -r rkmsim2
}
check "failed reads fail ethtool -r with EIO" read_fault
recovers() {
	knob rkmsim2/read_errors 0 && ethtool -r rkmsim2 && ip link set rkmsim2 up &&
		wait_carrier rkmsim2 1
}
check "the PHY links again once reads succeed" recovers

# The AX88772A driver resets its PHY after a link loss; the reset sticks.
stuck_reset() {
	local mark
	log_mark
	mark=$MARK
	knob rkmsim1/stuck_reset 1 && knob rkmsim1/link down && wait_carrier rkmsim1 0 &&
		knob rkmsim1/link up && ! wait_carrier rkmsim1 1 5 || return 1
	log_since "$mark" "phy_poll_reset failed: -110" &&
		has_line "$DBG/rkmsim1/status" "reset: pending"
}
check "a stuck reset times out (ETIMEDOUT), no carrier" stuck_reset
reset_recovers() {
	knob rkmsim1/stuck_reset 0 && links "rkmsim1 down" "rkmsim1 up" &&
		wait_carrier rkmsim1 1
}
check "down and up recovers the PHY from the stuck reset" reset_recovers

check "partner_adv rejects words" rejects rkmsim2/partner_adv fast
check "numbers out of range are rejected" eval 'rejects rkmsim4/sqi 8 &&
	rejects rkmsim2/partner_adv 0x10000 && rejects rkmsim2/an_delay_ms 60001 &&
	rejects rkmsim2/reset_reads 256 && rejects rkmsim2/read_errors -1'
check "cable faults need a distance of 1 to 31 m" eval 'rejects rkmsim4/cable "open 0" &&
	rejects rkmsim4/cable "short 32" && rejects rkmsim4/cable open && rejects rkmsim4/cable "ok 3"'
check "switches and roles reject other words" eval 'rejects rkmsim1/link sideways &&
	rejects rkmsim4/partner_role boss && rejects rkmsim1/stuck_reset 2'
check "input longer than 32 bytes is rejected" rejects rkmsim1/an_delay_ms \
	"                                100"
check "counters and trace only take clear" eval 'rejects rkmsim1/counters 0 && rejects rkmsim1/trace reset'
# phylib's state machine runs on its own unless switched to manual; then only
# a "run" runs it.
state_machine_modes() {
	local err
	rejects rkmsim1/state_machine poll || return 1
	err=$( { echo run >"$DBG/rkmsim1/state_machine"; } 2>&1) && return 1
	case $err in *"Device or resource busy"*) ;; *) return 1 ;; esac
	knob rkmsim1/state_machine manual && has_line "$DBG/rkmsim1/state_machine" manual &&
		knob rkmsim1/state_machine run && knob rkmsim1/state_machine auto &&
		has_line "$DBG/rkmsim1/state_machine" auto && wait_carrier rkmsim1 1
}
check "state_machine: auto, manual and run, which auto mode refuses (EBUSY)" state_machine_modes
read_only() {
	local f
	for f in model status regs; do
		echo x 2>/dev/null >"$DBG/rkmsim1/$f" && return 1
	done
	return 0
}
check "model, status and regs refuse writes" read_only

ktap_finished
