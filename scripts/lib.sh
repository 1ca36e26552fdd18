# Shared by the scripts: paths, progress output, errors. Sourced, not run.

RKM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RKM_CACHE=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm}
RKM_VENV=$RKM_CACHE/venv
export PATH=$HOME/.cargo/bin:$PATH
# The major version of rustc's LLVM. The kernel and the modules build with the
# clang, lld and llvm of that version: only then does the tree link its C
# helpers' bitcode into Rust objects (CONFIG_RUST_INLINE_HELPERS needs
# CONFIG_RUSTC_CLANG_LLVM_COMPATIBLE), so a rustc update moves both. Empty
# before rustup is installed.
RKM_LLVM=$(rustc -vV 2>/dev/null | sed -n 's/^LLVM version: \([0-9]*\)\..*/\1/p')
[ -z "$RKM_LLVM" ] || export PATH=/usr/lib/llvm-$RKM_LLVM/bin:$PATH

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'rkm: error: %s\n' "$*" >&2; exit 1; }

# Run a long command, printing one line of progress every 30 s (what, elapsed,
# last line of its log) so a 15-minute step is never silent. The full log is kept.
run_with_progress() {
	local what=$1 log=$2
	shift 2
	local start=$SECONDS
	"$@" >"$log" 2>&1 &
	local pid=$! next=$((SECONDS + 30))
	while kill -0 $pid 2>/dev/null; do
		sleep 1
		if ((SECONDS >= next)); then
			next=$((next + 30))
			printf '    %s: %dm%02ds  %s\n' "$what" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) \
				"$(tail -n1 "$log" | cut -c1-80)" >&2
		fi
	done
	if ! wait $pid; then
		tail -n 40 "$log" >&2
		die "$what failed after $((SECONDS - start)) s (full log: $log)"
	fi
	printf '    %s: done in %dm%02ds\n' "$what" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) >&2
}
