#!/usr/bin/env python3
"""`make check`: every rkm test, a result per suite, one summary line last.

Host tests (cargo test of rust/, the harness's own tests), static checks
(rustfmt, clippy, actionlint), the module and selftest builds, then one VM
boot that loads every module, runs every kselftest collection and KUnit suite,
unloads every module and scans the console and dmesg for splats; then each
suite's own boots (with RKM_LANES=N, these boots in N lanes at once:
harness/lanes.py). What each suite reported is held against its manifest
(selftests/<suite>/manifest): a missing or unlisted result fails, and so does
a skip the manifest does not declare. The last line is "N passed, N failed"
(", N skipped" for declared skips); the exit status is non-zero when anything
failed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import disasm, junit, ktap, lanes, manifest, splat, suites, timing, vm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GUEST_RUNNER = ROOT / "scripts" / "guest" / "run-suites.sh"
# --suite values that are no suite of selftests/.
HOST_ONLY = ("host", "static")
# Flat TAP a boot command may write into $RKM_RESULTS: one result per line.
BOOT_TAP = "boot.tap"


# What a result is made of, for the summary: the tests themselves (host, in
# the VM), the static checks and builds, and bookkeeping (loads, unloads,
# splat and leak scans, the manifest) that guards the others.
KINDS = ("host", "build", "vm", "bookkeeping")


class Report:
    def __init__(self):
        self.results = []  # (suite, name, status, reason, kind)
        self.declared_skips = {}  # suite -> {result name: reason}

    def add(self, suite, name, status, reason="", kind="vm"):
        if status == "skip":
            declared = self.declared_skips.get(suite, {}).get(name)
            if declared is None:
                # A skip says "this machine cannot"; any other skip hides a failure.
                status, reason = "fail", f"skipped, and the manifest declares no such skip: {reason}"
            else:
                reason = f"{declared}; the test says: {reason}" if reason else declared
        self.results.append((suite, name, status, reason, kind))
        mark = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[status]
        line = f"  {mark}  {suite}: {name}"
        if reason and status != "pass":
            line += f"  ({reason})"
        self.say(line)

    def say(self, text):
        print(text, flush=True)

    def counts(self, suite=None, kind=None):
        picked = [r for r in self.results if (suite is None or r[0] == suite) and (kind is None or r[4] == kind)]
        return tuple(sum(1 for r in picked if r[2] == s) for s in ("pass", "fail", "skip"))

    def summary(self):
        passed, failed, skipped = self.counts()
        line = f"{passed} passed, {failed} failed"
        return line + (f", {skipped} skipped" if skipped else "")

    def table(self):
        """Per suite, how many results of each kind, then the totals."""
        rows = [f"  {'suite':<16} {'host':>5} {'build':>5} {'vm':>5} {'bookk.':>6}   "
                f"{'passed':>6} {'failed':>6} {'skipped':>7}"]
        for suite in dict.fromkeys(r[0] for r in self.results):
            per_kind = [sum(self.counts(suite, kind)) for kind in KINDS]
            passed, failed, skipped = self.counts(suite)
            cells = [f"{n:5d}" if n else f"{'-':>5}" for n in per_kind]
            rows.append(f"  {suite:<16} {cells[0]} {cells[1]} {cells[2]} {cells[3]:>6}   "
                        f"{passed:6d} {failed:6d} {skipped:7d}")
        return "\n".join(rows)


# Every timed section, and every make target, is a step of the timing table.
TIMING = timing.Timing()


def section(title, timed=True):
    """Prints a section's title; a timed one is a step of the timing table until the next section."""
    if timed:
        TIMING.step(title)
    else:
        TIMING.end()
    print(f"\n== {title} ==", flush=True)


