#!/bin/sh
# rkm_handover in the demo VM: store records and a blob, kexec into the same
# kernel, show them back with the generation and what the handover cost. The
# guest runs the demo again after the kexec; $RKM_RESULTS/rkm_handover.kept
# (the blob's digest) says which side of it this is.
ctl=$RKM_ROOT/build/kselftest/rkm_handover/handoverctl
dbg=/sys/kernel/debug/rkm_handover
kept=$RKM_RESULTS/rkm_handover.kept

field() { sed -n "s/^$1: //p" $dbg/status; }
show() {
	"$ctl" list | sed 's/^/  /'
	echo "blob sha256: $("$ctl" read firmware.cache | sha256sum | cut -d' ' -f1)"
}

if [ -e "$kept" ]; then
	echo "after kexec, module loaded again: $(field restore)"
	echo "generation $(field generation); finding and taking it over took $(field restore_ns) ns"
	show
	echo "blob sha256 before kexec: $(cat "$kept")"
	exit 0
fi

"$ctl" put host.name demo-vm
"$ctl" put boot.count 1
"$ctl" put mtu 9000
head -c 3000000 /dev/urandom >/tmp/demo.blob
"$ctl" attach firmware.cache /tmp/demo.blob
rm -f /tmp/demo.blob
echo "generation $(field generation), stored:"
show
if ! "$ctl" prepare 2>/dev/null; then
	echo "not handed over: KHO is disabled (boot with kho=on)"
	exit 0
fi
echo "prepared for kexec: $(field prepared) written in $(field publish_ns) ns (the blob's folios are preserved in place)"
"$ctl" read firmware.cache | sha256sum | cut -d' ' -f1 >"$kept"
echo "kexec into the same kernel ..."
"$RKM_ROOT/build/kselftest/rkm_handover/kexec_stage" "$RKM_KDIR/arch/x86/boot/bzImage" 2
echo "kexec failed"
