# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the rkm_phy tests (sourced). The harness loads rkm_phy.ko before
# the tests and unloads it after; the emulated bus (rkm_mdio_sim.ko) is loaded
# by the tests themselves, after the PHY drivers they want bound, and every
# test leaves the modules as it found them: rkm_phy loaded, the bus and the
# in-tree drivers not. A test skips only when rkm_phy is not loaded at all;
# a bus that loaded without a port's netdev, PHY device or debugfs directory
# is a failure.
#
# Module autoload is off while a test runs (empty kernel.modprobe): phylib
# would load the in-tree drivers for the emulated PHYs otherwise. The
# autoload test turns it on its own way.

DIR="$(dirname "$(readlink -f "$0")")"
# Without the helpers nothing can be reported: a failure, not a skip.
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

# build/kselftest/rkm_phy -> the repository.
ROOT=$(readlink -f "$DIR/../../..")
SIM_KO=$ROOT/modules/rkm_mdio_sim/rkm_mdio_sim.ko
PHY_KO=$ROOT/modules/rkm_phy/rkm_phy.ko
DBG=/sys/kernel/debug/rkm_mdio_sim
MDIO=/sys/bus/mdio_bus/devices
# The default bus: AX88772A at 1, AX88772C at 2, AX88796B at 3, DP83TG720 at 4.
PORTS="rkmsim1 rkmsim2 rkmsim3 rkmsim4"
# The in-tree drivers of the same PHYs (ax88796b_rust.ko is the Rust one).
INTREE="ax88796b_rust dp83tg720"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
MODPROBE=$(cat /proc/sys/kernel/modprobe)

loaded() { grep -q "^$1 " /proc/modules; }

# The KTAP header and plan $1, or a skip of the whole test when the harness
# did not load rkm_phy. Module autoload goes off (restore_modules turns it
# back on).
phy_test_begin() {
	ktap_print_header
	if ! [ -d /sys/module/rkm_phy ]; then
		ktap_skip_all "rkm_phy is not loaded"
		exit "$KSFT_SKIP"
	fi
	ktap_set_plan "$1"
	echo >/proc/sys/kernel/modprobe
}

sim_load() { insmod "$SIM_KO" "$@"; }

# Whether the default bus's ports are all there: each netdev, PHY device and
# debugfs directory (a message names the first one missing).
ports_present() {
	local a f
	for a in 1 2 3 4; do
		for f in "/sys/class/net/rkmsim$a" "$MDIO/rkm-mdio-sim:0$a" "$DBG/rkmsim$a"; do
			if ! [ -e "$f" ]; then
				ktap_print_msg "rkm_mdio_sim is loaded but $f is missing"
				return 1
			fi
		done
	done
}

# The default bus with the rkm drivers bound, or the test fails.
sim_start() {
	use_rkm_drivers
	sim_load "$@" || ktap_exit_fail_msg "cannot load rkm_mdio_sim"
	ports_present || ktap_exit_fail_msg "a port of rkm_mdio_sim is missing"
}

sim_unload() {
	if loaded rkm_mdio_sim; then rmmod rkm_mdio_sim; fi
}

# The rkm drivers, and only them, ready to bind.
use_rkm_drivers() {
	local m
	sim_unload
	for m in $INTREE; do
		if loaded "$m"; then rmmod "$m"; fi
	done
	loaded rkm_phy || insmod "$PHY_KO"
}

# The in-tree drivers, and only them, ready to bind.
use_intree_drivers() {
	local m
	sim_unload
	if loaded rkm_phy; then rmmod rkm_phy; fi
	for m in $INTREE; do
		modprobe "$m" || return 1
	done
}

# Back to the state the harness left: rkm_phy loaded, nothing else.
restore_modules() {
	use_rkm_drivers
	echo "$MODPROBE" >/proc/sys/kernel/modprobe
}

# The name of the driver bound to the PHY at bus address $1.
phy_driver() {
	basename "$(readlink "$MDIO/rkm-mdio-sim:$(printf %02x "$1")/driver")"
}

