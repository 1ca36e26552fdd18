#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reduce rkm_mdio_sim traces to what two drivers must share.

    trace_norm.py FILE.raw...   writes each one's writes to FILE.trace, the
                                registers it read to FILE.reads and its
                                re-initialisations after a reset to FILE.polls

Two drivers are equivalent on a scenario when they write the same values to
the same registers in the same order and read the same registers. Timing
decides how often a driver polls, and whether a poll falls into a step of
the scenario at all, so:

- MMD accesses count as one access to the MMD register (the MMD_CTRL and
  address writes that select it are dropped);
- writes are compared per step as a sequence in which a block repeated back
  to back (the same reset after each failed poll) counts once;
- a reset written to register 0x1f followed by MMD writes is the DP83TG720's
  poll with the link down (reset, then restore the configuration): how many
  such polls fall into a step is timing, so these blocks are taken out of
  the step's writes and compared as a set over the whole scenario;
- reads are compared as a set of registers over the whole scenario (the
  caller takes the union of the steps' sets): a step that happens to catch
  a poll of the link, which writes nothing, reads more than one that does not;
- timestamps and read values are dropped.
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


POLL_RESET = "w c22 0x1f 0x8000"


def split_polls(writes):
    """The writes without the reset-and-restore blocks of link-down polls, and those blocks."""
    kept, polls, i = [], set(), 0
    while i < len(writes):
        end = i + 1
        while writes[i] == POLL_RESET and end < len(writes) and writes[end].startswith("w mmd "):
            end += 1
        if end > i + 1:
            polls.add(" | ".join(writes[i:end]))
        else:
            kept.append(writes[i])
        i = end
    return kept, sorted(polls)


def reduce(lines):
    """The writes (collapsed), the registers read and the link-down polls' blocks."""
    all_accesses = list(accesses(lines))
    writes, polls = split_polls([f"w {target} {value}" for op, target, value in all_accesses if op == "w"])
    reads = sorted({target for op, target, _ in all_accesses if op == "r"})
    return collapse(writes), reads, polls


def main():
    for raw in sys.argv[1:]:
        with open(raw) as f:
            writes, reads, polls = reduce(f)
        stem = raw.removesuffix(".raw")
        for suffix, lines in ((".trace", writes), (".reads", reads), (".polls", polls)):
            with open(stem + suffix, "w") as f:
                f.writelines(line + "\n" for line in lines)


if __name__ == "__main__":
    main()
