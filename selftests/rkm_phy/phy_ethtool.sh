#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool through the rkm drivers: forced modes and advertisements with
# `ethtool -s`, `ethtool -r`, the DP83TG720's master/slave role, and the
# drivers' suspend and resume callbacks (phylib suspends a PHY whose netdev
# goes down and resumes it when it comes up).
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 12
trap restore_modules EXIT

sim_start
ports_up $PORTS || ktap_print_msg "not every port got carrier"

forced() {
	flap_after rkmsim2 ethtool -s rkmsim2 speed "$1" duplex "$2" autoneg off &&
		ethtool_shows rkmsim2 Speed "$1Mb/s" Duplex "${2^}" Auto-negotiation off &&
		reg rkmsim2 0 && [ "$REG" = "$3" ]
}
check "ethtool -s speed 10 duplex full autoneg off" forced 10 full 0x0100
check "ethtool -s speed 100 duplex half autoneg off" forced 100 half 0x2000

# shellcheck disable=SC2004 # $REG as text, as $(reg) was
autoneg_back() {
	flap_after rkmsim2 ethtool -s rkmsim2 autoneg on &&
		link_mode_is rkmsim2 100Mb/s Full &&
		reg rkmsim2 0 && [ $(($REG & 0x1000)) -ne 0 ]
}
check "ethtool -s autoneg on: 100 Mb/s full duplex again" autoneg_back

# ethtool's advertise mask: 0x001 10baseT/Half, 0x002 10baseT/Full,
# 0x004 100baseT/Half, 0x008 100baseT/Full.
# shellcheck disable=SC2004 # $REG as text, as $(reg) was
advertise_10_full() {
	flap_after rkmsim2 ethtool -s rkmsim2 advertise 0x002 &&
		link_mode_is rkmsim2 10Mb/s Full &&
		reg rkmsim2 4 && [ $(($REG & 0x01e0)) -eq $((0x0040)) ]
}
check "ethtool -s advertise 10baseT/Full" advertise_10_full
advertise_all() {
	flap_after rkmsim2 ethtool -s rkmsim2 advertise 0x00f && link_mode_is rkmsim2 100Mb/s Full
}
check "ethtool -s advertise all 10/100 modes" advertise_all

restart() {
	echo clear >"$DBG/rkmsim3/trace"
	flap_after rkmsim3 ethtool -r rkmsim3 || return 1
	# BMCR written with ANRESTART (bit 9), then the link renegotiated.
	writes_match rkmsim3 "^0x00 0x[0-9a-f][2367abef][0-9a-f][0-9a-f]\$" &&
		link_mode_is rkmsim3 100Mb/s Full
}
check "ethtool -r restarts autonegotiation" restart

same_role_no_link() {
	ethtool -s rkmsim4 master-slave forced-master && wait_carrier rkmsim4 0 &&
		! wait_carrier rkmsim4 1 5 && ethtool_shows rkmsim4 "master-slave cfg" "forced master"
}
check "DP83TG720 forced master against a master: no link" same_role_no_link
roles_differ() {
	knob rkmsim4/partner_role slave && wait_carrier rkmsim4 1 &&
		ethtool_shows rkmsim4 "master-slave status" master Speed 1000Mb/s Duplex Full
}
check "DP83TG720 master against a slave: link, status master" roles_differ
# The role changes with the link up: without autonegotiation phylib checks
# the speed, unknown while the link is down, and refuses (EINVAL).
back_to_slave() {
	ethtool -s rkmsim4 master-slave forced-slave && wait_carrier rkmsim4 0 &&
		knob rkmsim4/partner_role master && wait_carrier rkmsim4 1 &&
		ethtool_shows rkmsim4 "master-slave status" slave
}
check "DP83TG720 forced slave against a master: link, status slave" back_to_slave

suspend_resume() {
	ip link set "$1" down && powered_down "$1" || return 1
	ip link set "$1" up && ! powered_down "$1" && wait_carrier "$1" 1
}
check "AX88772A: suspended (PDOWN) when down, resumed when up" suspend_resume rkmsim1
check "DP83TG720: suspended (PDOWN) when down, resumed when up" suspend_resume rkmsim4
# The AX88796B driver has no suspend callback, as in the in-tree driver.
ax88796b_not_suspended() {
	ip link set rkmsim3 down && ! powered_down rkmsim3 && ip link set rkmsim3 up
}
check "AX88796B: no suspend callback, never powered down" ax88796b_not_suspended

ktap_finished
