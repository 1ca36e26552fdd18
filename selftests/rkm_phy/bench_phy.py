#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rkm_phy's part of `make bench`: MDIO transactions the PHY drivers cost.

Runs in the benchmark VM as root with rkm_phy.ko loaded (bench.sh), once with
the rkm drivers and once with the kernel's own drivers for the same PHYs
(ax88796b_rust, dp83tg720), on the same emulated bus, and counts MDIO
transactions in the emulator's access trace (an MMD access through
MMD_CTRL/MMD_DATA is the four transactions it costs on the wire):

- per state-machine poll with the link up, over a window of several seconds;
- per link-up, from `ip link set up` to the end of the poll that first read
  the link up;
- per re-link, from the partner's return to the end of that poll.

A poll is a burst of accesses: phylib polls at least 149 ms apart and a poll
with the link up does not sleep, so a gap of more than GAP_MS separates them.
Prints the JSON report scripts/harness/bench.py describes.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIM_KO = ROOT / "modules" / "rkm_mdio_sim" / "rkm_mdio_sim.ko"
PHY_KO = ROOT / "modules" / "rkm_phy" / "rkm_phy.ko"
DBG = Path("/sys/kernel/debug/rkm_mdio_sim")
INTREE = ("ax88796b_rust", "dp83tg720")

# Port name, model, and the read that shows the link up: (register, bit).
PORTS = (
    ("rkmsim1", "AX88772A", (0x01, 0x0004)),
    ("rkmsim2", "AX88772C", (0x01, 0x0004)),
    ("rkmsim3", "AX88796B", (0x01, 0x0004)),
    ("rkmsim4", "DP83TG720", (0x10, 0x0001)),
)
GAP_MS = 100
WINDOW_S = 10
REPEAT = 5


class BenchError(RuntimeError):
    pass


