"""Where `make check`'s time goes: each step, and each boot's phases.

A step is a timed section of check.py (a host step such as one crate's cargo
test, one boot) or one make target (make_step). A boot's phases come from the
console as the host reads it while the VM runs (vm.run): each kernel's first line ("Linux version"),
and the "rkm-timing: WHAT" lines the guest prints when WHAT begins -- the
command, each module load and kselftest collection of the shared boot, the
end-of-boot scan. A phase lasts until the next one begins; the last one, until
QEMU exited. Times are the host's clock, read every VM_POLL seconds.

Printed as a table at the end of `make check` and kept as JSON
(build/check/timing.json), so that a change's effect is a diff of two files.
Each step keeps its start and end (seconds since check.py began): with
RKM_LANES=N, boots of different lanes overlap, and their steps name their
lane ("[lane 2]" in the table, "lane" in the JSON). The step names stay those
of one lane: the next run plans its lanes from them (harness/lanes.py).
The JSON also says what was measured (check.py's run_facts): the date, the
commit, the suites, the accelerator, the time since make started (with the
bootstrap and a kernel build, when the run had to do them); the README's table
of measured times is written from such files (scripts/readme_timing.py).
"""

import json
import re
import threading
import time

MARKER = "rkm-timing: "
_MARKER = re.compile(re.escape(MARKER) + r"(?P<what>.+)$")
# A kernel's first line, before printk.time is on (a test stand-in may stamp it).
_KERNEL = re.compile(r"^(?:\[[\s\d.]+\] )?Linux version ")
KERNEL = "kernel"
VM_POLL = 0.2


def console_event(line):
    """The phase a console line begins, or None."""
    line = line.rstrip("\r")
    if _KERNEL.match(line):
        return KERNEL
    m = _MARKER.search(line)
    return m.group("what").strip() if m else None


def phases(events, total):
    """[(name, seconds)] of a boot from its events [(seconds since start, what)]."""
    named, kernels = [("vng and QEMU start", 0.0)], 0
    for at, what in events:
        if what == KERNEL:
            kernels += 1
            what = "kernel boot and init" if kernels == 1 else f"kernel {kernels} (kexec): boot and init"
        elif kernels > 1:
            what = f"{what} (kernel {kernels})"
        named.append((what, at))
    ends = [at for _, at in named[1:]] + [total]
    return [(what, max(end - at, 0.0)) for (what, at), end in zip(named, ends)]


class Timing:
    """The steps of one `make check`, in the order they began.

    The main thread's steps follow one another (step(), end()); a lane's VM
    boots run in threads of their own and overlap them, so each step keeps its
    own start and end (begin(), finish()). "in all" is the wall time, less
    than the steps' sum when lanes ran at once.
    """

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.start = clock()
        # {"name", "start", "end" (seconds since the start), "phases": [(name, seconds)], "lane" for a lane's}
        self.steps = []
        self._running = None  # the main thread's step, ended by the next step() or end()
        self._lock = threading.Lock()
        self.run = {}  # what was measured (check.py's run_facts)

    def begin(self, name, lane=None):
        """Begins a step that finish() ends: safe from any thread."""
        step = {"name": name, "start": self.clock() - self.start, "end": None, "phases": []}
        if lane is not None:
            step["lane"] = lane
        with self._lock:
            self.steps.append(step)
        return step

    def finish(self, step, boot_phases=()):
        """Ends a step, with a boot's phases (from phases()) if it was one."""
        step["end"] = self.clock() - self.start
        step["phases"] = list(boot_phases)

    def step(self, name):
        """Ends the main thread's step running, if any, and begins NAME."""
        self.end()
        self._running = self.begin(name)

    def end(self):
        if self._running is not None:
            self.finish(self._running)
            self._running = None

    def as_json(self):
        steps = []
        for step in self.steps:
            end = step["end"] if step["end"] is not None else self.clock() - self.start
            entry = {"name": step["name"], "seconds": round(end - step["start"], 1),
                     "start": round(step["start"], 1), "end": round(end, 1),
                     "phases": [{"name": n, "seconds": round(s, 1)} for n, s in step["phases"]]}
            if "lane" in step:
                entry["lane"] = step["lane"]
            steps.append(entry)
        return {"run": self.run, "total_seconds": round(self.clock() - self.start, 1), "steps": steps}

    def table(self):
        data = self.as_json()
        rows = []
        for step in data["steps"]:
            lane = f" [lane {step['lane']}]" if "lane" in step else ""
            rows.append(f"  {step['seconds']:8.1f} s  {step['name']}{lane}")
            rows += [f"  {p['seconds']:8.1f} s      {p['name']}" for p in step["phases"]]
        rows.append(f"  {data['total_seconds']:8.1f} s  in all")
        return "\n".join(rows)

    def write(self, path):
        path.write_text(json.dumps(self.as_json(), indent=1) + "\n")
