#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Link through the rkm drivers: `ip link set up` gives carrier at the speed
# and duplex autonegotiation resolves from the partner's advertisement; the
# link flaps when the partner goes away and comes back; the AX88772A and
# DP83TG720 drivers reset their PHY after a link loss, as their C versions do.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 17
trap restore_modules EXIT

sim_start
log_mark
mark=$MARK
ports_up $PORTS || ktap_print_msg "not every port got carrier"

up_at() { wait_carrier "$1" 1 && link_mode_is "$1" "$2" "$3"; }
check "AX88772A: carrier at 100 Mb/s full duplex" up_at rkmsim1 100Mb/s Full
check "AX88772C: carrier at 100 Mb/s full duplex" up_at rkmsim2 100Mb/s Full
check "AX88796B: carrier at 100 Mb/s full duplex" up_at rkmsim3 100Mb/s Full
check "DP83TG720: carrier at 1000 Mb/s full duplex" up_at rkmsim4 1000Mb/s Full

logged_up() { log_since "$mark" "rkmsim1: Link is Up - 100Mbps/Full"; }
check "the MAC logs the link it got" logged_up

# The partner advertises less: the link renegotiates to the best common mode.
renegotiates_to() {
	flap_after rkmsim2 knob rkmsim2/partner_adv "$1" && link_mode_is rkmsim2 "$2" "$3"
}
check "partner 10/100 half: 100 Mb/s half duplex" renegotiates_to 0x00a1 100Mb/s Half
check "partner 10 full/half: 10 Mb/s full duplex" renegotiates_to 0x0061 10Mb/s Full
check "partner 10 half: 10 Mb/s half duplex" renegotiates_to 0x0021 10Mb/s Half

no_common_mode() {
	loses_carrier_after rkmsim2 knob rkmsim2/partner_adv 0x0001 && ! wait_carrier rkmsim2 1 5
}
check "no common mode: no carrier" no_common_mode
# From no link there is no carrier to lose.
links_again() {
	knob rkmsim2/partner_adv 0x05e1 && wait_carrier rkmsim2 1 && link_mode_is rkmsim2 100Mb/s Full
}
check "partner back to 10/100 full: 100 Mb/s full duplex" links_again

flap() {
	knob "$1/link" down && wait_carrier "$1" 0 || return 1
	knob "$1/link" up && wait_carrier "$1" 1 && link_mode_is "$1" "$2" Full
}
echo clear >"$DBG/rkmsim1/trace"
check "AX88772A: link flap" flap rkmsim1 100Mb/s
# link_change_notify: BMCR written 0 (the Asix reset toggle), then reset.
# (A write right after a "0x00 0x0000" one, as grep -A1 picked it.)
resets_after_loss() {
	local i
	trace_writes rkmsim1 || return 1
	for ((i = 1; i < ${#WRITES[@]}; i++)); do
		[ "${WRITES[i - 1]}" = "0x00 0x0000" ] && [[ ${WRITES[i]} =~ ^0x00\ 0x[89a-f] ]] && return 0
	done
	return 1
}
check "AX88772A: the driver resets the PHY after the link loss" resets_after_loss
check "AX88772C: link flap" flap rkmsim2 100Mb/s
check "AX88796B: link flap" flap rkmsim3 100Mb/s
echo clear >"$DBG/rkmsim4/trace"
check "DP83TG720: link flap" flap rkmsim4 1000Mb/s
dp_resets() { writes_match rkmsim4 "^0x1f 0x8000\$"; }
check "DP83TG720: the driver resets the PHY while the link is down" dp_resets

# AX88772A with an old switch: LPA reads 0 once autonegotiation is done, so
# the driver takes speed and duplex from BMCR.
old_switch() {
	flap_after rkmsim1 knob rkmsim1/partner_adv 0x0041 && knob rkmsim1/old_switch 1 || return 1
	knob rkmsim1/link down && wait_carrier rkmsim1 0 && knob rkmsim1/link up &&
		wait_carrier rkmsim1 1 || return 1
	reg rkmsim1 5 && [ "$REG" = 0x0000 ] && link_mode_is rkmsim1 10Mb/s Full
}
check "AX88772A: 10 Mb/s full duplex from BMCR with LPA 0" old_switch

ktap_finished