# Runs "$@" every 0.2 s until it succeeds, for at most $1 seconds. Deadlines
# are generous: under TCG on a busy host a test process may not run for
# seconds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

# sysfs attribute $2 of netdev $1, empty when it cannot be read (carrier of a
# netdev that is down).
netdev_attr() {
	local value=""
	read -r value <"/sys/class/net/$1/$2" 2>/dev/null
	echo "$value"
}

carrier_is() { [ "$(netdev_attr "$1" carrier)" = "$2" ]; }

# Waits up to $3 seconds (default 30) for the carrier of $1 to read $2.
wait_carrier() { wait_until "${3:-30}" carrier_is "$1" "$2"; }

carrier_downs() { netdev_attr "$1" carrier_down_count; }
downs_above() { [ "$(carrier_downs "$1")" -gt "$2" ]; }

# Runs "$@", then waits until port $1 lost its carrier and got it back. A
# renegotiation takes the carrier away for about one phylib poll (1 s), which
# a sampling test process can miss: the netdev's carrier_down_count cannot.
flap_after() {
	local port=$1 before
	shift
	before=$(carrier_downs "$port")
	"$@" || return 1
	wait_until 30 downs_above "$port" "$before" && wait_carrier "$port" 1
}

# Runs "$@", then waits until port $1 lost its carrier.
loses_carrier_after() {
	local port=$1 before
	shift
	before=$(carrier_downs "$port")
	"$@" && wait_until 30 downs_above "$port" "$before"
}

# Field $2 ("Speed", "Duplex", ...) of `ethtool $1`.
ethtool_field() {
	ethtool "$1" | sed -n "s/^[[:space:]]*$2: //p"
}

# Whether `ethtool $1` shows speed $2 and duplex $3.
link_mode_is() {
	[ "$(ethtool_field "$1" Speed)" = "$2" ] && [ "$(ethtool_field "$1" Duplex)" = "$3" ]
}

# Value of clause 22 register $2 of port $1, as the regs file shows it.
reg() {
	awk -v r="$(printf 0x%02x "$2")" '$1 == r { print $2 }' "$DBG/$1/regs"
}

# Whether the PHY of port $1 is powered down (BMCR bit 11, PDOWN).
powered_down() { [ $(($(reg "$1" 0) & 0x0800)) -ne 0 ]; }

# Writes $2 to debugfs file $1 of a port; fails if the write fails.
knob() {
	echo "$2" >"$DBG/$1" 2>/dev/null
}

# Whether writing $2 to debugfs file $1 fails with EINVAL.
rejects() {
	local err
	err=$( { printf '%s' "$2" >"$DBG/$1"; } 2>&1) && return 1
	case $err in *"Invalid argument"*) return 0 ;; esac
	ktap_print_msg "$1 <- '$2': $err"
	return 1
}

# The writes in port $1's trace: "<reg> <value>[ mmd <devad>.<reg>]".
trace_writes() {
	awk '$2 == "w" { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$DBG/$1/trace"
}

# ktap_test_result, keeping the command's arguments whole. The time each
# check took is printed: the suite's share of `make check` is watched.
check() {
	local what=$1 start=$SECONDS
	shift
	"$@"
	local rc=$?
	ktap_print_msg "$((SECONDS - start)) s"
	if [ $rc -eq 0 ]; then
		ktap_test_pass "$what"
	else
		ktap_test_fail "$what"
	fi
}

# Brings the ports in $@ up and waits for their carrier.
ports_up() {
	local p ok=0
	for p in "$@"; do ip link set "$p" up || ok=1; done
	for p in "$@"; do wait_carrier "$p" 1 || ok=1; done
	return $ok
}

# The kernel log since mark $1 (a line count of dmesg taken earlier).
log_since() {
	dmesg | tail -n +$(($1 + 1))
}

log_mark() {
	dmesg | wc -l
}
