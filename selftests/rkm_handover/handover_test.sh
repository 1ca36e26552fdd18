#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rkm_handover's debugfs files and what it hands over, as KHO shows it in
# /sys/kernel/debug/kho/out/sub_fdts/ (no kexec needed): the status file,
# the layout of the handover area, fault injection and probes. Without
# kho=on: volatile mode. Without the module the tests skip; loaded without
# its debugfs files, they fail.
DIR="$(dirname "$(readlink -f "$0")")"
source "$DIR/../kselftest/ktap_helpers.sh" || exit 1

ctl="$DIR/handoverctl"
dbg=/sys/kernel/debug/rkm_handover
out=/sys/kernel/debug/kho/out/sub_fdts

ktap_print_header

if ! [ -r "$dbg/status" ]; then
	ktap_set_plan 1
	if [ -d /sys/module/rkm_handover ]; then
		ktap_print_msg "rkm_handover is loaded, but $dbg/status is missing"
		ktap_test_fail "rkm_handover loaded"
	else
		ktap_print_msg "rkm_handover is not loaded"
		ktap_test_skip "rkm_handover loaded"
	fi
	ktap_finished
fi

# Value of line "NAME: VALUE" of the status file.
status_field() { sed -n "s/^$1: //p" "$dbg/status"; }

