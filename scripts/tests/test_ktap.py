"""Reading kselftest runner output and KUnit results."""

import unittest

from harness import ktap

KSELFTEST = """\
TAP version 13
1..2
# timeout set to 60
# selftests: rkm_env: env_test.sh
# TAP version 13
# 1..3
# ok 1 kernel config satisfies rkm_env
# not ok 2 KHO enabled with kho=on
# ok 3 probe files are root-only # SKIP no probe
# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
not ok 1 selftests: rkm_env: env_test.sh # exit=1
# timeout set to 60
# selftests: rkm_env: env_debugfs
# TAP version 13
# 1..2
# # Starting 2 tests from 1 test cases.
# #  RUN           global.kho_file_format ...
# #            OK  global.kho_file_format
# ok 1 global.kho_file_format
# ok 2 global.warn_rejects_other_values
# # PASSED: 2 / 2 tests passed.
ok 2 selftests: rkm_env: env_debugfs
"""

KUNIT = """\
KTAP version 1
# Subtest: rkm_env
# module: rkm_env
1..3
    ok 1 shim_config_matches_rust_cfg
    not ok 2 online_cpus_within_possible
    ok 3 kho_boot_implies_enabled # SKIP not a KHO boot
ok 1 rkm_env
"""


class Kselftest(unittest.TestCase):
    def test_subtests_are_counted(self):
        results = ktap.parse_kselftest(KSELFTEST)
        self.assertEqual([(r.name, r.status) for r in results], [
            ("env_test.sh.kernel config satisfies rkm_env", "pass"),
            ("env_test.sh.KHO enabled with kho=on", "fail"),
            ("env_test.sh.probe files are root-only", "skip"),
            ("env_debugfs.global.kho_file_format", "pass"),
            ("env_debugfs.global.warn_rejects_other_values", "pass"),
        ])

    def test_crash_after_passing_subtests_is_a_failure(self):
        text = ("# selftests: s: t\n# ok 1 a\nnot ok 1 selftests: s: t # TIMEOUT 60 seconds\n")
        results = ktap.parse_kselftest(text)
        self.assertEqual([r.status for r in results], ["pass", "fail"])
        self.assertIn("TIMEOUT", results[-1].reason)

    def test_program_without_subtests(self):
        results = ktap.parse_kselftest("# selftests: s: t\nok 1 selftests: s: t\n")
        self.assertEqual([(r.name, r.status) for r in results], [("t", "pass")])

    def test_skipped_program(self):
        results = ktap.parse_kselftest("# selftests: s: t\nok 1 selftests: s: t # SKIP\n")
        self.assertEqual(results[0].status, "skip")


class Kunit(unittest.TestCase):
    def test_cases(self):
        results = ktap.parse_kunit(KUNIT, "rkm_env")
        self.assertEqual([(r.name, r.status) for r in results], [
            ("rkm_env.shim_config_matches_rust_cfg", "pass"),
            ("rkm_env.online_cpus_within_possible", "fail"),
            ("rkm_env.kho_boot_implies_enabled", "skip"),
        ])

    def test_empty_results_fail(self):
        self.assertEqual(ktap.parse_kunit("", "s")[0].status, "fail")


class FlatTap(unittest.TestCase):
    def test_module_results(self):
        text = "ok - load rkm_env\nnot ok - unload rkm_env # rmmod: ERROR: Module is in use\n"
        results = ktap.parse_tap(text)
        self.assertEqual([(r.name, r.status) for r in results],
                         [("load rkm_env", "pass"), ("unload rkm_env", "fail")])
        self.assertIn("in use", results[1].reason)

    def test_boot_tap_lines_without_numbers(self):
        # What a boot spanning kexecs appends to boot.tap, stage by stage.
        text = ("ok - stage 1: loads\n"
                "not ok - stage 2: blob intact # digest differs\n"
                "# big sha256 0123\n"
                "ok - stage 3: generation 3\n")
        results = ktap.parse_tap(text)
        self.assertEqual([(r.name, r.status) for r in results], [
            ("stage 1: loads", "pass"),
            ("stage 2: blob intact", "fail"),
            ("stage 3: generation 3", "pass"),
        ])
        self.assertEqual(results[1].reason, "digest differs")


if __name__ == "__main__":
    unittest.main()
