#!/usr/bin/env python3
"""Find kernel splats -- the reports the kernel prints when something is wrong.

A boot fails on any splat unless its conf declares exactly that report
(Expectation). The scanner reads three kinds of log:

- the console (console.log): only kernel lines count. A kernel line carries a
  printk timestamp (printk.time=1), so text a test prints cannot fail or fake
  a run. Before the kernel parses its command line printk.time is still off:
  the untimestamped lines of early boot count too, from a kernel's first two
  lines ("Linux version ..." directly followed by x86's "Command line: ...",
  which user space does not print back to back; a kexec'd kernel starts the
  same way) to the first timestamped line.
- dmesg (dmesg.txt) and kmemleak's report (kmemleak.txt), which hold kernel
  text only: every line counts. dmesg has what the console's log level
  filtered out.

Reports are recognised by the headers the kernel prints (KINDS), at the start
of a message or after pr_fmt-style "subsystem: " prefixes ("rcu: INFO: ...",
"watchdog: BUG: soft lockup ...") and lockdep's "[ ". A header always opens a
new splat -- a report inside another is its own -- except the lines the
kernel prints as part of one report before its stack dump (KINDS' `follow`):
the message between "cut here" and "WARNING:", the "Oops:" that follows
"kernel BUG at", KASAN's hint in a general protection fault. A splat ends:

- at its end marker, for the kinds that print one ("---[ end trace", "---[ end
  Kernel panic", KASAN's and KFENCE's closing "=====");
- after its stack dump (the "</TASK>" closing its "Call Trace:") for the
  kinds that end with one (lockdep, might_sleep, stalls, lockups, hung
  tasks...), and the lines its kind prints after the dump (KINDS' `trailer`,
  e.g. SLUB's "FIX ..." lines) or the further stack dumps it prints (KINDS'
  `again`: an RCU stall's NMI backtraces and its kthread's stack);
- at the first line not of the shape its kind lists (a kmemleak object's
  indented lines; the held locks of lockdep's one report without a stack);
- at the next header in any case.

Lines after a splat ended and before the next header belong to no splat; a
stack dump among them is a bare "Call Trace:" splat, so an unknown report
still fails the run. So is the rest of a report another interrupted: the
nested report is its own splat, and what the outer one prints after it may
add a bare "Call Trace:" splat, never hide one.

As a command, `splat.py LOG...` prints each splat as FILE:LINE: HEADER with
its other lines indented, and exits 1 when it found one. Files named dmesg*
or kmemleak* are read as kernel text, any other as a console log.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# "[   12.345678] " printk prefix, optionally after "<4>" or before a "[T123]" caller id.
_TIMESTAMPED = re.compile(r"^(?:<\d>)?\[\s*(\d+\.\d+)\](?:\[\s*[TC]\d+\])?\s?(.*)$")
# The first two lines every x86 kernel prints (init/main.c, arch/x86/kernel/setup.c).
_BANNER = re.compile(r"^Linux version \S+ ")
_COMMAND_LINE = re.compile(r"^Command line: ")

# How a report ends (see the module docstring).
MARKER = "marker"  # at its end marker
STACK = "stack"  # after its stack dump
LISTED = "listed"  # at the first line not of the shape its kind lists
LINE = "line"  # a report of one line

_TRACE_END = r"---\[ end trace\b"
_PANIC_END = r"---\[ end Kernel panic"
_SEPARATOR = r"={20,}$"
_STACK_END = re.compile(r"^\s*</TASK>$")
_CALL_TRACE = re.compile(r"^Call Trace:$")
# Another CPU's stack dump, part of stall and lockup reports.
_NMI = r"NMI backtrace for cpu \d+|Sending NMI from CPU \d+"
# "subsystem: " prefixes from pr_fmt ("rcu: ", "watchdog: ", "traps: ", and
# "CPU1: " inside the hard lockup message) and lockdep's "[ BUG: ... ]".
_PREFIX = r"(?P<prefix>(?:[\w./-]+: )*(?:\[ )?)"


@dataclass(frozen=True)
class Kind:
    """A report format: its header, how it ends, which headers belong to it."""

    name: str
    header: re.Pattern
    end: str
    marker: re.Pattern = None  # the end marker, for MARKER kinds
    follow: frozenset = frozenset()  # kinds printed within this report's head
    trailer: re.Pattern = None  # STACK: lines it prints after its dump
    again: re.Pattern = None  # STACK: a line starting another dump of it
    shape: re.Pattern = None  # LISTED: every line after the header, past its prefix


def _kind(name, header, end, marker=None, follow=(), trailer=None, again=None, shape=None):
    def optional(pattern):
        return re.compile(pattern) if pattern else None
    return Kind(name, re.compile("^" + _PREFIX + header), end, optional(marker), frozenset(follow),
                optional(trailer), optional(again), optional(shape))


# From the pinned tree's printk calls; specific kinds before the catch-alls.
KINDS = [
    # WARN()/BUG(): lib/bug.c and kernel/panic.c print "cut here", WARN's
    # message, then the WARNING or kernel BUG line.
    _kind("cut here", r"-+\[ cut here \]-+$", MARKER, _TRACE_END,
          follow=("WARNING", "kernel BUG", "UBSAN", "refcount", "list corruption")),
    _kind("WARNING", r"WARNING: (?:\S+:\d+ )?at ", MARKER, _TRACE_END),
    _kind("kernel BUG", r"kernel BUG at ", MARKER, _TRACE_END, follow=("Oops",)),
    # arch/x86/kernel/dumpstack.c, traps.c, mm/fault.c
    _kind("Oops", r"Oops: ", MARKER, _TRACE_END, follow=("KASAN address",)),
    _kind("page fault", r"BUG: (?:unable to handle page fault|kernel NULL pointer dereference)",
          MARKER, _TRACE_END, follow=("Oops",)),
    _kind("double fault", r"PANIC: double fault", MARKER, _TRACE_END, follow=("Oops",)),
    _kind("stack overflow", r"BUG: \w+ stack guard page was hit", MARKER, _TRACE_END, follow=("Oops",)),
    _kind("stack-protector", r"Kernel panic - not syncing: stack-protector: ", MARKER, _PANIC_END),
    _kind("panic", r"Kernel panic - not syncing: ", MARKER, _PANIC_END),
    # mm/kasan/report.c, mm/kfence/report.c, lib/ubsan.c
    _kind("KASAN", r"BUG: KASAN: ", MARKER, _SEPARATOR),
    _kind("KASAN address", r"KASAN: [\w -]+ in range \[", LINE),
    _kind("KFENCE", r"BUG: KFENCE: ", MARKER, _SEPARATOR),
    _kind("UBSAN", r"UBSAN: ", MARKER, _TRACE_END),
    # kernel/locking/lockdep.c: every report ends with a stack dump.
    _kind("circular locking", r"WARNING: possible circular locking dependency detected", STACK),
    _kind("recursive locking", r"WARNING: possible recursive locking detected", STACK),
    _kind("inconsistent lock state", r"WARNING: inconsistent lock state", STACK),
    _kind("irq lock inversion", r"WARNING: possible irq lock inversion dependency detected", STACK),
    _kind("irq-unsafe lock order", r"WARNING: \S+-safe -> \S+-unsafe lock order detected", STACK),
    _kind("invalid wait context", r"BUG: Invalid wait context \]", STACK),
    _kind("lock held at exit", r"WARNING: \S+/\d+ still has locks held!", STACK),
    # The one lockdep report without a stack dump: it ends with the held locks.
    _kind("lock held returning to user", r"WARNING: lock held when returning to user space!", LISTED,
          shape=r"(?:\S+ #\d+ (?:Not tainted|Tainted: .*)|-+|\S+/\d+ is leaving the kernel with locks still held!"
               r"|locks held by \S+/\d+: \d+, (?:last|on) CPU#\d+:?| #\d+: .*)$"),
    _kind("bad unlock balance", r"WARNING: bad unlock balance detected!", STACK),
    _kind("held lock freed", r"WARNING: held lock freed!", STACK),
    _kind("nested lock not taken", r"WARNING: Nested lock was not taken", STACK),
    _kind("bad contention", r"WARNING: bad contention detected!", STACK),
    _kind("chain_key collision", r"WARNING: chain_key collision", STACK),
    _kind("suspicious RCU usage", r"WARNING: suspicious RCU usage", STACK),
    _kind("non-static key", r"INFO: trying to register non-static key", STACK),
    _kind("lockdep limit", r"BUG: (?:MAX_\w+ too low!|looking up invalid subclass)", STACK),
    # ... followed by DEBUG_LOCKS_WARN_ON(1), a WARN.
    _kind("unregistered lock key", r"BUG: key \S+ has not been registered!", MARKER, _TRACE_END,
          follow=("cut here", "WARNING")),
    # kernel/sched/core.c
    _kind("might_sleep", r"BUG: sleeping function called from invalid context", STACK),
    _kind("scheduling while atomic", r"BUG: scheduling while atomic", STACK),
    # mm/page_alloc.c, mm/slub.c, lib/refcount.c, lib/list_debug.c: the last
    # two are WARN()s (or a BUG() under BUG_ON_DATA_CORRUPTION) with a message.
    _kind("bad page", r"BUG: Bad page (?:state|map) ", STACK),
    _kind("slab corruption", r"BUG \S+ \((?:Not tainted|Tainted: [^)]*)\): ", STACK,
          trailer=r"FIX \S+: |Disabling lock debugging"),
    _kind("refcount", r"refcount_t: ", MARKER, _TRACE_END, follow=("cut here", "WARNING")),
    _kind("list corruption", r"list_(?:add|del) corruption", MARKER, _TRACE_END,
          follow=("cut here", "WARNING", "kernel BUG")),
    # kernel/rcu/tree_stall.h, kernel/watchdog.c, kernel/hung_task.c
    _kind("RCU stall", r"INFO: \S+ (?:self-)?detected (?:expedited )?stalls? ", STACK,
          trailer=r"rcu: ", again=_NMI + r"|task:\S+\s+state:"),
    _kind("soft lockup", r"BUG: soft lockup - CPU#\d+ stuck for \d+s!", STACK, again=_NMI),
    _kind("hard lockup", r"Watchdog detected hard LOCKUP on cpu \d+", STACK, again=_NMI),
    # ... then the task it waits for, if known.
    _kind("hung task", r"INFO: task .+:\d+ blocked.* for more than \d+ seconds", STACK,
          again=r"INFO: task .+ blocked on "),
    # rust/kernel/lib.rs: the panic handler prints PanicInfo, then BUG()s.
    _kind("Rust panic", r"rust_kernel: panicked at ", MARKER, _TRACE_END, follow=("cut here", "kernel BUG")),
    # mm/kmemleak.c: an object in kmemleak.txt (or on the console with
    # kmemleak.verbose), and the count a scan prints.
    _kind("kmemleak", r"unreferenced object(?: \(percpu\))? 0x[0-9a-f]+ \(size \d+\):", LISTED, shape=r"\s"),
    _kind("kmemleak scan", r"kmemleak: \d+ new suspected memory leaks", LINE),
    # Catch-alls: reports of kinds not named above.
    _kind("BUG", r"BUG: ", STACK),
    _kind("other WARNING", r"WARNING: ", STACK),
    # A stack dump outside any report: what an unknown report shows.
    _kind("Call Trace", _CALL_TRACE.pattern[1:], STACK),
]
_BY_NAME = {k.name: k for k in KINDS}


def header_kind(message):
    """(Kind, prefix) of a header line, or (None, "")."""
    for kind in KINDS:
        m = kind.header.match(message)
        if m:
            return kind, m.group("prefix")
    return None, ""


@dataclass
class Splat:
    """One report: its header, where that is, and every line of the report."""

    header: str
    kind: str
    source: str  # the log it was found in
    line_number: int  # of the header
    timestamp: str  # of the header; None before printk time is on
    lines: list = field(default_factory=list)
    header_at: int = 0  # index of the header in lines

    def where(self):
        return f"{self.source}:{self.line_number}"

    def body(self):
        """The report's lines other than its header."""
        return self.lines[:self.header_at] + self.lines[self.header_at + 1:]


