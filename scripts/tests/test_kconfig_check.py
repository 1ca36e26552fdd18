"""The config checker that fails a build whose options did not stick."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import kconfig_check  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class Parse(unittest.TestCase):
    def test_values_and_unset(self):
        text = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x y\"\n# comment\nCONFIG_D=m\n"
        self.assertEqual(kconfig_check.parse(text),
                         {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_C": '"x y"', "CONFIG_D": "m"})


class Mismatches(unittest.TestCase):
    def test_dropped_option_is_named(self):
        config = kconfig_check.parse("CONFIG_RUST=y\n")
        wanted = kconfig_check.parse("CONFIG_RUST=y\nCONFIG_KASAN=y\n")
        self.assertEqual(kconfig_check.mismatches(config, wanted), [("CONFIG_KASAN", "y", "n")])

    def test_absent_counts_as_unset(self):
        wanted = kconfig_check.parse("# CONFIG_SLUB_TINY is not set\n")
        self.assertEqual(kconfig_check.mismatches({}, wanted), [])

    def test_option_that_should_be_off(self):
        config = kconfig_check.parse("CONFIG_SLUB_TINY=y\n")
        wanted = kconfig_check.parse("# CONFIG_SLUB_TINY is not set\n")
        self.assertEqual(kconfig_check.mismatches(config, wanted), [("CONFIG_SLUB_TINY", "n", "y")])

    def test_module_is_not_builtin(self):
        config = kconfig_check.parse("CONFIG_DP83TG720_PHY=y\n")
        wanted = kconfig_check.parse("CONFIG_DP83TG720_PHY=m\n")
        self.assertEqual(len(kconfig_check.mismatches(config, wanted)), 1)


class CommandLine(unittest.TestCase):
    def run_check(self, config_text, fragment_text):
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp, ".config")
            fragment = Path(tmp, "frag.config")
            config.write_text(config_text)
            fragment.write_text(fragment_text)
            return subprocess.run([sys.executable, str(ROOT / "scripts" / "kconfig_check.py"),
                                   str(config), str(fragment)], capture_output=True, text=True)

    def test_failure_names_the_option(self):
        proc = self.run_check("CONFIG_RUST=y\n", "CONFIG_RUST=y\nCONFIG_KUNIT=y\n")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("CONFIG_KUNIT=y requested", proc.stderr)

    def test_success_is_silent(self):
        proc = self.run_check("CONFIG_RUST=y\n", "CONFIG_RUST=y\n")
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))

    def test_fragments_in_repo_parse(self):
        for fragment in sorted((ROOT / "kconfig").glob("*.config")):
            with self.subTest(fragment=fragment.name):
                self.assertTrue(kconfig_check.parse(fragment.read_text()))


if __name__ == "__main__":
    unittest.main()
