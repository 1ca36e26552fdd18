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
kernel booted). A suite runs in as many boots as its bench.conf's `boots`
(--boots overrides), each boot's results in build/bench/vm-<n>/. Its reports
and the verdicts on its targets (scripts/harness/bench.py: over the boots'
medians) are saved as build/bench/<suite>.json, printed as tables, and written
as Documentation/generated/<suite>_bench.rst, the page the suite's
documentation includes, dated and naming the machine.
"""

import argparse
import datetime
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import bench, disasm, splat, suites, vm  # noqa: E402

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


def boot_plan(taking_part, boots=None):
    """Which suites each boot runs: a suite takes part in its first `boots` boots
    (bench.conf, or the --boots override for every suite)."""
    counts = {s.name: boots or s.bench_boot.boots for s in taking_part}
    return [[s for s in taking_part if counts[s.name] > i] for i in range(max(counts.values()))]


def guest_memory(plan, name):
    """The guest memory of the boots suite `name` ran in, e.g. "6G" or "6G in boot 1, 2G in boots 2-5"."""
    sizes = [(i, boot_conf(part).memory or "2G") for i, part in enumerate(plan, start=1)
             if any(s.name == name for s in part)]
    if len({m for _, m in sizes}) == 1:
        return sizes[0][1]
    runs = []
    for i, m in sizes:
        if runs and runs[-1][2] == m and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i, m])
    return ", ".join(f"{m} in boot {a}" if a == b else f"{m} in boots {a}-{b}" for a, b, m in runs)


def machine(kdir, memory, use_kvm, cpuinfo="/proc/cpuinfo", loadavg="/proc/loadavg", now=None):
    """Where the figures come from, for the generated pages: date, host CPU and
    cores, its load at the start, the guest (`memory`: guest_memory()) and how
    QEMU ran it."""
    model = next((line.split(":", 1)[1].strip() for line in Path(cpuinfo).read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    load = Path(loadavg).read_text().split()[0]
    release = kdir / "include" / "config" / "kernel.release"
    kernel = release.read_text().strip() if release.exists() else "unknown release"
    now = now or datetime.datetime.now(datetime.timezone.utc)
    cpus = vm.Boot(kdir=kdir, command="", results=Path()).cpus
    return {"date": now.strftime("%Y-%m-%d %H:%M UTC"),
            "where": (f"host {model}, {os.cpu_count()} cores, load average {load} at the start; guest"
                      f" {cpus} vCPUs, {memory}, QEMU under {'KVM' if use_kvm else 'TCG'},"
                      f" perf kernel {kernel}")}


def run_boot(number, taking_part, kdir, src, out, use_kvm):
    """One boot of the perf kernel running the benchmarks of taking_part.
    Returns (ok, {suite: report}) with the reports that came back whole."""
    results = out / f"vm-{number}"
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    (results / "bench.list").write_text("".join(
        f"{s.name} {(s.path / 'bench.sh').resolve()} {' '.join(str(k.resolve()) for k in s.modules)}\n"
        for s in taking_part))
    command = (f"{vm.guest_exports(RKM_ROOT=src.resolve(), RKM_KDIR=kdir.resolve())} "
               f"sh {ROOT / 'scripts' / 'guest' / 'bench.sh'} {results.resolve()}")
    print(f"boot {number}: the perf kernel for {', '.join(s.name for s in taking_part)} ...", flush=True)
    outcome = vm.run(vm.boot_from_conf(boot_conf(taking_part), kdir, command, results), use_kvm=use_kvm)
    ok = outcome.ok
    if not ok:
        print(f"boot {number} failed (exit {outcome.exit_code}, timed out: {outcome.timed_out});"
              f" console {outcome.console}")
    reports = {}
    for s in taking_part:
        status = results / f"{s.name}.status"
        text = (results / f"{s.name}.json").read_text() if (results / f"{s.name}.json").exists() else ""
        if not status.exists() or status.read_text().strip() != "0":
            err = results / f"{s.name}.err"
            print(f"{s.name}: bench.sh failed: {err.read_text().strip() if err.exists() else 'no status'}")
            ok = False
            continue
        try:
            reports[s.name] = bench.load(text, f"{s.name}/bench.sh, boot {number}")
        except bench.ReportError as e:
            print(e)
            ok = False
    for u in splat.scan(splat.boot_splats(outcome.console.parent)).unexpected:
        print(f"kernel splat at {u.reason()}")
        ok = False
    print(f"(boot {number} ran {outcome.seconds:.0f} s; console log {outcome.console})", flush=True)
    return ok, reports


def machine_code(src):
    """rkm_guard's benchmark loops in this build's machine code (harness/disasm.py), as a table."""
    return disasm.table(disasm.guard_rows(src))


def publish(name, boots, out, docs, where, src):
    """Saves a suite's reports and verdicts as out/<suite>.json, prints them, and writes the
    page Documentation includes. Returns False when a target cannot be judged."""
    try:
        lines = bench.format_suite(boots)
        verdicts = [bench.judge(n, boots) for n in bench.target_names(boots)]
    except bench.ReportError as e:
        print(f"{name}: {e}")
        return False
    saved = out / f"{name}.json"
    saved.write_text(json.dumps({"suite": name, "machine": where, "boots": boots, "verdicts": verdicts},
                                indent=1, default=str) + "\n")
    print(f"\n=== {name} ({saved}) ===")
    print("\n".join(lines))
    code = machine_code(src) if name == "rkm_guard" else ""
    if code:
        print(code)
    docs.mkdir(parents=True, exist_ok=True)
    (docs / f"{name}_bench.rst").write_text(bench.generated_page(name, boots, where, code))
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kdir", required=True, type=Path, help="built perf kernel tree")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--docs", type=Path, default=ROOT / "Documentation" / "generated",
                        help="where the pages Documentation includes are written")
    parser.add_argument("--suite", action="append", help="only this suite's benchmark (repeatable)")
    parser.add_argument("--boots", type=int, help="boots for every suite (default: each bench.conf's)")
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

    use_kvm = vm.kvm_usable(args.kdir)
    plan = boot_plan(taking_part, args.boots)
    where = {s.name: machine(args.kdir, guest_memory(plan, s.name), use_kvm) for s in taking_part}
    failed = False
    reports = {s.name: [] for s in taking_part}
    for number, part in enumerate(plan, start=1):
        ok, got = run_boot(number, part, args.kdir, src, args.out, use_kvm)
        failed |= not ok
        for name, report in got.items():
            reports[name].append(report)
    for s in taking_part:
        # A suite whose boots did not all report keeps its last page: a verdict
        # over the boots that happened to succeed would pick its runs.
        expected = args.boots or s.bench_boot.boots
        if len(reports[s.name]) != expected:
            print(f"{s.name}: {len(reports[s.name])} of {expected} boots reported; its page is not rewritten")
            failed = True
        elif not publish(s.name, reports[s.name], args.out, args.docs, where[s.name], src):
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