def run_logged(cmd, log, cwd=ROOT, env=None):
    """Run a command, keep its output in log; True when it exits 0."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, env=env).returncode == 0


def tail(path, lines=15):
    text = Path(path).read_text(errors="replace").splitlines()
    return "\n".join("      " + line for line in text[-lines:])


_CARGO_TEST = re.compile(r"^test (?P<name>\S+) \.\.\. (?P<result>ok|FAILED|ignored)")
# "Running tests/stress.rs (target/debug/deps/stress-0123456789abcdef)" or "Doc-tests accept_core"
_CARGO_BINARY = re.compile(r"^\s*(?:Running .*\(\S*/(?P<binary>\w+?)(?:-[0-9a-f]{16})?\)|Doc-tests (?P<doc>\w+))$")


def workspace_members():
    with open(ROOT / "rust" / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["members"]


def host_tests(report, out):
    """cargo test of each rust/ crate; a result per test, named crate/binary::test."""
    for crate in workspace_members():
        section(f"host: cargo test -p {crate}")
        log = out / f"cargo-test-{crate}.log"
        ok = run_logged(["cargo", "test", "-p", crate, "--color", "never"], log, cwd=ROOT / "rust")
        counted, failed, binary = 0, 0, crate
        for line in log.read_text().splitlines():
            if m := _CARGO_BINARY.match(line):
                binary = m.group("binary") or "doc"
            elif m := _CARGO_TEST.match(line):
                status = {"ok": "pass", "FAILED": "fail", "ignored": "skip"}[m.group("result")]
                where = crate if binary == crate else f"{crate}/{binary}"
                report.add("host", f"{where}::{m.group('name')}", status, kind="host")
                counted += 1
                failed += status == "fail"
        if not ok and not failed:
            report.add("host", f"{crate}: cargo test", "fail", f"see {log}", kind="host")
            print(tail(log))
        elif ok and not counted:
            report.add("host", f"{crate}: cargo test", "fail", "no tests ran", kind="host")

    section("harness: python unittest (scripts/tests/)")
    log = out / "harness-test.log"
    run_logged([sys.executable, "-m", "unittest", "discover", "-v", "-s", "scripts/tests", "-t", "scripts"], log)
    text = log.read_text()
    for name, result in unittest_results(text):
        status = "pass" if result == "ok" else "skip" if result.startswith("skipped") else "fail"
        report.add("harness", name, status, kind="host")
    if not re.search(r"^OK", text, re.M):
        if not any(r[2] == "fail" for r in report.results if r[0] == "harness"):
            report.add("harness", "unittest", "fail", f"see {log}", kind="host")
        print(tail(log))


def unittest_results(text):
    """(Class.test, result) from `unittest -v`; a docstring pushes the result a line down."""
    pending = None
    for line in text.splitlines():
        if m := re.match(r"^(test_\w+) \(([\w.]+)\)(?: \.\.\. (.*))?$", line):
            name = f"{m.group(2).split('.')[-2]}.{m.group(1)}"
            if m.group(3):
                yield name, m.group(3)
                pending = None
            else:
                pending = name
        elif pending and (m := re.search(r" \.\.\. (.*)$", line)):
            yield pending, m.group(1)
            pending = None


def make_step(report, suite, name, target, out, extra=()):
    """`make TARGET` as one result of SUITE ("static" or "build") and one timing step."""
    TIMING.step(f"{suite}: make {target}")
    log = out / f"make-{target}.log"
    ok = run_logged(["make", "--no-print-directory", target, *extra], log)
    report.add(suite, name, "pass" if ok else "fail", "" if ok else f"see {log}", kind="build")
    if not ok:
        print(tail(log))
    return ok


def static_checks(report, out, kdir):
    section("static checks", timed=False)
    kdir_arg = [f"KDIR={kdir}"]
    # Clippy's build writes the files rustfmt follows (`mod kernel_ext`).
    make_step(report, "static", "clippy (warnings are errors)", "clippy", out, kdir_arg)
    make_step(report, "static", "rustfmt", "fmt-check", out, kdir_arg)
    make_step(report, "static", "actionlint (.github/workflows)", "ci-lint", out)
    make_step(report, "static", "Documentation builds (Sphinx, warnings are errors)", "docs-check", out)


def guard_machine_code(report):
    """Per lock kind of rkm_guard's benchmark: the Rust guard's loop calls no C helper or shim (harness/disasm.py)."""
    TIMING.step("build: rkm_guard's loops in machine code")
    rows = disasm.guard_rows(ROOT)
    print(disasm.table(rows, counts=False))
    for row in rows:
        reason = "" if row.ok else (", ".join(row.helpers) if row.rust else "no such loop in rkm_guard.ko")
        report.add("rkm_guard", f"machine code: {row.op.name}: the Rust guard's loop calls no C helper",
                   "pass" if row.ok else "fail", reason, kind="build")


def builds(report, out, kdir):
    section("build", timed=False)
    kdir_arg = [f"KDIR={kdir}"]
    built = make_step(report, "build", "modules", "modules", out, kdir_arg)
    built &= make_step(report, "build", "selftests", "selftests", out, kdir_arg)
    return built


def report_splats(report, suite, what, found, expected=()):
    """A result per declared splat (its count) and one for everything else found."""
    verdict = splat.scan(found, expected)
    for declared, seen in verdict.expected:
        where = ", ".join(s.where() for s in seen)
        report.add(suite, f"{what}: expected splat '{declared.declared}'",
                   "pass" if len(seen) == declared.count else "fail",
                   f"expected {declared.count}, found {len(seen)}" + (f": {where}" if where else ""),
                   kind="bookkeeping")
    for u in verdict.unexpected:
        report.add(suite, f"{what}: no unexpected kernel splat", "fail", u.reason(), kind="bookkeeping")
    if not verdict.unexpected:
        report.add(suite, f"{what}: no unexpected kernel splat", "pass", kind="bookkeeping")


def report_kmemleak(report, suite, what, results, kdir):
    """kmemleak's verdict after the boot's forced scan, when the kernel has kmemleak."""
    if not vm.kernel_has(kdir, "DEBUG_KMEMLEAK"):
        return
    leaks = results / vm.KMEMLEAK_REPORT
    if leaks.exists():
        found = splat.read_log(leaks)
        report.add(suite, f"{what}: kmemleak: no leak", "fail" if found else "pass",
                   f"{len(found)} unreferenced objects, first at {found[0].where()}" if found else "",
                   kind="bookkeeping")
    else:
        error = results / vm.KMEMLEAK_ERROR
        reason = error.read_text().strip() if error.exists() else "end-boot.sh did not run"
        report.add(suite, f"{what}: kmemleak: no leak", "fail", f"no scan: {reason}", kind="bookkeeping")


def boot_failure(report, suite, what, outcome):
    if outcome.timed_out:
        report.add(suite, what, "fail", f"timed out after {outcome.seconds:.0f} s; log {outcome.console}")
    elif outcome.panicked:
        report.add(suite, what, "fail", f"the kernel panicked (stopped at once); log {outcome.console}")
    elif outcome.exit_code is None:
        report.add(suite, what, "fail", f"the guest reported no exit code; log {outcome.console}")
    else:
        return False
    report.say(tail(outcome.console, 25))
    return True


def shared_boot(job, kdir, out, ksft_dir, use_kvm, stop):
    """One boot for the job's suites: load, kselftests, KUnit, unload, splat scan.

    What each suite reported goes into the Collected's reported[suite].
    """
    got, selected = Collected(), job.suites
    results = out / job.folder
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    (results / "modules.list").write_text("".join(f"{ko.resolve()}\n" for s in selected for ko in s.modules))
    (results / "collections.list").write_text("".join(f"{s.name}\n" for s in selected))
    tails = [(s.name, tail) for s in selected for tail in s.tails]
    (results / "tails.list").write_text("".join(f"{tail.name} {tail.command}\n" for _, tail in tails))
    conf = suites.merge([s.shared_boot for s in selected] + [tail for _, tail in tails])
    command = (f"{vm.guest_exports(RKM_ROOT=ROOT, RKM_KDIR=kdir.resolve())} "
               f"sh {GUEST_RUNNER} {results.resolve()} {ksft_dir.resolve()}")
    outcome = vm.run(vm.boot_from_conf(conf, kdir, command, results, 1800), use_kvm=use_kvm, stop=stop)
    got.say(f"  (boot took {outcome.seconds:.0f} s; console {outcome.console})")
    got.phases = outcome.phases
    failed = boot_failure(got, "vm", "shared boot", outcome)
    # A boot that failed may have failed on a splat: name it.
    found = splat.by_section(splat.boot_splats(results),
                             splat.sections(outcome.console, results / vm.DMESG))
    report_splats(got, "vm", "shared boot", found.pop(None))
    for suite, tail in tails:
        boot_tap(got, suite, tail.name, results / tail.name)
        report_command(got, suite, tail.name, exit_status(results / tail.name))
        report_splats(got, suite, f"boot {tail.name}", found.pop(tail.name, []), tail.expect_splat)
    if failed:
        return got

    owner = {}
    for s in selected:
        for ko in s.modules:
            owner[ko.stem] = s.name
    loaded, unloaded = set(), set()
    for r in ktap.parse_tap((results / "modules.tap").read_text()):
        module = r.name.split()[-1]
        suite = owner.get(module, "vm")
        got.add(suite, r.name, r.status, r.reason, kind="bookkeeping")
        if r.name.startswith("load "):
            loaded.add(module)
        elif r.name.startswith("unload "):
            unloaded.add(module)
    # The manifest asks that both were reported; how they went is their own result.
    for module in loaded & unloaded:
        if module in owner:
            got.suite(owner[module]).modules.add(module)
    for path in sorted((results / "kunit").glob("*.ktap")):
        suite = _suite_of(path.stem, selected)
        if suite is None:
            continue  # the tree's own built-in KUnit suites
        cases = ktap.parse_kunit(path.read_text(), path.stem)
        # Not the suite's own result, nor the failure standing for no result.
        got.suite(suite).kunit[path.stem] = sum(r.name.startswith(f"{path.stem}.") for r in cases)
        for r in cases:
            got.add(suite, f"kunit {r.name}", r.status, r.reason)
    tap = results / "kselftest.tap"
    text = tap.read_text() if tap.exists() else ""
    for s in selected:
        found = ktap.parse_kselftest(_collection_lines(text, s.name))
        programs = got.suite(s.name).kselftest
        for r in found:
            programs[r.program] = programs.get(r.program, 0) + (r.name != r.program)
            got.add(s.name, r.name, r.status, r.reason)
    report_kmemleak(got, "vm", "shared boot", results, kdir)
    return got


def _suite_of(kunit_suite, selected):
    """The rkm suite whose name prefixes a KUnit suite's, if any."""
    for s in selected:
        if kunit_suite.startswith(s.name):
            return s.name
    return None


