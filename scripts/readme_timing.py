#!/usr/bin/env python3
"""Writes the README's table of measured `make check` times from timing.json files.

Each file is what one `make check` measured (build/check/timing.json; its
"run" facts say when, on which commit, which suites, warm or cold). A row
per kind of run: cold (make built the kernel in that run) or warm, for all
suites or one; a newer file replaces its row. Rows and their targets are
only ever written from such files, never by hand:

    scripts/readme_timing.py build/check/timing.json [more.json ...]
"""

import json
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- measured times: written by scripts/readme_timing.py from timing.json -->"
END = "<!-- end of measured times -->"
HEADER = ["| Run | Measured | Target | Measured on |", "|---|---|---|---|"]
# The targets of a fresh-clone run on the 2-core CI machine, in minutes.
TARGETS = {("cold", True): 25, ("warm", True): 15, ("warm", False): 6}


def row(data):
    """(key, markdown row) of one timing.json."""
    run = data.get("run") or {}
    if not run:
        raise ValueError("no run facts (a timing.json older than its run facts)")
    suites = run["suites"]
    whole = suites == ["all"]
    kind = "cold" if run.get("kernel_built") else "warm"
    what = f"{kind} `make check" + ("" if whole else " SUITE=" + " ".join(suites)) + "`"
    seconds = run.get("seconds_since_make", data["total_seconds"])
    target = TARGETS.get((kind, whole))
    minutes, rest = divmod(round(seconds), 60)
    on = f"{run['date']}, {run['commit']}, {run['cpus']} cores, {run.get('accel', 'no VM')}"
    if run.get("lanes", 1) > 1:
        on += f", {run['lanes']} VM lanes"
    return what, f"| {what} | {minutes}m{rest:02d}s | {f'{target} min' if target else '-'} | {on} |"


def update(readme, paths):
    """Puts the row of each timing.json into README file readme's table."""
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        raise ValueError(f"{readme}: no table between '{BEGIN}' and '{END}'")
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    rows = {}
    for line in table.strip().splitlines()[len(HEADER):]:
        rows[line.split("|")[1].strip()] = line
    for path in paths:
        key, line = row(json.loads(Path(path).read_text()))
        rows[key] = line
    # Cold, warm, then one suite's runs.
    order = sorted(rows, key=lambda k: (k.startswith("warm"), "SUITE=" in k, k))
    body = "\n".join(HEADER + [rows[k] for k in order])
    readme.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        update(README, sys.argv[1:])
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"readme_timing.py: {e}")
