#!/bin/sh
# rkm_pcie_ready: reset the device behind each root port of vm.conf with both
# policies and show what each wait did; then the kernel's own bus reset of a
# device with and without PM, timed from user space, for comparison.
here=$(dirname "$(readlink -f "$0")")
root=$here/../..
timer=$root/build/kselftest/rkm_pcie_ready/reset_timer
devices=/sys/bus/pci/devices

# The e1000e have no driver here: bind them too, with the id parameter.
rmmod rkm_pcie_ready
insmod "$root/modules/rkm_pcie_ready/rkm_pcie_ready.ko" id=0x808610d3 || exit 1

below() {
	for d in "$devices/$1"/0000:??:??.?; do basename "$d"; done
}

echo "Times in ms after the end of the reset; the spec's minimum is 100 ms after"
echo "the reset (up to 5 GT/s) or after the link is up (above 5 GT/s). slept: the"
echo "sleeps the policy asked for; the rest is the VM and the machine."
printf '%-8s %-9s %-8s %-7s %-20s %-6s %-8s %-8s %-8s %-6s %s\n' \
	port speed device policy path slept link_up first ready polls verdict
for port in 10 11 12 16 17; do
	bdf=0000:00:$port.0
	dev=$(below "$bdf")
	files=$devices/$dev/rkm_pcie_ready
	speed=$(cut -d' ' -f1 "$devices/$bdf/max_link_speed")
	name=$(cat "$devices/$dev/vendor"):$(cat "$devices/$dev/device")
	case $name in
	0x1b36:0x0005) name=testdev ;;
	0x8086:0x10d3) name=e1000e ;;
	esac
	for policy in kernel spec; do
		echo "$policy" >"$files/policy"
		echo 1 >"$files/reset" 2>/dev/null
		ms() {
			v=$(cat "$files/$1")
			[ "$v" = none ] && echo - || echo "$v" | awk '{ printf "%.1f", $1 / 1000 }'
		}
		printf '%-8s %-9s %-8s %-7s %-20s %-6s %-8s %-8s %-8s %-6s %s\n' \
			"00:$port.0" "$speed GT/s" "$name" "$policy" "$(cat "$files/path")" \
			"$(cat "$files/slept_ms")" "$(ms link_up_us)" "$(ms first_access_us)" "$(ms ready_us)" \
			"$(cat "$files/polls")" "$(cat "$files/verdict")"
	done
done
echo
echo "The kernel's own bus reset (reset_method=bus), the write to 'reset' timed from user space:"
for port in 14 15 10; do
	bdf=0000:00:$port.0
	dev=$(below "$bdf")
	echo bus >"$devices/$dev/reset_method"
	us=$("$timer" "$devices/$dev/reset")
	case $(cat "$devices/$dev/device") in
	0x1044) name="virtio-rng (PM)" ;;
	*) name="testdev (no PM)" ;;
	esac
	printf '  00:%s.0 %-9s %-16s %s ms\n' "$port" \
		"$(cut -d' ' -f1 "$devices/$bdf/max_link_speed") GT/s" "$name" \
		"$(echo "$us" | awk '{ printf "%.1f", $1 / 1000 }')"
done