def _collection_lines(text, collection):
    """The runner's output for one collection (results of all collections interleave)."""
    keep, lines = False, []
    for line in text.splitlines():
        if line.startswith("# selftests: "):
            keep = line.startswith(f"# selftests: {collection}: ")
        if keep:
            lines.append(line)
        if re.match(rf"^(not )?ok \d+ selftests: {re.escape(collection)}: ", line):
            keep = False
    return "\n".join(lines)


def own_boot(job, kdir, out, use_kvm, stop):
    """A suite's boot of its own (boot-<name>.conf): its command, boot.tap, splats, kmemleak."""
    got, s, conf = Collected(), job.suites[0], job.conf
    results = out / job.folder
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    exports = vm.guest_exports(RKM_RESULTS=results.resolve(), RKM_ROOT=ROOT, RKM_KDIR=kdir.resolve())
    command = f"{exports} {conf.command}"
    outcome = vm.run(vm.boot_from_conf(conf, kdir, command, results), use_kvm=use_kvm, stop=stop)
    got.say(f"  (boot took {outcome.seconds:.0f} s; console {outcome.console})")
    got.phases = outcome.phases
    what = f"boot {conf.name}"
    boot_tap(got, s.name, conf.name, results)
    if not boot_failure(got, s.name, what, outcome):
        report_command(got, s.name, conf.name, outcome.exit_code)
        report_kmemleak(got, s.name, what, results, kdir)
    report_splats(got, s.name, what, splat.boot_splats(results), conf.expect_splat)
    return got


