#!/bin/bash
# Check that KDIR is a built Linux 7.3 tree out-of-tree Rust modules can use.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
[ -f "$kdir/Makefile" ] || die "KDIR=$kdir is not a kernel tree (no Makefile)"
# --no-print-directory: under a make run with -C, MAKEFLAGS carries -w.
version=$(make -s --no-print-directory -C "$kdir" kernelversion 2>/dev/null) || die "KDIR=$kdir: cannot read its kernel version"
case $version in
7.3 | 7.3.*) ;;
*) die "KDIR=$kdir is Linux $version; rkm is built and tested against 7.3.y" ;;
esac
[ -f "$kdir/.config" ] || die "KDIR=$kdir is not configured (no .config)"
grep -q '^CONFIG_RUST=y' "$kdir/.config" || die "KDIR=$kdir has no CONFIG_RUST=y"
for f in rust/libkernel.rmeta rust/libmacros.so Module.symvers; do
	[ -e "$kdir/$f" ] || die "KDIR=$kdir lacks $f: build the tree first (distribution header packages ship no Rust metadata)"
done
