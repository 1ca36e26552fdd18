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
#
# Every process the tests start costs 0.5 to 1.5 s in the guest (TCG, KASAN,
# lockdep, kmemleak): the helpers use bash builtins where a builtin can say
# the same, and set variables instead of printing into $(...).

# The tests source this file as "$(dirname "$(readlink -f "$0")")/phy_lib.sh".
DIR=${BASH_SOURCE[0]%/*}
# Without the helpers nothing can be reported: a failure, not a skip.
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

# build/kselftest/rkm_phy -> the repository (cd -P resolves the path as
# readlink -f does).
ROOT=
if cd -P "$DIR/../../.."; then
	ROOT=$PWD
	cd "$OLDPWD" || exit 1
fi
SIM_KO=$ROOT/modules/rkm_mdio_sim/rkm_mdio_sim.ko
PHY_KO=$ROOT/modules/rkm_phy/rkm_phy.ko
DBG=/sys/kernel/debug/rkm_mdio_sim
MDIO=/sys/bus/mdio_bus/devices
# The default bus: AX88772A at 1, AX88772C at 2, AX88796B at 3, DP83TG720 at 4.
PORTS="rkmsim1 rkmsim2 rkmsim3 rkmsim4"
# The in-tree drivers of the same PHYs (ax88796b_rust.ko is the Rust one).
INTREE="ax88796b_rust dp83tg720"

# As `mountpoint -q /sys/kernel/debug`.
debugfs_mounted() {
	local dir rest
	while read -r _ dir rest; do
		[ "$dir" = /sys/kernel/debug ] && return 0
	done </proc/self/mounts
	return 1
}
debugfs_mounted || mount -t debugfs none /sys/kernel/debug
read -r MODPROBE </proc/sys/kernel/modprobe

# Whether module $1 is in /proc/modules. /sys/module/$1 can exist for a
# built-in module too (parameters, version); initstate only for a loaded one.
loaded() { [ -e "/sys/module/$1/initstate" ]; }

# rkm_phy's reference count, as /proc/modules shows it, is $1.
phy_users_are() {
	local n=""
	read -r n </sys/module/rkm_phy/refcnt
	[ "$n" -eq "$1" ]
}

# Sleeps $1 seconds without a sleep process: a read that times out on a pipe
# nothing writes to (opened here once, read and write, so it never ends).
# Succeeds, as sleep does, when the read timed out (status > 128); read's own
# status would fail every `nap && ...` and every loop a nap ends.
exec {NAP_FD}<> <(:)
nap() {
	read -r -t "$1" -u "$NAP_FD"
	(($? > 128))
}

# The whole of file $1, byte for byte (bash drops NULs), in CONTENT; fails
# when the file cannot be opened.
slurp() {
	local lines IFS=
	CONTENT=
	mapfile lines <"$1" || return 1
	CONTENT="${lines[*]}"
}

# Whether "$(cat "$1")" would be $2 (trailing newlines do not count).
file_is() {
	slurp "$1" || return 1
	while [[ $CONTENT == *$'\n' ]]; do CONTENT=${CONTENT%$'\n'}; done
	[ "$CONTENT" = "$2" ]
}

# Whether a line of file $1 matches extended regex $2, as `grep -qE`.
has_match() {
	local l lines
	mapfile -t lines <"$1" || return 1
	for l in "${lines[@]}"; do
		[[ $l =~ $2 ]] && return 0
	done
	return 1
}

# Whether a whole line of file $1 matches $2, as `grep -qx` (the patterns the
# tests give mean the same as basic and as extended regexes).
has_line() { has_match "$1" "^($2)\$"; }

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

# The name of the driver bound to the PHY at bus address $1 in DRIVER, empty
# when none is: the driver directory the device's driver link resolves to
# (-ef, a stat of each, instead of basename and readlink).
driver_of() {
	local addr d
	printf -v addr %02x "$1"
	DRIVER=
	for d in /sys/bus/mdio_bus/drivers/*; do
		if [ "$MDIO/rkm-mdio-sim:$addr/driver" -ef "$d" ]; then
			DRIVER=${d##*/}
			return 0
		fi
	done
}

# Prints the name of the driver bound to the PHY at bus address $1.
phy_driver() {
	driver_of "$1"
	printf '%s\n' "$DRIVER"
}

# Whether the PHY at bus address $1 is bound to the driver named $2.
bound_to() {
	local addr
	printf -v addr %02x "$1"
	[ "$MDIO/rkm-mdio-sim:$addr/driver" -ef "/sys/bus/mdio_bus/drivers/$2" ] && return 0
	driver_of "$1"
	ktap_print_msg "PHY $addr: driver '$DRIVER', not '$2'"
	return 1
}

# Runs "$@" every 0.2 s until it succeeds, for at most $1 seconds. Deadlines
# are generous: under TCG on a busy host a test process may not run for
# seconds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		nap 0.2
	done
	# An until loop's status is its body's last one: success, whatever the
	# nap returned.
	return 0
}

