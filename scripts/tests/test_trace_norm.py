"""The rkm_phy oracle's trace reduction (selftests/rkm_phy/trace_norm.py)."""

import importlib.util
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "selftests/rkm_phy/trace_norm.py"
_spec = importlib.util.spec_from_file_location("trace_norm", SCRIPT)
trace_norm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trace_norm)

STEPS = ["attach", "up", "down"]
# The DP83TG720's link-down poll: phy_init_hw() resets it, config_init()
# resets it again and restores its configuration with an MMD write, selected
# through MMD_CTRL/MMD_ADDR.
POLL = ["w 0x1f 0x8000", "w 0x1f 0x8000", "w 0x0d 0x001f", "w 0x0e 0x0834", "w 0x0d 0x401f",
        "w 0x0e 0xc000 mmd 31.0x0834"]
POLL_BLOCK = "w c22 0x1f 0x8000 | w c22 0x1f 0x8000 | w mmd 31.0x0834 0xc000"


def lines(accesses, start_ms=0):
    return [f"{start_ms + i} {access}" for i, access in enumerate(accesses)]


class Scenario(unittest.TestCase):
    """A run directory of cumulative snapshots, reduced by the script itself."""

    def run_steps(self, snapshots):
        with tempfile.TemporaryDirectory() as tmp:
            run = Path(tmp)
            for step, text in zip(STEPS, snapshots):
                (run / f"{step}.rkmsim4.raw").write_text("".join(f"{line}\n" for line in text))
            result = subprocess.run([sys.executable, str(SCRIPT), "--steps", " ".join(STEPS), str(run)],
                                    capture_output=True, text=True)
            outputs = {p.name: p.read_text().splitlines() for p in run.iterdir() if p.suffix != ".raw"}
            return result, outputs

    def test_a_step_gets_what_its_snapshot_added(self):
        attach = lines(["r 0x01 0x7949", "w 0x00 0x1140"])
        up = attach + lines(["w 0x04 0x01e1", "r 0x01 0x796d"], 10)
        down = up + lines(["w 0x00 0x1940"], 20)
        result, out = self.run_steps([attach, up, down])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(out["attach.rkmsim4.trace"], ["w c22 0x00 0x1140"])
        self.assertEqual(out["up.rkmsim4.trace"], ["w c22 0x04 0x01e1"])
        self.assertEqual(out["down.rkmsim4.trace"], ["w c22 0x00 0x1940"])
        self.assertEqual(out["rkmsim4.reads"], ["c22 0x01"])
        self.assertEqual(out["rkmsim4.polls"], [])

    def test_a_poll_that_straddles_two_steps_is_one_poll_of_neither(self):
        attach = lines(["w 0x00 0x1140"] + POLL[:3])
        up = attach + lines(POLL[3:] + ["w 0x04 0x01e1"], 10)
        result, out = self.run_steps([attach, up, up])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(out["attach.rkmsim4.trace"], ["w c22 0x00 0x1140"])
        self.assertEqual(out["up.rkmsim4.trace"], ["w c22 0x04 0x01e1"])
        self.assertEqual(out["rkmsim4.polls"], [POLL_BLOCK])

    def test_more_polls_of_the_same_kind_count_once(self):
        attach = lines(POLL + POLL + ["w 0x00 0x1140", "w 0x00 0x1140"])
        result, out = self.run_steps([attach, attach, attach])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(out["rkmsim4.polls"], [POLL_BLOCK])
        self.assertEqual(out["attach.rkmsim4.trace"], ["w c22 0x00 0x1140"])

    def test_a_poll_cut_between_its_two_resets_is_one_poll(self):
        attach = lines(POLL[:1])
        up = attach + lines(POLL[1:], 10)
        result, out = self.run_steps([attach, up, up])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(out["attach.rkmsim4.trace"], [])
        self.assertEqual(out["up.rkmsim4.trace"], [])
        self.assertEqual(out["rkmsim4.polls"], [POLL_BLOCK])

    def test_a_reset_without_restore_is_a_write_of_its_step(self):
        attach = lines(["w 0x1f 0x8000", "w 0x00 0x1140"])
        result, out = self.run_steps([attach, attach, attach])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(out["attach.rkmsim4.trace"], ["w c22 0x1f 0x8000", "w c22 0x00 0x1140"])

    def test_an_overflowed_trace_is_an_error(self):
        attach = ["# 3 older accesses overwritten"] + lines(["w 0x00 0x1140"])
        result, _ = self.run_steps([attach, attach, attach])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("overflowed", result.stderr)

    def test_a_cleared_trace_is_an_error(self):
        attach = lines(["w 0x00 0x1140"])
        up = lines(["w 0x04 0x01e1"], 10)
        result, _ = self.run_steps([attach, up, up])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("does not begin with the previous step's trace", result.stderr)


class Collapse(unittest.TestCase):
    def test_back_to_back_repeats_count_once(self):
        self.assertEqual(trace_norm.collapse(list("abab")), list("ab"))
        self.assertEqual(trace_norm.collapse(list("aabcbc")), list("abc"))
        self.assertEqual(trace_norm.collapse(list("aba")), list("aba"))


if __name__ == "__main__":
    unittest.main()
