#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module autoload by modalias: rkm_phy.ko carries an "mdio:" alias per PHY
# id, and phylib asks for the module of each PHY id it finds on a bus. The
# guest's modprobe only knows the tree's modules, so the test installs
# rkm_phy.ko in a module tree of its own (depmod -b) and points the kernel's
# modprobe helper at a wrapper using that tree.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 4

work=$(mktemp -d)
cleanup() {
	restore_modules
	rm -rf "$work"
}
trap cleanup EXIT

aliases() {
	[ "$(modinfo -F alias "$PHY_KO" | LC_ALL=C sort | tr '\n' ' ')" = \
		"mdio:0000000000111011000110000100???? mdio:00000000001110110001100001100001 mdio:00000000001110110001100010000001 mdio:0010000000000000101000101000???? " ]
}
check "rkm_phy.ko has an mdio alias per PHY id" aliases

install_tree() {
	local kver dest
	kver=$(uname -r)
	dest=$work/lib/modules/$kver/extra
	mkdir -p "$dest" && cp "$PHY_KO" "$dest/" && depmod -b "$work" "$kver" 2>/dev/null &&
		grep -q "rkm_phy$" "$work/lib/modules/$kver/modules.alias" || return 1
	printf '#!/bin/sh\necho "$*" >>%s/requests\nexec /sbin/modprobe -d %s "$@"\n' \
		"$work" "$work" >"$work/modprobe"
	chmod +x "$work/modprobe"
}
check "a module tree with rkm_phy.ko" install_tree

autoload() {
	use_rkm_drivers && rmmod rkm_phy || return 1
	echo "$work/modprobe" >/proc/sys/kernel/modprobe
	sim_load && loaded rkm_phy &&
		grep -q "mdio:00000000001110110001100001100001" "$work/requests"
}
check "loading the bus loads rkm_phy by modalias" autoload
bound() {
	bound_to 1 "rkm Asix Electronics AX88772A" && bound_to 4 "rkm TI DP83TG720S"
}
check "and its drivers bind" bound

ktap_finished
