"""`make check`'s VM boots in N lanes at once (RKM_LANES, default 1).

For machines with more cores than one VM keeps busy. On the 2-core CI
machine one TCG VM with 2 vCPUs already uses both cores: with two lanes every
boot took about twice as long, so the default is one lane. The plan: the
selected suites are split into N groups, each with a shared boot of its own
(a suite's loads, KUnit and kselftests stay in one boot: its tests use its
modules), and every own boot (boot-*.conf) is a job of its own. Jobs go to
the lanes greedily, longest first, by the seconds the last run's
build/check/timing.json shows for them, or the guesses below; each lane runs
its jobs one after another, in the plan's order, in a thread.
"""

import json
import queue
import re
import threading
from dataclasses import dataclass

# Guesses for what the last timing.json does not show, from a TCG run on the
# 2-core machine (timing-a1f3bc0): a shared boot's own time (QEMU start,
# kernel boot and init, unload, end of boot: 116 s); a suite's loads and
# kselftests in it (38 s to 858 s, most 70 s to 140 s); an own boot (64 s to
# 91 s, the kexec chain 451 s).
SHARED_BOOT_SECONDS = 120.0
SUITE_SECONDS = 120.0
OWN_BOOT_SECONDS = 90.0


@dataclass
class Job:
    title: str  # its step of the timing table and its section in the output
    folder: str  # its results directory, under build/check/
    suites: list  # suites.Suite: those of a shared boot, or the one of an own boot
    conf: object = None  # suites.BootConf of an own boot; None for a shared boot
    seconds: float = 0.0  # expected
    lane: int = 0  # 1..N

    @property
    def shared(self):
        return self.conf is None


def lanes_from(environ):
    """RKM_LANES: a positive number, 1 when unset."""
    value = environ.get("RKM_LANES", "").strip() or "1"
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"RKM_LANES={value}: expected a number of lanes, 1 or more")
    return int(value)


def read_timing(path):
    """The last run's timing.json, or {} (none, or unreadable)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def estimates(previous, selected):
    """From a timing.json: (seconds per suite in a shared boot, a shared boot's own seconds or None,
    seconds per own boot name such as "rkm_guard/abba")."""
    owner = {ko.stem: s.name for s in selected for ko in s.modules}
    work, rest, own = {}, [], {}
    for step in previous.get("steps", []):
        name = step.get("name", "")
        if name.startswith("vm: shared boot"):
            left = step.get("seconds", 0.0)
            for phase in step.get("phases", []):
                # "load <module>", "kselftest <suite>: <program>", "boot <suite>/<name>"
                m = re.match(r"(?:load (\S+)|kselftest ([^:\s]+):|boot ([^/\s]+)/)", phase["name"])
                suite = m and (owner.get(m.group(1)) if m.group(1) else m.group(2) or m.group(3))
                if suite:
                    work[suite] = work.get(suite, 0.0) + phase["seconds"]
                    left -= phase["seconds"]
            rest.append(left)
        elif m := re.match(r"vm: (\S+/\S+) boot\b", name):
            own[m.group(1)] = step.get("seconds", 0.0)
    return work, (sum(rest) / len(rest) if rest else None), own


def spread(items, seconds, n):
    """n lists of the items: longest first, each to the list expected to end first."""
    bins, loads = [[] for _ in range(n)], [0.0] * n
    for item in sorted(items, key=seconds, reverse=True):
        k = loads.index(min(loads))
        bins[k].append(item)
        loads[k] += seconds(item)
    return bins


def plan(selected, n, previous=None):
    """The jobs for n lanes, each with its lane, in the order the lanes run them.

    With one lane: today's single shared boot (vm-shared/), then the own boots
    in suite order.
    """
    work, shared_seconds, own = estimates(previous or {}, selected)
    if shared_seconds is None:
        shared_seconds = SHARED_BOOT_SECONDS
    suite_seconds = lambda s: work.get(s.name, SUITE_SECONDS)  # noqa: E731
    # Each group keeps the suites' order: with one, the boot is today's.
    groups = [[s for s in selected if s in group] for group in spread(selected, suite_seconds, n) if group]
    jobs = []
    for k, group in enumerate(groups, start=1):
        jobs.append(Job("vm: shared boot (" + ", ".join(s.name for s in group) + ")",
                        "vm-shared" if n == 1 else f"vm-shared-{k}", group,
                        seconds=shared_seconds + sum(map(suite_seconds, group))))
    for s in selected:
        for conf in s.boots:
            jobs.append(Job(f"vm: {conf.name} boot ({conf.description or 'no description'})",
                            f"vm-{conf.name.replace('/', '-')}", [s], conf,
                            seconds=own.get(conf.name, OWN_BOOT_SECONDS)))
    for lane, lane_jobs in enumerate(spread(jobs, lambda j: j.seconds, n), start=1):
        for job in lane_jobs:
            job.lane = lane
    return jobs


def run(jobs, work):
    """Runs work(job, stop) for every job, each lane's one after another, the lanes at once.

    Yields ("start", job, None) and ("done", job, what work returned) in the
    calling thread, as they happen, so that only it prints and reports. An
    exception of a job is raised here; then, as on ^C, the lanes are told to
    stop (stop.is_set(), which vm.run watches) and are waited for, so that
    no VM outlives check.py.
    """
    events, stop = queue.Queue(), threading.Event()

    def lane(own):
        for job in own:
            if stop.is_set():
                return
            events.put(("start", job, None))
            try:
                events.put(("done", job, work(job, stop)))
            except Exception as e:  # noqa: BLE001 -- raised again in the caller's thread
                events.put(("error", job, e))
                return

    lanes = sorted({job.lane for job in jobs})
    threads = [threading.Thread(target=lane, args=([j for j in jobs if j.lane == k],), daemon=True)
               for k in lanes]
    for thread in threads:
        thread.start()
    try:
        for _ in range(2 * len(jobs)):
            kind, job, value = events.get()
            if kind == "error":
                raise value
            yield kind, job, value
    finally:
        stop.set()
        for thread in threads:
            thread.join()
