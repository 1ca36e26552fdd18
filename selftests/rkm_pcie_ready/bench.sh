#!/bin/sh
# rkm_pcie_ready's part of `make bench`: time to ready after a secondary bus
# reset, divided by the spec's minimum, for each port speed and policy; and the
# kernel's own bus reset of the same devices. Prints the JSON report
# (scripts/harness/bench.py).
#
# The spec's minimum (PCIe r6.0 sec 6.6.1) is 100 ms after the reset up to
# 5 GT/s, and 100 ms after the link came up above 5 GT/s; the link-up time is
# the one the spec policy saw in the same round (it reads the link first).
# Every number comes from a real reset: the module's sysfs results, and
# reset_timer, which times the write to a reset file from user space.
#
# Each round resets every device three ways, each way first in turn, so that
# a slow moment of the host hits them alike: the module with the spec policy,
# with the kernel policy, and the kernel's own reset (reset_method=bus). A row
# shows the round in the middle by its ratio, and the worst ratio.
set -u
here=$(dirname "$(readlink -f "$0")")
timer=$here/reset_timer
devices=/sys/bus/pci/devices
rounds=9
target=1.05
# vm.conf's root ports: a pci-testdev (no PM capability) at 2.5, 5 and 16 GT/s,
# an e1000e (PM capability) at 2.5 and 16 GT/s.
ports="10 11 12 16 17"

fail() {
	echo "rkm_pcie_ready bench: $*" >&2
	exit 1
}

[ -x "$timer" ] || fail "$timer is missing (make bench builds it)"
# No driver for the e1000e in the perf kernel: this one takes them, named by
# its id parameter (make bench loaded it without).
rmmod rkm_pcie_ready && insmod "$here/../../modules/rkm_pcie_ready/rkm_pcie_ready.ko" id=0x808610d3 ||
	fail "cannot load rkm_pcie_ready with id=0x808610d3"

samples=$(mktemp) || exit 1
trap 'rm -f "$samples"' EXIT

below() {
	for d in "$devices/0000:00:$1.0"/0000:??:??.?; do basename "$d"; done
}

for port in $ports; do
	dev=$(below "$port")
	[ -d "$devices/$dev/rkm_pcie_ready" ] || fail "no device of rkm_pcie_ready below 00:$port.0"
	echo bus >"$devices/$dev/reset_method" || fail "$dev: no bus reset"
	case $(cat "$devices/$dev/vendor"):$(cat "$devices/$dev/device") in
	0x1b36:0x0005) name=pci-testdev ;;
	0x8086:0x10d3) name=e1000e ;;
	*) name=$dev ;;
	esac
	echo "port 00:$port.0 $(cut -d' ' -f1 "$devices/0000:00:$port.0/max_link_speed") $name" >>"$samples"
done

# reset PORT ROUND WAY: one reset, appended to the samples.
reset() {
	dev=$(below "$1")
	files=$devices/$dev/rkm_pcie_ready
	if [ "$3" = own ]; then
		us=$("$timer" "$devices/$dev/reset") || fail "$dev: the kernel's reset failed"
		echo "own 00:$1.0 $2 $us" >>"$samples"
		return
	fi
	echo "$3" >"$files/policy" || fail "$dev: cannot set policy $3"
	us=$("$timer" "$files/reset") || fail "$dev: reset with policy $3 failed"
	echo "$3 00:$1.0 $2 $us $(cd "$files" &&
		cat path link_up_us first_access_us ready_us polls slept_ms verdict | tr '\n' ' ')" >>"$samples"
}

round=1
while [ "$round" -le "$rounds" ]; do
	case $((round % 3)) in
	1) ways="spec kernel own" ;;
	2) ways="kernel own spec" ;;
	0) ways="own spec kernel" ;;
	esac
	for port in $ports; do
		for way in $ways; do reset "$port" "$round" "$way"; done
	done
	round=$((round + 1))
done

