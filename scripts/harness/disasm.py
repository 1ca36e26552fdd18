#!/usr/bin/env python3
"""The guard benchmarks' loops in machine code: does a Rust guard cost what C costs?

rkm_guard's benchmark runs each lock kind's lock/unlock pair in a counted
loop, in Rust through the guard (modules/rkm_guard/bench.rs: `Counted::drive`,
not inlined, one copy per operation's closure) and in C with the raw calls
(rust/kernel_ext/guard_bench/guard_bench.c: bench_raw_<OP>()). This reads
both from the built module's disassembly (llvm-objdump):

- a Rust loop's function must call no C helper: no `rust_helper_*` of the
  tree's rust/helpers, no function of a shim of the module or of a
  kernel_ext part (those defined with __rkm_shim). With
  CONFIG_RUST_INLINE_HELPERS both are linked into the Rust
  object as bitcode and inlined (scripts/Makefile.bindgen); a call left
  means the lock or unlock path goes through an out-of-line wrapper;
- the instructions of each loop, Rust beside C: from the target of the
  function's widest backward branch to that branch, what one pair costs
  (prologue and epilogue run once per sample). A static count: a path out of
  the loop and back, such as a KASAN report's, would widen it; the perf
  kernel the benchmarks run has none, so the page shows these counts for it
  and `make check` (debug kernel) shows only the helper calls.

The operations, their display names and their C counterparts (`Op::c_op`:
`guard_bench::Op::<OP>`) are read from bench.rs (`Op::drive`'s closures are
numbered by rustc in source order).

As a command: `disasm.py KO BENCH_RS SHIM_C...` prints a table and exits 1
when a Rust loop calls a helper or a loop is missing.
"""

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
_INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)(?:\s+(.*))?$")
_RELOC = re.compile(r"^\s*[0-9a-f]+:\s+R_X86_64_\w+\s+(\S+?)(?:[-+]0x[0-9a-f]+)?$")
_BRANCH_TARGET = re.compile(r"^(?:0x)?([0-9a-f]+) <")
_DIRECT_CALLEE = re.compile(r"<([^<>+]+)>$")
_SHIM_FUNCTION = re.compile(r"^__rkm_shim\s[^(]*?\b(\w+)\(", re.M)

HELPER_PREFIX = "rust_helper_"


@dataclass
class Insn:
    address: int
    mnemonic: str
    operands: str
    reloc: str = ""  # the symbol a relocation of this instruction names


@dataclass
class Loop:
    """A benchmark loop's function."""

    function: str
    insns: list = field(default_factory=list)

    def calls(self):
        """The functions it calls, by name, in order."""
        names = []
        for insn in self.insns:
            if insn.mnemonic.startswith("call"):
                direct = _DIRECT_CALLEE.search(insn.operands)
                names.append(insn.reloc or (direct.group(1) if direct else insn.operands))
        return names


def functions(text):
    """{name: [Insn]} of an `llvm-objdump -d -r -C --no-show-raw-insn` listing."""
    found, current = {}, None
    for line in text.splitlines():
        m = _FUNCTION.match(line)
        if m:
            current = found.setdefault(m.group(1), [])
            continue
        if current is None:
            continue
        m = _RELOC.match(line)
        if m and current:
            current[-1].reloc = current[-1].reloc or m.group(1)
            continue
        m = _INSN.match(line)
        if m:
            current.append(Insn(int(m.group(1), 16), m.group(2), (m.group(3) or "").strip()))
    return found


def loop_insns(insns):
    """The instructions from the target of the widest backward branch to that branch."""
    widest = None
    for index, insn in enumerate(insns):
        m = _BRANCH_TARGET.match(insn.operands) if insn.mnemonic.startswith("j") else None
        if m and int(m.group(1), 16) <= insn.address:
            span = (int(m.group(1), 16), insn.address, index)
            if widest is None or span[1] - span[0] > widest[1] - widest[0]:
                widest = span
    if widest is None:
        return []
    start = next(i for i, insn in enumerate(insns) if insn.address >= widest[0])
    return insns[start:widest[2] + 1]


