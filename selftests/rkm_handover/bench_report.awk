# rkm_handover's benchmark report (bench.sh): reads the `timings` lines the
# kernels of the chain kept, each prefixed with the kernel's number:
#   K restored NAME blob_bytes B restore_ns T
#   K published NAME blob_bytes B area_bytes A publish_ns T copy_ns C
# and prints the JSON report scripts/harness/bench.py checks. Run with
# -v sizes="1M 64M 256M" -v kexecs=N. Host-tested (scripts/tests/test_bench.py).

function us(ns) { return sprintf("%.1f", ns / 1000) }
function label(s) { sub(/M$/, " MiB", s); return s }
# Sorts a[1..n] in place and returns its median (the lower middle one).
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j] < a[j - 1]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return a[int((n + 1) / 2)]
}
# The samples of `what` for probe p, in kernel order, as a JSON list of microseconds; sets n.
function series(what, p,    k, out) {
	out = ""; n = 0
	for (k = 1; k <= last; k++)
		if ((what, p, k) in v) { out = out (n ? ", " : "") us(v[what, p, k]); sorted[++n] = v[what, p, k] }
	return "[" out "]"
}
function side(what, samples) {
	return sprintf("{\"what\": \"%s\", \"clock\": \"the module ktime around the restore, at load\", \"samples\": %s}",
		what, samples)
}
{
	k = $1; name = $3
	if (k > last) last = k
	if ($2 == "restored") v["restore", name, k] = $7
	else if ($2 == "published") {
		# Handed over by kernel k, restored by kernel k + 1.
		v["publish", name, k + 1] = $9; v["copy", name, k + 1] = $11; area[name] = $7
	}
}
END {
	count = split(sizes, size, " ")
	for (i = 1; i <= count; i++) for (w = 1; w <= 2; w++) {
		p = (w == 1 ? "bench_" : "copy_") size[i]
		series("restore", p)
		if (n != kexecs) { printf "%s: %d restores, not %d\n", p, n, kexecs > "/dev/stderr"; exit 1 }
	}
	printf "{\"suite\": \"rkm_handover\",\n \"params\": {\"kexecs\": %d, \"sizes\": \"%s\", \"warm_up\": \"intact\"},\n", kexecs, sizes
	printf " \"tables\": [\n"
	printf "  {\"title\": \"Restore at load, us: blob folios adopted in place vs copied into new folios, after the same kexecs (median and range of %d)\",\n", kexecs
	printf "   \"columns\": [\"state\", \"adopt\", \"adopt range\", \"copy\", \"copy range\", \"copy / adopt\", \"target\"],\n   \"rows\": [\n"
	for (i = 1; i <= count; i++) {
		series("restore", "bench_" size[i]); a = median(sorted, n); alo = sorted[1]; ahi = sorted[n]
		series("restore", "copy_" size[i]); c = median(sorted, n); clo = sorted[1]; chi = sorted[n]
		printf "    [\"%s\", %s, \"%s-%s\", %s, \"%s-%s\", %.1f, \"%s restore\"]%s\n", label(size[i]),
			us(a), us(alo), us(ahi), us(c), us(clo), us(chi), c / a, label(size[i]), i < count ? "," : ""
	}
	printf "   ]},\n"
	printf "  {\"title\": \"Serialize before kexec, us: metadata written, blob folios preserved in place; and a copy of the blob into new folios (median of %d)\",\n", kexecs
	printf "   \"columns\": [\"state\", \"area bytes\", \"publish\", \"publish range\", \"copy of the blob\", \"target\"],\n   \"rows\": [\n"
	for (i = 1; i <= count; i++) {
		p = "bench_" size[i]
		series("publish", p); t = median(sorted, n); lo = sorted[1]; hi = sorted[n]
		series("copy", p); c = median(sorted, n)
		printf "    [\"%s\", %s, %s, \"%s-%s\", %s, \"none (informational)\"]%s\n", label(size[i]),
			area[p], us(t), us(lo), us(hi), us(c), i < count ? "," : ""
	}
	printf "   ]}\n ],\n"
	# Adopting must be at least ten times faster than copying, in the same kernels.
	printf " \"targets\": [\n"
	for (i = 1; i <= count; i++) {
		printf "  {\"name\": \"%s restore\", \"max_ratio\": 0.1, \"paired\": true,\n", label(size[i])
		printf "   \"measured\": %s,\n", side("adopt, us", series("restore", "bench_" size[i]))
		printf "   \"baseline\": %s}%s\n", side("restore by copy, us", series("restore", "copy_" size[i])),
			i < count ? "," : ""
	}
	printf " ]}\n"
}
