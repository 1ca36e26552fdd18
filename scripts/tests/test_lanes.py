"""check.py's VM boots in lanes (RKM_LANES): the plan, and the VM phase end to end.

The end-to-end test runs check.py's VM phase against stand-ins: a vng that
runs the guest command on the host (as in test_vm.py) with a debugfs of its
own, insmod and rmmod that only leave KUnit results there, and a kselftest
runner; the guest scripts are the real ones.
"""

import contextlib
import io
import os
import stat
import tempfile
import threading
import unittest
from pathlib import Path
from unittest import mock

import check
from harness import lanes, manifest, suites, timing


def fake_suite(name, modules=(), boots=()):
    return suites.Suite(name, Path(name), [Path(f"/m/{m}.ko") for m in modules], suites.BootConf("vm"),
                        [suites.BootConf(f"{name}/{b}", description=f"the {b} boot") for b in boots], [],
                        suites.BootConf("bench"))


def seconds_by_lane(jobs):
    loads = {}
    for job in jobs:
        loads[job.lane] = loads.get(job.lane, 0) + job.seconds
    return loads


# The shape of the last full run's timing.json (timing-a1f3bc0), shortened.
PREVIOUS = {"steps": [
    {"name": "build: make selftests", "seconds": 5.7, "phases": []},
    {"name": "vm: shared boot (rkm_accept, rkm_env, rkm_phy)", "seconds": 1200.0, "phases": [
        {"name": "vng and QEMU start", "seconds": 5.0},
        {"name": "kernel boot and init", "seconds": 85.0},
        {"name": "load rkm_accept", "seconds": 2.0},
        {"name": "load rkm_env", "seconds": 2.0},
        {"name": "load rkm_phy", "seconds": 20.0},
        {"name": "kselftest rkm_accept: accept_test", "seconds": 30.0},
        {"name": "kselftest rkm_accept: accept_params.sh", "seconds": 110.0},
        {"name": "kselftest rkm_env: env_test.sh", "seconds": 50.0},
        {"name": "kselftest rkm_phy: phy_bind.sh", "seconds": 130.0},
        {"name": "kselftest rkm_phy: phy_oracle.sh", "seconds": 730.0},
        {"name": "unload", "seconds": 8.0},
        {"name": "end of boot: kmemleak scan, dmesg", "seconds": 18.0},
        {"name": "power off", "seconds": 10.0}]},
    {"name": "vm: rkm_env/warn boot (an old description)", "seconds": 70.0, "phases": []},
    {"name": "vm: rkm_accept/kexec boot (four kernels)", "seconds": 450.0, "phases": []},
]}


