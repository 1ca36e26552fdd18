"""Benchmark reports: the JSON a suite's bench.sh prints, verdicts, tables, and
the generated pages that Documentation includes.

A report is one JSON object:

  {"suite": "<name>",
   "tables": [{"title": "...", "columns": ["...", ...], "rows": [[cell, ...], ...]}, ...],
   "targets": [TARGET, ...],          optional
   ...}                               any other keys (parameters) are kept but not printed

Cells are strings, numbers or null (shown as "-"). Numbers are printed as the
suite wrote them (20.00 stays 20.00), so the precision is the suite's choice.

A suite never writes a verdict: it gives the figures, and the harness judges.
A TARGET compares two distinct measurements taken in the same boot:

  {"name": "64 MiB restore",
   "measured": {"what": "adopt in place, us", "clock": "CLOCK_MONOTONIC in user space",
                "samples": [245.1, 250.3, ...]},
   "baseline": {"what": "restore by copy, us", "clock": "...", "samples": [...]},
   "max_ratio": 0.1,                  or "min_ratio": 0.8 (higher is better)
   "paired": true,                    optional: sample i of both sides was taken together
   "min_boots": 5}                    optional: fewer boots cannot meet it

Per boot, the ratio is median(measured) / median(baseline); the verdict is
taken on the median of the boots' ratios (never the best boot), and the
spread printed is the range of the boots' ratios, or with one boot the range
of the ratios of paired samples (none without pairs). Both sides are
measurements: the same figure twice (the same label, or the same series of
timings) is refused, so a verdict cannot hold by construction. A table that has a "target" column names
in each row the target that row backs, or says "none (informational)"; no
table may carry a verdict column of its own.
"""

import json
import statistics
from decimal import Decimal

INFORMATIONAL = "none (informational)"
# Columns a suite may not write: the verdict is the harness's.
VERDICT_COLUMNS = {"met", "result", "verdict"}


class ReportError(ValueError):
    pass


def _number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _check_measurement(source, name, side, m):
    if not isinstance(m, dict):
        raise ReportError(f"{source}: target {name!r}: {side} must be an object")
    for key in ("what", "clock"):
        if not isinstance(m.get(key), str) or not m[key].strip():
            raise ReportError(f"{source}: target {name!r}: {side} needs '{key}', a non-empty string")
    samples = m.get("samples")
    if not isinstance(samples, list) or not samples:
        raise ReportError(f"{source}: target {name!r}: {side} has no samples (not measured)")
    if not all(_number(s) and s > 0 for s in samples):
        raise ReportError(f"{source}: target {name!r}: {side} samples must be positive numbers")


def check_target(target, source="report"):
    """Refuses a target that is not two distinct measurements with one bound."""
    if not isinstance(target, dict) or not isinstance(target.get("name"), str) or not target["name"]:
        raise ReportError(f"{source}: a target needs a name")
    name = target["name"]
    for side in ("measured", "baseline"):
        _check_measurement(source, name, side, target.get(side))
    measured, baseline = target["measured"], target["baseline"]
    if measured["what"].strip() == baseline["what"].strip():
        raise ReportError(f"{source}: target {name!r} compares {measured['what']!r} with itself")
    # Counts may well be equal, and so may one median each; a series of timings equal to
    # the last digit is one figure under two names.
    timings = any(Decimal(str(s)) != Decimal(str(s)).to_integral_value() for s in measured["samples"])
    if timings and len(measured["samples"]) > 1 and \
            [Decimal(str(s)) for s in measured["samples"]] == [Decimal(str(s)) for s in baseline["samples"]]:
        raise ReportError(f"{source}: target {name!r}: measured and baseline are the same samples,"
                          " one figure under two names")
    bounds = [k for k in ("max_ratio", "min_ratio") if k in target]
    if len(bounds) != 1 or not _number(target[bounds[0]]) or target[bounds[0]] <= 0:
        raise ReportError(f"{source}: target {name!r} needs one positive max_ratio or min_ratio")
    if target.get("paired", False) not in (True, False) or \
            (target.get("paired") and len(measured["samples"]) != len(baseline["samples"])):
        raise ReportError(f"{source}: target {name!r}: paired samples come in pairs")
    if "min_boots" in target and (not isinstance(target["min_boots"], int) or target["min_boots"] < 1):
        raise ReportError(f"{source}: target {name!r}: min_boots must be a positive integer")