# kernel/printk/nbcon.c: a console taken over in the middle of a record prints
# the record again, behind this line (console_prepend_replay()).
_REPLAY = "** replaying previous printk message **"


def _replayed(lines):
    """Indexes of console lines a replay makes void: each replay marker (ending
    the copy it cut short, if any) and the earlier copy of the replayed record."""
    void = set()
    for index, raw in enumerate(lines):
        if _REPLAY not in raw:
            continue
        void.add(index)
        replay = _TIMESTAMPED.match(lines[index + 1]) if index + 1 < len(lines) else None
        earlier = index
        while replay and earlier > 0:
            copy = _TIMESTAMPED.match(lines[earlier - 1])
            if not copy or copy.group(1) != replay.group(1):
                break
            earlier -= 1
            void.add(earlier)
    return void


def kernel_lines(text, kernel_only=False):
    """Yield (line_number, timestamp, message) for each kernel line of a log.

    kernel_only: every line is kernel text (dmesg, kmemleak's report). A record
    a console printed twice (a replay) counts once, as the replay.
    """
    lines = [raw.rstrip() for raw in text.split("\n")]
    void = set() if kernel_only else _replayed(lines)
    early = False
    for index, raw in enumerate(lines):
        if index in void:
            continue
        m = _TIMESTAMPED.match(raw)
        if m:
            early = False
            yield index + 1, m.group(1), m.group(2)
            continue
        if (not kernel_only and _BANNER.match(raw) and index + 1 < len(lines)
                and _COMMAND_LINE.match(lines[index + 1])):
            early = True
        if early or kernel_only:
            yield index + 1, None, raw


