"""Read the results of kselftest (TAP 13) and KUnit (KTAP) runs.

Counts what a reader of the run cares about: each kselftest subtest a program
reports, or the program itself when it reports none; each KUnit case.
"""

import re
from dataclasses import dataclass

_RESULT = re.compile(
    r"^(?P<indent>\s*)(?:# )?(?P<not>not )?ok(?: (?P<num>\d+))?(?: -)? ?(?P<name>[^#]*?)\s*(?:#\s*(?P<comment>.*))?$"
)


@dataclass
class Result:
    name: str
    status: str  # "pass", "fail" or "skip"
    reason: str = ""
    program: str = ""  # the kselftest program that reported it


def _status(m):
    directive = _comment(m).split(" ", 1)[0].upper()
    if directive == "SKIP":
        return "skip"
    if directive == "XFAIL":
        return "pass"
    return "fail" if m.group("not") else "pass"


def _comment(m):
    return (m.group("comment") or "").strip()


def parse_kselftest(text, collection=""):
    """Results of run_kselftest.sh output.

    Program lines are "ok N selftests: <collection>: <prog>"; lines the program
    printed itself come prefixed with "# ". A program that failed although all
    its subtests passed (crash, timeout, bad exit) counts as one failure.
    """
    results = []
    subtests = []
    for line in text.splitlines():
        if line.startswith("# ") and (m := _RESULT.match(line[2:])):
            # nested plans of the harness print "# # ok"; keep the leaves only
            subtests.append(Result(m.group("name"), _status(m), _comment(m)))
            continue
        m = _RESULT.match(line)
        if not m or m.group("indent"):
            continue
        name = m.group("name")
        if not name.startswith("selftests:"):
            continue
        program = name.split(":")[-1].strip()
        status = _status(m)
        if subtests:
            prefix = f"{program}."
            for s in subtests:
                results.append(Result(prefix + s.name, s.status, s.reason, program))
            if status == "fail" and not any(s.status == "fail" for s in subtests):
                reason = _comment(m) or "program failed after its subtests"
                results.append(Result(program, "fail", reason, program))
        else:
            results.append(Result(program, status, _comment(m), program))
        subtests = []
    return results


def parse_kunit(text, suite):
    """Results of /sys/kernel/debug/kunit/<suite>/results: one per case."""
    cases, suite_result = [], None
    for line in text.splitlines():
        m = _RESULT.match(line)
        if not m:
            continue
        result = Result(f"{suite}.{m.group('name')}", _status(m), _comment(m))
        if m.group("indent"):
            cases.append(result)
        else:
            suite_result = result
    if cases:
        return cases
    return [suite_result] if suite_result else [Result(suite, "fail", "no KUnit results")]


def parse_tap(text):
    """Results of a flat TAP list such as the guest's modules.tap."""
    return [Result(m.group("name"), _status(m), _comment(m))
            for line in text.splitlines() if (m := _RESULT.match(line)) and not m.group("indent")]
