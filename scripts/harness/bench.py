"""Benchmark reports: the JSON a suite's bench.sh prints, and tables of it.

A report is one JSON object:

  {"suite": "<name>",
   "tables": [{"title": "...", "columns": ["...", ...], "rows": [[cell, ...], ...]}, ...],
   ...}                      any other keys (parameters) are kept but not printed

Cells are strings, numbers or null (shown as "-"). Numbers are printed as the
suite wrote them (20.00 stays 20.00), so the precision is the suite's choice.
"""

import json
from decimal import Decimal


class ReportError(ValueError):
    pass


def load(text, source="report"):
    """A report from JSON text, checked for the shape above."""
    try:
        report = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise ReportError(f"{source}: not JSON ({e})") from None
    if not isinstance(report, dict) or not isinstance(report.get("tables"), list):
        raise ReportError(f"{source}: expected an object with a list of tables")
    for i, table in enumerate(report["tables"]):
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(table.get("title"), str) or not isinstance(columns, list) or not isinstance(rows, list):
            raise ReportError(f"{source}: table {i} needs a title, columns and rows")
        for row in rows:
            if not isinstance(row, list) or len(row) != len(columns):
                raise ReportError(f"{source}: table {i}: row {row!r} does not match {len(columns)} columns")
    return report


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
