"""The splat scanner over captured and planted console logs."""

import unittest
from pathlib import Path

from harness import splat

LOGS = Path(__file__).parent / "logs"

CLEAN = """\
[    0.000000] Linux version 7.3.4 (root@host) #1 SMP PREEMPT
[    1.234567] Run /init as init process
# WARNING: this line comes from a test's output, not from the kernel
ok 1 selftests: rkm_env: env_test.sh
[    9.876543] reboot: Power down
"""

WARNING = """\
[    5.000000] ------------[ cut here ]------------
[    5.000001] WARNING: CPU: 1 PID: 77 at rkm_env_main.rs:120 write_warn+0x2a/0x40 [rkm_env]
[    5.000002] Modules linked in: rkm_env
[    5.000003] RIP: 0010:write_warn+0x2a/0x40 [rkm_env]
[    5.000004] Call Trace:
[    5.000005]  <TASK>
[    5.000006]  full_proxy_write+0x5a/0x90
[    5.000007]  </TASK>
[    5.000008] ---[ end trace 0000000000000000 ]---
"""

LOCKDEP = """\
[   12.000000] ======================================================
[   12.000001] WARNING: possible circular locking dependency detected
[   12.000002] 7.3.4 #1 Not tainted
[   12.000003] ------------------------------------------------------
[   12.000004] kworker/0:1/33 is trying to acquire lock:
[   12.000005] ffff888003a1c0a8 (&guard_b){+.+.}-{4:4}, at: torture+0x20/0x90 [rkm_guard]
[   12.000006] stack backtrace:
[   12.000007] Call Trace:
[   12.000008]  <TASK>
[   12.000009]  </TASK>
"""

KASAN = """\
[   20.000000] ==================================================================
[   20.000001] BUG: KASAN: slab-use-after-free in store+0x10/0x20 [rkm_x]
[   20.000002] Read of size 8 at addr ffff888004d0c000 by task sh/90
[   20.000003] Call Trace:
"""


class FindSplats(unittest.TestCase):
    def test_clean_log_has_none(self):
        self.assertEqual(splat.find_splats(CLEAN), [])

    def test_user_space_warning_text_is_ignored(self):
        self.assertTrue(splat.scan(CLEAN).ok)

    def test_planted_warning_fails_the_run(self):
        verdict = splat.scan(CLEAN + WARNING)
        self.assertFalse(verdict.ok)
        self.assertEqual(len(verdict.unexpected), 1)
        self.assertTrue(verdict.unexpected[0].header.startswith("WARNING: CPU: 1"))

    def test_call_trace_belongs_to_its_warning(self):
        self.assertEqual(len(splat.find_splats(WARNING)), 1)

    def test_lockdep_report_is_one_splat(self):
        found = splat.find_splats(LOCKDEP)
        self.assertEqual(len(found), 1)
        self.assertIn("circular locking dependency", found[0].header)

    def test_kasan_report(self):
        self.assertIn("KASAN", splat.find_splats(KASAN)[0].header)

    def test_bare_call_trace_is_a_splat(self):
        log = "[    3.000000] CPU: 0 PID: 1 Comm: sh\n[    3.000001] Call Trace:\n"
        self.assertEqual(len(splat.find_splats(log)), 1)

    def test_kmemleak_and_oops_and_bug(self):
        for line in ("unreferenced object 0xffff888003a1c000 (size 64):",
                     "Oops: general protection fault, probably for non-canonical address",
                     "BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580",
                     "kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
                     "rust_kernel: panicked at rkm_x.rs:10:5:"):
            with self.subTest(line=line):
                self.assertFalse(splat.scan(f"[    4.000000] {line}\n").ok)

    def test_timestamp_prefix_variants(self):
        self.assertFalse(splat.scan("<4>[    1.000000] WARNING: CPU: 0 PID: 1 at x.c:1\n").ok)
        self.assertFalse(splat.scan("[    1.000000][    T1] WARNING: CPU: 0 PID: 1 at x.c:1\n").ok)


class ExpectedSplats(unittest.TestCase):
    def test_declared_splat_passes(self):
        verdict = splat.scan(CLEAN + LOCKDEP, expected=[r"circular locking dependency"])
        self.assertTrue(verdict.ok)
        self.assertEqual(verdict.expected_seen, ["circular locking dependency"])

    def test_declared_splat_matches_body_lines(self):
        self.assertTrue(splat.scan(LOCKDEP, expected=[r"guard_b"]).ok)

    def test_missing_expected_splat_fails(self):
        verdict = splat.scan(CLEAN, expected=[r"circular locking dependency"])
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.expected_missing, ["circular locking dependency"])

    def test_other_splats_still_fail(self):
        verdict = splat.scan(LOCKDEP + KASAN, expected=[r"circular locking dependency"])
        self.assertFalse(verdict.ok)
        self.assertEqual(len(verdict.unexpected), 1)


class CapturedLogs(unittest.TestCase):
    """Console logs captured from real VM boots of the test kernel."""

    def log(self, name):
        path = LOGS / name
        if not path.exists():
            self.skipTest(f"{path} not captured")
        return path.read_text(errors="replace")

    def test_clean_boot_is_clean(self):
        self.assertTrue(splat.scan(self.log("clean-boot.log")).ok)

    def test_real_warning_is_found(self):
        text = self.log("warn-boot.log")
        self.assertFalse(splat.scan(text).ok)
        self.assertTrue(splat.scan(text, expected=[r"^WARNING:.*rkm_env"]).ok)

    def test_planted_warning_in_a_clean_boot_fails(self):
        lines = self.log("clean-boot.log").splitlines(keepends=True)
        planted = "".join(lines[: len(lines) // 2]) + WARNING + "".join(lines[len(lines) // 2:])
        self.assertFalse(splat.scan(planted).ok)


if __name__ == "__main__":
    unittest.main()