class LanePlan(unittest.TestCase):
    def setUp(self):
        self.selected = [fake_suite("rkm_accept", ["rkm_accept"], ["kexec"]),
                         fake_suite("rkm_env", ["rkm_env"], ["warn"]),
                         fake_suite("rkm_phy", ["rkm_phy"], ["phy_error"])]

    def test_spread_is_greedy_longest_first(self):
        bins = lanes.spread([3, 9, 4, 5, 2, 6], float, 2)
        self.assertEqual(bins, [[9, 4, 2], [6, 5, 3]])
        self.assertEqual(lanes.spread([1, 2], float, 3), [[2], [1], []])

    def test_the_last_timing_gives_the_seconds(self):
        work, shared, own = lanes.estimates(PREVIOUS, self.selected)
        self.assertEqual(work, {"rkm_accept": 142.0, "rkm_env": 52.0, "rkm_phy": 880.0})
        self.assertEqual(shared, 1200.0 - 142.0 - 52.0 - 880.0)
        self.assertEqual(own, {"rkm_env/warn": 70.0, "rkm_accept/kexec": 450.0})

    def test_one_lane_is_todays_order(self):
        jobs = lanes.plan(self.selected, 1, PREVIOUS)
        self.assertEqual([(j.folder, j.lane) for j in jobs],
                         [("vm-shared", 1), ("vm-rkm_accept-kexec", 1), ("vm-rkm_env-warn", 1),
                          ("vm-rkm_phy-phy_error", 1)])
        self.assertEqual(jobs[0].title, "vm: shared boot (rkm_accept, rkm_env, rkm_phy)")
        self.assertEqual(jobs[0].suites, self.selected)
        self.assertEqual(jobs[2].title, "vm: rkm_env/warn boot (the warn boot)")

    def test_two_lanes_from_the_last_timing(self):
        jobs = lanes.plan(self.selected, 2, PREVIOUS)
        # rkm_phy's 880 s against 142 + 52; each shared boot costs the rest, 126 s.
        self.assertEqual([(j.folder, [s.name for s in j.suites], j.seconds, j.lane) for j in jobs], [
            ("vm-shared-1", ["rkm_phy"], 1006.0, 1),
            ("vm-shared-2", ["rkm_accept", "rkm_env"], 320.0, 2),
            ("vm-rkm_accept-kexec", ["rkm_accept"], 450.0, 2),
            ("vm-rkm_env-warn", ["rkm_env"], 70.0, 2),
            ("vm-rkm_phy-phy_error", ["rkm_phy"], lanes.OWN_BOOT_SECONDS, 2),
        ])

    def test_without_a_timing_the_guesses(self):
        jobs = lanes.plan(self.selected, 2, {})
        self.assertEqual(jobs[0].seconds, lanes.SHARED_BOOT_SECONDS + 2 * lanes.SUITE_SECONDS)
        self.assertEqual(jobs[1].seconds, lanes.SHARED_BOOT_SECONDS + lanes.SUITE_SECONDS)
        self.assertEqual({j.seconds for j in jobs[2:]}, {lanes.OWN_BOOT_SECONDS})
        self.assertEqual(seconds_by_lane(jobs), {1: 360.0 + 90.0, 2: 240.0 + 180.0})

    def test_a_suites_work_is_never_split(self):
        many = [fake_suite(f"rkm_{i}", [f"rkm_{i}", f"rkm_{i}_test"], ["x"]) for i in range(7)]
        for n in range(1, 10):
            jobs = lanes.plan(many, n, PREVIOUS)
            shared = [s.name for j in jobs if j.shared for s in j.suites]
            self.assertEqual(sorted(shared), [s.name for s in many])
            self.assertEqual(sum(j.shared for j in jobs), min(n, len(many)))
            self.assertEqual(len(jobs), sum(j.shared for j in jobs) + len(many))
            self.assertTrue(all(1 <= j.lane <= n for j in jobs))

    def test_rkm_lanes(self):
        self.assertEqual(lanes.lanes_from({}), 1)
        self.assertEqual(lanes.lanes_from({"RKM_LANES": "2"}), 2)
        for bad in ("0", "two", "-1"):
            with self.assertRaises(ValueError):
                lanes.lanes_from({"RKM_LANES": bad})


class LaneThreads(unittest.TestCase):
    def test_a_failing_job_stops_the_other_lanes(self):
        jobs = [lanes.Job("a", "a", [], lane=1), lanes.Job("b", "b", [], lane=2), lanes.Job("c", "c", [], lane=2)]
        seen, b_began = [], threading.Event()

        def work(job, stop):
            if job.title == "a":
                b_began.wait(10)
                raise RuntimeError("a bug")
            b_began.set()
            seen.append((job.title, stop.wait(10)))  # as vm.run, which kills its VM once stop is set

        with self.assertRaisesRegex(RuntimeError, "a bug"):
            for _ in lanes.run(jobs, work):
                pass
        # b ended when told to, and c never began.
        self.assertEqual(seen, [("b", True)])


class SharedVerdicts(unittest.TestCase):
    """The shared boots' own results (suite "vm") stay one each, as with one shared boot."""

    def boot(self, *verdicts):
        got = check.Collected()
        for name, status in verdicts:
            got.add("vm", name, status, "" if status == "pass" else "a reason", kind="bookkeeping")
        got.add("rkm_a", "kunit a.x", "pass")
        return got

    def add(self, boots):
        report, held, failed = check.Report(), {}, set()
        with contextlib.redirect_stdout(io.StringIO()):
            for k, got in enumerate(boots, start=1):
                check.add_collected(report, got, True, k == len(boots), held, failed)
        return [(r[0], r[1], r[2]) for r in report.results]

    def test_one_shared_boot_as_before(self):
        self.assertEqual(self.add([self.boot(("splat", "pass"), ("kmemleak", "pass"))]),
                         [("vm", "splat", "pass"), ("vm", "kmemleak", "pass"), ("rkm_a", "kunit a.x", "pass")])

    def test_a_pass_once_a_failure_as_it_comes(self):
        results = self.add([self.boot(("splat", "pass"), ("kmemleak", "pass")),
                            self.boot(("splat", "fail"), ("kmemleak", "pass"))])
        self.assertEqual(sorted(results), [("rkm_a", "kunit a.x", "pass"), ("rkm_a", "kunit a.x", "pass"),
                                           ("vm", "kmemleak", "pass"), ("vm", "splat", "fail")])
        # The last boot failed before its kmemleak scan: the first's pass stands.
        results = self.add([self.boot(("splat", "pass"), ("kmemleak", "pass")), self.boot(("boot", "fail"))])
        self.assertEqual(sorted(r for r in results if r[0] == "vm"),
                         [("vm", "boot", "fail"), ("vm", "kmemleak", "pass"), ("vm", "splat", "pass")])


