"""Benchmark reports: checking their shape, printing them as tables, and the
sources `make bench` copies."""

import contextlib
import datetime
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
import unittest.mock
from pathlib import Path

from harness import bench, suites, vm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bench as bench_cli  # noqa: E402  (scripts/bench.py)

REPORT = """{"suite": "demo", "params": {"n": 3},
 "tables": [
  {"title": "Cost, ns", "columns": ["lock", "Rust", "C", "ratio"],
   "rows": [["mutex", 21.45, 20.00, 1.072], ["seqlock write", 9.99, null, 1.111]]},
  {"title": "Rate", "columns": ["lock", "1 thread"], "rows": [["mutex", 12]]}
 ]}"""


class Load(unittest.TestCase):
    def test_good_report(self):
        report = bench.load(REPORT)
        self.assertEqual([t["title"] for t in report["tables"]], ["Cost, ns", "Rate"])
        self.assertEqual(report["params"], {"n": 3})

    def test_bad_reports_say_what_is_wrong(self):
        cases = (
            ("", "not JSON"),
            ("[1, 2]", "list of tables"),
            ('{"tables": [{"columns": [], "rows": []}]}', "needs a title"),
            ('{"tables": [{"title": "t", "columns": ["a", "b"], "rows": [[1]]}]}', "does not match 2 columns"),
        )
        for text, message in cases:
            with self.subTest(text=text):
                with self.assertRaisesRegex(bench.ReportError, message):
                    bench.load(text, "x/bench.sh")


class Format(unittest.TestCase):
    def test_numbers_keep_their_digits_and_align_right(self):
        lines = bench.format_report(bench.load(REPORT))
        self.assertEqual(lines, [
            "Cost, ns",
            "lock            Rust      C  ratio",
            "mutex          21.45  20.00  1.072",
            "seqlock write   9.99      -  1.111",
            "",
            "Rate",
            "lock   1 thread",
            "mutex        12",
        ])


class Sources(unittest.TestCase):
    def test_copies_tracked_and_new_files_but_not_build_outputs(self):
        with tempfile.TemporaryDirectory() as tmp:
            repo, dest = Path(tmp) / "repo", Path(tmp) / "dest"
            (repo / "modules" / "m").mkdir(parents=True)
            (repo / ".gitignore").write_text("*.o\n")
            (repo / "modules" / "m" / "m.rs").write_text("tracked\n")
            subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
            subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
            (repo / "modules" / "m" / "new.c").write_text("new\n")
            (repo / "modules" / "m" / "m.o").write_text("output\n")
            bench_cli.sync_sources(repo, dest)
            self.assertEqual((dest / "modules" / "m" / "m.rs").read_text(), "tracked\n")
            self.assertEqual((dest / "modules" / "m" / "new.c").read_text(), "new\n")
            self.assertFalse((dest / "modules" / "m" / "m.o").exists())
            # An unchanged file is not copied again, so its time stamp stays.
            before = (dest / "modules" / "m" / "m.rs").stat().st_mtime_ns
            bench_cli.sync_sources(repo, dest)
            self.assertEqual((dest / "modules" / "m" / "m.rs").stat().st_mtime_ns, before)


class Boot(unittest.TestCase):
    @staticmethod
    def suite(name, vm_conf, bench_conf):
        return suites.Suite(name, Path(name), [], suites.parse_conf(vm_conf), [], [],
                            suites.parse_conf(bench_conf))

    def test_bench_confs_add_to_the_shared_boots(self):
        conf = bench_cli.boot_conf([
            self.suite("a", "memory = 2G\nappend = kho=on\n", ""),
            self.suite("b", "", "memory = 6G\nappend = x=1\ntimeout = 1200\n"),
        ])
        self.assertEqual((conf.memory, conf.append, conf.timeout), ("6G", ["kho=on", "x=1"], 1200))

    def test_a_bench_conf_asking_less_memory_does_not_shrink_the_boot(self):
        conf = bench_cli.boot_conf([self.suite("a", "memory = 2G\n", "memory = 1G\n")])
        self.assertEqual(conf.memory, "2G")