def boot_tap(got, suite, name, results):
    """The results a boot's command wrote to boot.tap, as far as it got: each its own result."""
    tap = results / BOOT_TAP
    tap_results = ktap.parse_tap(tap.read_text()) if tap.exists() else []
    got.suite(suite).boots[name.split("/", 1)[1]] = len(tap_results)
    for r in tap_results:
        got.add(suite, f"boot {name}: {r.name}", r.status, r.reason)


def exit_status(results):
    """What a command the shared boot ran wrote to exit_status (run-suites.sh); None if it never ended."""
    try:
        return int((results / "exit_status").read_text())
    except (OSError, ValueError):
        return None


def report_command(got, suite, name, status):
    if status is None:
        got.add(suite, f"boot {name}: command", "fail", "it did not end: the boot ended first")
    else:
        got.add(suite, f"boot {name}: command", "pass" if status == 0 else "fail",
                f"exit status {status}" if status else "")


class Collected:
    """What one VM job reported, for the main thread to add to the Report.

    The lanes run their jobs in threads; only the main thread adds to the
    Report and prints, each job's lines together when the job has ended.
    """

    def __init__(self):
        self.lines = []  # a text to print, or the (args, kwargs) of a Report.add
        self.reported = {}  # suite -> manifest.Results: what this boot reported
        self.phases = []  # the boot's, for the timing table

    def add(self, *args, **kwargs):
        self.lines.append((args, kwargs))

    def say(self, text):
        self.lines.append(text)

    def suite(self, name):
        return self.reported.setdefault(name, manifest.Results())


