#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rkm_handover across kexec, run by boot-kexec.conf: four kernels, one boot.
#
#   1  no kho=on: volatile mode; a kexec hands nothing over; kho_scratch
#      sized from this VM's memory for the kernels that follow
#   2  kho=on, not a KHO boot: unload before kexec (nothing handed over,
#      nothing leaked); records and a 64 MiB blob, prepared early and
#      changed after; every fault of the injection matrix through probes
#   3  loaded late: generation 1's state intact; each probe as the
#      failure semantics say, those not handed over "missing"; no memory
#      lost to the unloaded instance; changes, a second blob, the probes
#      handed over again
#   4  generation 2's state intact (generation 3); a probe taken over
#      intact; loaded again: everything taken, nothing stale
#
# The guest runs this script again in every kernel it kexecs into; the
# stage is the rkm_stage= word on the command line (none: stage 1). Each
# check appends a TAP line to $RKM_RESULTS/boot.tap; the last stage exits
# non-zero if any check failed. Needs $RKM_ROOT (the repository, built) and
# $RKM_KDIR (the kernel tree booted).
set -u
# A process costs about a second in the guest (TCG, KASAN, lockdep): the
# helpers below use builtins where one says the same.
read -r cmdline </proc/cmdline
stage=1
boot_words=""
for word in $cmdline; do
	case $word in
	rkm_stage=*) stage=${word#rkm_stage=} ;;
	esac
	case $word in
	kho* | rkm_stage*) boot_words+="$word " ;;
	esac
done

ko=$RKM_ROOT/modules/rkm_handover/rkm_handover.ko
tools=$RKM_ROOT/build/kselftest/rkm_handover
ctl=$tools/handoverctl
dbg=/sys/kernel/debug/rkm_handover
tap=$RKM_RESULTS/boot.tap
keep=$RKM_RESULTS/kept
# The fault probes, as the debugfs file probe names them.
faults="envelope_magic envelope_crc segment_address payload_magic header_crc data_crc
	record_count foreign_abi"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mkdir -p "$keep"
read -r release </proc/sys/kernel/osrelease
echo "== rkm_handover kexec: stage $stage, $release, cmdline: $boot_words"

# check DESCRIPTION COMMAND...: one TAP line.
check() {
	local what=$1
	shift
	local line="ok - stage $stage: $what"
	"$@" || line="not $line"
	echo "$line"
	echo "$line" >>"$tap"
}

# Goes to stage $1, with the boot parameters $2...; returns only if that fails.
kexec_to() {
	sync
	"$tools/kexec_stage" "$RKM_KDIR/arch/x86/boot/bzImage" "$@"
	check "kexec into stage $1" false
}

# The end: the exit status says whether every check of every stage passed.
finish() {
	rmmod rkm_handover 2>/dev/null
	! grep -q '^not ok' "$tap"
	exit $?
}

