#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test kernel has what the rkm suites need: each suite's config options,
# debugfs and KUnit results, KHO when booted with kho=on, and the rkm_env probe
# module (generated bindings + C shim) agrees with what user space sees.
DIR="$(dirname "$(readlink -f "$0")")"
# Without the helpers nothing can be reported: a failure, not a skip.
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

probe=/sys/kernel/debug/rkm_env
configs=("$DIR"/../*/config)

ktap_print_header
ktap_set_plan $((${#configs[@]} + 7))

# The checks below need the config: with none, an option the probe reports off
# would look right. Each of them fails instead.
if ! kernel_config=$(zcat /proc/config.gz) || [[ $kernel_config != *CONFIG_* ]]; then
	ktap_print_msg "no kernel config: /proc/config.gz is missing, unreadable or empty"
	kernel_config=
fi

# Each suite lists the options it needs in its kselftest `config` file; one
# that lists none, or cannot be read, checks nothing. Few programs per file:
# process start-up is slow in a TCG guest with KASAN.
suite_config_satisfied() {
	local cfg="$DIR/../$1/config" needed missing
	[ -n "$kernel_config" ] || return 1
	if ! needed=$(grep '^CONFIG_' "$cfg"); then
		ktap_print_msg "$cfg lists no option or cannot be read"
		return 1
	fi
	missing=$(grep -vxF -f <(echo "$kernel_config") <<<"$needed")
	case $? in
	0) ktap_print_msg "kernel lacks: ${missing//$'\n'/ }" ;;
	1) return 0 ;; # no needed line is missing
	esac
	return 1
}
for cfg in "${configs[@]}"; do
	suite=$(basename "$(dirname "$cfg")")
	ktap_test_result "kernel config satisfies $suite" suite_config_satisfied "$suite"
done

# ktap_test_result runs "$@" unquoted, so each check is a function.
kunit_suite_ran() { grep -q '^ok [0-9]* rkm_env' /sys/kernel/debug/kunit/rkm_env/results; }
kho_enabled() { grep -q '^enabled=1 ' "$probe/kho" && test -d /sys/kernel/debug/kho/out; }
kho_disabled() { grep -q '^enabled=0 ' "$probe/kho"; }
online_cpus_match() { test "$(cat "$probe/online_cpus")" = "$(getconf _NPROCESSORS_ONLN)"; }
# Any other mode bit would let an unprivileged user raise a WARNING.
probe_root_only() { test -z "$(find "$probe" -type f -perm /077)"; }

# The probe prints CONFIG_X=y or CONFIG_X=n; the kernel's config has
# CONFIG_X=y, or no such line for an option that is off.
shim_config_matches() {
	local line mismatch=0
	[ -n "$kernel_config" ] || return 1
	while IFS= read -r line; do
		case $line in
		*=y) grep -qxF "$line" <<<"$kernel_config" ;;
		*) ! grep -q "^${line%=*}=[ym]$" <<<"$kernel_config" ;;
		esac || {
			ktap_print_msg "shim says $line"
			mismatch=1
		}
	done <"$probe/config"
	return $mismatch
}

ktap_test_result "debugfs is mounted" mountpoint -q /sys/kernel/debug
ktap_test_result "KUnit results are in debugfs" test -d /sys/kernel/debug/kunit
ktap_test_result "rkm_env KUnit suite ran and passed" kunit_suite_ran

if ! [ -r "$probe/kho" ]; then
	if [ -d /sys/module/rkm_env ]; then
		ktap_print_msg "rkm_env is loaded but $probe/kho is missing"
	else
		ktap_print_msg "rkm_env is not loaded"
	fi
	for t in "KHO state" "shim config" "shim online CPUs" "probe files are root-only"; do
		ktap_test_fail "$t"
	done
	ktap_finished
fi

if grep -qw 'kho=on' /proc/cmdline; then
	ktap_test_result "KHO enabled with kho=on" kho_enabled
else
	ktap_test_result "KHO disabled without kho=on" kho_disabled
fi
ktap_test_result "shim config (IS_ENABLED) matches /proc/config.gz" shim_config_matches
ktap_test_result "shim online CPUs (static inline) match user space" online_cpus_match
ktap_test_result "probe files are root-only" probe_root_only

ktap_finished
