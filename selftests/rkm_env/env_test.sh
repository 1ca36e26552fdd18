#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test kernel has what the rkm suites need: each suite's config options,
# debugfs and KUnit results, KHO when booted with kho=on, and the rkm_env probe
# module (generated bindings + C shim) agrees with what user space sees.
DIR="$(dirname "$(readlink -f "$0")")"
source "$DIR/../kselftest/ktap_helpers.sh" || exit 4

probe=/sys/kernel/debug/rkm_env
configs=("$DIR"/../*/config)

ktap_print_header
ktap_set_plan $((${#configs[@]} + 7))

kernel_config=$(zcat /proc/config.gz 2>/dev/null)

# Each suite lists the options it needs in its kselftest `config` file.
for cfg in "${configs[@]}"; do
	suite=$(basename "$(dirname "$cfg")")
	missing=""
	while IFS= read -r want; do
		[[ $want == CONFIG_* ]] || continue
		grep -qx "$want" <<<"$kernel_config" || missing+=" $want"
	done <"$cfg"
	if [ -z "$missing" ]; then
		ktap_test_pass "kernel config satisfies $suite"
	else
		ktap_print_msg "kernel lacks:$missing"
		ktap_test_fail "kernel config satisfies $suite"
	fi
done

ktap_test_result "debugfs is mounted" mountpoint -q /sys/kernel/debug
ktap_test_result "KUnit results are in debugfs" test -d /sys/kernel/debug/kunit
ktap_test_result "rkm_env KUnit suite ran" grep -q '^ok .* rkm_env' /sys/kernel/debug/kunit/rkm_env/results

if ! [ -r "$probe/kho" ]; then
	ktap_print_msg "rkm_env is not loaded"
	for t in "KHO state" "shim config" "shim online CPUs" "probe files are root-only"; do
		ktap_test_fail "$t"
	done
	ktap_finished
fi

if grep -qw 'kho=on' /proc/cmdline; then
	ktap_test_result "KHO enabled with kho=on" \
		bash -c "grep -q '^enabled=1 ' $probe/kho && test -d /sys/kernel/debug/kho/out"
else
	ktap_test_result "KHO disabled without kho=on" grep -q '^enabled=0 ' "$probe/kho"
fi

shim_ok=true
while IFS= read -r line; do
	name=${line%%=*}
	value=${line#*=}
	if [ "$value" = y ]; then
		grep -qx "$name=y" <<<"$kernel_config" || { ktap_print_msg "shim: $line"; shim_ok=false; }
	else
		grep -qx "$name=[ym]" <<<"$kernel_config" && { ktap_print_msg "shim: $line"; shim_ok=false; }
	fi
done <"$probe/config"
ktap_test_result "shim config (IS_ENABLED) matches /proc/config.gz" $shim_ok

ktap_test_result "shim online CPUs (static inline) match user space" \
	test "$(cat $probe/online_cpus)" = "$(getconf _NPROCESSORS_ONLN)"

# Any other mode bit would let an unprivileged user raise a WARNING.
ktap_test_result "probe files are root-only" \
	bash -c "! find $probe -type f -perm /077 | grep -q ."

ktap_finished