# Field $1 of the status file in FIELD (empty when absent).
status_field() {
	local line name value
	FIELD=""
	while IFS= read -r line; do
		name=${line%%: *}
		value=${line#*: }
		[ "$name" = "$1" ] && [ "$name" != "$line" ] && FIELD=$value
	done <"$dbg/status"
	return 0
}
status_is() {
	status_field "$1"
	# shellcheck disable=SC2053 # $2 is a glob pattern
	[[ $FIELD == $2 ]] || { echo "# $1: $FIELD"; false; }
}
value_is() { [ "$("$ctl" get "$1")" = "$2" ]; }
absent() { ! "$ctl" get "$1" 2>/dev/null; }
digest() { "$ctl" read "$1" | sha256sum | cut -d' ' -f1; }
# Blob KEY holds the bytes whose digest an earlier kernel kept in KEY.sha256.
blob_intact() {
	local now
	now=$(digest "$1")
	local kept=""
	read -r kept <"$keep/$1.sha256"
	echo "# $1 sha256 $now (kernel $stage), kept $kept"
	[ "$now" = "$kept" ]
}
# Attaches SIZE random bytes as blob KEY and keeps their digest.
attach_random() {
	head -c "$2" /dev/urandom >"/tmp/$1" &&
		sha256sum <"/tmp/$1" | cut -d' ' -f1 >"$keep/$1.sha256" &&
		"$ctl" attach "$1" "/tmp/$1" && rm "/tmp/$1" && blob_intact "$1"
}
load() { insmod "$ko"; }
loaded() { grep -q '^rkm_handover ' /proc/modules; }
kho_boot() { [ -e /sys/kernel/debug/kho/in/fdt ]; }
in_subtree() { [ -e "/sys/kernel/debug/kho/in/sub_fdts/$1" ]; }
out_subtree() { [ -e "/sys/kernel/debug/kho/out/sub_fdts/$1" ]; }
in_probes() { ls /sys/kernel/debug/kho/in/sub_fdts | grep -c '^rkm_handover\.'; }
probe_says() { grep -q "^$1 $2" "$dbg/probes" || { grep "^$1 " "$dbg/probes"; false; }; }
# probes_say OUTCOME PROBE...: each of the probes says it.
probes_say() {
	local outcome=$1 p
	shift
	for p; do probe_says "$p" "$outcome" || return 1; done
}
mem_total() { sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
ctl_status_has() { [[ $("$ctl" status) == *" $1 "* ]] || { "$ctl" status; false; }; }

# Sets scratch to the kho_scratch= sizes for this VM. Until
# mm_core_init_early() a kernel booted by KHO allocates memory only from the
# scratch areas, and they hold that kernel (its bzImage's init_size: kexec
# places it there) and, with KASAN, kasan_init()'s shadow of all RAM (1/8),
# wherever memblock finds room among them. With room to spare, the global
# area alone takes both and 32 MiB for the rest of early boot; the lowmem and
# per-node areas of 16 and 64 MiB come on top (Documentation/
# rkm_handover.rst, "KHO scratch areas and memory size").
size_scratch() {
	local ram=0 start end image shadow=0 global
	while read -r start end; do
		ram=$((ram + 0x$end - 0x$start + 1))
	done < <(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1 \2/p' /proc/iomem)
	image=$(od -An -tu4 -j $((0x260)) -N4 "$RKM_KDIR/arch/x86/boot/bzImage" | tr -d ' ')
	[ "$ram" -gt 0 ] && [ -n "$image" ] && [ -r /proc/config.gz ] || return 1
	if zcat /proc/config.gz | grep -qx CONFIG_KASAN=y; then
		shadow=$((ram / 8))
	fi
	# MiB, rounded up to the areas' 4 MiB alignment.
	global=$(((shadow + image + (32 << 20) + (4 << 20) - 1) >> 22 << 2))
	echo "# $((ram >> 20)) MiB of RAM, $((shadow >> 20)) MiB of KASAN shadow, a $((image >> 20)) MiB kernel: global scratch area ${global} MiB"
	scratch=16M,${global}M,64M
}

probe_every_fault() {
	local fault
	for fault in $faults; do
		echo "$fault" >"$dbg/probe" || return 1
	done
}

# What the next kernel makes of each fault (Documentation/rkm_handover.rst).
expected_outcome() {
	case $1 in
	envelope_magic) echo "corrupt: envelope bad magic; nothing trusted" ;;
	envelope_crc) echo "corrupt: envelope CRC mismatch; nothing trusted" ;;
	segment_address) echo "corrupt: segment 0: out of range; nothing trusted" ;;
	payload_magic) echo "refused: payload bad magic; reclaimed 65536 bytes" ;;
	header_crc) echo "refused: payload header CRC mismatch; reclaimed 65536 bytes" ;;
	data_crc) echo "refused: payload data CRC mismatch; reclaimed 65536 bytes" ;;
	record_count) echo "refused: payload truncated; reclaimed 65536 bytes" ;;
	foreign_abi) echo "refused: unsupported payload ABI 2.0; reclaimed 65536 bytes" ;;
	esac
}

# The blob of the unloaded instance (64 MiB) would still be reserved.
memory_back() {
	local before now
	read -r before <"$keep/memtotal"
	now=$(mem_total)
	echo "# MemTotal: $before kB in kernel 2, $now kB in kernel 3"
	[ "$now" -gt $((before - 16 * 1024)) ]
}

case $stage in
1)
	check "loads without kho=on" load
	check "volatile, says so" eval 'status_is kho "disabled*" && status_is restore "volatile:*"'
	check "store works" eval '"$ctl" put key value && value_is key value'
	check "blob works" attach_random volatile.blob 100000
	check "prepare: not supported" eval '! "$ctl" prepare 2>/dev/null'
	check "probe: not supported" eval '! echo intact >"$dbg/probe" 2>/dev/null'
	scratch=
	check "kho_scratch sized from memory" size_scratch
	# A kernel short of scratch panics in early boot, before the console.
	[ -n "$scratch" ] || finish
	kexec_to 2 kho=on "kho_scratch=$scratch"
	;;
