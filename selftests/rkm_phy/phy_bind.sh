#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Rust drivers of rkm_phy bind to the emulated PHYs (not the generic
# driver), the netdevs' parents are bound to a driver, the emulator's debugfs
# is root-only and its module parameters are checked. Without a driver loaded
# at attach time, phylib silently takes the generic driver, and keeps it.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

ktap_print_header
ktap_set_plan 13
trap restore_modules EXIT

use_rkm_drivers
sim_load || ktap_exit_fail_msg "cannot load rkm_mdio_sim"

bound_to() { [ "$(phy_driver "$1")" = "$2" ]; }
check "AX88772A bound to the rkm driver" bound_to 1 "rkm Asix Electronics AX88772A"
check "AX88772C bound to the rkm driver" bound_to 2 "rkm Asix Electronics AX88772C"
check "AX88796B bound to the rkm driver" bound_to 3 "rkm Asix Electronics AX88796B"
check "DP83TG720 bound to the rkm driver" bound_to 4 "rkm TI DP83TG720S"

phy_ids() {
	[ "$(cat "$MDIO/rkm-mdio-sim:01/phy_id")" = 0x003b1861 ] &&
		[ "$(cat "$MDIO/rkm-mdio-sim:02/phy_id")" = 0x003b1881 ] &&
		[ "$(cat "$MDIO/rkm-mdio-sim:03/phy_id")" = 0x003b1841 ] &&
		[ "$(cat "$MDIO/rkm-mdio-sim:04/phy_id")" = 0x2000a284 ]
}
check "PHY ids as the models define them" phy_ids

parents_bound() {
	local p
	for p in $PORTS; do
		[ "$(basename "$(readlink "/sys/class/net/$p/device/driver")")" = rkm_mdio_sim ] || return 1
	done
}
check "every netdev's parent is bound to rkm_mdio_sim" parents_bound

models_shown() {
	grep -qx "ax88772a 0x003b1861" "$DBG/rkmsim1/model" &&
		grep -qx "dp83tg720 0x2000a284" "$DBG/rkmsim4/model"
}
check "debugfs names each port's model" models_shown

# Any other mode bit would let an unprivileged user inject faults.
root_only() {
	[ "$(find "$DBG" -type f | wc -l)" -eq $((4 * 17)) ] &&
		[ -z "$(find "$DBG" -type f -perm /077)" ]
}
check "debugfs: 17 files per port, all root-only" root_only

sim_unload
not_loaded() { ! sim_load "$@" 2>/dev/null && ! loaded rkm_mdio_sim; }
check "two models at one address are refused" not_loaded ax88772c=0x2
check "a bus without PHYs is refused" not_loaded ax88772a=0 ax88772c=0 ax88796b=0 dp83tg720=0

custom_layout() {
	sim_load ax88772a=0x6 ax88772c=0 ax88796b=0 dp83tg720=0x100 || return 1
	[ "$(ls -d /sys/class/net/rkmsim* | wc -l)" -eq 3 ] &&
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
