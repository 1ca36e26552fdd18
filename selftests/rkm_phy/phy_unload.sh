#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload orders: attaching a PHY pins its driver module, so the driver goes
# only after the bus; the bus goes at any time, netdevs up or not, and comes
# back as often as wanted (kmemleak checks the cycles after the suite).
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 6
trap restore_modules EXIT

sim_start
ports_up $PORTS || ktap_print_msg "not every port got carrier"

pinned() {
	! rmmod rkm_phy 2>/dev/null && loaded rkm_phy &&
		phy_users_are 4
}
check "rkm_phy cannot go while its 4 PHYs are attached" pinned
links_up() {
	local p
	for p in $PORTS; do wait_carrier "$p" 1 1 || return 1; done
}
check "the links stay up meanwhile" links_up

bus_goes() {
	local nets
	rmmod rkm_mdio_sim && nets=(/sys/class/net/rkmsim*) && ! [ -e "${nets[0]}" ]
}
check "the bus unloads with its netdevs up" bus_goes
check "then rkm_phy unloads" rmmod rkm_phy

cycles() {
	local i
	insmod "$PHY_KO" || return 1
	for i in 1 2 3; do
		sim_load && links "rkmsim4 up" "rkmsim1 up" && sim_unload || return 1
	done
}
check "three load/unload cycles of the bus" cycles

# Probing the DP83TG720 allocates per-device data that unbinding frees.
bus_without_driver() { rmmod rkm_phy && sim_load && sim_unload && insmod "$PHY_KO"; }
check "the bus loads and unloads without rkm_phy too" bus_without_driver

ktap_finished
