"""The VM runner's handling of exit codes, timeouts, panics and vng's own status.

A stand-in for vng (a script under a temporary RKM_CACHE) runs the --exec
command on the host, so the runner's logic is tested without booting; the
end-of-boot script it wraps around the command finds stand-ins for dmesg,
mountpoint and debugfs there.
"""

import os
import stat
import tempfile
import threading
import unittest
from pathlib import Path

from harness import splat, vm

FAKE_VNG = """#!/bin/sh
# Stand-in for vng: run the --exec command, then exit 255 as vng did here.
while [ $# -gt 0 ]; do
	case $1 in --exec) shift; cmd=$1 ;; esac
	shift
done
if [ "$RKM_FAKE_MODE" = qemu-warning ]; then
	# As QEMU does: a warning on stderr, then the serial console reopens
	# stdout (which, were stdout a file, would start over at offset 0).
	echo "qemu-system-x86_64: warning: nic e1000e.0 has no peer" >&2
	exec 1<>/proc/self/fd/1
	RKM_FAKE_MODE=run
fi
echo "[    0.100000] Linux version 7.3.4"
case "$RKM_FAKE_MODE" in
run) sh -c "$cmd" ;;
hang) sleep 30 ;;
lost) ;;
panic)
	# A kexec'd kernel panicking before printk time is on, then spinning.
	echo "[    0.200000] kexec_core: Starting new kernel"
	echo "Linux version 7.3.4 (root@vm) #1 SMP PREEMPT"
	echo "Command line: console=ttyS0 panic=-1"
	echo "Kernel panic - not syncing: kasan_populate_pmd+0x1c3/0x210: Failed to allocate page"
	echo "---[ end Kernel panic - not syncing: kasan_populate_pmd+0x1c3/0x210: Failed to allocate page ]---"
	sleep 30 ;;
esac
exit 255
"""

FAKE_DMESG = """#!/bin/sh
echo "[    0.000000] Linux version 7.3.4"
echo "[    9.000000] kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
"""


