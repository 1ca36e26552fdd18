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
The JSON also says what was measured (check.py's run_facts): the date, the
commit, the suites, the accelerator, the time since make started (with the
bootstrap and a kernel build, when the run had to do them); the README's table
of measured times is written from such files (scripts/readme_timing.py).
"""

import json
import re
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
    """The steps of one `make check`, in order."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.start = clock()
        self.steps = []  # {"name", "seconds", "phases": [{"name", "seconds"}]}
        self.run = {}  # what was measured (check.py's run_facts)
        self._began = None

    def step(self, name):
        """Ends the step running, if any, and begins NAME."""
        self.end()
        self.steps.append({"name": name, "seconds": 0.0, "phases": []})
        self._began = self.clock()

    def end(self):
        if self._began is not None:
            self.steps[-1]["seconds"] = round(self.clock() - self._began, 1)
            self._began = None

    def boot_phases(self, boot_phases):
        """Attaches a boot's phases (from phases()) to the step running."""
        self.steps[-1]["phases"] = [{"name": n, "seconds": round(s, 1)} for n, s in boot_phases]

    def as_json(self):
        return {"run": self.run, "total_seconds": round(self.clock() - self.start, 1), "steps": self.steps}

    def table(self):
        rows = []
        for step in self.steps:
            rows.append(f"  {step['seconds']:8.1f} s  {step['name']}")
            rows += [f"  {p['seconds']:8.1f} s      {p['name']}" for p in step["phases"]]
        rows.append(f"  {self.clock() - self.start:8.1f} s  in all")
        return "\n".join(rows)

    def write(self, path):
        path.write_text(json.dumps(self.as_json(), indent=1) + "\n")
