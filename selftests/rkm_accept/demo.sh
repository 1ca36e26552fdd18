#!/bin/sh
# rkm_accept watched: map the region, touch pages, see the bitmap fill in and
# the counters move; then the time to first use of a region loaded lazily and
# eagerly. Runs in the demo VM with the module loaded with its defaults.
tool=$RKM_ROOT/build/kselftest/rkm_accept/accept_tool
ko=$RKM_ROOT/modules/rkm_accept/rkm_accept.ko
stat() { "$tool" stats | sed -n "s/^$1=//p"; }
show() { printf '  %-40s %s\n' "$1" "$("$tool" bitmap)"; }
unit=$(stat unit_size)

echo "region: $(stat units) units of $((unit / 1024)) KiB," \
	"backend $(cat /sys/module/rkm_accept/parameters/backend)," \
	"mode $(cat /sys/module/rkm_accept/parameters/mode)"
echo "bitmap, one character a unit ('#' unaccepted, '.' accepted):"
show "at load"
"$tool" touch 0 && show "touch unit 0"
"$tool" touch 5 7 && show "touch page 7 of unit 5"
"$tool" touch 9 -1 && show "touch the last page of unit 9 (and 10)"
"$tool" accept $((20 * unit)) $((2 * unit)) && show "ACCEPT units 20-21 (and the guard 22)"
"$tool" touch 20 && show "touch unit 20 (accepted already)"
echo "counters:"
"$tool" stats | grep -E '^(unaccepted_units|units_accepted|backend_calls|faults|faults_waited|double_accepts|accept_ns)=' |
	sed 's/^/  /'
echo "the guest's own unaccepted memory:"
sed 's/^/  /' /sys/kernel/debug/rkm_accept/firmware
echo "  /proc/meminfo: $(grep '^Unaccepted:' /proc/meminfo)"

echo "lazy vs eager, a 256 MiB region:"
for mode in lazy eager; do
	rmmod rkm_accept
	start=$(date +%s%N)
	insmod "$ko" mode=$mode size=$((256 << 20)) || continue
	loaded=$(date +%s%N)
	first=$("$tool" first-use)
	echo "  mode=$mode: load $(((loaded - start) / 1000000)) ms, first use $first us," \
		"$(stat unaccepted_units) units left unaccepted"
done
rmmod rkm_accept
insmod "$ko"
