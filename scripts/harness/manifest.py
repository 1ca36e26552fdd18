"""What a suite must report: selftests/<suite>/manifest.

A run's count of results says nothing about the results that never came: a
KUnit suite that stopped registering, a kselftest program that is no longer
installed, a subtest dropped from a plan. The manifest lists what should
report, and check.py fails the suite, naming the difference, when anything
listed did not report or anything reported is not listed. Adding a test means
adding (or counting up) its line.

One entry per line, '#' starts a comment:

  module     NAME              its load and unload reported in the shared boot
                               (each a result of its own, pass or fail)
  kunit      SUITE CASES       a KUnit suite and its number of cases
  kselftest  PROGRAM SUBTESTS  a kselftest program and the subtests it reports
                               (0: it reports none, the program is the result)
  boot       NAME RESULTS      a boot-NAME.conf boot and its boot.tap lines
  skip       RESULT -- REASON  a result that may skip, and why: only "this
                               machine cannot" is a reason. Any skip not
                               declared here is a failure, and so is a
                               declaration whose result did not report.
"""

from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "manifest"


class ManifestError(ValueError):
    pass


@dataclass
class Results:
    """What one suite lists, or what it reported: the same shape for both."""

    modules: set = field(default_factory=set)
    kunit: dict = field(default_factory=dict)  # KUnit suite -> cases
    kselftest: dict = field(default_factory=dict)  # program -> subtests
    boots: dict = field(default_factory=dict)  # boot name -> boot.tap results


    def merge(self, other):
        """Adds what another boot reported for the same suite (check.py's lanes: each boot's own Results)."""
        self.modules |= other.modules
        self.kunit.update(other.kunit)
        for program, subtests in other.kselftest.items():
            self.kselftest[program] = self.kselftest.get(program, 0) + subtests
        self.boots.update(other.boots)


@dataclass
class Manifest:
    expected: Results
    skips: dict  # result name -> why it may skip


def _count(word, where):
    if not word.isdigit():
        raise ManifestError(f"{where}: '{word}' is not a count")
    return int(word)


def parse(text, name="manifest"):
    expected, skips = Results(), {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{name}:{number}"
        kind, _, rest = line.partition(" ")
        words = rest.split()
        if kind == "skip":
            result, sep, reason = rest.partition(" -- ")
            if not sep or not result.strip() or not reason.strip():
                raise ManifestError(f"{where}: expected 'skip RESULT -- REASON'")
            skips[result.strip()] = reason.strip()
        elif kind == "module" and len(words) == 1:
            expected.modules.add(words[0])
        elif kind in ("kunit", "kselftest", "boot") and len(words) == 2:
            table = getattr(expected, kind if kind != "boot" else "boots")
            if words[0] in table:
                raise ManifestError(f"{where}: {kind} {words[0]} listed twice")
            table[words[0]] = _count(words[1], where)
        else:
            raise ManifestError(f"{where}: expected 'module NAME', 'kunit SUITE CASES', "
                                f"'kselftest PROGRAM SUBTESTS', 'boot NAME RESULTS' or 'skip RESULT -- REASON'")
    return Manifest(expected, skips)


def load(suite_dir):
    path = Path(suite_dir) / FILE_NAME
    if not path.exists():
        raise ManifestError(f"{path} is missing: it lists what the suite must report")
    return parse(path.read_text(), f"{Path(suite_dir).name}/{FILE_NAME}")


def _compare_counts(kind, unit, expected, reported):
    for name in sorted(expected.keys() - reported.keys()):
        yield f"{kind} {name}: did not report (the manifest lists {expected[name]} {unit})"
    for name in sorted(reported.keys() - expected.keys()):
        yield f"{kind} {name}: reported {reported[name]} {unit}, not in the manifest"
    for name in sorted(expected.keys() & reported.keys()):
        if expected[name] != reported[name]:
            yield f"{kind} {name}: reported {reported[name]} {unit}, the manifest lists {expected[name]}"


def differences(expected, reported):
    """Each way in which what a suite reported differs from its manifest."""
    problems = []
    for name in sorted(expected.modules - reported.modules):
        problems.append(f"module {name}: no load and unload reported (the manifest lists it)")
    for name in sorted(reported.modules - expected.modules):
        problems.append(f"module {name}: loaded and unloaded, not in the manifest")
    problems += _compare_counts("kunit", "cases", expected.kunit, reported.kunit)
    problems += _compare_counts("kselftest", "subtests", expected.kselftest, reported.kselftest)
    problems += _compare_counts("boot", "boot.tap results", expected.boots, reported.boots)
    return problems
