#!/bin/sh
# A 2-second torture run of each lock kind: its rate and its verdict.
d=/sys/kernel/debug/rkm_guard
for kind in $(cat $d/kinds); do
	if ! echo "kind=$kind duration_s=2 hold_us=1" >$d/start; then
		echo "$kind: could not start"
		continue
	fi
	while [ "$(cat $d/state)" = running ]; do sleep 0.2; done
	printf '%-14s %10s ops/s  %s\n' "$kind" \
		"$(sed -n 's/^Elapsed: .*, \([0-9]*\) ops\/s$/\1/p' $d/summary)" \
		"$(sed -n 's/^End of test: //p' $d/summary)"
done