# sysfs attribute $2 of netdev $1 in ATTR, empty when it cannot be read
# (carrier of a netdev that is down).
netdev_attr() {
	ATTR=""
	read -r ATTR <"/sys/class/net/$1/$2" 2>/dev/null
	return 0
}

carrier_is() { netdev_attr "$1" carrier && [ "$ATTR" = "$2" ]; }

# Waits up to $3 seconds (default 30) for the carrier of $1 to read $2.
wait_carrier() { wait_until "${3:-30}" carrier_is "$1" "$2"; }

# The carrier_down_count of netdev $1 in ATTR.
carrier_downs() { netdev_attr "$1" carrier_down_count; }
downs_above() { carrier_downs "$1" && [ "$ATTR" -gt "$2" ]; }

# Runs "$@", then waits until port $1 lost its carrier and got it back. A
# renegotiation takes the carrier away for about one phylib poll (1 s), which
# a sampling test process can miss: the netdev's carrier_down_count cannot.
flap_after() {
	local port=$1 before
	shift
	carrier_downs "$port"
	before=$ATTR
	"$@" || return 1
	wait_until 30 downs_above "$port" "$before" && wait_carrier "$port" 1
}

# Runs "$@", then waits until port $1 lost its carrier.
loses_carrier_after() {
	local port=$1 before
	shift
	carrier_downs "$port"
	before=$ATTR
	"$@" && wait_until 30 downs_above "$port" "$before"
}

# Whether one run of `ethtool $1` shows field $2 ("Speed", "Duplex", ...)
# with value $3, field $4 with value $5, and so on. A field's value is what
# `sed -n "s/^[[:space:]]*$2: //p"` prints (matching lines joined by newlines,
# trailing newlines dropped).
ethtool_shows() {
	local lines l name value
	mapfile -t lines < <(ethtool "$1")
	shift
	while [ $# -ge 2 ]; do
		name=$1 value=
		for l in "${lines[@]}"; do
			l=${l#"${l%%[![:space:]]*}"}
			[[ $l == "$name: "* ]] && value+=${l#"$name: "}$'\n'
		done
		while [[ $value == *$'\n' ]]; do value=${value%$'\n'}; done
		[ "$value" = "$2" ] || return 1
		shift 2
	done
}

# Whether `ethtool $1` shows speed $2 and duplex $3.
link_mode_is() { ethtool_shows "$1" Speed "$2" Duplex "$3"; }

# Value of clause 22 register $2 of port $1 in REG, as the regs file shows
# it ("<reg> <value>" lines, as awk '$1 == reg { print $2 }' picked it).
reg() {
	local want r v rest
	printf -v want 0x%02x "$2"
	REG=
	while read -r r v rest; do
		[ "$r" = "$want" ] && REG+=${REG:+$'\n'}$v
	done <"$DBG/$1/regs"
	return 0
}

# Whether the PHY of port $1 is powered down (BMCR bit 11, PDOWN). $REG is
# expanded as text, as $(reg) was: empty is an error, not 0.
# shellcheck disable=SC2004
powered_down() { reg "$1" 0 && [ $(($REG & 0x0800)) -ne 0 ]; }

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

# The writes in port $1's trace in the array WRITES, one per write:
# "<reg> <value>[ mmd <devad>.<reg>]" (the fields after time and "w", joined
# by single spaces).
trace_writes() {
	local lines l f IFS=' '
	WRITES=()
	mapfile -t lines <"$DBG/$1/trace" || return 1
	for l in "${lines[@]}"; do
		IFS=$' \t' read -r -a f <<<"$l"
		[ "${f[1]}" = w ] && WRITES+=("${f[*]:2}")
	done
	return 0
}

# Whether a write in port $1's trace matches extended regex $2.
writes_match() {
	local w
	trace_writes "$1" || return 1
	for w in "${WRITES[@]}"; do
		[[ $w =~ $2 ]] && return 0
	done
	return 1
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

# `ip link set $1`, `ip link set $2`, ... in one ip process, stopping at the
# first that fails, as a chain of `ip link set ... &&` would.
links() {
	local cmds
	printf -v cmds 'link set %s\n' "$@"
	ip -batch - <<<"$cmds"
}

# Brings the ports in $@ up and waits for their carrier. One ip for all
# ports, which goes on past a port it cannot bring up (-force).
ports_up() {
	local p ok=0 cmds
	printf -v cmds 'link set %s up\n' "$@"
	ip -force -batch - <<<"$cmds" || ok=1
	for p in "$@"; do wait_carrier "$p" 1 || ok=1; done
	return $ok
}

# Whether a line of the kernel log since mark $1 matches extended regex $2.
log_since() {
	local lines i
	mapfile -t lines < <(dmesg)
	for ((i = $1; i < ${#lines[@]}; i++)); do
		[[ ${lines[i]} =~ $2 ]] && return 0
	done
	return 1
}

# The mark log_since takes, in MARK: the kernel log's line count.
log_mark() {
	local lines
	mapfile -t lines < <(dmesg)
	MARK=${#lines[@]}
}
