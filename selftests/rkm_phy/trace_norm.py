#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reduce a scenario's rkm_mdio_sim traces to what two drivers must share.

    trace_norm.py --steps "STEP..." RUN_DIR...

Each RUN_DIR holds STEP.PORT.raw, the port's trace as it was at the end of
each step. The trace is never cleared during a scenario, so each snapshot
begins with the one before it and no access is lost between two steps; what
a step added is the rest. Written to RUN_DIR: STEP.PORT.trace (the step's
writes), PORT.reads (the registers read over the scenario) and PORT.polls
(the DP83TG720's link-down polls over the scenario).

Two drivers are equivalent on a scenario when they write the same values to
the same registers in the same order and read the same registers. Timing
decides how often a driver polls, and whether a poll falls into a step of
the scenario at all, so:

- MMD accesses count as one access to the MMD register (the MMD_CTRL and
  address writes that select it are dropped);
- writes are compared per step as a sequence in which a block repeated back
  to back (the same reset after each failed poll) counts once;
- resets written to register 0x1f followed by MMD writes are the
  DP83TG720's poll with the link down: phy_init_hw() resets it, its
  config_init() resets it again and restores the configuration. How many
  such polls fall into a step, and whether one straddles the end of a step,
  is timing, so these blocks are taken out of the steps' writes and compared
  as a set over the whole scenario;
- reads are compared as a set of registers over the whole scenario: a step
  that happens to catch a poll of the link, which writes nothing, reads more
  than one that does not;
- timestamps and read values are dropped.
"""
import argparse
import pathlib
import sys


class TraceError(Exception):
    pass


def accesses(lines):
    for line in lines:
        fields = line.split()
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
    """The (step, write) pairs without the link-down polls' blocks, and those blocks."""
    kept, polls, i = [], set(), 0
    while i < len(writes):
        resets_end = i
        while resets_end < len(writes) and writes[resets_end][1] == POLL_RESET:
            resets_end += 1
        end = resets_end
        while resets_end > i and end < len(writes) and writes[end][1].startswith("w mmd "):
            end += 1
        if end > resets_end:
            polls.add(" | ".join(write for _, write in writes[i:end]))
            i = end
        else:
            kept.append(writes[i])
            i += 1
    return kept, sorted(polls)


def step_lines(run, port, steps):
    """(step, line) for every access of the scenario, from the cumulative snapshots."""
    before = []
    for step in steps:
        path = run / f"{step}.{port}.raw"
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        if any(line.startswith("#") for line in lines):
            raise TraceError(f"{path}: the trace overflowed (load rkm_mdio_sim with a larger trace_len)")
        if lines[:len(before)] != before:
            raise TraceError(f"{path}: does not begin with the previous step's trace")
        yield from ((step, line) for line in lines[len(before):])
        before = lines


def reduce(run, port, steps):
    """Per step, the writes (collapsed); the registers read; the link-down polls' blocks."""
    all_accesses = [(step, access) for step, line in step_lines(run, port, steps)
                    for access in accesses([line])]
    writes, polls = split_polls([(step, f"w {target} {value}")
                                 for step, (op, target, value) in all_accesses if op == "w"])
    per_step = {step: collapse([write for s, write in writes if s == step]) for step in steps}
    reads = sorted({target for _, (op, target, _) in all_accesses if op == "r"})
    return per_step, reads, polls


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", required=True, help="the scenario's steps, in order")
    parser.add_argument("runs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    steps = args.steps.split()
    try:
        for run in args.runs:
            ports = sorted(p.name.split(".")[1] for p in run.glob(f"{steps[0]}.*.raw"))
            for port in ports:
                per_step, reads, polls = reduce(run, port, steps)
                for step, writes in per_step.items():
                    write_lines(run / f"{step}.{port}.trace", writes)
                write_lines(run / f"{port}.reads", reads)
                write_lines(run / f"{port}.polls", polls)
    except TraceError as e:
        sys.exit(f"trace_norm.py: {e}")


if __name__ == "__main__":
    main()
