#!/usr/bin/env python3
"""`make bench`: every suite's benchmark, in one boot of the perf kernel.

The modules are built against the `perf` kernel flavor (no lockdep, KASAN or
kmemleak) from a copy of the repository's sources in build/bench/src, so the
debug build that `make check` uses stays as it is (Kbuild builds modules in
place). Every suite folder with a bench.sh takes part (or those named with
--suite, `make bench SUITE=...`): its programs are built next to it in that
copy (the suite Makefile's default target), the boot gets what its vm.conf and
bench.conf ask for, in the VM its modules are loaded, bench.sh prints a JSON
report (scripts/harness/bench.py describes it), its modules are unloaded.
A bench.sh may kexec: the guest sees $RKM_ROOT (the copy) and $RKM_KDIR (the
kernel booted). Reports are saved as build/bench/<suite>.json and printed as
tables.
"""

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import bench, splat, suites, vm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def source_files(root):
    """The repository's files: tracked, and new ones not ignored (no build outputs)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                         check=True, capture_output=True).stdout.decode()
    return [p for p in out.split("\0") if p and (root / p).is_file()]


def sync_sources(root, dest):
    """Copies the sources into dest; unchanged files keep their time stamps, so Kbuild
    rebuilds only what changed."""
    for rel in source_files(root):
        src, dst = root / rel, dest / rel
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def build(kdir, src, log):
    print(f"building the modules against {kdir} in {src} ...", flush=True)
    with open(log, "w") as out:
        ok = subprocess.run(["make", "-C", str(kdir), f"M={src}", "LLVM=1", "modules"],
                            stdout=out, stderr=subprocess.STDOUT).returncode == 0
    if not ok:
        print(Path(log).read_text(errors="replace")[-3000:])
        print(f"module build failed; log {log}")
    return ok


def build_programs(kdir, suite_dir, log):
    """Builds a suite's user programs in its folder, where its bench.sh finds them."""
    with open(log, "a") as out:
        ok = subprocess.run(["make", "-C", str(suite_dir), f"KSFT={kdir}/tools/testing/selftests",
                             "LLVM=1", f"OUTPUT={suite_dir}"],
                            stdout=out, stderr=subprocess.STDOUT).returncode == 0
    if not ok:
        print(Path(log).read_text(errors="replace")[-3000:])
        print(f"building the programs of {suite_dir} failed; log {log}")
    return ok


def boot_conf(taking_part):
    """The benchmark boot: what every suite's shared boot and bench boot ask for."""
    return suites.merge([c for s in taking_part for c in (s.shared_boot, s.bench_boot)], name="bench")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kdir", required=True, type=Path, help="built perf kernel tree")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--suite", action="append", help="only this suite's benchmark (repeatable)")
    args = parser.parse_args()

    src = args.out / "src"
    sync_sources(ROOT, src)
    if not build(args.kdir, src, args.out / "build.log"):
        return 1
    taking_part = [s for s in suites.discover(src, args.suite) if (s.path / "bench.sh").exists()]
    if not taking_part:
        print("no suite has a bench.sh")
        return 1
    if not all(build_programs(args.kdir, s.path.resolve(), args.out / "build.log") for s in taking_part):
        return 1

    results = args.out / "vm"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    (results / "bench.list").write_text("".join(
        f"{s.name} {(s.path / 'bench.sh').resolve()} {' '.join(str(k.resolve()) for k in s.modules)}\n"
        for s in taking_part))
    conf = boot_conf(taking_part)
    command = (f"{vm.guest_exports(RKM_ROOT=src.resolve(), RKM_KDIR=args.kdir.resolve())} "
               f"sh {ROOT / 'scripts' / 'guest' / 'bench.sh'} {results.resolve()}")
    print(f"booting the perf kernel for {', '.join(s.name for s in taking_part)} ...", flush=True)
    outcome = vm.run(vm.boot_from_conf(conf, args.kdir, command, results))
    failed = not outcome.ok
    if failed:
        print(f"the benchmark boot failed (exit {outcome.exit_code}, timed out: {outcome.timed_out});"
              f" console {outcome.console}")

    for s in taking_part:
        status = results / f"{s.name}.status"
        text = (results / f"{s.name}.json").read_text() if (results / f"{s.name}.json").exists() else ""
        if not status.exists() or status.read_text().strip() != "0":
            err = results / f"{s.name}.err"
            print(f"{s.name}: bench.sh failed: {err.read_text().strip() if err.exists() else 'no status'}")
            failed = True
            continue
        try:
            report = bench.load(text, f"{s.name}/bench.sh")
        except bench.ReportError as e:
            print(e)
            failed = True
            continue
        (args.out / f"{s.name}.json").write_text(text)
        print(f"\n=== {s.name} ({args.out / (s.name + '.json')}) ===")
        print("\n".join(bench.format_report(report)))

    verdict = splat.scan(splat.boot_splats(outcome.console.parent))
    for u in verdict.unexpected:
        print(f"kernel splat at {u.reason()}")
        failed = True
    print(f"\n(VM ran {outcome.seconds:.0f} s; console log {outcome.console})")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