# Little-endian unsigned integer of SIZE bytes at OFFSET of FILE.
le() { od -An -tu"$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '; }

# Writes WORD to a debugfs FILE; fails as the write does.
write_word() { printf '%s' "$2" >"$dbg/$1" 2>/dev/null; }

status_has_every_line() {
	local line
	for line in kho generation records blobs value_bytes blob_bytes restore restore_ns prepared \
		publish_ns fault; do
		grep -q "^$line: " "$dbg/status" || { ktap_print_msg "no '$line:' line"; return 1; }
	done
}

status_agrees_with_ioctl() {
	local ioctl
	ioctl=$("$ctl" status) || return 1
	[[ $ioctl == "generation $(status_field generation) records $(status_field records) "* ]]
}

files_are_root_only() { test -z "$(find "$dbg" -type f -perm /077)"; }

bad_words_are_refused() {
	! write_word fault bogus && ! write_word fault envelope_magic_ && ! write_word fault NONE &&
		! write_word fault "$(head -c 100 /dev/zero | tr '\0' a)" && ! write_word probe bogus
}

if ! grep -qw kho=on /proc/cmdline; then
	ktap_set_plan 5
	ktap_test_result "status has every line" status_has_every_line
	volatile() { [[ $(status_field kho) == disabled* && $(status_field restore) == volatile:* ]]; }
	ktap_test_result "volatile without kho=on, and says so" volatile
	no_probe() { ! write_word probe intact; }
	ktap_test_result "probes need KHO" no_probe
	ktap_test_result "debugfs files are root-only" files_are_root_only
	ktap_test_result "bad debugfs words are refused" bad_words_are_refused
	ktap_finished
fi

# The store as this script found it, and what puts it back: the records
# the tests add and the fault they arm go, however the script ends.
records_before=$(status_field records)
blob_bytes_before=$(status_field blob_bytes)
cleanup() {
	"$ctl" del t.sh.value 2>/dev/null
	"$ctl" del t.sh.blob 2>/dev/null
	write_word fault none
	rm -f /tmp/t.sh.blob /tmp/t.sh.area
}
trap cleanup EXIT

ktap_set_plan 12

ktap_test_result "status has every line" status_has_every_line
ktap_test_result "status file agrees with STATUS" status_agrees_with_ioctl
ktap_test_result "debugfs files are root-only" files_are_root_only
ktap_test_result "bad debugfs words are refused" bad_words_are_refused

# The area KHO publishes: envelope, one segment per folio, payload header,
# one 328-byte slot per record.
area_layout_matches() {
	local area=/tmp/t.sh.area records segments size payload
	"$ctl" put t.sh.value hello && head -c 70000 /dev/zero >/tmp/t.sh.blob &&
		"$ctl" attach t.sh.blob /tmp/t.sh.blob && "$ctl" prepare || return 1
	[ "$(status_field prepared)" != no ] || return 1
	# debugfs reports no size for the blob: read a copy.
	cat "$out/rkm_handover" >"$area" || return 1
	[ "$(head -c 8 "$area")" = RKMHOENV ] || return 1
	segments=$(le "$area" 16 4)
	records=$(status_field records)
	# 70000 bytes: a 64 KiB folio and two pages (orders 4 and 1).
	size=$((24 + 24 * segments + 40 + 328 * records))
	payload=$((24 + 24 * segments))
	ktap_print_msg "area: $(stat -c %s "$area") bytes, $segments segments, $records records"
	[ "$(stat -c %s "$area")" = "$size" ] || return 1
	[ "$(dd if="$area" bs=1 skip="$payload" count=8 2>/dev/null)" = RKMHOPLD ] || return 1
	[ "$(le "$area" $((payload + 24)) 4)" = "$records" ] || return 1
	# The status lines say how big the prepared handover is and how long
	# writing it took.
	[ "$(status_field prepared)" = "$size bytes" ] && [[ $(status_field publish_ns) =~ ^[0-9]+$ ]]
}
ktap_test_result "prepared area has the documented layout" area_layout_matches

# Faults damage what is handed over, as the next kernel will find it.
fault_damages_area() {
	local area=$out/rkm_handover segments
	write_word fault envelope_magic && "$ctl" prepare || return 1
	[ "$(status_field fault)" = envelope_magic ] || return 1
	[ "$(head -c 8 "$area")" != RKMHOENV ] || return 1
	[ "$(tail -c +2 "$area" | head -c 7)" = KMHOENV ] || return 1
	write_word fault foreign_abi && "$ctl" prepare || return 1
	segments=$(le "$area" 16 4)
	[ "$(le "$area" $((24 + 24 * segments + 12)) 2)" = 2 ] || return 1
	write_word fault none && "$ctl" prepare || return 1
	[ "$(status_field fault)" = none ] && [ "$(head -c 8 "$area")" = RKMHOENV ]
}
ktap_test_result "faults damage the handover, none restores it" fault_damages_area

changes_unprepare() {
	"$ctl" put t.sh.value changed && [ "$(status_field prepared)" = no ]
}
ktap_test_result "a change makes the prepared handover stale" changes_unprepare

every_fault_name_is_accepted() {
	local name
	for name in envelope_magic envelope_crc segment_address payload_magic header_crc \
		data_crc record_count foreign_abi none; do
		write_word fault "$name" || { ktap_print_msg "fault $name refused"; return 1; }
	done
	write_word fault $'data_crc\n' && write_word fault none
}
ktap_test_result "every fault name is accepted" every_fault_name_is_accepted

probe_is_published_once() {
	write_word probe intact && [ -e "$out/rkm_handover.intact" ] || return 1
	[ "$(head -c 8 "$out/rkm_handover.intact")" = RKMHOENV ] || return 1
	# What handing it over cost, and copying its 64 KiB instead.
	grep -Eq '^published intact blob_bytes 65536 area_bytes [0-9]+ publish_ns [0-9]+ copy_ns [0-9]+$' \
		"$dbg/timings" || return 1
	! write_word probe intact
}
ktap_test_result "a probe is handed over once, under its own name" probe_is_published_once

damaged_probe() {
	write_word probe envelope_crc && [ -e "$out/rkm_handover.envelope_crc" ]
}
ktap_test_result "a damaged probe is handed over" damaged_probe

# One line per probe of the module (modules/rkm_handover/fixtures.rs), in
# its order, each saying that nothing was handed over to a cold boot.
probes_found_nothing() {
	local name expected=""
	for name in intact envelope_magic envelope_crc segment_address payload_magic header_crc \
		data_crc record_count foreign_abi bench_1M copy_1M bench_64M copy_64M bench_256M copy_256M; do
		expected+="$name none: not a KHO boot, nothing handed over; fresh start"$'\n'
	done
	[ -r "$dbg/probes" ] && [ -r "$dbg/timings" ] || return 1
	if [ "$(cat "$dbg/probes")"$'\n' != "$expected" ]; then
		ktap_print_msg "probes: $(tr '\n' '|' <"$dbg/probes")"
		return 1
	fi
	! grep -q '^restored' "$dbg/timings"
}
ktap_test_result "a cold boot found none of the 15 probes" probes_found_nothing

store_left_as_found() {
	cleanup
	[ "$(status_field records)" = "$records_before" ] &&
		[ "$(status_field blob_bytes)" = "$blob_bytes_before" ]
}
ktap_test_result "the store is left as found" store_left_as_found
ktap_finished