class Programs(unittest.TestCase):
    def test_built_next_to_the_suite_with_its_makefile(self):
        with tempfile.TemporaryDirectory() as tmp:
            suite_dir, log = Path(tmp) / "rkm_x", Path(tmp) / "build.log"
            suite_dir.mkdir()
            (suite_dir / "Makefile").write_text("all:\n\techo $(KSFT) > $(OUTPUT)/prog\n")
            self.assertTrue(bench_cli.build_programs(Path("/k"), suite_dir, log))
            self.assertEqual((suite_dir / "prog").read_text(), "/k/tools/testing/selftests\n")

    def test_a_failed_build_is_reported(self):
        with tempfile.TemporaryDirectory() as tmp:
            suite_dir, log = Path(tmp) / "rkm_x", Path(tmp) / "build.log"
            suite_dir.mkdir()
            (suite_dir / "Makefile").write_text("all:\n\tfalse\n")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                self.assertFalse(bench_cli.build_programs(Path("/k"), suite_dir, log))
            self.assertIn(f"building the programs of {suite_dir} failed", printed.getvalue())


def target(name="t", measured=(1.0, 1.2, 1.1), baseline=(10.0, 11.0, 12.0), **bound):
    return {"name": name,
            "measured": {"what": "adopt, us", "clock": "user CLOCK_MONOTONIC", "samples": list(measured)},
            "baseline": {"what": "copy, us", "clock": "user CLOCK_MONOTONIC", "samples": list(baseline)},
            **({"max_ratio": 0.5} if not {"max_ratio", "min_ratio"} & bound.keys() else {}), **bound}


def report(*targets, tables=()):
    return json.dumps({"suite": "s", "tables": list(tables), "targets": list(targets)})


class Targets(unittest.TestCase):
    """A verdict compares two distinct measurements of one boot; none holds by construction."""

    def refused(self, message, *targets, tables=()):
        with self.assertRaisesRegex(bench.ReportError, message):
            bench.load(report(*targets, tables=tables), "s/bench.sh")

    def test_a_figure_compared_with_itself_is_refused(self):
        same = target()
        same["baseline"] = dict(same["measured"])
        self.refused("with itself", same)

    def test_the_same_samples_under_two_names_are_refused(self):
        self.refused("same samples", target(measured=(5.1, 6.2), baseline=(5.10, 6.20)))

    def test_two_single_medians_or_two_series_of_counts_may_coincide(self):
        bench.load(report(target(measured=(59.99,), baseline=(59.99,))))
        bench.load(report(target(measured=(23, 8, 23), baseline=(23, 8, 23))))

    def test_paired_samples_come_in_pairs(self):
        self.refused("come in pairs", target(measured=(1, 2), baseline=(3,), paired=True))
        self.refused("come in pairs", target(paired="yes"))

    def test_the_guard_report_is_accepted(self):
        # The JSON rust/guard_torture/tests/bench.rs expects the module to print.
        text = (Path(__file__).resolve().parents[2] / "rust" / "guard_torture" / "tests" / "bench.rs").read_text()
        report = bench.load(text.split('let want = r#"', 1)[1].split('"#;', 1)[0])
        self.assertEqual(bench.judge("mutex", [report] * 5)["verdict"], "missed")
        self.assertEqual(bench.judge("mutex", [report])["verdict"], "no verdict: 1 of 5 boots")

    def test_a_side_that_was_not_measured_is_refused(self):
        for samples in ((), None, (0,), (-1.0,), ("3",)):
            with self.subTest(samples=samples):
                t = target()
                t["baseline"]["samples"] = samples
                self.refused("baseline", t)

    def test_each_side_names_what_it_is_and_its_clock(self):
        for key in ("what", "clock"):
            with self.subTest(key=key):
                t = target()
                del t["measured"][key]
                self.refused(f"needs '{key}'", t)

    def test_one_positive_bound(self):
        self.refused("one positive", target(max_ratio=1, min_ratio=1))
        self.refused("one positive", target(max_ratio=0))
        self.refused("one positive", {**target(), "max_ratio": "1"})
        t = target()
        del t["max_ratio"]
        self.refused("one positive", t)

    def test_names_are_unique(self):
        self.refused("same name", target(), target())

    def test_suites_write_no_verdict_column(self):
        for column in ("met", "Result", "verdict"):
            with self.subTest(column=column):
                self.refused("verdict column", tables=[{"title": "t", "columns": ["x", column],
                                                        "rows": [["a", "yes"]]}])

    def test_a_target_column_names_a_target_or_says_informational(self):
        table = {"title": "t", "columns": ["row", "target"], "rows": [["a", "t"], ["b", bench.INFORMATIONAL]]}
        bench.load(report(target(), tables=[table]))
        table["rows"].append(["c", None])
        self.refused("row 'c' names no target", target(), tables=[table])
        table["rows"][-1] = ["c", "other"]
        self.refused("row 'c' names no target", target(), tables=[table])