class Runner(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        cache = Path(self.tmp.name, "cache")
        fake = cache / "venv" / "bin" / "vng"
        fake.parent.mkdir(parents=True)
        for name, text in (("vng", FAKE_VNG), ("dmesg", FAKE_DMESG), ("mountpoint", "#!/bin/sh\n")):
            tool = fake.parent / name
            tool.write_text(text)
            tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
        self.debugfs = Path(self.tmp.name, "debugfs")
        self.debugfs.mkdir()
        self.saved = {k: os.environ.get(k) for k in ("RKM_CACHE", "RKM_FAKE_MODE", "RKM_DEBUGFS")}
        os.environ["RKM_CACHE"] = str(cache)
        os.environ["RKM_DEBUGFS"] = str(self.debugfs)

    def tearDown(self):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self.tmp.cleanup()

    def boot(self, mode, command, timeout=20, stop=None):
        os.environ["RKM_FAKE_MODE"] = mode
        boot = vm.Boot(kdir=Path("/nonexistent"), command=command,
                       results=Path(self.tmp.name, "results"), timeout=timeout)
        return vm.run(boot, use_kvm=False, log=lambda *_: None, stop=stop)

    def test_exit_code_comes_from_the_guest_not_vng(self):
        outcome = self.boot("run", "true")
        self.assertEqual(outcome.exit_code, 0)
        self.assertTrue(outcome.ok)

    def test_failing_command(self):
        outcome = self.boot("run", "exit 3")
        self.assertEqual(outcome.exit_code, 3)
        self.assertFalse(outcome.ok)

    def test_missing_result_is_a_failure(self):
        outcome = self.boot("lost", "true")
        self.assertIsNone(outcome.exit_code)
        self.assertFalse(outcome.ok)

    def test_stale_result_is_not_reused(self):
        self.boot("run", "true")
        self.assertIsNone(self.boot("lost", "true").exit_code)

    def test_timeout_kills_the_vm(self):
        outcome = self.boot("hang", "true", timeout=1)
        self.assertTrue(outcome.timed_out)
        self.assertFalse(outcome.ok)
        self.assertLess(outcome.seconds, 10)

    def test_stop_kills_the_vm(self):
        stop = threading.Event()
        threading.Timer(0.5, stop.set).start()
        outcome = self.boot("hang", "true", stop=stop)
        self.assertFalse(outcome.timed_out)
        self.assertIsNone(outcome.exit_code)
        self.assertLess(outcome.seconds, 10)

    def test_console_is_kept(self):
        outcome = self.boot("run", "echo hello from the guest")
        text = outcome.console.read_text()
        self.assertIn("Linux version", text)
        self.assertIn("hello from the guest", text)

    def test_guest_sees_exported_variables(self):
        exports = vm.guest_exports(RKM_KDIR=Path("/k dir"), RKM_ROOT="/r")
        outcome = self.boot("run", exports + ' test "$RKM_KDIR" = "/k dir" && test "$RKM_ROOT" = /r')
        self.assertEqual(outcome.exit_code, 0)

    def test_every_boot_saves_dmesg_and_the_kmemleak_report(self):
        # A regular file stands in for kmemleak: the scan requests land in it.
        (self.debugfs / "kmemleak").write_text("")
        outcome = self.boot("run", "exit 3")
        self.assertEqual(outcome.exit_code, 3)
        results = outcome.console.parent
        self.assertEqual((results / vm.KMEMLEAK_REPORT).read_text(), "scan\n")
        self.assertIn("kmemleak: 1 new suspected", (results / vm.DMESG).read_text())
        self.assertEqual([s.kind for s in splat.boot_splats(results)], ["kmemleak scan"])

    def test_a_kmemleak_scan_that_cannot_run_is_recorded(self):
        outcome = self.boot("run", "true")
        results = outcome.console.parent
        self.assertFalse((results / vm.KMEMLEAK_REPORT).exists())
        self.assertIn("kmemleak", (results / vm.KMEMLEAK_ERROR).read_text())

    def test_early_panic_stops_the_vm_at_once(self):
        outcome = self.boot("panic", "true", timeout=25)
        self.assertTrue(outcome.panicked)
        self.assertFalse(outcome.timed_out)
        self.assertFalse(outcome.ok)
        self.assertLess(outcome.seconds, 10)
        [found] = splat.boot_splats(outcome.console.parent)
        self.assertEqual((found.kind, found.line_number), ("panic", 5))

    def test_console_markers_time_the_phases(self):
        outcome = self.boot("run", "sleep 0.5; echo rkm-timing: load x; sleep 1")
        phases = dict(outcome.phases)
        self.assertEqual(list(phases), ["vng and QEMU start", "kernel boot and init", "command", "load x",
                                        "end of boot: kmemleak scan, dmesg", "power off"])
        # Each marker is seen within a poll (0.2 s) of its printing.
        self.assertGreaterEqual(phases["command"], 0.5 - 2 * 0.2)
        self.assertGreaterEqual(phases["load x"], 1 - 2 * 0.2)

    def test_qemu_warnings_do_not_hide_the_kernel(self):
        outcome = self.boot("qemu-warning", "true")
        lines = outcome.console.read_text().splitlines()
        self.assertEqual(lines[:2], ["qemu-system-x86_64: warning: nic e1000e.0 has no peer",
                                     "[    0.100000] Linux version 7.3.4"])
        self.assertIn("kernel boot and init", dict(outcome.phases))

    def test_command_line(self):
        boot = vm.Boot(kdir=Path("/k"), command="true", results=Path("/r"),
                       append=["kho=on"], qemu_opts=["-device pci-testdev"])
        cmd = vm.vng_command(boot, use_kvm=False)
        self.assertIn("--disable-kvm", cmd)
        append = cmd[cmd.index("--append") + 1]
        self.assertIn("root=/dev/root", append)
        self.assertIn("printk.time=1", append)
        self.assertIn("kho=on", append)
        self.assertIn("--qemu-opts=-device pci-testdev", cmd)
        self.assertIn("(true); status=$?; ", cmd[-1])
        self.assertIn(f"; sh {vm.END_BOOT} /r; ", cmd[-1])
        self.assertNotIn("--disable-kvm", vm.vng_command(boot, use_kvm=True))


if __name__ == "__main__":
    unittest.main()
