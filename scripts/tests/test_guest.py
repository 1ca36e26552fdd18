"""The guest side of `make check`'s shared boot, and of `make demo` and `make bench` across a kexec.

A suite's script may kexec: the guest then starts the whole script list
again in the next kernel. Here the scripts run on the host; a "kexec" kills
the guest script mid-suite, and running it again plays the next kernel.
`mountpoint`, `insmod` and `rmmod` are stand-ins, so nothing touches the host.
"""

import os
import stat
import subprocess
import tempfile
import unittest
from pathlib import Path

GUEST = Path(__file__).resolve().parent.parent / "guest"

# Stage 1 stops the guest script as a kexec would; stage 2 finishes.
KEXECING_SUITE = """#!/bin/sh
if [ ! -e "$RKM_RESULTS/a.kept" ]; then
	echo "a: before kexec"
	touch "$RKM_RESULTS/a.kept"
	kill -KILL $PPID $$
fi
echo "a: after kexec"
"""

PLAIN_SUITE = """#!/bin/sh
echo "b: ran" >>"$RKM_RESULTS/b.runs"
echo "b: ran"
"""


def executable(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


class AcrossKexec(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.results = self.dir / "results"
        self.results.mkdir()
        bin_dir = self.dir / "bin"
        bin_dir.mkdir()
        for tool in ("mountpoint", "insmod", "rmmod"):
            executable(bin_dir / tool, "#!/bin/sh\nexit 0\n")
        self.env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
        self.a = executable(self.dir / "a.sh", KEXECING_SUITE)
        self.b = executable(self.dir / "b.sh", PLAIN_SUITE)

    def tearDown(self):
        self.tmp.cleanup()

    def _boot(self, guest_script, listing):
        (self.results / listing).write_text(f"a {self.a} /x/a.ko\nb {self.b}\n")
        for _kernel in range(2):
            subprocess.run(["sh", str(GUEST / guest_script), str(self.results)], env=self.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)

    def test_demo_continues_the_suite_that_kexeced(self):
        self._boot("demo.sh", "demo.list")
        self.assertEqual((self.results / "demo.txt").read_text(),
                         "=== a ===\na: before kexec\na: after kexec\n\n=== b ===\nb: ran\n\n")
        self.assertEqual((self.results / "b.runs").read_text(), "b: ran\n")

    def test_bench_reruns_only_the_suite_that_kexeced(self):
        self._boot("bench.sh", "bench.list")
        self.assertEqual((self.results / "a.json").read_text(), "a: after kexec\n")
        self.assertEqual((self.results / "a.status").read_text().strip(), "0")
        self.assertEqual((self.results / "b.runs").read_text(), "b: ran\n")


# Stand-in for the kselftest runner: `-c COLLECTION` runs its programs (two);
# it reads its standard input, as a test may.
FAKE_RUNNER = """#!/bin/sh
cat >/dev/null
[ "$1" = -c ] || exit 1
echo "TAP version 13"
echo "1..2"
for prog in one two; do
	echo "# selftests: $2: $prog"
	echo "# ok 1 $prog works"
	echo "ok 1 selftests: $2: $prog"
done
"""


def fake_runner_output(collection):
    lines = ["TAP version 13", "1..2"]
    for prog in ("one", "two"):
        lines += [f"# selftests: {collection}: {prog}", f"# ok 1 {prog} works", f"ok 1 selftests: {collection}: {prog}"]
    return "".join(f"{line}\n" for line in lines)


class SharedBoot(unittest.TestCase):
    def test_each_collection_runs_on_its_own_and_every_program_is_a_phase(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            results, ksft, bin_dir = tmp / "results", tmp / "ksft", tmp / "bin"
            for d in (results, ksft, bin_dir):
                d.mkdir()
            for tool in ("mountpoint", "insmod", "rmmod"):
                executable(bin_dir / tool, "#!/bin/sh\nexit 0\n")
            executable(ksft / "run_kselftest.sh", FAKE_RUNNER)
            (results / "modules.list").write_text("/m/a.ko\n/m/b.ko\n")
            (results / "collections.list").write_text("a\nb\n")
            run = subprocess.run(["sh", str(GUEST / "run-suites.sh"), str(results), str(ksft)],
                                 env=dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}"),
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual([line for line in run.stdout.splitlines() if line.startswith("rkm-timing: ")],
                             ["rkm-timing: load a", "rkm-timing: load b", "rkm-timing: kselftest a: one",
                              "rkm-timing: kselftest a: two", "rkm-timing: kselftest b: one",
                              "rkm-timing: kselftest b: two", "rkm-timing: unload"])
            tap = (results / "kselftest.tap").read_text()
            self.assertEqual(tap, fake_runner_output("a") + fake_runner_output("b"))
            self.assertEqual((results / "modules.tap").read_text(),
                             "ok - load a\nok - load b\nok - unload b\nok - unload a\n")


if __name__ == "__main__":
    unittest.main()
