#!/bin/sh
# The Rust PHY drivers on the emulated MDIO bus: each PHY brought up, its
# link flapped, a DP83TG720 cable test over a cable open 9 m away, and what
# ethtool shows. rkm_phy.ko is loaded; the bus is loaded here.
root=$(readlink -f "$(dirname "$0")/../..")
dbg=/sys/kernel/debug/rkm_mdio_sim
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

carrier() {
	i=0
	while [ "$(cat /sys/class/net/$1/carrier 2>/dev/null)" != "$2" ] && [ $i -lt 75 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "$1: carrier $(cat /sys/class/net/$1/carrier)"
}

insmod "$root/modules/rkm_mdio_sim/rkm_mdio_sim.ko" || exit 1
for p in rkmsim1 rkmsim2 rkmsim3 rkmsim4; do
	addr=${p#rkmsim}
	echo "== $p: $(cat $dbg/$p/model), driver:" \
		"$(basename "$(readlink /sys/bus/mdio_bus/devices/rkm-mdio-sim:0$addr/driver)")"
	ip link set "$p" up
	carrier "$p" 1
	ethtool "$p" | grep -E "Speed|Duplex|Auto-negotiation|master-slave|Link detected|SQI"
	echo "-- partner link down"
	echo down >"$dbg/$p/link"
	carrier "$p" 0
	echo "-- partner link up"
	echo up >"$dbg/$p/link"
	carrier "$p" 1
	ethtool "$p" | grep -E "Speed|Duplex"
done
echo "== rkmsim4: cable test, cable open 9 m away"
echo "open 9" >"$dbg/rkmsim4/cable"
ethtool --cable-test rkmsim4
echo ok >"$dbg/rkmsim4/cable"
echo "== rkmsim4: MDIO traffic per register since power-up"
cat "$dbg/rkmsim4/counters"
for p in rkmsim1 rkmsim2 rkmsim3 rkmsim4; do ip link set "$p" down; done
rmmod rkm_mdio_sim
