"""Benchmark reports: checking their shape, printing them as tables, and the
sources `make bench` copies."""

import contextlib
import io
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from harness import bench, suites

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


if __name__ == "__main__":
    unittest.main()