2)
	check "a kexec without KHO handed nothing over" eval '! kho_boot'
	mem_total >"$keep/memtotal"
	check "loads" load
	check "not a KHO boot: fresh start, generation 1" eval 'status_is restore "none: not a KHO boot*" && status_is generation 1 && status_is records 0'
	check "handoverctl: cold boot, restore none" eval 'ctl_status_has "boot cold" && ctl_status_has "restore none"'
	# Unloaded before kexec: withdrawn, unpreserved, freed.
	check "state and a 64 MiB blob stored" eval '"$ctl" put doomed 1 && attach_random doomed.blob $((64 << 20))'
	check "prepared, with a probe" eval '"$ctl" prepare && echo intact >"$dbg/probe"'
	check "published to KHO" eval 'out_subtree rkm_handover && out_subtree rkm_handover.intact'
	check "unloads" rmmod rkm_handover
	check "unload withdrew everything" eval '! out_subtree rkm_handover && ! out_subtree rkm_handover.intact'
	check "loads again, fresh" eval 'load && status_is restore "none:*" && status_is records 0'
	check "records stored" eval '"$ctl" put alpha 1 && "$ctl" put beta 2 && "$ctl" put gamma 3'
	check "64 MiB blob stored" attach_random big $((64 << 20))
	check "prepared early" eval '"$ctl" prepare && ! status_is prepared no'
	# Changed after PREPARE: handed over again at kexec.
	check "record stored after prepare" "$ctl" put delta 4
	check "every fault probed" probe_every_fault
	kexec_to 3
	;;
3)
	check "kernel booted by KHO" kho_boot
	check "handover and 8 probes found by KHO" eval 'in_subtree rkm_handover && [ "$(in_probes)" = 8 ]'
	check "probe of the unloaded instance not handed over" eval '! in_subtree rkm_handover.intact'
	check "module not loaded before" eval '! loaded'
	check "loads late" load
	check "restored from generation 1: 5 records, 1 blob" status_is restore \
		"restored: from generation 1, 5 records, 1 blobs, 67108864 blob bytes adopted"
	check "generation 2" status_is generation 2
	check "KHO boot with state restored, as status and handoverctl say" eval 'status_is kho "enabled, KHO boot" && ctl_status_has "boot kho" && ctl_status_has "restore restored"'
	check "values intact" eval 'value_is alpha 1 && value_is beta 2 && value_is gamma 3 && value_is delta 4'
	check "64 MiB blob intact" blob_intact big
	check "nothing of the unloaded instance" eval 'absent doomed && absent doomed.blob'
	status_field restore_ns
	echo "# restore took $FIELD ns"
	# A KHO boot without a state's handover says so, unlike a cold boot.
	check "intact probe: missing (withdrawn before kexec)" probe_says intact "missing: KHO boot"
	check "bench probes: missing (never handed over)" probes_say "missing: KHO boot" \
		bench_1M copy_1M bench_64M copy_64M bench_256M copy_256M
	for fault in $faults; do
		check "$fault probe: $(expected_outcome "$fault" | cut -d: -f1)" \
			probe_says "$fault" "$(expected_outcome "$fault")"
	done
	check "no memory lost to the unloaded instance" memory_back
	check "changes stored" eval '"$ctl" del beta && "$ctl" put epsilon 5'
	check "second blob stored" attach_random small $(((1 << 20) + 123))
	# copy_1M: the benchmark's restore that copies, here under KASAN and lockdep.
	check "probes handed over again" eval 'echo intact >"$dbg/probe" && echo copy_1M >"$dbg/probe" && probe_every_fault'
	kexec_to 4
	;;
4)
	check "loads" load
	check "restored from generation 2: 6 records, 2 blobs" status_is restore \
		"restored: from generation 2, 6 records, 2 blobs, $(((64 << 20) + (1 << 20) + 123)) blob bytes adopted"
	check "generation 3" status_is generation 3
	check "values intact" eval 'value_is alpha 1 && absent beta && value_is gamma 3 && value_is delta 4 && value_is epsilon 5'
	check "both blobs intact" eval 'blob_intact big && blob_intact small'
	check "intact probe taken over, content intact" probe_says intact "restored: .*; content intact"
	check "copy_1M probe restored by copy, content intact" probe_says copy_1M \
		"restored: .* 1048576 blob bytes copied; content intact"
	check "unloads" rmmod rkm_handover
	check "loads again" load
	check "loaded again: taken over already, nothing stale" status_is restore "taken:*"
	check "loaded again: empty store, generation 1" eval 'status_is records 0 && status_is generation 1 && [ -z "$("$ctl" list)" ]'
	check "loaded again: every probe taken" eval '[ "$(grep -c " taken: " "$dbg/probes")" = 10 ]'
	finish
	;;
esac
# A stage that neither kexecs nor finishes has failed.
exit 1