class Judge(unittest.TestCase):
    def test_one_boot_ratio_of_medians_and_the_pairwise_spread(self):
        r = bench.load(report(target(measured=(1, 2, 3), baseline=(10, 10, 40), paired=True)))
        v = bench.judge("t", [r])
        self.assertAlmostEqual(v["ratio"], 0.2)
        self.assertEqual((v["low"], v["high"]), (0.075, 0.2))
        self.assertEqual((v["boots"], v["bound"], v["verdict"]), (1, "<= 0.5", "met"))

    def test_unpaired_samples_have_no_spread_with_one_boot(self):
        v = bench.judge("t", [bench.load(report(target(measured=(1, 2), baseline=(4, 5))))])
        self.assertEqual((v["low"], v["high"]), (None, None))

    def test_a_missed_bound_says_so(self):
        self.assertEqual(bench.judge("t", [bench.load(report(target(max_ratio=0.05)))])["verdict"], "missed")
        self.assertEqual(bench.judge("t", [bench.load(report(target(min_ratio=0.2)))])["verdict"], "missed")
        self.assertEqual(bench.judge("t", [bench.load(report(target(min_ratio=0.05)))])["verdict"], "met")

    def test_over_boots_the_median_of_the_boots_ratios_never_the_best(self):
        # Ratios 1.03, 1.04, 1.13, 1.06, 1.07: the best boot meets 1.05, the median does not.
        boots = [bench.load(report(target(measured=(m,), baseline=(100,), max_ratio=1.05, min_boots=5)))
                 for m in (103, 104, 113, 106, 107)]
        v = bench.judge("t", boots)
        self.assertAlmostEqual(v["ratio"], 1.06)
        self.assertAlmostEqual(v["low"], 1.03)
        self.assertAlmostEqual(v["high"], 1.13)
        self.assertEqual((v["boots"], v["verdict"]), (5, "missed"))

    def test_fewer_boots_than_asked_give_no_verdict(self):
        boots = [bench.load(report(target(measured=(100,), baseline=(200,), min_boots=5)))] * 4
        self.assertEqual(bench.judge("t", boots)["verdict"], "no verdict: 4 of 5 boots")

    def test_a_bound_that_changes_between_boots_is_an_error(self):
        boots = [bench.load(report(target(max_ratio=0.5))), bench.load(report(target(max_ratio=0.6)))]
        with self.assertRaisesRegex(bench.ReportError, "another bound"):
            bench.judge("t", boots)


