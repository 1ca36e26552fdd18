#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kexec scenarios of rkm_handover, run by the boot-*.conf boots:
#
#   kexec_boot.sh chain|faults|volatile
#
# The guest runs this script again in every kernel it kexecs into; the
# stage is the rkm_stage= word on the command line (none: stage 1). Each
# check appends a TAP line to $RKM_RESULTS/boot.tap; the last stage exits
# non-zero if any check failed. Needs $RKM_ROOT (the repository, built).
set -u
scenario=$1
stage=$(sed -n 's/.*rkm_stage=\([0-9]*\).*/\1/p' /proc/cmdline)
stage=${stage:-1}

ko=$RKM_ROOT/modules/rkm_handover/rkm_handover.ko
tools=$RKM_ROOT/build/kselftest/rkm_handover
ctl=$tools/handoverctl
bzimage=$RKM_ROOT/build/kernel-debug/arch/x86/boot/bzImage
dbg=/sys/kernel/debug/rkm_handover
tap=$RKM_RESULTS/boot.tap
keep=$RKM_RESULTS/kept

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mkdir -p "$keep"
echo "== rkm_handover $scenario: stage $stage, $(uname -r), cmdline: $(cat /proc/cmdline | tr ' ' '\n' | grep -E '^(kho|rkm_stage)')"

# check DESCRIPTION COMMAND...: one TAP line.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - stage $stage: $what" | tee -a "$tap"
	else
		echo "not ok - stage $stage: $what" | tee -a "$tap"
	fi
}

# Goes to stage $1; returns only if that fails.
kexec_to() {
	sync
	"$tools/kexec_stage" "$bzimage" "$1"
	check "kexec into stage $1" false
}

# The end: the exit status says whether every check of every stage passed.
finish() {
	rmmod rkm_handover 2>/dev/null
	! grep -q '^not ok' "$tap"
	exit $?
}

status_field() { sed -n "s/^$1: //p" "$dbg/status"; }
status_is() { [[ $(status_field "$1") == $2 ]] || { echo "# $1: $(status_field "$1")"; false; }; }
value_is() { [ "$("$ctl" get "$1")" = "$2" ]; }
absent() { ! "$ctl" get "$1" 2>/dev/null; }
digest() { "$ctl" read "$1" | sha256sum | cut -d' ' -f1; }
# Blob KEY holds the bytes whose digest stage 1 or 2 kept in KEY.sha256.
blob_intact() {
	local now
	now=$(digest "$1")
	echo "# $1 sha256 $now (kernel $stage), kept $(cat "$keep/$1.sha256")"
	[ "$now" = "$(cat "$keep/$1.sha256")" ]
}
# Attaches SIZE random bytes as blob KEY and keeps their digest.
attach_random() {
	head -c "$2" /dev/urandom >"/tmp/$1" &&
		sha256sum <"/tmp/$1" | cut -d' ' -f1 >"$keep/$1.sha256" &&
		"$ctl" attach "$1" "/tmp/$1" && rm "/tmp/$1" && blob_intact "$1"
}
load() { insmod "$ko"; }
loaded() { grep -q '^rkm_handover ' /proc/modules; }
not_loaded() { ! loaded; }
in_subtree() { [ -e "/sys/kernel/debug/kho/in/sub_fdts/$1" ]; }
out_subtree() { [ -e "/sys/kernel/debug/kho/out/sub_fdts/$1" ]; }
probe_says() { grep -q "^$1 $2" "$dbg/probes" || { grep "^$1 " "$dbg/probes"; false; }; }
mem_total() { sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

# Happy path with records and a 64 MiB blob, loaded late in kernel 2, a
# change in every kernel, three kernels in a chain, and a second load.
chain() {
	case $stage in
	1)
		check "loads" load
		check "fresh start, generation 1" status_is restore "none:*"
		check "generation 1" status_is generation 1
		check "records stored" eval '"$ctl" put alpha 1 && "$ctl" put beta 2 && "$ctl" put gamma 3'
		check "64 MiB blob stored" attach_random big $((64 << 20))
		check "prepared early" eval '"$ctl" prepare && ! status_is prepared no'
		# Changed after PREPARE: handed over again at kexec.
		check "record stored after prepare" "$ctl" put delta 4
		kexec_to 2
		;;
	2)
		check "handover found by KHO" in_subtree rkm_handover
		check "kernel booted by KHO" status_kho_boot_unloaded
		sleep 5
		check "module not loaded before" not_loaded
		check "loads late" load
		check "restored from generation 1: 5 records, 1 blob" status_is restore \
			"restored: from generation 1, 5 records, 1 blobs, 67108864 blob bytes adopted"
		check "generation 2" status_is generation 2
		check "values intact" eval 'value_is alpha 1 && value_is beta 2 && value_is gamma 3 && value_is delta 4'
		check "64 MiB blob intact" blob_intact big
		check "changes stored" eval '"$ctl" del beta && "$ctl" put epsilon 5'
		check "second blob stored" attach_random small $(((1 << 20) + 123))
		kexec_to 3
		;;
	3)
		check "loads" load
		check "restored from generation 2: 6 records, 2 blobs" status_is restore \
			"restored: from generation 2, 6 records, 2 blobs, $(((64 << 20) + (1 << 20) + 123)) blob bytes adopted"
		check "generation 3" status_is generation 3
		check "values intact" eval 'value_is alpha 1 && absent beta && value_is gamma 3 && value_is delta 4 && value_is epsilon 5'
		check "both blobs intact" eval 'blob_intact big && blob_intact small'
		check "unloads" rmmod rkm_handover
		check "loads again" load
		check "loaded again: taken over already, nothing stale" status_is restore "taken:*"
		check "loaded again: empty store, generation 1" eval 'status_is records 0 && status_is generation 1 && [ -z "$("$ctl" list)" ]'
		finish
		;;
	esac
}

