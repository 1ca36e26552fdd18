# SPDX-License-Identifier: GPL-2.0
#
# rkm: out-of-tree Rust kernel modules for Linux 7.3. `make help` lists the
# targets. Everything the build needs is installed on first use
# (scripts/bootstrap.sh) and the test kernel is built once into a cache outside
# the repository (scripts/kernel.sh).

# Debug checkers (lockdep, KASAN, kmemleak) for tests; `perf` for benchmarks.
FLAVOR ?= debug
SUITE ?=
# When make started, before the bootstrap and a kernel build: `make check`
# reports its time from here (timing.json's run facts).
make_started := $(shell date +%s)

ifdef KDIR
kdir := $(abspath $(KDIR))
kdir_ready := kdir-check
else
kdir := $(CURDIR)/build/kernel-$(FLAVOR)
kdir_ready := kernel
endif

# Kbuild of the pinned tree, for this repository's modules. LLVM=1 because
# Rust needs the kernel built by clang.
kbuild = $(MAKE) -C $(kdir) M=$(CURDIR) LLVM=1
# The example consumer of rust/kernel_ext: an external module of its own, built
# through the recipe only (Documentation/kernel_ext.rst), as one outside this
# repository would be.
consumer = $(MAKE) -C $(kdir) M=$(CURDIR)/selftests/rkm_consumer LLVM=1 RKM_EXT=$(CURDIR)/rust/kernel_ext
# The scripts' PATH (scripts/lib.sh): rustc, and the clang/lld/llvm of rustc's
# LLVM version.
export PATH := $(shell bash -c '. scripts/lib.sh && echo "$$PATH"')

.PHONY: all modules kernel kdir-check kdir-switch bootstrap suites ci-lint docs-check check demo bench bench-kernel vm clippy fmt \
	fmt-check rust-analyzer modules_install selftests clean help

all: modules

help:
	@echo 'rkm targets:'
	@echo '  make [modules]       build every module under modules/ (and test modules)'
	@echo '  make check           all tests; ends with "N passed, N failed"'
	@echo '                       SUITE=name runs one suite (e.g. SUITE=rkm_env, SUITE=host, SUITE=static)'
	@echo '                       RKM_LANES=n runs the VM boots in n lanes at once (default 1)'
	@echo '  make suites          every SUITE= value, as JSON (for CI matrices)'
	@echo '  make demo            boot the VM, load each module, show what it does (SUITE=name: one)'
	@echo '  make bench           benchmarks on the perf kernel; JSON in build/bench/, Documentation/generated/'
	@echo '                       (SUITE=name: one; BOOTS=n: n boots for every suite)'
	@echo '  make vm              interactive shell in the test VM, modules at hand'
	@echo '  make kernel          fetch and build the pinned test kernel (cached)'
	@echo '  make selftests       build and install the kselftest suites into build/kselftest'
	@echo '  make clippy          clippy over modules and rust/ (warnings are errors)'
	@echo '  make fmt / fmt-check format / check formatting of all Rust code'
	@echo '  make ci-lint         actionlint and shellcheck over .github/workflows'
	@echo '  make docs-check      build Documentation/ with Sphinx (warnings are errors)'
	@echo '  make rust-analyzer   write rust-project.json for editors'
	@echo '  make modules_install install the modules into INSTALL_MOD_PATH (your own kernel)'
	@echo '  make bootstrap       install the toolchain and tools (done on demand)'
	@echo '  make clean           remove build outputs (the kernel cache stays)'
	@echo 'Variables: KDIR=/path (your own built 7.3 tree with CONFIG_RUST=y),'
	@echo '           FLAVOR=debug|perf, SUITE=name, RKM_ACCEL=tcg|kvm, RKM_CACHE=dir, RKM_LANES=n'

bootstrap:
	@scripts/bootstrap.sh

suites:
	@scripts/check.py --list

# The CI workflows, with shellcheck over their run: steps when it is installed.
ci-lint: bootstrap
	@scripts/ci-lint.sh

docs-check: bootstrap
	@scripts/docs-check.sh

kernel: bootstrap
	@mkdir -p build
	@tree=$$(scripts/kernel.sh $(FLAVOR)) && ln -sfn "$$tree" build/kernel-$(FLAVOR)

kdir-check: bootstrap
	@scripts/check-kdir.sh $(kdir)

