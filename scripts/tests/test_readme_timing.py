"""The README's table of measured times, written from timing.json files."""

import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import readme_timing  # noqa: E402  (scripts/readme_timing.py)

README = f"""# x

Before.

{readme_timing.BEGIN}
{readme_timing.HEADER[0]}
{readme_timing.HEADER[1]}
| warm `make check` | 99m00s | 15 min | old |
{readme_timing.END}

After.
"""


def timing_json(folder, name, total, **run):
    facts = {"date": "2026-12-05 10:00 UTC", "commit": "abc", "suites": ["all"], "cpus": 2, "accel": "tcg"}
    facts.update(run)
    path = Path(folder) / name
    path.write_text(json.dumps({"run": facts, "total_seconds": total, "steps": []}))
    return path


class Table(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.readme = Path(self.dir.name) / "README.md"
        self.readme.write_text(README)

    def tearDown(self):
        self.dir.cleanup()

    def rows(self):
        text = self.readme.read_text()
        table = text.split(readme_timing.BEGIN)[1].split(readme_timing.END)[0]
        return table.strip().splitlines()[2:]

    def test_a_run_replaces_its_row_and_keeps_the_text_around(self):
        warm = timing_json(self.dir.name, "w.json", 1000.0, seconds_since_make=1500.4, kernel_built=False)
        readme_timing.update(self.readme, [warm])
        self.assertEqual(self.rows(), ["| warm `make check` | 25m00s | 15 min | "
                                       "2026-12-05 10:00 UTC, abc, 2 cores, tcg |"])
        self.assertTrue(self.readme.read_text().startswith("# x\n\nBefore.\n"))
        self.assertTrue(self.readme.read_text().endswith("\n\nAfter.\n"))

    def test_cold_and_one_suite_runs_get_rows_and_targets_of_their_own(self):
        cold = timing_json(self.dir.name, "c.json", 900.0, seconds_since_make=1400.0, kernel_built=True)
        one = timing_json(self.dir.name, "s.json", 300.0, suites=["rkm_phy"], seconds_since_make=301.0,
                          kernel_built=False)
        readme_timing.update(self.readme, [cold, one])
        rows = self.rows()
        self.assertEqual(len(rows), 3)
        self.assertIn("| cold `make check` | 23m20s | 25 min |", rows[0])
        self.assertIn("| warm `make check SUITE=rkm_phy` | 5m01s | 6 min |", rows[2])

    def test_without_make_start_the_check_alone_counts(self):
        one = timing_json(self.dir.name, "s.json", 61.0, suites=["host"])
        readme_timing.update(self.readme, [one])
        self.assertIn("| warm `make check SUITE=host` | 1m01s | 6 min |", self.rows()[1])

    def test_a_file_without_run_facts_is_refused(self):
        old = Path(self.dir.name) / "old.json"
        old.write_text(json.dumps({"total_seconds": 1.0, "steps": []}))
        with self.assertRaises(ValueError):
            readme_timing.update(self.readme, [old])
        self.assertEqual(self.readme.read_text(), README)


if __name__ == "__main__":
    unittest.main()