def add_collected(report, got, shared, last, held, failed):
    """Adds a job's results to the report, in the job's order.

    A shared boot's verdicts on itself (suite "vm": the boot, its splats,
    kmemleak) stay one result each however many shared boots ran, as with
    one: a failure is added as it comes, a pass when the last shared boot has
    ended and no shared boot failed it. held and failed (the names of such
    passes kept, and failed) carry over from one shared boot to the next.
    """
    for line in got.lines:
        if isinstance(line, str):
            report.say(line)
            continue
        args, kwargs = line
        suite, name, status = args[:3]
        if shared and suite == "vm":
            if status == "fail":
                failed.add(name)
            elif not last:
                held.setdefault(name, line)
                continue
            elif name in failed:
                continue
            else:
                held.pop(name, None)
        report.add(*args, **kwargs)
    if shared and last:
        for name, (args, kwargs) in held.items():
            if name not in failed:
                report.add(*args, **kwargs)
        held.clear()


def vm_boots(report, kdir, selected, out, ksft_dir, reported, n_lanes=1):
    """Every shared boot and own boot of the selected suites, in n_lanes lanes at once (harness/lanes.py).

    What each suite reported is merged into reported[suite] (manifest.Results).
    """
    jobs = lanes.plan(selected, n_lanes, lanes.read_timing(out / "timing.json"))
    TIMING.end()  # each boot is a step of its own, from its lane
    # Once, before the lanes: the probe writes its stamp, and vng would
    # rewrite its module folder from each VM starting at once.
    use_kvm = vm.kvm_usable(kdir)
    if n_lanes > 1:
        vm.prepare_modules(kdir)
        print(f"\n== vm: {n_lanes} lanes ==")
        for lane in sorted({job.lane for job in jobs}):
            mine = [job for job in jobs if job.lane == lane]
            print(f"  lane {lane} (~{sum(j.seconds for j in mine):.0f} s expected): "
                  + ", ".join(job.folder for job in mine), flush=True)

    def work(job, stop):
        step = TIMING.begin(job.title, job.lane if n_lanes > 1 else None)
        if job.shared:
            got = shared_boot(job, kdir, out, ksft_dir, use_kvm, stop)
        else:
            got = own_boot(job, kdir, out, use_kvm, stop)
        TIMING.finish(step, got.phases)
        return got

    shared_left, held, failed = sum(job.shared for job in jobs), {}, set()
    for event, job, got in lanes.run(jobs, work):
        if event == "start":
            print(f"\n== {job.title} ==" if n_lanes == 1 else f"  (lane {job.lane}: {job.folder} begins)",
                  flush=True)
            continue
        if n_lanes > 1:
            print(f"\n== {job.title} [lane {job.lane}] ==", flush=True)
        shared_left -= job.shared
        add_collected(report, got, job.shared, job.shared and shared_left == 0, held, failed)
        for name, results in got.reported.items():
            reported[name].merge(results)


def load_manifests(report, selected):
    """Each suite's manifest; a suite without a valid one does not run."""
    manifests = {}
    for s in selected:
        try:
            manifests[s.name] = manifest.load(s.path)
        except manifest.ManifestError as e:
            report.add(s.name, "manifest", "fail", str(e), kind="bookkeeping")
            continue
        report.declared_skips[s.name] = manifests[s.name].skips
    return manifests


