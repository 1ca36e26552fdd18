#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DP83TG720 callbacks kernel::net::phy lacks, through ethtool: signal
# quality (SQI) and the TDR cable test with Open Alliance fault reports.
source "$(dirname "$(readlink -f "$0")")/phy_lib.sh"

phy_test_begin 11
trap restore_modules EXIT

sim_start
ports_up rkmsim4 rkmsim1 || ktap_print_msg "no carrier"

sqi_is() { ethtool_shows rkmsim4 SQI "$1"; }
check "SQI 6 of 7 by default" sqi_is 6/7
sqi_follows() { knob rkmsim4/sqi 3 && sqi_is 3/7; }
check "SQI follows the partner's signal" sqi_follows

out=/tmp/rkm_phy_cable_test.txt
# Runs a cable test over a cable in state $1, the output in $out; the link
# comes back after it.
cable_test() {
	knob rkmsim4/cable "$1" || return 1
	echo clear >"$DBG/rkmsim4/trace"
	ethtool --cable-test rkmsim4 >$out 2>&1
	local rc=$?
	knob rkmsim4/cable ok
	while read -r line; do ktap_print_msg "$line"; done <$out
	return $rc
}
reports() { cable_test "$1" && has_line $out "Pair A code $2"; }
located() { has_line $out "Pair A, fault length: $1"; }

check "cable OK" reports ok OK
check "open circuit 12 m away" eval 'reports "open 12" "Open Circuit" && located 12.00m'
check "short within the pair 3 m away" eval 'reports "short 3" "Short within Pair" && located 3.00m'
# ethtool 6.1 has no name for ETHTOOL_A_CABLE_RESULT_CODE_NOISE.
check "noise: a code ethtool 6.1 calls Unknown, no distance" \
	eval 'reports noise Unknown && ! has_match $out "fault length"'
# The TDR fails with an active partner: result unspecified, no fault
# status read.
active_partner() {
	knob rkmsim4/partner_active 1 && reports ok Unknown || return 1
	knob rkmsim4/partner_active 0
	! has_match "$DBG/rkmsim4/trace" "mmd 31.0x030f"
}
check "active partner: TDR fails, result unspecified" active_partner
check "the link comes back after the cable test" wait_carrier rkmsim4 1

down_refused() {
	ip link set rkmsim4 down && ! ethtool --cable-test rkmsim4 >/dev/null 2>&1
}
check "no cable test with the interface down" down_refused
asix_unsupported() { ! ethtool --cable-test rkmsim1 >/dev/null 2>&1; }
check "no cable test on the Asix PHYs" asix_unsupported
# Without link phylib answers -ENETDOWN before asking the driver
# (linkstate_get_sqi() in net/ethtool/linkstate.c), so the reply has no SQI
# and ethtool prints no SQI line.
sqi_down() {
	local out lines l ok=1
	out=$(ethtool rkmsim4) || return 1
	mapfile -t lines <<<"$out"
	for l in "${lines[@]}"; do
		[[ $l =~ ^[[:space:]]*Link\ detected:\ no$ ]] && ok=0
	done
	[ $ok -eq 0 ] && [[ $out != *SQI* ]]
}
check "without link ethtool shows no SQI line" sqi_down

rm -f $out
ktap_finished
