#!/bin/bash
# Fetch, configure and build the pinned test kernel, once per cache key.
#
#   scripts/kernel.sh [debug|perf]          build if needed; print the tree's path last
#   scripts/kernel.sh debug|perf --key      print the tree's folder name only (the
#                                           cache key, for CI caches); fetches nothing
#
# The tree lives in $RKM_CACHE/kernel/<flavor>-<version>-<key>, where the key
# hashes the Debian package version, the fragments of the flavor and the rustc,
# clang and bindgen versions: any change of those builds a new tree, nothing
# else does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
case $flavor in
debug) fragments=(base rust features debug) ;;
perf) fragments=(base rust features) ;;
*) die "unknown kernel flavor '$flavor' (debug or perf)" ;;
esac
fragment_files=()
for f in "${fragments[@]}"; do fragment_files+=("$RKM_ROOT/kconfig/$f.config"); done

pinned=$(cat "$RKM_ROOT/kconfig/kernel-version")
src_dir=$RKM_CACHE/src
mkdir -p "$src_dir"

# The Debian archive keeps only the newest upload: fall back to the newest
# 7.3.y when the pinned one is gone, and say so.
fetch_source() {
	local version=$1 tarball=$src_dir/linux-source-7.3_$1.tar.xz
	[ -f "$tarball" ] && { echo "$tarball"; return; }
	local tmp
	tmp=$(mktemp -d)
	step "fetching linux-source-7.3=$version from Debian"
	if ! (cd "$tmp" && apt-get download -qq "linux-source-7.3=$version" >&2); then
		rm -rf "$tmp"
		return 1
	fi
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-7.3_*.deb | tar -x -C "$tmp" ./usr/src/linux-source-7.3.tar.xz
	mv "$tmp/usr/src/linux-source-7.3.tar.xz" "$tarball"
	rm -rf "$tmp"
	echo "$tarball"
}

# The tree's folder name: the flavor, the version built and a hash of what
# the build depends on.
tree_name() {
	local key
	key=$( {
		echo "$1"
		cat "${fragment_files[@]}"
		rustc --version
		clang --version | head -n1
		bindgen --version
	} | sha256sum | cut -c1-12)
	echo "$flavor-$1-$key"
}

# The version fetch_source would build, without fetching: the pinned one
# when it is here or in the archive, else the archive's newest.
if [ "${2:-}" = --key ]; then
	archived=$(apt-cache madison linux-source-7.3 | awk '{print $3}')
	version=$pinned
	if [ ! -f "$src_dir/linux-source-7.3_$pinned.tar.xz" ] && ! grep -qxF "$pinned" <<<"$archived"; then
		version=$(head -n1 <<<"$archived")
		[ -n "$version" ] || die "linux-source-7.3 is not in any apt source (run scripts/bootstrap.sh)"
	fi
	tree_name "$version"
	exit 0
fi

version=$pinned
if ! tarball=$(fetch_source "$pinned"); then
	version=$(apt-cache madison linux-source-7.3 | awk '{print $3; exit}')
	[ -n "$version" ] || die "linux-source-7.3 is not in any apt source (run scripts/bootstrap.sh)"
	printf 'rkm: warning: linux-source-7.3=%s has left the archive; using the newest, %s\n' \
		"$pinned" "$version" >&2
	tarball=$(fetch_source "$version")
fi

tree=$RKM_CACHE/kernel/$(tree_name "$version")
built_stamp=$tree/.rkm-built

if [ -f "$built_stamp" ]; then
	step "kernel $version ($flavor) cached in $tree"
	# Exported headers for the kselftests; cheap, so not part of the key.
	[ -d "$tree/usr/include/linux" ] || make -s -C "$tree" LLVM=1 headers >/dev/null
	echo "$tree"
	exit 0
fi

step "building kernel $version ($flavor) in $tree"
rm -rf "$tree"
mkdir -p "$tree"
run_with_progress "unpack" "$tree/.rkm-unpack.log" tar -xf "$tarball" -C "$tree" --strip-components=1

kmake() { make -C "$tree" LLVM=1 "$@"; }
run_with_progress "rustavailable" "$tree/.rkm-rustavailable.log" kmake rustavailable
run_with_progress "tinyconfig" "$tree/.rkm-config.log" kmake tinyconfig
run_with_progress "merge fragments" "$tree/.rkm-merge.log" \
	env -C "$tree" scripts/kconfig/merge_config.sh -m .config "${fragment_files[@]}"
run_with_progress "olddefconfig" "$tree/.rkm-olddefconfig.log" kmake olddefconfig
python3 "$RKM_ROOT/scripts/kconfig_check.py" "$tree/.config" "${fragment_files[@]}" ||
	die "the kernel config lacks options the fragments request (see above)"
run_with_progress "make bzImage modules (about 15 min on 2 cores)" "$tree/.rkm-build.log" \
	kmake -j"$(nproc)" bzImage modules
run_with_progress "make headers" "$tree/.rkm-headers.log" kmake headers
touch "$built_stamp"
echo "$tree"