def run(*cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise BenchError(f"{' '.join(map(str, cmd))}: {proc.stderr.strip() or proc.returncode}")


def loaded(module):
    return any(line.split()[0] == module for line in Path("/proc/modules").read_text().splitlines())


def wait_until(what, seconds=30):
    end = time.monotonic() + seconds
    while not what():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def carrier(port):
    try:
        return Path(f"/sys/class/net/{port}/carrier").read_text().strip() == "1"
    except OSError:
        return False


def knob(port, name, value):
    (DBG / port / name).write_text(f"{value}\n")


def trace(port):
    """The port's trace as (ms, op, reg, value) tuples; an overwritten trace is useless."""
    accesses = []
    for line in (DBG / port / "trace").read_text().splitlines():
        fields = line.split()
        if fields[0] == "#":
            raise BenchError(f"{port}: trace overflowed ({line})")
        value = -1 if fields[3] == "EIO" else int(fields[3], 16)
        accesses.append((int(fields[0]), fields[1], int(fields[2], 16), value))
    return accesses


def bursts(accesses):
    """The accesses split where more than GAP_MS pass between two."""
    out = []
    for access in accesses:
        if out and access[0] - out[-1][-1][0] <= GAP_MS:
            out[-1].append(access)
        else:
            out.append([access])
    return out


def link_up_cost(accesses, link_read):
    """(transactions up to the end of the poll that first read the link up,
    transactions of that poll)."""
    reg, bit = link_read
    groups = bursts(accesses)
    done = 0
    for group in groups:
        done += len(group)
        if any(op == "r" and r == reg and v >= 0 and v & bit for _, op, r, v in group):
            return done, len(group)
    raise BenchError("no read saw the link up")


def settle():
    """Lets a poll in progress end."""
    time.sleep(0.5)


def bring_up(port, link_read):
    run("ip", "link", "set", port, "down")
    (DBG / port / "trace").write_text("clear\n")
    run("ip", "link", "set", port, "up")
    if not wait_until(lambda: carrier(port)):
        raise BenchError(f"{port}: no carrier after ip link set up")
    settle()
    return link_up_cost(trace(port), link_read)


def relink(port, link_read):
    knob(port, "link", "down")
    if not wait_until(lambda: not carrier(port)):
        raise BenchError(f"{port}: carrier stays with the partner gone")
    # Past the follow-up of the loss (the AX88772A's reset, the DP83TG720's
    # fast polls keep going): what follows is the steady no-link state.
    time.sleep(1.5)
    (DBG / port / "trace").write_text("clear\n")
    knob(port, "link", "up")
    if not wait_until(lambda: carrier(port)):
        raise BenchError(f"{port}: no carrier after the partner came back")
    settle()
    return link_up_cost(trace(port), link_read)


def steady_polls(ports):
    """Per port: (transactions, polls) over WINDOW_S seconds with the link up."""
    for port in ports:
        (DBG / port / "trace").write_text("clear\n")
    time.sleep(WINDOW_S)
    out = {}
    for port in ports:
        accesses = trace(port)
        # The first and last bursts may be cut by the window's edges.
        whole = bursts(accesses)[1:-1]
        out[port] = (sum(len(b) for b in whole), len(whole))
    return out


def measure(drivers):
    """Every measurement with the drivers of one set bound."""
    run("insmod", SIM_KO)
    try:
        bound = [Path(f"/sys/bus/mdio_bus/devices/rkm-mdio-sim:{i:02x}/driver").resolve().name
                 for i in range(1, 5)]
        if any(name.startswith("rkm ") != (drivers == "rkm") for name in bound):
            raise BenchError(f"{drivers}: unexpected drivers bound: {bound}")
        result = {port: {} for port, _, _ in PORTS}
        for port, _, link_read in PORTS:
            runs = [bring_up(port, link_read) for _ in range(REPEAT)]
            result[port]["up"] = [total for total, _ in runs]
            result[port]["up_poll"] = [poll for _, poll in runs]
        time.sleep(1)
        for port, (count, polls) in steady_polls([p for p, _, _ in PORTS]).items():
            result[port]["steady"] = (count, polls)
        for port, _, link_read in PORTS:
            runs = [relink(port, link_read) for _ in range(REPEAT)]
            result[port]["relink"] = [total for total, _ in runs]
        result["bound"] = bound
        return result
    finally:
        run("rmmod", "rkm_mdio_sim")


def use(drivers):
    if drivers == "rkm":
        for m in INTREE:
            if loaded(m):
                run("rmmod", m)
        if not loaded("rkm_phy"):
            run("insmod", PHY_KO)
    else:
        if loaded("rkm_phy"):
            run("rmmod", "rkm_phy")
        for m in INTREE:
            run("modprobe", m)


def per_poll(result, port):
    count, polls = result[port]["steady"]
    if not polls:
        raise BenchError(f"{port}: no whole poll in {WINDOW_S} s")
    return round(count / polls, 2), polls


def median(values):
    return statistics.median_low(values)


def report(rkm, intree):
    """Tables of both drivers' counts, and a target per PHY and measure: rkm_phy at most
    as many transactions as the in-tree driver, both counted in this boot."""
    polls, ups, relinks, targets = [], [], [], []

    def target(name, what, ours, theirs):
        clock = "the emulator's access trace, counted"
        targets.append({"name": name, "max_ratio": 1.0,
                        "measured": {"what": f"rkm_phy, {what}", "clock": clock, "samples": ours},
                        "baseline": {"what": f"in-tree, {what}", "clock": clock, "samples": theirs}})
        return name

    for port, model, _ in PORTS:
        (ours, n_ours), (theirs, n_theirs) = per_poll(rkm, port), per_poll(intree, port)
        polls.append([model, ours, theirs, f"{n_ours}/{n_theirs}",
                      target(f"{model} per poll", "transactions per poll", [ours], [theirs])])
        a, b = median(rkm[port]["up"]), median(intree[port]["up"])
        ups.append([model, a, b, median(rkm[port]["up_poll"]), median(intree[port]["up_poll"]),
                    f"{min(rkm[port]['up'])}-{max(rkm[port]['up'])}",
                    f"{min(intree[port]['up'])}-{max(intree[port]['up'])}",
                    target(f"{model} per link-up", "transactions per link-up", rkm[port]["up"],
                           intree[port]["up"])])
        a, b = median(rkm[port]["relink"]), median(intree[port]["relink"])
        relinks.append([model, a, b, f"{min(rkm[port]['relink'])}-{max(rkm[port]['relink'])}",
                        f"{min(intree[port]['relink'])}-{max(intree[port]['relink'])}",
                        target(f"{model} per re-link", "transactions per re-link", rkm[port]["relink"],
                               intree[port]["relink"])])
    return {
        "suite": "rkm_phy",
        "window_s": WINDOW_S,
        "repeat": REPEAT,
        "drivers": {"rkm": rkm["bound"], "intree": intree["bound"]},
        "tables": [
            {"title": f"MDIO transactions per state-machine poll, link up ({WINDOW_S} s window)",
             "columns": ["PHY", "rkm_phy", "in-tree", "polls rkm/in-tree", "target"],
             "rows": polls},
            {"title": f"MDIO transactions per link-up, ip link set up to carrier (median of {REPEAT})",
             "columns": ["PHY", "rkm_phy", "in-tree", "link-up poll rkm", "link-up poll in-tree",
                         "range rkm", "range in-tree", "target"],
             "rows": ups},
            {"title": f"MDIO transactions per re-link, partner back to carrier (median of {REPEAT})",
             "columns": ["PHY", "rkm_phy", "in-tree", "range rkm", "range in-tree", "target"],
             "rows": relinks},
        ],
        "targets": targets,
    }


def main():
    if not os.path.ismount("/sys/kernel/debug"):
        run("mount", "-t", "debugfs", "none", "/sys/kernel/debug")
    helper = Path("/proc/sys/kernel/modprobe")
    saved = helper.read_text()
    # phylib would ask modprobe for the in-tree drivers of the emulated PHYs.
    helper.write_text("\n")
    try:
        use("rkm")
        rkm = measure("rkm")
        use("intree")
        intree = measure("intree")
    finally:
        if loaded("rkm_mdio_sim"):
            run("rmmod", "rkm_mdio_sim")
        use("rkm")
        helper.write_text(saved)
    print(json.dumps(report(rkm, intree), indent=1))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"rkm_phy bench: {e}", file=sys.stderr)
        sys.exit(1)
