# rkm_pcie_ready's benchmark report (bench.sh): reads its samples, prints the
# JSON report scripts/harness/bench.py checks. Input lines:
#   port PORT GT/s DEVICE
#   own PORT ROUND WRITE_US BACK_US HELD_US
#   spec|kernel PORT ROUND WRITE_US BACK_US HELD_US PATH LINK_UP FIRST READY POLLS SLEPT VERDICT
# Run with -v rounds=N. Host-tested (scripts/tests/test_bench.py).
function ms(us) { return us == "none" || us == "" ? "null" : sprintf("%.2f", us / 1000) }
function str(s) { return "\"" s "\"" }
function ratio(x) { return sprintf("%.3f", x) }
# The round of the median of series s (values in r[s, round]); sets lowest.
function median_round(r, s,    i, j, t, order) {
	for (i = 1; i <= rounds; i++) {
		order[i] = i
		for (j = i; j > 1 && r[s, order[j]] < r[s, order[j - 1]]; j--) {
			t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
		}
	}
	lowest = r[s, order[1]]
	return order[int((rounds + 1) / 2)]
}
# The samples of one way and port over the rounds, in microseconds, as a JSON list.
function series(a, way, p,    rd, out) {
	out = ""
	for (rd = 1; rd <= rounds; rd++) out = out (rd > 1 ? ", " : "") a[way, p, rd]
	return "[" out "]"
}
function side(what, clock, samples) {
	return sprintf("{\"what\": \"%s\", \"clock\": \"%s\", \"samples\": %s}", what, clock, samples)
}
$1 == "port" { port[++nports] = $2; speed[$2] = $3; device[$2] = $4; next }
{
	k = $1 SUBSEP $2 SUBSEP $3
	write[k] = $4; back[k] = $5; held[k] = $6
	path[k] = $7; link[k] = $8; first[k] = $9; ready[k] = $10
	polls[k] = $11; slept[k] = $12; verdict[k] = $13
}
END {
	user = "CLOCK_MONOTONIC in user space, from the write"
	module = "the module ktime, from the end of the reset"
	for (i = 1; i <= nports; i++) for (rd = 1; rd <= rounds; rd++) {
		p = port[i]; k = "spec" SUBSEP p SUBSEP rd
		if (path[k] ~ /^up-to-5gt/) minimum[p, rd] = 100000
		else if (path[k] == "above-5gt" && link[k] != "none") minimum[p, rd] = link[k] + 100000
		else { printf "%s: no spec minimum for path %s, link up %s\n", p, path[k], link[k] > "/dev/stderr"; exit 1 }
		for (w = 1; w <= 3; w++) {
			way = w == 1 ? "spec" : w == 2 ? "kernel" : "own"
			k = way SUBSEP p SUBSEP rd
			if (way != "own" && verdict[k] != "ready" && verdict[k] != "no-wait") {
				printf "%s %s round %d: verdict %s\n", p, way, rd, verdict[k] > "/dev/stderr"; exit 1
			}
			if (back[k] <= 0 || (way != "own" && ready[k] <= 0)) {
				printf "%s %s round %d: no time (back %s, ready %s)\n", p, way, rd, back[k], ready[k] > "/dev/stderr"; exit 1
			}
			over[way, p, rd] = back[k] / minimum[p, rd]
		}
	}

	printf "{\"suite\": \"rkm_pcie_ready\", \"rounds\": %d,\n \"tables\": [\n", rounds
	printf "  {\"title\": \"Time to ready after a secondary bus reset, ms: the module clock from the end of the reset, user space from the write (middle of %d rounds by user space)\",\n", rounds
	printf "   \"columns\": [\"port\", \"GT/s\", \"device\", \"reset by\", \"path\", \"polls\", \"asked\", \"module: link up\", \"module: first read\", \"module: ready\", \"user: write returned\", \"user: device back\", \"user: held off\", \"spec minimum\", \"back / minimum\", \"lowest\", \"target\"],\n"
	printf "   \"rows\": ["
	sep = ""
	for (i = 1; i <= nports; i++) for (w = 1; w <= 3; w++) {
		p = port[i]; way = w == 1 ? "spec" : w == 2 ? "module, kernel policy" : "the kernel (reset_method bus)"
		key = w == 1 ? "spec" : w == 2 ? "kernel" : "own"
		rd = median_round(over, key SUBSEP p); k = key SUBSEP p SUBSEP rd
		if (key == "spec") tname = p " spec: user space vs module clock"
		else if (key == "own" && device[p] == "e1000e") tname = p " spec vs the kernel reset"
		else tname = "none (informational)"
		if (key == "spec") way = "module, spec policy"
		printf "%s\n    [%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s]", sep,
			str(p), speed[p], str(device[p]), str(way), key == "own" ? "null" : str(path[k]),
			key == "own" ? "null" : polls[k], key == "own" ? "null" : slept[k],
			ms(link[k]), ms(first[k]), ms(ready[k]), ms(write[k]), ms(back[k]), ms(held[k]),
			ms(minimum[p, rd]), ratio(over[key, p, rd]), ratio(lowest), str(tname)
		sep = ","
	}
	printf "]}\n ],\n \"targets\": ["
	sep = ""
	for (i = 1; i <= nports; i++) {
		p = port[i]
		# The device is given back after the module says it is ready: the two clocks agree.
		printf "%s\n  {\"name\": %s, \"min_ratio\": 1, \"paired\": true,\n   \"measured\": %s,\n   \"baseline\": %s}", sep,
			str(p " spec: user space vs module clock"),
			side("spec policy, device back, us", user, series(back, "spec", p)),
			side("spec policy, ready, us", module, series(ready, "spec", p))
		sep = ","
		# A device with a PM capability, which the kernel waits for: no longer than the kernel.
		if (device[p] == "e1000e")
			printf ",\n  {\"name\": %s, \"max_ratio\": 1, \"paired\": true,\n   \"measured\": %s,\n   \"baseline\": %s}",
				str(p " spec vs the kernel reset"),
				side("spec policy, device back, us", user, series(back, "spec", p)),
				side("the kernel bus reset, device back, us", user, series(back, "own", p))
	}
	printf "\n ]}\n"
}