awk -v rounds="$rounds" -v target="$target" '
function ms(us) { return us == "none" ? "null" : sprintf("%.2f", us / 1000) }
function str(s) { return "\"" s "\"" }
function ratio(x) { return sprintf("%.3f", x) }
# The round of the median ratio of series s (ratios in r[s, round]); sets worst.
function median_round(r, s,    i, j, t, order) {
	for (i = 1; i <= rounds; i++) {
		order[i] = i
		for (j = i; j > 1 && r[s, order[j]] < r[s, order[j - 1]]; j--) {
			t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
		}
	}
	worst = r[s, order[rounds]]
	return order[int((rounds + 1) / 2)]
}
function judge(way, x) {
	if (x < 1) return "early"
	if (way == "spec") return x <= target ? "met" : "missed"
	return x <= target ? "within" : "over"
}
$1 == "port" { port[++nports] = $2; speed[$2] = $3; device[$2] = $4; next }
$1 == "own" { user[$1, $2, $3] = $4; next }
{
	k = $1 SUBSEP $2 SUBSEP $3
	user[k] = $4; path[k] = $5; link[k] = $6; first[k] = $7; ready[k] = $8
	polls[k] = $9; slept[k] = $10; verdict[k] = $11
}
END {
	for (i = 1; i <= nports; i++) for (rd = 1; rd <= rounds; rd++) {
		p = port[i]; k = "spec" SUBSEP p SUBSEP rd
		if (path[k] ~ /^up-to-5gt/) minimum[p, rd] = 100000
		else if (path[k] == "above-5gt" && link[k] != "none") minimum[p, rd] = link[k] + 100000
		else { printf "%s: no spec minimum for path %s, link up %s\n", p, path[k], link[k] > "/dev/stderr"; exit 1 }
		for (w = 1; w <= 3; w++) {
			way = w == 1 ? "spec" : w == 2 ? "kernel" : "own"
			k = way SUBSEP p SUBSEP rd
			if (way != "own") {
				if (verdict[k] != "ready" && verdict[k] != "no-wait") {
					printf "%s %s round %d: verdict %s\n", p, way, rd, verdict[k] > "/dev/stderr"; exit 1
				}
				module[way, p, rd] = ready[k] / minimum[p, rd]
			}
			timed[way, p, rd] = user[k] / minimum[p, rd]
		}
	}

	printf "{\"suite\": \"rkm_pcie_ready\", \"rounds\": %d, \"target\": %s,\n \"tables\": [\n", rounds, target
	printf "  {\"title\": \"Time to ready after a secondary bus reset, ms after its end, module clock (middle of %d rounds)\",\n", rounds
	printf "   \"columns\": [\"port\", \"GT/s\", \"device\", \"policy\", \"path\", \"polls\", \"asked\", \"link up\", \"first read\", \"ready\", \"spec minimum\", \"ready / minimum\", \"worst\", \"target\", \"result\"],\n"
	printf "   \"rows\": ["
	sep = ""
	for (i = 1; i <= nports; i++) for (w = 1; w <= 2; w++) {
		p = port[i]; way = w == 1 ? "spec" : "kernel"
		rd = median_round(module, way SUBSEP p); k = way SUBSEP p SUBSEP rd
		x = module[way, p, rd]
		printf "%s\n    [%s, %s, %s, %s, %s, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s]", sep,
			str(p), speed[p], str(device[p]), str(way), str(path[k]), polls[k], slept[k],
			ms(link[k]), ms(first[k]), ms(ready[k]), ms(minimum[p, rd]), ratio(x), ratio(worst),
			way == "spec" ? target : "null", str(judge(way, x))
		sep = ","
	}
	printf "]},\n"

	printf "  {\"title\": \"The write to reset timed from user space, ms: the module by policy, the kernel'\''s own bus reset (middle of %d rounds)\",\n", rounds
	printf "   \"columns\": [\"port\", \"GT/s\", \"device\", \"spec\", \"kernel policy\", \"kernel'\''s reset\", \"spec minimum\", \"spec / min\", \"kernel policy / min\", \"kernel'\''s reset / min\", \"result\"],\n"
	printf "   \"rows\": ["
	sep = ""
	for (i = 1; i <= nports; i++) {
		p = port[i]
		printf "%s\n    [%s, %s, %s", sep, str(p), speed[p], str(device[p])
		for (w = 1; w <= 3; w++) {
			way = w == 1 ? "spec" : w == 2 ? "kernel" : "own"
			rd = median_round(timed, way SUBSEP p)
			over[way] = timed[way, p, rd]
			printf ", %s", ms(user[way, p, rd])
		}
		rd = median_round(timed, "own" SUBSEP p)
		printf ", %s, %s, %s, %s, %s]", ms(minimum[p, rd]), ratio(over["spec"]), ratio(over["kernel"]),
			ratio(over["own"]), str(judge("own", over["own"]))
		sep = ","
	}
	printf "]}\n ]}\n"
}' "$samples"