def load(text, source="report"):
    """A report from JSON text, checked for the shape above."""
    try:
        report = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise ReportError(f"{source}: not JSON ({e})") from None
    if not isinstance(report, dict) or not isinstance(report.get("tables"), list):
        raise ReportError(f"{source}: expected an object with a list of tables")
    targets = report.setdefault("targets", [])
    if not isinstance(targets, list):
        raise ReportError(f"{source}: targets must be a list")
    for target in targets:
        check_target(target, source)
    names = [t["name"] for t in targets]
    if len(set(names)) != len(names):
        raise ReportError(f"{source}: two targets have the same name")
    for i, table in enumerate(report["tables"]):
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(table.get("title"), str) or not isinstance(columns, list) or not isinstance(rows, list):
            raise ReportError(f"{source}: table {i} needs a title, columns and rows")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(columns):
                raise ReportError(f"{source}: table {i}: row {row!r} does not match {len(columns)} columns")
        verdicts = VERDICT_COLUMNS & {str(c).lower() for c in columns}
        if verdicts:
            raise ReportError(f"{source}: table {i} has a verdict column ({', '.join(sorted(verdicts))});"
                              " verdicts come from targets")
        if "target" in columns:
            at = columns.index("target")
            for row in rows:
                if row[at] != INFORMATIONAL and row[at] not in names:
                    raise ReportError(f"{source}: table {i}: row {row[0]!r} names no target"
                                      f" ({row[at]!r}); give one or {INFORMATIONAL!r}")
    return report


def _median(samples):
    return statistics.median(float(s) for s in samples)


def judge(name, boots):
    """The verdict on target `name` over the reports of every boot that has it.

    Returns a dict: ratio (median of the boots' ratios), low/high (their range,
    or the range of pairwise ratios with one boot; None when there is none),
    medians of each side in each boot, the bound and the verdict word.
    """
    targets = [t for r in boots for t in r["targets"] if t["name"] == name]
    if not targets:
        raise ReportError(f"target {name!r} is in no boot's report")
    first = targets[0]
    bound_key = "max_ratio" if "max_ratio" in first else "min_ratio"
    bound = float(first[bound_key])
    for t in targets[1:]:
        if bound_key not in t or float(t[bound_key]) != bound:
            raise ReportError(f"target {name!r} has another bound in another boot")
    measured = [_median(t["measured"]["samples"]) for t in targets]
    baseline = [_median(t["baseline"]["samples"]) for t in targets]
    ratios = [m / b for m, b in zip(measured, baseline)]
    ratio = statistics.median(ratios)
    if len(targets) > 1:
        low, high = min(ratios), max(ratios)
    else:
        a, b = first["measured"]["samples"], first["baseline"]["samples"]
        pairs = [float(x) / float(y) for x, y in zip(a, b)] if first.get("paired") and len(a) > 1 else []
        low, high = (min(pairs), max(pairs)) if pairs else (None, None)
    min_boots = first.get("min_boots", 1)
    if len(targets) < min_boots:
        verdict = f"no verdict: {len(targets)} of {min_boots} boots"
    elif bound_key == "max_ratio":
        verdict = "met" if ratio <= bound else "missed"
    else:
        verdict = "met" if ratio >= bound else "missed"
    return {"name": name, "ratio": ratio, "low": low, "high": high, "boots": len(targets),
            "measured": first["measured"], "baseline": first["baseline"],
            "measured_medians": measured, "baseline_medians": baseline,
            "bound": ("<= " if bound_key == "max_ratio" else ">= ") + f"{bound:g}", "verdict": verdict}


