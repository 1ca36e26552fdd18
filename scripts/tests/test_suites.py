"""Suite discovery and boot configuration files."""

import tempfile
import unittest
from pathlib import Path

from harness import suites

ROOT = Path(__file__).resolve().parents[2]


class ParseConf(unittest.TestCase):
    def test_lists_accumulate(self):
        conf = suites.parse_conf("append = kho=on\nappend = a=b\n# c\n\nmemory = 4G\ntimeout = 30\n")
        self.assertEqual(conf.append, ["kho=on", "a=b"])
        self.assertEqual((conf.memory, conf.timeout), ("4G", 30))

    def test_value_may_contain_equals(self):
        conf = suites.parse_conf("command = echo a=b && true\n")
        self.assertEqual(conf.command, "echo a=b && true")

    def test_errors_name_the_line(self):
        for text, message in (("oops\n", ":1: expected"), ("colour = red\n", "unknown key 'colour'"),
                              ("\ntimeout = soon\n", ":2: timeout"),
                              ("expect_splat = WARNING: x\n", ":1: expected 'COUNT HEADER"),
                              ("shared = maybe\n", ":1: shared must be yes or no")):
            with self.subTest(text=text):
                with self.assertRaisesRegex(suites.ConfError, message):
                    suites.parse_conf(text)


class Merge(unittest.TestCase):
    def test_union_and_largest_memory(self):
        a = suites.parse_conf("append = kho=on\nmemory = 2G\nqemu_opts = -device x\n")
        b = suites.parse_conf("append = kho=on\nappend = y=1\nmemory = 4096M\ntimeout = 99\n")
        merged = suites.merge([a, b])
        self.assertEqual(merged.append, ["kho=on", "y=1"])
        self.assertEqual(merged.memory, "4096M")
        self.assertEqual(merged.qemu_opts, ["-device x"])
        self.assertEqual(merged.timeout, 99)

    def test_bad_memory(self):
        with self.assertRaises(suites.ConfError):
            suites.memory_mib("lots")


class Discover(unittest.TestCase):
    def test_repo_suites_parse(self):
        found = suites.discover(ROOT)
        self.assertIn("rkm_env", [s.name for s in found])

    def test_unknown_suite_is_an_error(self):
        with self.assertRaisesRegex(suites.ConfError, "no such suite: nope"):
            suites.discover(ROOT, ["nope"])

    def test_modules_and_boots_are_found(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "selftests" / "rkm_x").mkdir(parents=True)
            (root / "modules" / "rkm_x").mkdir(parents=True)
            (root / "selftests" / "rkm_x" / "Makefile").write_text("")
            (root / "modules" / "rkm_x" / "rkm_x.ko").write_text("")
            (root / "modules" / "rkm_x" / "Kbuild").write_text("obj-m := rkm_x.o\n")
            (root / "selftests" / "rkm_x" / "boot-abba.conf").write_text("command = true\nexpect_splat = 1 x | y\n")
            (root / "selftests" / "rkm_x" / "boot-warn.conf").write_text("command = true\nshared = yes\n")
            (root / "selftests" / "notes").mkdir()
            [suite] = suites.discover(root)
            self.assertEqual(suite.modules, [root / "modules" / "rkm_x" / "rkm_x.ko"])
            [boot] = suite.boots
            self.assertEqual(boot.name, "rkm_x/abba")
            self.assertEqual([(e.count, e.header.pattern, [p.pattern for p in e.body]) for e in boot.expect_splat],
                             [(1, "x", ["y"])])
            self.assertEqual(suite.unbuilt, [])
            [tail] = suite.tails
            self.assertEqual((tail.name, tail.shared), ("rkm_x/warn", True))

    def test_bench_conf_is_for_the_bench_boot_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            suite_dir = root / "selftests" / "rkm_z"
            suite_dir.mkdir(parents=True)
            (suite_dir / "Makefile").write_text("")
            (suite_dir / "vm.conf").write_text("memory = 2G\n")
            (suite_dir / "bench.conf").write_text("memory = 6G\nappend = a=1\n")
            [suite] = suites.discover(root)
            self.assertEqual((suite.shared_boot.memory, suite.shared_boot.append), ("2G", []))
            self.assertEqual((suite.bench_boot.memory, suite.bench_boot.append), ("6G", ["a=1"]))
            (suite_dir / "bench.conf").unlink()
            [suite] = suites.discover(root)
            self.assertEqual((suite.bench_boot.memory, suite.bench_boot.append), ("", []))

    def test_a_module_folder_without_ko_is_unbuilt(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "selftests" / "rkm_y").mkdir(parents=True)
            (root / "selftests" / "rkm_y" / "Makefile").write_text("")
            (root / "selftests" / "rkm_y" / "Kbuild").write_text("obj-m := rkm_y.o\n")
            [suite] = suites.discover(root)
            self.assertEqual((suite.modules, suite.unbuilt), ([], [root / "selftests" / "rkm_y"]))


if __name__ == "__main__":
    unittest.main()