class Pages(unittest.TestCase):
    MACHINE = {"date": "2026-12-05 17:00 UTC", "where": "host Some CPU, 2 cores, QEMU under TCG"}

    def test_the_page_says_when_where_and_shows_tables_and_verdicts(self):
        table = {"title": "Restore, us", "columns": ["size", "adopt", "target"],
                 "rows": [["64 MiB", 1.1, "t"]]}
        boots = [bench.load(report(target(), tables=[table])) for _ in range(2)]
        page = bench.generated_page("s", boots, self.MACHINE)
        self.assertIn("do not edit", page)
        self.assertIn("2026-12-05 17:00 UTC, host Some CPU, 2 cores, QEMU under TCG; 2 boots", page)
        self.assertIn("    --- boot 2 of 2 ---", page)
        self.assertIn("    Restore, us", page)
        self.assertRegex(page, r"    t +adopt, us \(user CLOCK_MONOTONIC\) +1\.1/1\.1 .* met")
        self.assertIn("(one boot: over paired samples)", bench.placeholder_page("s") + page)

    def test_without_targets_the_page_says_every_figure_is_informational(self):
        page = bench.generated_page("s", [bench.load(REPORT)], self.MACHINE)
        self.assertIn("No target: every figure above is informational.", page)

    def test_the_placeholder_has_no_figures(self):
        page = bench.placeholder_page("rkm_x")
        self.assertIn("has not been run on this tree yet", page)
        self.assertIn("make bench SUITE=rkm_x", page)

    def test_every_suite_with_a_benchmark_has_its_page_included(self):
        root = Path(__file__).resolve().parents[2]
        for bench_sh in sorted(root.glob("selftests/*/bench.sh")):
            suite = bench_sh.parent.name
            with self.subTest(suite=suite):
                self.assertTrue((root / "Documentation" / "generated" / f"{suite}_bench.rst").exists())
                page = (root / "Documentation" / f"{suite}.rst").read_text()
                self.assertTrue(f".. include:: generated/{suite}_bench.rst" in page, "not included")


class Plan(unittest.TestCase):
    @staticmethod
    def suite(name, boots):
        return suites.Suite(name, Path(name), [], suites.BootConf("vm"), [], [],
                            suites.parse_conf(f"boots = {boots}\n"))

    def test_each_suite_runs_in_its_first_boots(self):
        plan = bench_cli.boot_plan([self.suite("a", 1), self.suite("g", 3)])
        self.assertEqual([[s.name for s in boot] for boot in plan], [["a", "g"], ["g"], ["g"]])

    def test_the_override_applies_to_every_suite(self):
        plan = bench_cli.boot_plan([self.suite("a", 1), self.suite("g", 3)], boots=2)
        self.assertEqual([[s.name for s in boot] for boot in plan], [["a", "g"], ["a", "g"]])

    def test_the_guest_memory_of_the_boots_a_suite_ran_in(self):
        big = suites.Suite("a", Path("a"), [], suites.BootConf("vm"), [], [], suites.parse_conf("memory = 6G\n"))
        plan = bench_cli.boot_plan([big, self.suite("g", 5)])
        self.assertEqual(bench_cli.guest_memory(plan, "a"), "6G")
        self.assertEqual(bench_cli.guest_memory(plan, "g"), "6G in boot 1, 2G in boots 2-5")

    def test_the_machine_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "cpuinfo").write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) X\n")
            (tmp / "loadavg").write_text("1.52 1.10 0.90 2/300 42\n")
            (tmp / "include" / "config").mkdir(parents=True)
            (tmp / "include" / "config" / "kernel.release").write_text("7.3.4\n")
            now = datetime.datetime(2026, 12, 5, 17, 3, tzinfo=datetime.timezone.utc)
            m = bench_cli.machine(tmp, "6G", False, tmp / "cpuinfo", tmp / "loadavg", now)
            self.assertEqual(m["date"], "2026-12-05 17:03 UTC")
            self.assertIn("host Intel(R) Xeon(R) X", m["where"])
            self.assertIn("load average 1.52", m["where"])
            self.assertIn("6G, QEMU under TCG, perf kernel 7.3.4", m["where"])


