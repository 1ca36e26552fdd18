#!/bin/sh
# What the test kernel offers, as the rkm_env probe module sees it.
probe=/sys/kernel/debug/rkm_env
echo "kernel:       $(uname -r), $(cat $probe/online_cpus) CPUs online"
echo "KHO:          $(cat $probe/kho)  (cmdline: $(grep -o 'kho=[a-z]*' /proc/cmdline))"
echo "config:       $(grep -c '=y' $probe/config) of $(wc -l <$probe/config) checked options on:" \
	"$(sed -n 's/^CONFIG_\(.*\)=y/\1/p' $probe/config | tr '\n' ' ')"
echo "KUnit rkm_env: $(grep -c '^    ok' /sys/kernel/debug/kunit/rkm_env/results) cases passed," \
	"$(grep -c '^    not ok' /sys/kernel/debug/kunit/rkm_env/results) failed"
