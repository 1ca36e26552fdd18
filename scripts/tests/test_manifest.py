"""Expected-results manifests, and the skips they allow."""

import contextlib
import io
import unittest
from pathlib import Path

import check
from harness import manifest

ROOT = Path(__file__).resolve().parents[2]

LISTED = """\
# comment
module     rkm_x
kunit      rkm_x        13   # cases
kselftest  x_debugfs    12
kselftest  x_test.sh    0
boot       abba         2
skip       x_test.sh.tdx -- a real TDX conversion needs a TDX guest
"""


def reported(**changes):
    results = manifest.Results(modules={"rkm_x"}, kunit={"rkm_x": 13},
                               kselftest={"x_debugfs": 12, "x_test.sh": 0}, boots={"abba": 2})
    for name, value in changes.items():
        setattr(results, name, value)
    return results


class Parse(unittest.TestCase):
    def test_every_kind(self):
        m = manifest.parse(LISTED)
        self.assertEqual(m.expected, reported())
        self.assertEqual(m.skips, {"x_test.sh.tdx": "a real TDX conversion needs a TDX guest"})

    def test_errors_name_the_line(self):
        for text, message in (("kunit rkm_x\n", ":1: expected"), ("kunit a many\n", ":1: 'many' is not a count"),
                              ("\nskip x\n", ":2: expected 'skip RESULT -- REASON'"),
                              ("boot a 1\nboot a 2\n", ":2: boot a listed twice"), ("test a 1\n", ":1: expected")):
            with self.subTest(text=text):
                with self.assertRaisesRegex(manifest.ManifestError, message):
                    manifest.parse(text)

    def test_every_suite_has_a_valid_manifest(self):
        for suite in sorted(p for p in (ROOT / "selftests").iterdir() if (p / "Makefile").exists()):
            with self.subTest(suite=suite.name):
                manifest.load(suite)


class Differences(unittest.TestCase):
    expected = manifest.parse(LISTED).expected

    def test_all_reported(self):
        self.assertEqual(manifest.differences(self.expected, reported()), [])

    def test_each_missing_or_extra_piece_is_named(self):
        cases = (
            (dict(kunit={"rkm_x": 12}), "kunit rkm_x: reported 12 cases, the manifest lists 13"),
            (dict(kunit={}), "kunit rkm_x: did not report (the manifest lists 13 cases)"),
            (dict(kselftest={"x_debugfs": 12}), "kselftest x_test.sh: did not report"),
            (dict(kselftest={"x_debugfs": 11, "x_test.sh": 0}), "kselftest x_debugfs: reported 11 subtests"),
            (dict(kselftest={"x_debugfs": 12, "x_test.sh": 0, "new": 3}),
             "kselftest new: reported 3 subtests, not in the manifest"),
            (dict(boots={}), "boot abba: did not report"),
            (dict(modules=set()), "module rkm_x: no load and unload reported"),
            (dict(modules={"rkm_x", "rkm_y"}), "module rkm_y: loaded and unloaded, not in the manifest"),
        )
        for change, problem in cases:
            with self.subTest(change=change):
                problems = manifest.differences(self.expected, reported(**change))
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(problem, problems[0])


class Skips(unittest.TestCase):
    def report(self):
        report = check.Report()
        report.declared_skips["rkm_x"] = manifest.parse(LISTED).skips
        return report

    def add(self, report, *args, **kwargs):
        with contextlib.redirect_stdout(io.StringIO()):
            report.add(*args, **kwargs)
        return report.results[-1]

    def test_declared_skip_stays_a_skip_with_its_reason(self):
        result = self.add(self.report(), "rkm_x", "x_test.sh.tdx", "skip", "no TDX")
        self.assertEqual(result[2:4], ("skip", "a real TDX conversion needs a TDX guest; the test says: no TDX"))

    def test_a_declared_skip_whose_result_never_reported_fails(self):
        listed = manifest.parse(LISTED)
        for ran in (False, True):
            with self.subTest(ran=ran):
                report = self.report()
                if ran:
                    self.add(report, "rkm_x", "x_test.sh.tdx", "pass")
                with contextlib.redirect_stdout(io.StringIO()):
                    check.check_manifests(report, {"rkm_x": listed}, {"rkm_x": listed.expected})
                failed = [r[1] for r in report.results if r[2] == "fail"]
                self.assertEqual(failed, [] if ran else
                                 ["manifest: skip 'x_test.sh.tdx': declared, but no such result reported"])

    def test_undeclared_skip_fails(self):
        for suite, name in (("rkm_x", "x_debugfs.start"), ("rkm_y", "x_test.sh.tdx"), ("host", "a::b")):
            with self.subTest(suite=suite, name=name):
                result = self.add(self.report(), suite, name, "skip", "rkm_x is not loaded")
                self.assertEqual(result[2], "fail")
                self.assertIn("rkm_x is not loaded", result[3])

    def test_summary_counts_by_kind(self):
        report = self.report()
        for args, kind in ((("host", "a::b", "pass"), "host"), (("rkm_x", "t.one", "pass"), "vm"),
                           (("rkm_x", "load rkm_x", "pass"), "bookkeeping"),
                           (("rkm_x", "x_test.sh.tdx", "skip"), "vm")):
            self.add(report, *args, kind=kind)
        table = report.table().splitlines()
        self.assertEqual(table[1].split(), ["host", "1", "-", "-", "-", "1", "0", "0"])
        self.assertEqual(table[2].split(), ["rkm_x", "-", "-", "2", "1", "2", "0", "1"])
        self.assertEqual(report.summary(), "3 passed, 0 failed, 1 skipped")


if __name__ == "__main__":
    unittest.main()