# An out-of-tree build's objects name the tree they were built against (its
# objtool, its headers): Kbuild cannot rebuild them once that tree is gone or
# another is used, so a switch of tree (another KDIR, a new cached kernel)
# cleans them first.
kdir_stamp := build/modules-kdir
kdir-switch: $(kdir_ready)
	@tree=$$(readlink -f $(kdir)); \
	if [ -f $(kdir_stamp) ] && [ "$$(cat $(kdir_stamp))" != "$$tree" ]; then \
		echo "modules were built against $$(cat $(kdir_stamp)); cleaning them for $$tree"; \
		$(kbuild) clean; $(consumer) clean; \
	fi; \
	mkdir -p build && echo "$$tree" >$(kdir_stamp)

modules: kdir-switch
	$(kbuild) modules
	$(consumer) modules

clippy: kdir-switch
	$(kbuild) CLIPPY=1 KRUSTFLAGS=-Dwarnings modules
	$(consumer) CLIPPY=1 KRUSTFLAGS=-Dwarnings modules
	cd rust && cargo clippy --workspace --all-targets --quiet -- -D warnings

# Module sources follow the tree's .rustfmt.toml (copied at the top level so
# cargo fmt in rust/ uses the same rules).
rust_sources = $(shell find modules selftests rust/kernel_ext -name '*.rs' ! -name '*_generated.rs' 2>/dev/null)

# rustfmt follows each crate root's `mod kernel_ext`, a file the module build
# writes (rust/kernel_ext/Kbuild.ext): where one is missing, build first.
kernel_ext_mounts = $(addsuffix kernel_ext_generated.rs,$(dir $(shell grep -rl --include='*.rs' \
	'^pub mod kernel_ext;' modules selftests)))
fmt fmt-check: $(if $(filter-out $(wildcard $(kernel_ext_mounts)),$(kernel_ext_mounts)),modules)

fmt:
	rustfmt --edition 2021 $(rust_sources)
	cd rust && cargo fmt --all

fmt-check:
	rustfmt --edition 2021 --check $(rust_sources)
	cd rust && cargo fmt --all --check

rust-analyzer: $(kdir_ready)
	$(kbuild) rust-analyzer

modules_install: modules
	$(kbuild) modules_install

# kselftest suites, built with the tree's lib.mk and installed with its runner.
ksft_src = $(kdir)/tools/testing/selftests
ksft_out = $(CURDIR)/build/kselftest
suite_dirs = $(patsubst %/Makefile,%,$(wildcard selftests/*/Makefile))

selftests: $(kdir_ready)
	@rm -rf $(ksft_out) && mkdir -p $(ksft_out)
	@cp -r $(ksft_src)/run_kselftest.sh $(ksft_src)/kselftest $(ksft_out)/
	@for d in $(suite_dirs); do \
		s=$$(basename $$d); mkdir -p $(CURDIR)/build/selftests/$$s; \
		$(MAKE) --no-print-directory -C $$d KSFT=$(ksft_src) LLVM=1 \
			OUTPUT=$(CURDIR)/build/selftests/$$s INSTALL_PATH=$(ksft_out)/$$s install || exit 1; \
		$(MAKE) --no-print-directory -s -C $$d KSFT=$(ksft_src) LLVM=1 \
			OUTPUT=$(CURDIR)/build/selftests/$$s COLLECTION=$$s emit_tests >>$(ksft_out)/kselftest-list.txt || exit 1; \
	done

# RKM_LANES (make check RKM_LANES=2, or from the environment) reaches
# check.py through the environment, as make exports command-line variables.
check: $(kdir_ready)
	@scripts/check.py --kdir $(kdir) --make-started $(make_started) $(foreach s,$(SUITE),--suite $(s))

demo: modules selftests
	@scripts/demo.py --kdir $(kdir) $(foreach s,$(SUITE),--suite $(s))

# Benchmarks run on the `perf` flavor (no lockdep, KASAN, kmemleak), or on KDIR.
# scripts/bench.py builds the modules against it in build/bench/src, so the
# debug build in the repository stays as it is.
ifdef KDIR
bench_kdir := $(kdir)
bench_ready := kdir-check
else
bench_kdir := $(CURDIR)/build/kernel-perf
bench_ready := bench-kernel
endif

bench-kernel: bootstrap
	@$(MAKE) --no-print-directory kernel FLAVOR=perf

bench: $(bench_ready)
	@scripts/bench.py --kdir $(bench_kdir) $(foreach s,$(SUITE),--suite $(s)) $(if $(BOOTS),--boots $(BOOTS))

vm: modules selftests
	@scripts/vm.py --kdir $(kdir)

# Kbuild's clean leaves the LLVM bitcode of inline helpers and shims.
clean:
	@if [ -d $(kdir) ]; then $(kbuild) clean; $(consumer) clean; fi
	find modules selftests -name '*.bc' -delete
	rm -rf build rust/target rust-project.json