class Boots(unittest.TestCase):
    """scripts/bench.py's boots and pages, with the VM replaced by what a guest leaves."""

    GOOD = json.dumps({"suite": "rkm_x", "tables": [], "targets": [target(max_ratio=0.5)]})

    def boot(self, out, reports, console="[    1.0] ok\n"):
        def run(boot, use_kvm):
            for name, (status, text) in reports.items():
                (boot.results / f"{name}.status").write_text(f"{status}\n")
                (boot.results / f"{name}.json").write_text(text)
            (boot.results / "console.log").write_text(console)
            return vm.Outcome(exit_code=0, timed_out=False, seconds=1.0, console=boot.results / "console.log")

        part = [suites.Suite(name, Path(name), [], suites.BootConf("vm"), [], [], suites.BootConf("bench"))
                for name in reports]
        printed = io.StringIO()
        with unittest.mock.patch.object(vm, "run", run), contextlib.redirect_stdout(printed):
            ok, got = bench_cli.run_boot(1, part, Path("/k"), out / "src", out, False)
        return ok, got, printed.getvalue()

    def test_a_boot_collects_whole_reports_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            ok, got, printed = self.boot(Path(tmp), {"rkm_x": (0, self.GOOD), "rkm_y": (1, "")})
        self.assertFalse(ok)
        self.assertEqual(list(got), ["rkm_x"])
        self.assertIn("rkm_y: bench.sh failed", printed)

    def test_a_report_with_a_verdict_of_its_own_fails_the_boot(self):
        text = json.dumps({"tables": [{"title": "t", "columns": ["a", "met"], "rows": [["x", "yes"]]}]})
        with tempfile.TemporaryDirectory() as tmp:
            ok, got, printed = self.boot(Path(tmp), {"rkm_x": (0, text)})
        self.assertEqual((ok, got), (False, {}))
        self.assertIn("verdict column (met)", printed)

    def test_a_splat_fails_the_boot(self):
        console = "[    2.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1\n[    2.1] ---[ end trace 0 ]---\n"
        with tempfile.TemporaryDirectory() as tmp:
            ok, got, printed = self.boot(Path(tmp), {"rkm_x": (0, self.GOOD)}, console)
        self.assertFalse(ok)
        self.assertIn("kernel splat", printed)

    def test_publish_saves_the_verdicts_and_writes_the_page(self):
        boots = [bench.load(self.GOOD)] * 2
        where = {"date": "2026-12-05 17:00 UTC", "where": "host X"}
        with tempfile.TemporaryDirectory() as tmp:
            out, docs = Path(tmp), Path(tmp) / "docs"
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertTrue(bench_cli.publish("rkm_x", boots, out, docs, where, Path(tmp, "src")))
            saved = json.loads((out / "rkm_x.json").read_text())
            page = (docs / "rkm_x_bench.rst").read_text()
        self.assertEqual([v["verdict"] for v in saved["verdicts"]], ["met"])
        self.assertEqual(len(saved["boots"]), 2)
        self.assertIn("2026-12-05 17:00 UTC, host X; 2 boots", page)
        self.assertNotIn("machine code", page)

    def test_a_machine_code_table_follows_the_figures(self):
        page = bench.generated_page("rkm_guard", [bench.load(self.GOOD)], {"date": "d", "where": "w"},
                                    "operation  Rust loop\nmutex      9")
        self.assertTrue(page.endswith("rkm_guard.ko)::\n\n    operation  Rust loop\n    mutex      9\n"), page)