class _Report:
    """A splat being read, with what is needed to tell where it ends."""

    def __init__(self, kind, prefix, splat):
        self.opener = kind
        self.prefix = prefix
        self.splat = splat
        self.kinds = {kind.name}
        self.head = True  # no stack dump yet: `follow` headers may come
        self.dumped = False  # a STACK report's dump has closed

    def takes(self, number, timestamp, message, kind):
        """Whether the line belongs to this report; records it if so."""
        if not self._belongs(message, kind):
            return False
        if kind is not None and self.splat.kind == "cut here":
            # WARN's title: the header "cut here" was waiting for.
            self.splat.header, self.splat.kind = message, kind.name
            self.splat.line_number, self.splat.timestamp = number, timestamp
            self.splat.header_at = len(self.splat.lines)
        self.splat.lines.append(message)
        return True

    def _belongs(self, message, kind):
        # A bare "Call Trace:" inside a report is that report's stack dump.
        if kind is not None and kind.name != "Call Trace":
            if not self.head or kind.name in self.kinds:
                return False
            if not any(kind.name in _BY_NAME[k].follow for k in self.kinds):
                return False
            self.kinds.add(kind.name)
            return True
        if self.opener.end == LISTED:
            rest = message[len(self.prefix):]
            return message.startswith(self.prefix) and bool(self.opener.shape.match(rest))
        if self.dumped:
            if self.opener.again and self.opener.again.match(message):
                self.dumped = False
                return True
            return bool(self.opener.trailer and self.opener.trailer.match(message))
        if _CALL_TRACE.match(message):
            self.head = False
        elif self.opener.end == STACK and _STACK_END.match(message):
            self.dumped = True
        return True

    def ends_at(self, message):
        return self.opener.end == MARKER and bool(self.opener.marker.match(message))