FAKE_VNG = """#!/bin/sh
# Stand-in for vng: runs the --exec command on the host, with a debugfs of its own.
while [ $# -gt 0 ]; do
	case $1 in --exec) shift; cmd=$1 ;; --rwdir) shift; rwdir=$1 ;; esac
	shift
done
export RKM_DEBUGFS="$rwdir/debugfs" RKM_KMSG="$rwdir/kmsg"
mkdir -p "$RKM_DEBUGFS"
: >"$RKM_KMSG"
echo "[    0.100000] Linux version 7.3.4"
sh -c "$cmd"
"""

# A module's KUnit suite, named after it, with two cases.
FAKE_INSMOD = """#!/bin/sh
name=$(basename "$1" .ko)
mkdir -p "$RKM_DEBUGFS/kunit/$name"
printf 'KTAP version 1\\n# Subtest: %s\\n1..2\\n    ok 1 first\\n    ok 2 second\\nok 1 %s\\n' "$name" "$name" \\
	>"$RKM_DEBUGFS/kunit/$name/results"
"""

# Two programs per collection, a subtest each, a while each.
FAKE_RUNNER = """#!/bin/sh
for prog in one two; do
	sleep 0.2
	echo "# selftests: $2: $prog"
	echo "# ok 1 works"
	echo "ok 1 selftests: $2: $prog"
done
"""

# The kernel log: what was written to the stand-in for /dev/kmsg, a second apart.
FAKE_DMESG = """#!/bin/sh
echo '[    0.000000] Linux version'
awk '{ printf "[%5d.000000] %s\\n", NR, $0 }' "$RKM_KMSG"
"""

# A WARNING as the kernel prints it.
FAKE_WARNING = ("printf '%s\\n' '------------[ cut here ]------------' 'WARNING: {0}.c:1 at {0}' "
                "'---[ end trace 0000000000000000 ]---' >>\"$RKM_KMSG\"")

MANIFEST = "module {0}\nkunit {0} 2\nkselftest one 1\nkselftest two 1\n"


