#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reduce rkm_mdio_sim traces to what two drivers must share.

    trace_norm.py FILE.raw...   writes each one's reduction to FILE.trace

Two drivers are equivalent on a scenario when they write the same values to
the same registers in the same order and read the same registers. Timing
decides how often a driver polls, so:

- MMD accesses count as one access to the MMD register (the MMD_CTRL and
  address writes that select it are dropped);
- reads are compared as a set of registers, writes as a sequence in which a
  block repeated back to back (the same poll, or the same reset after each
  failed poll) counts once;
- timestamps and read values are dropped.

A reduction is the writes, one per line, then one line "reads: <registers>".
"""
import sys


def accesses(lines):
    for line in lines:
        fields = line.split()
        if not fields or fields[0] == "#":
            continue
        op, reg, value = fields[1], fields[2], fields[3]
        mmd = fields[5] if len(fields) > 5 and fields[4] == "mmd" else None
        if reg in ("0x0d", "0x0e") and mmd is None:
            continue
        target = f"mmd {mmd}" if mmd else f"c22 {reg}"
        yield op, target, value


def collapse(seq):
    """Removes back-to-back repetitions of any block until none is left."""
    changed = True
    while changed:
        changed = False
        for period in range(1, len(seq) // 2 + 1):
            out, i = [], 0
            while i < len(seq):
                if i + 2 * period <= len(seq) and seq[i:i + period] == seq[i + period:i + 2 * period]:
                    i += period
                    changed = True
                else:
                    out.append(seq[i])
                    i += 1
            seq = out
    return seq


def reduce(lines):
    """The reduction's lines."""
    all_accesses = list(accesses(lines))
    writes = [f"w {target} {value}" for op, target, value in all_accesses if op == "w"]
    reads = sorted({target for op, target, _ in all_accesses if op == "r"})
    return collapse(writes) + ["reads: " + ", ".join(reads)]


def main():
    for raw in sys.argv[1:]:
        with open(raw) as f:
            reduced = reduce(f)
        with open(raw.removesuffix(".raw") + ".trace", "w") as f:
            f.write("\n".join(reduced) + "\n")


if __name__ == "__main__":
    main()