def find_splats(text, source="console.log", kernel_only=False):
    """Every splat in a log, in order."""
    splats = []
    report = None
    for number, timestamp, message in kernel_lines(text, kernel_only):
        kind, prefix = header_kind(message)
        if report is not None:
            if report.takes(number, timestamp, message, kind):
                if report.ends_at(message):
                    report = None
                continue
            report = None
        if kind is not None:
            splat = Splat(message, kind.name, source, number, timestamp, [message])
            splats.append(splat)
            report = _Report(kind, prefix, splat) if kind.end != LINE else None
    return splats


def read_log(path):
    """The splats of one log file, read as its name says (module docstring)."""
    path = Path(path)
    kernel_only = path.name.startswith(("dmesg", "kmemleak"))
    return find_splats(path.read_text(errors="replace"), str(path), kernel_only)


def boot_splats(results, console="console.log", dmesg="dmesg.txt"):
    """The splats of one boot: its console's, then those only dmesg has.

    A report in both has the same header and timestamp; an early-boot one is
    untimestamped on the console, so it matches a dmesg report by header.
    """
    results = Path(results)
    splats = read_log(results / console)
    if not (results / dmesg).exists():
        return splats
    unmatched = list(splats)
    for found in read_log(results / dmesg):
        twins = [s for s in unmatched if s.header == found.header]
        twin = next((s for s in twins if s.timestamp == found.timestamp),
                    next((s for s in twins if s.timestamp is None), None))
        if twin is None:
            splats.append(found)
        else:
            unmatched.remove(twin)
    return splats


