"""Find kernel splats in a console log or dmesg.

A run fails on any splat -- WARNING, BUG, Oops, KASAN, lockdep, a bare call
trace, a kmemleak report -- unless a test declared that exact splat as
expected. Only kernel lines count (they carry a printk timestamp, enabled with
printk.time=1), so a test that prints "WARNING:" from user space cannot fail
or fake a run.
"""

import re
from dataclasses import dataclass, field

# "[   12.345678] " printk prefix, optionally after "<4>" or a "[T123]" caller id.
_KERNEL_LINE = re.compile(r"^(?:<\d>)?\[\s*\d+\.\d+\](?:\[\s*[TC]\d+\])?\s?(.*)$")

# Lines that open a splat. Order does not matter; the header is the line itself.
_HEADERS = [
    re.compile(p)
    for p in (
        r"^WARNING:",
        r"^BUG:",
        r"^Oops",
        r"^KASAN:",
        r"^UBSAN:",
        r"^Kernel panic",
        r"^kernel BUG at",
        r"^general protection fault",
        r"^INFO: (possible|task .* blocked|rcu_\w+ (self-)?detected stall|trying to register non-static key)",
        r"^(possible|inconsistent|\[ BUG: )\w*.*(lock|locking).*detected",
        r"^unreferenced object 0x",
        r"^kmemleak: \d+ new suspected memory leaks",
        r"^rust_kernel: panicked",
        r"panicked at .*\.rs:\d+",
        r"^refcount_t: ",
        r"^list_(add|del) corruption",
        r"^Call Trace:",
    )
]
# Lines that belong to the splat already open instead of starting a new one.
_CONTINUATION = re.compile(r"^(Call Trace:|RIP:|<TASK>|</TASK>|Code:|Modules linked in:)")
_END = re.compile(r"^---\[ end (trace|Kernel panic)")
# A splat without an end marker (lockdep, kmemleak) is closed after this many
# kernel lines so a later, unrelated bare "Call Trace:" is reported on its own.
_MAX_SPLAT_LINES = 400


@dataclass
class Splat:
    """One report in the log: its first line and where it starts."""

    header: str
    line_number: int
    lines: list = field(default_factory=list)


def kernel_lines(text):
    """Yield (line_number, message) for each printk line of a log."""
    for number, raw in enumerate(text.splitlines(), start=1):
        m = _KERNEL_LINE.match(raw.strip("\r"))
        if m:
            yield number, m.group(1).rstrip()


def _is_header(message):
    return any(h.search(message) for h in _HEADERS)


def find_splats(text):
    """Return every splat in the log, in order."""
    splats = []
    current = None
    for number, message in kernel_lines(text):
        if current is not None:
            if _END.match(message) or len(current.lines) >= _MAX_SPLAT_LINES:
                current.lines.append(message)
                current = None
                continue
            if _CONTINUATION.match(message) or not _is_header(message):
                current.lines.append(message)
                continue
        if _is_header(message):
            current = Splat(header=message, line_number=number, lines=[message])
            splats.append(current)
    return splats


@dataclass
class Verdict:
    """The outcome of scanning one log against what a test expected."""

    unexpected: list
    expected_seen: list
    expected_missing: list

    @property
    def ok(self):
        return not self.unexpected and not self.expected_missing


def scan(text, expected=()):
    """Scan a log; each pattern in `expected` must match at least one splat.

    A splat is expected when any of its lines matches an expected pattern (a
    regular expression): lockdep's header is generic, its body names the lock.
    """
    patterns = [re.compile(p) for p in expected]
    unexpected, seen = [], set()
    for splat in find_splats(text):
        matched = [p.pattern for p in patterns if any(p.search(line) for line in splat.lines)]
        if matched:
            seen.update(matched)
        else:
            unexpected.append(splat)
    missing = [p.pattern for p in patterns if p.pattern not in seen]
    return Verdict(unexpected=unexpected, expected_seen=sorted(seen), expected_missing=missing)