def check_manifests(report, manifests, reported):
    for name, listed in manifests.items():
        problems = manifest.differences(listed.expected, reported[name])
        seen = {r[1] for r in report.results if r[0] == name}
        problems += [f"skip '{result}': declared, but no such result reported" for result in sorted(listed.skips)
                     if result not in seen]
        for problem in problems:
            report.add(name, f"manifest: {problem}", "fail", kind="bookkeeping")
        if not problems:
            report.add(name, "manifest: every listed result reported, nothing else", "pass", kind="bookkeeping")


def run_facts(args, asked, n_lanes):
    """What the timing table measured, for timing.json (harness/timing.py)."""
    def git(*words):
        done = subprocess.run(["git", "-C", str(ROOT), *words], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += "-dirty"
    facts = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
             "suites": asked or ["all"], "cpus": os.cpu_count()}
    if any(step["name"].startswith("vm:") for step in TIMING.steps):
        # Probed before the first boot; this reads the probe's stamp.
        facts["accel"] = "kvm" if vm.kvm_usable(args.kdir, log=lambda _: None) else "tcg"
        facts["lanes"] = n_lanes
    if args.make_started:
        facts["seconds_since_make"] = round(time.time() - args.make_started, 1)
        # The kernel make built in this run is newer than make's start.
        image = vm.bzimage(args.kdir)
        facts["kernel_built"] = image.exists() and image.stat().st_mtime >= args.make_started
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kdir", type=Path, help="built kernel tree (required but with --list)")
    parser.add_argument("--suite", action="append",
                        help="run only this suite (repeatable); 'host': the host tests, 'static': the static checks")
    parser.add_argument("--list", action="store_true", help="print every --suite value as JSON and stop")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "check")
    parser.add_argument("--kselftest-dir", type=Path, default=ROOT / "build" / "kselftest")
    parser.add_argument("--make-started", type=float, metavar="EPOCH",
                        help="when make started (before the bootstrap and kernel build), for timing.json")
    args = parser.parse_args()

    if args.list:
        print(json.dumps([*HOST_ONLY, *(s.name for s in suites.discover(ROOT))]))
        return 0
    if args.kdir is None:
        parser.error("--kdir is required")
    try:
        n_lanes = lanes.lanes_from(os.environ)
    except ValueError as e:
        parser.error(str(e))

    start = time.monotonic()
    report = Report()
    args.out.mkdir(parents=True, exist_ok=True)
    asked = args.suite or []
    names = [n for n in asked if n not in HOST_ONLY]
    whole = not asked
    if whole or "host" in asked:
        host_tests(report, args.out)
    if whole or "static" in asked:
        static_checks(report, args.out, args.kdir)
    if whole or names:
        built = builds(report, args.out, args.kdir)
        try:
            # After the build: a suite's modules are the .ko files it produced.
            selected = suites.discover(ROOT, names or None)
        except suites.ConfError as e:
            report.add("vm", "suite configuration", "fail", str(e), kind="bookkeeping")
            selected = []
        for s in selected:
            for folder in s.unbuilt:
                report.add(s.name, f"module in {folder.relative_to(ROOT)} built", "fail", "no .ko", kind="build")
        if built and "rkm_guard" in {s.name for s in selected}:
            guard_machine_code(report)
        manifests = load_manifests(report, selected)
        if built and manifests:
            reported = {name: manifest.Results() for name in manifests}
            runnable = [s for s in selected if s.name in manifests]
            vm_boots(report, args.kdir, runnable, args.out, args.kselftest_dir, reported, n_lanes)
            check_manifests(report, manifests, reported)

    section("timing", timed=False)
    TIMING.run = run_facts(args, asked, n_lanes)
    print(TIMING.table())
    if "seconds_since_make" in TIMING.run:
        built = "with" if TIMING.run["kernel_built"] else "without"
        print(f"  {TIMING.run['seconds_since_make']:8.1f} s  since make started ({built} a kernel build)")
    TIMING.write(args.out / "timing.json")
    junit.write(report.results, args.out / "junit.xml")

    section("summary", timed=False)
    print(report.table())
    print(f"  (results and logs in {args.out}: timing.json, junit.xml; {time.monotonic() - start:.0f} s)")
    print(report.summary())
    return 1 if report.counts()[1] else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