# What scripts/guest/run-suites.sh writes to the kernel log around a command
# the shared boot runs for a boot-*.conf (shared = yes).
SECTION = re.compile(r"^rkm-section: (begin|end) (\S+)$")


def sections(*paths):
    """{name: (begin, end)}: the printk seconds each section of a boot's logs spans (end None: never ended).

    Both the console and dmesg are read: the console's log level may
    filter the markers out, and dmesg's buffer may have lost early lines.
    """
    spans = {}
    for path in paths:
        if not Path(path).exists():
            continue
        for _, timestamp, message in kernel_lines(Path(path).read_text(errors="replace")):
            m = SECTION.match(message)
            if m and timestamp is not None:
                begin, end = spans.get(m.group(2), (None, None))
                if m.group(1) == "begin":
                    begin = float(timestamp)
                else:
                    end = float(timestamp)
                spans[m.group(2)] = (begin, end)
    return {name: span for name, span in spans.items() if span[0] is not None}


def by_section(splats, spans):
    """{section name, or None for the rest of the boot: its splats}, by when each was printed."""
    found = {None: []}
    for splat in splats:
        at = None if splat.timestamp is None else float(splat.timestamp)
        owner = next((name for name, (begin, end) in spans.items()
                      if at is not None and begin <= at and (end is None or at <= end)), None)
        found.setdefault(owner, []).append(splat)
    return found


@dataclass
class Expectation:
    """A declared splat: how many, a regex for the header, regexes for the body.

    Written "COUNT HEADER | BODY | BODY ...": fields are separated by " | "
    (a pipe with a space on each side), so a regex may still use "|" without
    spaces. Each body regex must match some line of the splat.
    """

    declared: str
    count: int
    header: re.Pattern
    body: list

    @classmethod
    def parse(cls, text):
        count, _, rest = text.strip().partition(" ")
        fields = [f.strip() for f in rest.split(" | ")]
        if not count.isdigit() or int(count) == 0 or not fields[0]:
            raise ValueError(f"expected 'COUNT HEADER [| BODY ...]' with COUNT >= 1, got '{text}'")
        try:
            patterns = [re.compile(f) for f in fields]
        except re.error as e:
            raise ValueError(f"bad regular expression in '{text}': {e}") from None
        return cls(text.strip(), int(count), patterns[0], patterns[1:])

    def unmatched_body(self, splat):
        """The body regexes no line of the splat matches."""
        return [p.pattern for p in self.body if not any(p.search(line) for line in splat.lines)]

    def matches(self, splat):
        return bool(self.header.search(splat.header)) and not self.unmatched_body(splat)


@dataclass
class Unexpected:
    """A splat no declaration accounts for, and why a near one did not."""

    splat: Splat
    note: str = ""

    def reason(self):
        return f"{self.splat.where()}: {self.splat.header}" + (f" ({self.note})" if self.note else "")


@dataclass
class Verdict:
    unexpected: list  # Unexpected
    expected: list  # (Expectation, the splats it matched)

    @property
    def ok(self):
        return not self.unexpected and all(len(seen) == e.count for e, seen in self.expected)


def scan(splats, expected=()):
    """Hold splats against the declarations: each splat counts for the first it matches."""
    seen = {id(e): [] for e in expected}
    unexpected = []
    for splat in splats:
        owner = next((e for e in expected if e.matches(splat)), None)
        if owner is not None:
            seen[id(owner)].append(splat)
            continue
        near = [f"header matches '{e.declared}' but no line matches /{'/, /'.join(e.unmatched_body(splat))}/"
                for e in expected if e.header.search(splat.header)]
        unexpected.append(Unexpected(splat, "; ".join(near)))
    return Verdict(unexpected, [(e, seen[id(e)]) for e in expected])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logs", nargs="+", metavar="LOG", type=Path)
    args = parser.parse_args(argv)
    found = 0
    for path in args.logs:
        try:
            splats = read_log(path)
        except OSError as e:
            parser.error(str(e))
        for splat in splats:
            found += 1
            print(f"{splat.where()}: {splat.header}")
            for line in splat.body():
                print(f"    {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
