#!/bin/sh
# rkm_handover's part of `make bench`: taking a handover of 1, 64 and 256 MiB
# over by adopting its folios, against a restore that copies them, both
# through the same kexec; repeated along a chain of kexecs, one sample of
# each per kernel. scripts/guest/bench.sh runs this with the module loaded,
# in every kernel of the chain.
#
# Each kernel but the last hands the probes over (debugfs `probe`): for each
# size a bench_ probe, which the next kernel adopts, and a copy_ probe, which
# it copies into new folios and frees (modules/rkm_handover/fixtures.rs).
# Each kernel after the first checks that every probe came back intact and
# keeps the `timings` lines in $RKM_RESULTS; the last prints the JSON report
# (bench_report.awk).
set -u
here=$(dirname "$(readlink -f "$0")")
dbg=/sys/kernel/debug/rkm_handover
kernel_file=$RKM_RESULTS/rkm_handover.kernel
timings=$RKM_RESULTS/rkm_handover.timings
sizes="1M 64M 256M"
kexecs=5

fail() {
	echo "rkm_handover bench: $*" >&2
	exit 1
}

kernel=$(cat "$kernel_file" 2>/dev/null || echo 0)
if [ "$kernel" -gt 0 ]; then
	for size in $sizes; do
		for probe in bench_$size copy_$size; do
			grep -q "^$probe restored: .*; content intact$" $dbg/probes ||
				fail "kernel $kernel: $(grep "^$probe " $dbg/probes)"
		done
	done
	grep '^restored ' $dbg/timings | sed "s/^/$kernel /" >>"$timings" || fail "no timings"
fi
if [ "$kernel" -lt "$kexecs" ]; then
	# The intact probe (64 KiB) goes first at both ends, so that the first
	# measured one does not pay for QEMU translating the code the first time
	# it runs; it is not reported.
	probes=intact
	for size in $sizes; do probes="$probes bench_$size copy_$size"; done
	for probe in $probes; do
		echo "$probe" >$dbg/probe || fail "kernel $kernel: cannot hand $probe over"
	done
	grep '^published ' $dbg/timings | sed "s/^/$kernel /" >>"$timings" || fail "no timings"
	echo $((kernel + 1)) >"$kernel_file"
	sync
	"$here/kexec_stage" "$RKM_KDIR/arch/x86/boot/bzImage" $((kernel + 2))
	fail "kexec failed"
fi
awk -v sizes="$sizes" -v kexecs="$kexecs" -f "$here/bench_report.awk" "$timings"
