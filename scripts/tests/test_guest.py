"""The guest side of `make demo` and `make bench` across a kexec.

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


class AcrossKexec(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.results = self.dir / "results"
        self.results.mkdir()
        bin_dir = self.dir / "bin"
        bin_dir.mkdir()
        for tool in ("mountpoint", "insmod", "rmmod"):
            self._script(bin_dir / tool, "#!/bin/sh\nexit 0\n")
        self.env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
        self.a = self._script(self.dir / "a.sh", KEXECING_SUITE)
        self.b = self._script(self.dir / "b.sh", PLAIN_SUITE)

    def tearDown(self):
        self.tmp.cleanup()

    def _script(self, path, text):
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
        return path

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


if __name__ == "__main__":
    unittest.main()
