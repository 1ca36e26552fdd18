#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot-phy_error.conf: reads failing while phylib's state machine polls put
# the PHY in its error state. phylib WARNs then by design
# (phy_error_precise()); the boot declares that one WARNING and nothing else
# may appear. The PHY loses its carrier, and comes back with the netdev taken
# down and up once the bus works again. Exit status 0 when all of that holds.
DIR="$(dirname "$(readlink -f "$0")")"
ROOT=$(readlink -f "$DIR/../..")
DBG=/sys/kernel/debug/rkm_mdio_sim/rkmsim2

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

wait_carrier() {
	local i
	for i in $(seq 75); do
		[ "$(cat /sys/class/net/rkmsim2/carrier 2>/dev/null)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

step() {
	echo "phy_error: $1"
	shift
	"$@" || { echo "phy_error: FAILED"; exit 1; }
}

step "load the driver, then the bus" insmod "$ROOT/modules/rkm_phy/rkm_phy.ko"
step "" insmod "$ROOT/modules/rkm_mdio_sim/rkm_mdio_sim.ko"
step "AX88772C up" ip link set rkmsim2 up
step "carrier" wait_carrier 1
step "every read fails" sh -c "echo always > $DBG/read_errors"
step "carrier lost" wait_carrier 0
step "reads work again" sh -c "echo 0 > $DBG/read_errors"
step "down" ip link set rkmsim2 down
step "up" ip link set rkmsim2 up
step "carrier back" wait_carrier 1
step "unload the bus" rmmod rkm_mdio_sim
step "unload the driver" rmmod rkm_phy
echo "phy_error: PASSED"