status_kho_boot_unloaded() { [ -e /sys/kernel/debug/kho/in/fdt ]; }

# Unload before kexec hands nothing over and leaks nothing; a foreign ABI
# is refused with its memory reclaimed; every fault of the matrix, through
# probes; a second load finds everything taken.
faults() {
	case $stage in
	1)
		mem_total >"$keep/memtotal"
		check "loads" load
		check "state and a 64 MiB blob stored" eval '"$ctl" put doomed 1 && attach_random doomed.blob $((64 << 20))'
		check "prepared, with a probe" eval '"$ctl" prepare && echo intact >"$dbg/probe"'
		check "published to KHO" eval 'out_subtree rkm_handover && out_subtree rkm_handover.intact'
		check "unloads" rmmod rkm_handover
		check "unload withdrew everything" eval '! out_subtree rkm_handover && ! out_subtree rkm_handover.intact'
		check "loads again" load
		check "state and a 4 MiB blob stored" eval '"$ctl" put refused 1 && attach_random refused.blob $((4 << 20))'
		check "foreign ABI armed" eval 'echo foreign_abi >"$dbg/fault" && status_is fault foreign_abi'
		check "every fault probed" probe_every_fault
		kexec_to 2
		;;
	2)
		check "handover and 8 probes found by KHO" eval 'in_subtree rkm_handover && [ "$(ls /sys/kernel/debug/kho/in/sub_fdts | grep -c "^rkm_handover\.")" = 8 ]'
		check "probe of the unloaded module not handed over" eval '! in_subtree rkm_handover.intact'
		check "loads" load
		check "foreign ABI refused, 4 MiB reclaimed" status_is restore \
			"refused: unsupported payload ABI 2.0; reclaimed 4194304 bytes"
		check "STATUS says refused, 4 MiB reclaimed" eval '"$ctl" status | grep -q "restore refused reclaimed 4194304$"'
		check "fresh store, generation 1" eval 'status_is records 0 && status_is generation 1'
		check "store works after a refusal" eval '"$ctl" put after 1 && value_is after 1'
		check "intact probe: absent (withdrawn)" probe_says intact "none: no handover found"
		check "envelope_magic: corrupt" probe_says envelope_magic "corrupt: envelope bad magic; nothing trusted"
		check "envelope_crc: corrupt" probe_says envelope_crc "corrupt: envelope CRC mismatch; nothing trusted"
		check "segment_address: corrupt" probe_says segment_address "corrupt: segment 0: out of range; nothing trusted"
		check "payload_magic: refused, reclaimed" probe_says payload_magic "refused: payload bad magic; reclaimed 65536 bytes"
		check "header_crc: refused, reclaimed" probe_says header_crc "refused: payload header CRC mismatch; reclaimed 65536 bytes"
		check "data_crc: refused, reclaimed" probe_says data_crc "refused: payload data CRC mismatch; reclaimed 65536 bytes"
		check "record_count: refused, reclaimed" probe_says record_count "refused: payload truncated; reclaimed 65536 bytes"
		check "foreign_abi: refused, reclaimed" probe_says foreign_abi "refused: unsupported payload ABI 2.0; reclaimed 65536 bytes"
		# The 64 MiB blob of the unloaded module would still be reserved.
		check "no memory lost to the unloaded module" memory_back
		check "unloads" rmmod rkm_handover
		check "loads again" load
		check "loaded again: taken over already" status_is restore "taken:*"
		check "loaded again: every probe taken" eval '[ "$(grep -c " taken: " "$dbg/probes")" = 8 ]'
		finish
		;;
	esac
}

probe_every_fault() {
	local fault
	for fault in envelope_magic envelope_crc segment_address payload_magic header_crc \
		data_crc record_count foreign_abi; do
		echo "$fault" >"$dbg/probe" || return 1
	done
}

memory_back() {
	local before now
	before=$(cat "$keep/memtotal")
	now=$(mem_total)
	echo "# MemTotal: $before kB in kernel 1, $now kB in kernel 2"
	[ "$now" -gt $((before - 16 * 1024)) ]
}

# Without kho=on: volatile, says so, works, survives a kexec empty.
volatile() {
	case $stage in
	1)
		check "loads" load
		check "volatile, says so" eval 'status_is kho "disabled*" && status_is restore "volatile:*"'
		check "store works" eval '"$ctl" put key value && value_is key value'
		check "blob works" attach_random blob 100000
		check "prepare: not supported" eval '! "$ctl" prepare 2>/dev/null'
		check "probe: not supported" eval '! echo intact >"$dbg/probe" 2>/dev/null'
		kexec_to 2
		;;
	2)
		check "loads" load
		check "volatile, fresh store" eval 'status_is restore "volatile:*" && status_is records 0 && status_is generation 1'
		finish
		;;
	esac
}

case $scenario in
chain | faults | volatile) "$scenario" ;;
*)
	echo "usage: $0 chain|faults|volatile" >&2
	exit 2
	;;
esac
# A stage that neither kexecs nor finishes has failed.
exit 1