def shim_functions(paths):
    """The functions the module's C shims define with __rkm_shim."""
    return {name for path in paths for name in _SHIM_FUNCTION.findall(Path(path).read_text())}


@dataclass
class Op:
    variant: str  # bench.rs's Op variant
    name: str  # as the bench report shows it
    c_op: str  # guard_bench::Op::<c_op>, the C loop bench_raw_<c_op>
    closure: int  # rustc's number of its closure in Op::drive


def bench_ops(bench_rs):
    """The benchmark's operations, from bench.rs."""
    text = Path(bench_rs).read_text()
    drive = text[text.index("fn drive(self"):]
    variants = re.findall(r"Op::(\w+) => d\.drive\(", drive)
    names = dict(re.findall(r'Op::(\w+) => "([^"]+)"', text))
    c_ops = {}
    for arms, c_op in re.findall(r"((?:Op::\w+\s*\|\s*)*Op::\w+) => guard_bench::Op::(\w+)", text):
        for variant in re.findall(r"Op::(\w+)", arms):
            c_ops[variant] = c_op
    return [Op(v, names[v], c_ops[v], k) for k, v in enumerate(variants)]


@dataclass
class Row:
    op: Op
    rust: Loop  # None when not found
    c: Loop
    helpers: list  # helper and shim calls of the Rust function

    @property
    def ok(self):
        return self.rust is not None and not self.helpers


def guard_loops(listing, ops, shims):
    """A Row per operation: its Rust guard loop and C raw loop, and the helpers the Rust one calls."""
    funcs = functions(listing)
    rust = {}
    for name, insns in funcs.items():
        # <..::Counted as ..::Driver>::drive::<<..::Op>::drive<..::Counted>::{closure#K}>
        m = re.search(r"Counted as [\w:]*Driver>::drive::<<[\w:]*Op>::drive(?:<[\w:]*>)?::\{closure#(\d+)\}>$", name)
        if m:
            rust[int(m.group(1))] = Loop(name, insns)
    rows = []
    for op in ops:
        r = rust.get(op.closure)
        c_name = f"bench_raw_{op.c_op}"
        c = Loop(c_name, funcs[c_name]) if c_name in funcs else None
        helpers = [n for n in (r.calls() if r else []) if n.startswith(HELPER_PREFIX) or n in shims]
        rows.append(Row(op, r, c, helpers))
    return rows


def guard_rows(root):
    """The rows of rkm_guard as built in the tree at root (modules/rkm_guard/rkm_guard.ko)."""
    guard = Path(root) / "modules" / "rkm_guard"
    shims = [*guard.glob("*.c"), *(Path(root) / "rust" / "kernel_ext").glob("*/*.c")]
    return guard_loops(disassemble(guard / "rkm_guard.ko"), bench_ops(guard / "bench.rs"), shim_functions(shims))


def disassemble(ko, objdump="llvm-objdump"):
    return subprocess.run([objdump, "-d", "-r", "-C", "--no-show-raw-insn", str(ko)],
                          check=True, capture_output=True, text=True).stdout


def table(rows, counts=True):
    """One line per operation: the helpers its Rust loop calls; with counts, each loop's instructions."""
    head = f"{'operation':<24} " + (f"{'Rust guard loop':>15} {'C raw loop':>10}  " if counts else "")
    lines = [head + "helper calls in the Rust loop"]
    for row in rows:
        calls = ", ".join(row.helpers) if row.helpers else ("none" if row.rust else "Rust loop not found")
        sizes = ""
        if counts:
            rust = len(loop_insns(row.rust.insns)) if row.rust else "-"
            c = len(loop_insns(row.c.insns)) if row.c else "-"
            sizes = f"{rust:>15} {c:>10}  "
        lines.append(f"{row.op.name:<24} {sizes}{calls}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ko", type=Path)
    parser.add_argument("bench_rs", type=Path)
    parser.add_argument("shims", nargs="*", type=Path)
    args = parser.parse_args(argv)
    rows = guard_loops(disassemble(args.ko), bench_ops(args.bench_rs), shim_functions(args.shims))
    print(table(rows))
    return 0 if rows and all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
