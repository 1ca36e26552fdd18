#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Rust drivers of rkm_phy bind to the emulated PHYs (not the generic
# driver), the netdevs' parents are bound to a driver, the emulator's debugfs
# is root-only and its module parameters are checked. A driver unbound and
# bound again through sysfs while the netdev is up leaves it working. Without
# a driver loaded at attach time, phylib silently takes the generic driver,
# and keeps it.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 19
trap restore_modules EXIT

sim_start

check "AX88772A bound to the rkm driver" bound_to 1 "rkm Asix Electronics AX88772A"
check "AX88772C bound to the rkm driver" bound_to 2 "rkm Asix Electronics AX88772C"
check "AX88796B bound to the rkm driver" bound_to 3 "rkm Asix Electronics AX88796B"
check "DP83TG720 bound to the rkm driver" bound_to 4 "rkm TI DP83TG720S"

phy_ids() {
	file_is "$MDIO/rkm-mdio-sim:01/phy_id" 0x003b1861 &&
		file_is "$MDIO/rkm-mdio-sim:02/phy_id" 0x003b1881 &&
		file_is "$MDIO/rkm-mdio-sim:03/phy_id" 0x003b1841 &&
		file_is "$MDIO/rkm-mdio-sim:04/phy_id" 0x2000a284
}
check "PHY ids as the models define them" phy_ids

# The parent's driver link resolves to a driver directory named rkm_mdio_sim
# (-ef against each bus's, instead of basename and readlink).
parents_bound() {
	local p d ok
	for p in $PORTS; do
		ok=1
		for d in /sys/bus/*/drivers/rkm_mdio_sim; do
			[ "/sys/class/net/$p/device/driver" -ef "$d" ] && ok=0
		done
		[ $ok -eq 0 ] || return 1
	done
}
check "every netdev's parent is bound to rkm_mdio_sim" parents_bound

models_shown() {
	has_line "$DBG/rkmsim1/model" "ax88772a 0x003b1861" &&
		has_line "$DBG/rkmsim4/model" "dp83tg720 0x2000a284"
}
check "debugfs names each port's model" models_shown

# Any other mode bit would let an unprivileged user inject faults.
root_only() {
	[ "$(find "$DBG" -type f | wc -l)" -eq $((4 * 18)) ] &&
		[ -z "$(find "$DBG" -type f -perm /077)" ]
}
check "debugfs: 18 files per port, all root-only" root_only

# Unbinding removes the driver under phylib (phy_remove(): PHY state DOWN,
# still attached) and binding leaves the PHY READY, never started: the next
# phy_stop() WARNed. The emulator's netdev stops its PHY before the driver
# goes and initialises and starts it once a driver is bound again.
AX_DRV="/sys/bus/mdio_bus/drivers/rkm Asix Electronics AX88772A"
DP_DRV="/sys/bus/mdio_bus/drivers/rkm TI DP83TG720S"
log_mark
mark=$MARK
# Carrier first, or "no carrier" after the unbind would prove nothing.
unbind_stops() {
	ports_up rkmsim1 rkmsim4 &&
		echo rkm-mdio-sim:01 >"$AX_DRV/unbind" && echo rkm-mdio-sim:04 >"$DP_DRV/unbind" &&
		! [ -e "$MDIO/rkm-mdio-sim:01/driver" ] && ! [ -e "$MDIO/rkm-mdio-sim:04/driver" ] &&
		carrier_is rkmsim1 0 && carrier_is rkmsim4 0 && powered_down rkmsim1 && powered_down rkmsim4
}
check "unbinding the drivers of up netdevs stops their PHYs: no carrier, powered down" unbind_stops
# Without a driver phylib cannot start the PHY (phy_start() of a PHY
# without a driver: "-EIO" and a WARN in the state machine).
netdev_without_driver() {
	links "rkmsim1 down" "rkmsim1 up" && ethtool rkmsim1 >/dev/null &&
		! wait_carrier rkmsim1 1 3
}
check "without its driver, the netdev goes down and up, no carrier" netdev_without_driver
rebind_starts() {
	echo rkm-mdio-sim:01 >"$AX_DRV/bind" && echo rkm-mdio-sim:04 >"$DP_DRV/bind" &&
		bound_to 1 "rkm Asix Electronics AX88772A" && bound_to 4 "rkm TI DP83TG720S" &&
		wait_carrier rkmsim1 1 && wait_carrier rkmsim4 1 &&
		link_mode_is rkmsim1 100Mb/s Full && link_mode_is rkmsim4 1000Mb/s Full
}
check "binding them again: the PHYs start, carrier at their speeds" rebind_starts
down_after_rebind() {
	links "rkmsim1 down" "rkmsim4 down" &&
		powered_down rkmsim1 && powered_down rkmsim4 || return 1
	ports_up rkmsim1 rkmsim4 && ! log_since "$mark" "WARNING|called from state"
}
check "down and up after the rebind: suspended, resumed, no warning" down_after_rebind

sim_unload
# Attaching took a reference to the driver's module, detaching drops the one
# of the driver bound then: the same module, after a rebind.
no_users() { phy_users_are 0; }
check "rkm_phy has no users left once the bus is gone" no_users

not_loaded() { ! sim_load "$@" 2>/dev/null && ! loaded rkm_mdio_sim; }
check "two models at one address are refused" not_loaded ax88772c=0x2
check "a bus without PHYs is refused" not_loaded ax88772a=0 ax88772c=0 ax88796b=0 dp83tg720=0
check "a trace of 0 or more than 262144 accesses is refused" eval 'not_loaded trace_len=0 &&
	not_loaded trace_len=262145'

custom_layout() {
	sim_load ax88772a=0x6 ax88772c=0 ax88796b=0 dp83tg720=0x100 || return 1
	local nets=(/sys/class/net/rkmsim*)
	[ -e "${nets[0]}" ] && [ ${#nets[@]} -eq 3 ] &&
		bound_to 1 "rkm Asix Electronics AX88772A" &&
		bound_to 2 "rkm Asix Electronics AX88772A" &&
		bound_to 8 "rkm TI DP83TG720S"
}
check "module parameters place the PHYs" custom_layout

# The trap the emulator's users must know: no driver at attach, the generic
# one, for good (module autoload is off in the tests, phy_lib.sh).
generic_when_no_driver() {
	use_rkm_drivers && rmmod rkm_phy || return 1
	sim_load || return 1
	bound_to 1 "Generic PHY" && bound_to 4 "Generic PHY"
}
check "without a driver at attach, phylib binds the generic driver" generic_when_no_driver

generic_kept() {
	insmod "$PHY_KO" && bound_to 1 "Generic PHY"
}
check "loading the driver later does not rebind attached PHYs" generic_kept

ktap_finished