def executable(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


class VmPhase(unittest.TestCase):
    def setUp(self):
        self.tmp = tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        bin_dir = tmp / "cache" / "venv" / "bin"
        for name, text in (("vng", FAKE_VNG), ("insmod", FAKE_INSMOD), ("rmmod", "#!/bin/sh\n"),
                           ("mountpoint", "#!/bin/sh\n"), ("dmesg", FAKE_DMESG)):
            executable(bin_dir / name, text)
        executable(tmp / "ksft" / "run_kselftest.sh", FAKE_RUNNER)
        self.root, self.kdir = tmp / "root", tmp / "kdir"
        self.kdir.mkdir()
        for name in ("rkm_a", "rkm_b", "rkm_c"):
            (self.root / "modules" / name).mkdir(parents=True)
            (self.root / "modules" / name / "Kbuild").write_text(f"obj-m := {name}.o\n")
            (self.root / "modules" / name / f"{name}.ko").write_text("")
            (self.root / "selftests" / name).mkdir(parents=True)
            (self.root / "selftests" / name / "Makefile").write_text("")
            (self.root / "selftests" / name / "manifest").write_text(MANIFEST.format(name))
        for suite, boot in (("rkm_b", "x"), ("rkm_c", "y")):
            (self.root / "selftests" / suite / f"boot-{boot}.conf").write_text(
                f'command = sleep 0.3; echo "ok - {boot} works" >"$RKM_RESULTS/boot.tap"\n')
            with open(self.root / "selftests" / suite / "manifest", "a") as f:
                f.write(f"boot {boot} 1\n")
        self.enterContext(mock.patch.dict(os.environ, RKM_CACHE=str(tmp / "cache"), RKM_ACCEL="tcg"))

    def check(self, n_lanes):
        """check.py's VM phase and manifest check in n lanes: (results, timing steps, output folder)."""
        out = Path(self.tmp, f"out-{n_lanes}")
        out.mkdir()
        check.TIMING = timing.Timing()
        report = check.Report()
        with contextlib.redirect_stdout(io.StringIO()):
            selected = suites.discover(self.root)
            manifests = check.load_manifests(report, selected)
            reported = {name: manifest.Results() for name in manifests}
            check.vm_boots(report, self.kdir, selected, out, Path(self.tmp, "ksft"), reported, n_lanes)
            check.check_manifests(report, manifests, reported)
        return report.results, check.TIMING.as_json()["steps"], out

    def test_two_lanes_overlap_and_give_the_results_of_one(self):
        one, steps_one, out_one = self.check(1)
        two, steps_two, out_two = self.check(2)
        self.assertEqual(sorted(two), sorted(one))
        # Per suite: load, unload, 2 KUnit cases, 2 kselftests, the manifest; per own boot: its
        # boot.tap line, the command, the splat scan; the shared boot's splat scan, once.
        self.assertEqual(len(one), 3 * 7 + 2 * 3 + 1)
        self.assertIn(("rkm_b", "manifest: every listed result reported, nothing else", "pass", "", "bookkeeping"),
                      one)
        self.assertEqual([r for r in one if r[2] != "pass"], [])
        self.assertTrue((out_one / "vm-shared" / "console.log").exists())
        self.assertTrue((out_two / "vm-shared-1" / "console.log").exists())
        self.assertTrue((out_two / "vm-shared-2" / "console.log").exists())

        def overlap(steps):
            return any(a["start"] < b["end"] and b["start"] < a["end"]
                       for i, a in enumerate(steps) for b in steps[i + 1:])

        self.assertFalse(overlap(steps_one))
        self.assertTrue(all("lane" not in s for s in steps_one))
        self.assertTrue(overlap(steps_two))
        self.assertEqual({s["lane"] for s in steps_two}, {1, 2})
        shared = [s for s in steps_two if s["name"].startswith("vm: shared boot")]
        self.assertEqual(len(shared), 2)
        self.assertIn("kselftest rkm_a: one", [p["name"] for s in shared for p in s["phases"]])

    def test_the_shared_boot_runs_shared_boots_last_and_tells_their_splats_apart(self):
        for suite, boot, declared in (("rkm_a", "w", "expect_splat = 1 ^WARNING: declared\\.c\n"),
                                      ("rkm_c", "z", "")):
            (self.root / "selftests" / suite / f"boot-{boot}.conf").write_text(
                f"shared = yes\n{declared}command = {FAKE_WARNING.format('declared')}; "
                f'echo "ok - {boot} works" >"$RKM_RESULTS/boot.tap"\n')
            with open(self.root / "selftests" / suite / "manifest", "a") as f:
                f.write(f"boot {boot} 1\n")
        results, steps, out = self.check(1)
        verdicts = {(r[0], r[1]): r[2] for r in results}
        self.assertEqual(verdicts[("rkm_a", "boot rkm_a/w: expected splat '1 ^WARNING: declared\\.c'")], "pass")
        self.assertEqual(verdicts[("rkm_a", "boot rkm_a/w: no unexpected kernel splat")], "pass")
        self.assertEqual(verdicts[("rkm_a", "boot rkm_a/w: command")], "pass")
        self.assertEqual(verdicts[("rkm_a", "boot rkm_a/w: w works")], "pass")
        # rkm_c/z printed the same WARNING without declaring it: its failure, not the shared boot's.
        self.assertEqual(verdicts[("rkm_c", "boot rkm_c/z: no unexpected kernel splat")], "fail")
        self.assertEqual(verdicts[("vm", "shared boot: no unexpected kernel splat")], "pass")
        self.assertEqual([r[:2] for r in results if r[2] != "pass"],
                         [("rkm_c", "boot rkm_c/z: no unexpected kernel splat")])
        # No boot of their own: two phases of the shared boot, after its unload.
        self.assertEqual([s["name"] for s in steps if s["name"].startswith("vm: ")],
                         ["vm: shared boot (rkm_a, rkm_b, rkm_c)", "vm: rkm_b/x boot (no description)",
                          "vm: rkm_c/y boot (no description)"])
        phases = [p["name"] for p in steps[-3]["phases"]]
        self.assertEqual(phases[phases.index("unload") + 1:][:2], ["boot rkm_a/w", "boot rkm_c/z"])


if __name__ == "__main__":
    unittest.main()
