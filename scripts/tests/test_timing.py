"""The timing table: console markers, a boot's phases, steps and their JSON."""

import json
import tempfile
import unittest
from pathlib import Path

from harness import timing


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Phases(unittest.TestCase):
    def test_console_events(self):
        self.assertEqual(timing.console_event("Linux version 7.3.4 (root@vm) #1 SMP"), timing.KERNEL)
        self.assertEqual(timing.console_event("rkm-timing: kselftest rkm_phy\r"), "kselftest rkm_phy")
        self.assertIsNone(timing.console_event("[    1.000000] rkm_phy: probed"))
        self.assertIsNone(timing.console_event("echo Linux version"))

    def test_each_phase_lasts_until_the_next(self):
        events = [(3.0, timing.KERNEL), (40.0, "command"), (41.0, "load a"), (50.0, "kselftest a"),
                  (90.0, "end of boot: kmemleak scan, dmesg"), (100.0, "power off")]
        self.assertEqual(timing.phases(events, 104.0),
                         [("vng and QEMU start", 3.0), ("kernel boot and init", 37.0), ("command", 1.0),
                          ("load a", 9.0), ("kselftest a", 40.0),
                          ("end of boot: kmemleak scan, dmesg", 10.0), ("power off", 4.0)])

    def test_kexec_kernels_are_told_apart(self):
        events = [(2.0, timing.KERNEL), (30.0, "command"), (60.0, timing.KERNEL), (90.0, "command")]
        self.assertEqual([name for name, _ in timing.phases(events, 100.0)],
                         ["vng and QEMU start", "kernel boot and init", "command",
                          "kernel 2 (kexec): boot and init", "command (kernel 2)"])

    def test_a_boot_without_markers_is_one_phase(self):
        self.assertEqual(timing.phases([], 12.5), [("vng and QEMU start", 12.5)])


class Steps(unittest.TestCase):
    def test_steps_and_json(self):
        clock = FakeClock()
        t = timing.Timing(clock)
        t.step("host: cargo test -p a")
        clock.now += 2.0
        t.end()
        boot = t.begin("vm: shared boot")
        clock.now += 10.0
        t.finish(boot, [("vng and QEMU start", 1.0), ("command", 9.0)])
        data = t.as_json()
        self.assertEqual(data["total_seconds"], 12.0)
        self.assertEqual([(s["name"], s["seconds"], s["start"], s["end"]) for s in data["steps"]],
                         [("host: cargo test -p a", 2.0, 0.0, 2.0), ("vm: shared boot", 10.0, 2.0, 12.0)])
        self.assertEqual(data["steps"][1]["phases"][1], {"name": "command", "seconds": 9.0})
        self.assertNotIn("lane", data["steps"][1])
        table = t.table().splitlines()
        self.assertEqual(table[0], "       2.0 s  host: cargo test -p a")
        self.assertEqual(table[1], "      10.0 s  vm: shared boot")
        self.assertEqual(table[3], "       9.0 s      command")
        self.assertEqual(table[-1], "      12.0 s  in all")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "timing.json")
            t.write(path)
            self.assertEqual(json.loads(path.read_text()), data)

    def test_lanes_overlap_and_in_all_is_the_wall_time(self):
        clock = FakeClock()
        t = timing.Timing(clock)
        a = t.begin("vm: shared boot (rkm_a)", lane=1)
        clock.now += 1.0
        b = t.begin("vm: rkm_b/x boot (x)", lane=2)
        clock.now += 4.0
        t.finish(b, [("command", 4.0)])
        clock.now += 5.0
        t.finish(a)
        data = t.as_json()
        self.assertEqual([(s["name"], s["lane"], s["start"], s["end"], s["seconds"]) for s in data["steps"]],
                         [("vm: shared boot (rkm_a)", 1, 0.0, 10.0, 10.0), ("vm: rkm_b/x boot (x)", 2, 1.0, 5.0, 4.0)])
        self.assertEqual(data["total_seconds"], 10.0)
        table = t.table().splitlines()
        self.assertEqual(table[0], "      10.0 s  vm: shared boot (rkm_a) [lane 1]")
        self.assertEqual(table[1], "       4.0 s  vm: rkm_b/x boot (x) [lane 2]")
        self.assertEqual(table[-1], "      10.0 s  in all")


if __name__ == "__main__":
    unittest.main()