def _script(relative, name):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[2] / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SuiteReports(unittest.TestCase):
    """The reports the suites' bench scripts build pass the checks, and their targets say
    what was measured."""

    def test_rkm_phy_one_target_per_phy_and_measure(self):
        phy = _script("selftests/rkm_phy/bench_phy.py", "bench_phy")

        def counts(extra):
            result = {port: {"steady": (40 + extra, 10), "up": [23, 8, 23], "up_poll": [4, 4, 4],
                             "relink": [4, 4, 4 + extra]} for port, _, _ in phy.PORTS}
            result["bound"] = ["x"] * 4
            return result

        r = bench.load(json.dumps(phy.report(counts(1), counts(0)), default=str), "bench_phy")
        self.assertEqual(len(r["targets"]), 3 * len(phy.PORTS))
        self.assertEqual(bench.judge("AX88772A per link-up", [r])["verdict"], "met")
        self.assertEqual(bench.judge("AX88772A per poll", [r])["verdict"], "missed")
        self.assertEqual(bench.judge("AX88772A per re-link", [r])["verdict"], "met")


    @staticmethod
    def pcie_samples(spec_back_us=101500, module_ready_us=100600, own_back_us=120000, rounds=3):
        lines = ["port 00:10.0 2.5 pci-testdev", "port 00:17.0 16.0 e1000e"]
        for rd in range(1, rounds + 1):
            for port, path, link in (("00:10.0", "up-to-5gt", "none"), ("00:17.0", "above-5gt", "150")):
                lines.append(f"spec {port} {rd} {spec_back_us + 900} {spec_back_us + rd} 99000 {path} {link}"
                             f" {module_ready_us - 40} {module_ready_us + rd} 1 100 ready")
                lines.append(f"kernel {port} {rd} 10500 {9800 + rd} 9000 skip none none 20 0 0 no-wait")
                lines.append(f"own {port} {rd} 11000 {own_back_us + rd} 9500")
        return "\n".join(lines) + "\n"

    def pcie_report(self, samples, rounds=3):
        awk = Path(__file__).resolve().parents[2] / "selftests" / "rkm_pcie_ready" / "bench_report.awk"
        proc = subprocess.run(["awk", "-v", f"rounds={rounds}", "-f", str(awk)], input=samples,
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return bench.load(proc.stdout, "bench_report.awk")

    def test_rkm_pcie_ready_two_clocks_and_the_kernel_reset(self):
        r = self.pcie_report(self.pcie_samples())
        rows = r["tables"][0]["rows"]
        self.assertEqual(len(rows), 6)
        spec = rows[0]
        self.assertEqual(spec[:4], ["00:10.0", 2.5, "pci-testdev", "module, spec policy"])
        # Module ready 100.602 ms (its clock), device back 101.502 ms (user space), the minimum 100.
        self.assertEqual([str(c) for c in spec[9:15]], ["100.60", "102.40", "101.50", "99.00", "100.00", "1.015"])
        # The kernel does not wait for a device without PM: back long before the minimum.
        self.assertEqual(str(rows[1][14]), "0.098")
        self.assertEqual(rows[1][16], bench.INFORMATIONAL)
        self.assertEqual(bench.judge("00:10.0 spec: user space vs module clock", [r])["verdict"], "met")
        self.assertEqual(bench.judge("00:17.0 spec vs the kernel reset", [r])["verdict"], "met")
        self.assertEqual(bench.target_names([r]), ["00:10.0 spec: user space vs module clock",
                                                   "00:17.0 spec: user space vs module clock",
                                                   "00:17.0 spec vs the kernel reset"])

    def test_rkm_pcie_ready_a_module_clock_ahead_of_user_space_misses(self):
        # The module says ready at 100.6 ms, user space got the device back at 60 ms.
        r = self.pcie_report(self.pcie_samples(spec_back_us=60000))
        self.assertEqual(bench.judge("00:10.0 spec: user space vs module clock", [r])["verdict"], "missed")
        self.assertEqual(str(r["tables"][0]["rows"][0][15]), "0.600")

    def test_rkm_pcie_ready_slower_than_the_kernel_misses(self):
        r = self.pcie_report(self.pcie_samples(own_back_us=90000))
        self.assertEqual(bench.judge("00:17.0 spec vs the kernel reset", [r])["verdict"], "missed")

    def test_rkm_pcie_ready_a_reset_without_time_fails(self):
        awk = Path(__file__).resolve().parents[2] / "selftests" / "rkm_pcie_ready" / "bench_report.awk"
        samples = self.pcie_samples().replace("own 00:10.0 2 11000 120002", "own 00:10.0 2 11000 0")
        proc = subprocess.run(["awk", "-v", "rounds=3", "-f", str(awk)], input=samples,
                              capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("00:10.0 own round 2: no time", proc.stderr)


    @staticmethod
    def handover_timings(kexecs=3, copy_ns=2_000_000_000):
        lines = []
        for k in range(kexecs + 1):
            if k:
                for size in ("1M", "64M", "256M"):
                    lines.append(f"{k} restored bench_{size} blob_bytes 1 restore_ns {240000 + k * 1000}")
                    lines.append(f"{k} restored copy_{size} blob_bytes 1 restore_ns {copy_ns + k}")
            if k < kexecs:
                for size in ("1M", "64M", "256M"):
                    for kind in ("bench", "copy"):
                        lines.append(f"{k} published {kind}_{size} blob_bytes 1 area_bytes 768"
                                     f" publish_ns {400000 + k} copy_ns {copy_ns}")
        return "\n".join(lines) + "\n"

    def handover_report(self, timings, kexecs=3):
        awk = Path(__file__).resolve().parents[2] / "selftests" / "rkm_handover" / "bench_report.awk"
        proc = subprocess.run(["awk", "-v", "sizes=1M 64M 256M", "-v", f"kexecs={kexecs}", "-f", str(awk)],
                              input=timings, capture_output=True, text=True)
        return proc, (bench.load(proc.stdout, "bench_report.awk") if proc.returncode == 0 else None)

    def test_rkm_handover_adopt_against_a_restore_that_copies_after_the_same_kexecs(self):
        proc, r = self.handover_report(self.handover_timings())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        restore, serialize = r["tables"]
        self.assertEqual([str(c) for c in restore["rows"][1]],
                         ["64 MiB", "242.0", "241.0-243.0", "2000000.0", "2000000.0-2000000.0", "8264.5",
                          "64 MiB restore"])
        self.assertEqual(serialize["rows"][0][-1], bench.INFORMATIONAL)
        v = bench.judge("64 MiB restore", [r])
        self.assertEqual((v["verdict"], v["measured"]["what"], v["baseline"]["what"]),
                         ("met", "adopt, us", "restore by copy, us"))
        self.assertEqual(len(r["targets"][0]["measured"]["samples"]), 3)

    def test_rkm_handover_a_copy_as_fast_as_adopting_misses(self):
        proc, r = self.handover_report(self.handover_timings(copy_ns=250_000))
        self.assertEqual(bench.judge("256 MiB restore", [r])["verdict"], "missed")

    def test_rkm_handover_a_missing_kernel_fails(self):
        proc, _ = self.handover_report(self.handover_timings(kexecs=2), kexecs=3)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("bench_1M: 2 restores, not 3", proc.stderr)


    def test_rkm_accept_against_a_stand_in_for_the_device(self):
        """accept_bench's report, with /dev/rkm_accept and the module loads faked
        (fakes/accept_device.c): ACCEPT takes 6 ms, the clear of the same pages 2."""
        compiler = next(c for c in ("cc", "clang", "gcc") if shutil.which(c))
        root = Path(__file__).resolve().parents[2]
        uapi = root / "modules" / "rkm_accept" / "uapi"
        with tempfile.TemporaryDirectory() as tmp:
            fake, program = Path(tmp) / "fake.so", Path(tmp) / "accept_bench"
            subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{uapi}", "-o", str(fake),
                            str(Path(__file__).parent / "fakes" / "accept_device.c"), "-ldl"], check=True)
            subprocess.run([compiler, "-O1", f"-I{uapi}", "-o", str(program),
                            str(root / "selftests" / "rkm_accept" / "accept_bench.c")], check=True)
            proc = subprocess.run([str(program), "/dev/null"], capture_output=True, text=True,
                                  env={"LD_PRELOAD": str(fake), "ACCEPT_US": "6000", "CLEAR_US": "2000"})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        r = bench.load(proc.stdout, "accept_bench")
        self.assertEqual(bench.target_names([r]), ["emulated-tdx: ACCEPT vs clear",
                                                   "emulated-snp: ACCEPT vs clear", "fault path, write"])
        v = bench.judge("emulated-tdx: ACCEPT vs clear", [r])
        self.assertEqual((v["measured"]["what"], v["baseline"]["what"]),
                         ("ACCEPT of the region, ms", "clear of its pages, ms"))
        self.assertGreater(v["ratio"], 1.25)
        self.assertEqual(v["verdict"], "missed")
        # The acceptor's own cost is what the backend's calls leave of an ACCEPT: 0.6 of 6 ms
        # (the sleep may oversleep, never undersleep).
        throughput = r["tables"][1]
        own = throughput["columns"].index("acceptor's own ms")
        self.assertTrue(all(float(row[own]) >= 0.59 for row in throughput["rows"]), throughput["rows"])
        # No verdict of its own, and every row says what it backs.
        for table in r["tables"]:
            self.assertIn("target", table["columns"])


if __name__ == "__main__":
    unittest.main()
