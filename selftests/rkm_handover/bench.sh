#!/bin/sh
# rkm_handover's part of `make bench`: the blackout cost of a handover of 1,
# 64 and 256 MiB, against copying the data (scripts/guest/bench.sh runs this
# with the module loaded, before and after one kexec).
#
# Before: the bench_* probes are handed over (debugfs `probe`): writing and
# publishing each handover is timed, and copying its blob into new folios.
# Their timings are kept in $RKM_RESULTS, then kexec into the same kernel.
# After: loading the module took each probe over (blob folios adopted in
# place), timed, and copied each blob into new folios, timed. A handover
# that copied its data would pay that copy on top at each end, so the
# baseline is each measured time plus its copy. Prints the JSON report.
dbg=/sys/kernel/debug/rkm_handover
kept=$RKM_RESULTS/rkm_handover.published
sizes="1M 64M 256M"

if [ ! -e "$kept" ]; then
	# The intact probe (64 KiB) goes first at both ends, so that the first
	# measured one does not pay for QEMU translating the code the first time
	# it runs; it is not reported.
	for probe in intact bench_1M bench_64M bench_256M; do
		echo "$probe" >$dbg/probe || exit 1
	done
	cp $dbg/timings "$kept" || exit 1
	sync
	"$(dirname "$0")/kexec_stage" "$RKM_KDIR/arch/x86/boot/bzImage" 2
	echo "kexec failed" >&2
	exit 1
fi

# Every bench probe must have come back intact.
for size in $sizes; do
	grep -q "^bench_$size restored: .*; content intact$" $dbg/probes || {
		echo "bench_$size: $(grep "^bench_$size " $dbg/probes)" >&2
		exit 1
	}
done

# Lines "published|restored NAME blob_bytes B [area_bytes A] publish_ns|restore_ns T copy_ns C"
# of both kernels, as two tables of microseconds.
cat "$kept" $dbg/timings | awk -v sizes="$sizes" '
# A missing measurement is null, never 0.
function us(ns) { return ns == "" ? "null" : sprintf("%.1f", ns / 1000) }
function sum(a, b) { return a == "" || b == "" ? "" : a + b }
function ratio(a, b) { return a == "" || b == "" || b == 0 ? "null" : sprintf("%.1f", a / b) }
function label(s) { sub(/M$/, " MiB", s); return s }
{
	name = substr($2, 7)
	for (i = 3; i < NF; i += 2)
		v[$1, name, $i] = $(i + 1)
}
END {
	n = split(sizes, size, " ")
	printf "{\"suite\": \"rkm_handover\",\n \"params\": {\"samples\": 1, \"sizes\": \"%s\", \"warm_up\": \"intact\"},\n \"tables\": [\n", sizes
	printf "  {\"title\": \"Restore at load, us: blob folios adopted in place vs copied (target: 64 MiB <= 5000 us, >= 10x faster)\",\n"
	printf "   \"columns\": [\"state\", \"adopt\", \"copy baseline\", \"baseline / adopt\"],\n   \"rows\": [\n"
	for (i = 1; i <= n; i++) {
		s = size[i]; t = v["restored", s, "restore_ns"]; c = v["restored", s, "copy_ns"]
		printf "    [\"%s\", %s, %s, %s]%s\n", label(s), us(t), us(sum(t, c)), ratio(sum(t, c), t),
			i < n ? "," : ""
	}
	printf "   ]},\n"
	printf "  {\"title\": \"Serialize before kexec, us: metadata written, blob folios preserved in place vs copied\",\n"
	printf "   \"columns\": [\"state\", \"area bytes\", \"publish\", \"copy baseline\", \"baseline / publish\"],\n   \"rows\": [\n"
	for (i = 1; i <= n; i++) {
		s = size[i]; t = v["published", s, "publish_ns"]; c = v["published", s, "copy_ns"]
		a = v["published", s, "area_bytes"]
		printf "    [\"%s\", %s, %s, %s, %s]%s\n", label(s), a == "" ? "null" : a, us(t), us(sum(t, c)),
			ratio(sum(t, c), t), i < n ? "," : ""
	}
	printf "   ]}\n ]}\n"
}'