def target_names(boots):
    """Every target of every boot, in the order they first appear."""
    names = []
    for report in boots:
        names += [t["name"] for t in report["targets"] if t["name"] not in names]
    return names


def _fig(x):
    """Four significant digits, never in exponent form."""
    if x is None:
        return "-"
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def verdict_table(boots):
    """The targets of a suite over its boots, as a table (None without targets)."""
    verdicts = [judge(n, boots) for n in target_names(boots)]
    if not verdicts:
        return None
    rows = []
    for v in verdicts:
        spread = "-" if v["low"] is None else f"{_fig(v['low'])}-{_fig(v['high'])}"
        rows.append([v["name"], f"{v['measured']['what']} ({v['measured']['clock']})",
                     "/".join(_fig(m) for m in v["measured_medians"]),
                     f"{v['baseline']['what']} ({v['baseline']['clock']})",
                     "/".join(_fig(b) for b in v["baseline_medians"]),
                     _fig(v["ratio"]), spread, v["bound"], v["boots"], v["verdict"]])
    title = ("Targets: measured / baseline, both from the same boot; the verdict on the median of"
             " the boots' ratios, spread over boots (one boot: over paired samples)")
    return {"title": title,
            "columns": ["target", "measured (clock)", "median per boot", "baseline (clock)",
                        "median per boot", "ratio", "spread", "bound", "boots", "verdict"],
            "rows": rows}


def _cell(value):
    if value is None:
        return "-"
    return str(value)


def format_table(table):
    """Lines of one table: the title, a header, one line per row; text left, numbers right."""
    cells = [[_cell(v) for v in row] for row in table["rows"]]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(table["columns"])]
    numeric = [all(not isinstance(row[i], str) for row in table["rows"]) for i in range(len(widths))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return [table["title"], line(table["columns"]), *(line(row) for row in cells)]


def format_report(report):
    lines = []
    for table in report["tables"]:
        if lines:
            lines.append("")
        lines.extend(format_table(table))
    return lines


def format_suite(boots):
    """A suite's reports of every boot, then its verdicts."""
    lines = []
    for i, report in enumerate(boots, start=1):
        if len(boots) > 1:
            lines += [f"--- boot {i} of {len(boots)} ---", ""]
        lines += format_report(report) + [""]
    table = verdict_table(boots)
    lines += format_table(table) if table else ["No target: every figure above is informational."]
    return lines


HEADER = (".. This file is written by ``make bench`` (scripts/bench.py); do not edit it:\n"
          "   its figures are the last run's.\n\n")


def _literal(lines):
    return "\n".join("    " + line if line else "" for line in lines)


def generated_page(suite, boots, machine, machine_code=""):
    """The reStructuredText page Documentation includes for a suite: when and where
    the figures were measured, then every table, as printed; then, if given, the
    machine-code table of the build measured (disasm.table)."""
    page = (f"{HEADER}Generated by ``make bench`` on {machine['date']}, {machine['where']}; "
            f"{len(boots)} boot{'s' if len(boots) != 1 else ''} of the perf kernel. Figures from one"
            " run compare with each other, not with another run's.\n\n::\n\n" + _literal(format_suite(boots)) + "\n")
    if machine_code:
        page += ("\nThe counted loops of this build in machine code (instructions of each loop,"
                 " llvm-objdump of its rkm_guard.ko)::\n\n" + _literal(machine_code.splitlines()) + "\n")
    return page


def placeholder_page(suite):
    """What the generated page says until `make bench` has run on this tree."""
    return (f"{HEADER}No figures: ``make bench`` has not been run on this tree yet"
            f" (``make bench SUITE={suite}`` writes this page).\n")
