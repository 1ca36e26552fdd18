"""Find the test suites and what their VM boots need.

A suite is a folder selftests/<name>/ (named after its module). Besides the
kselftest files it may hold:

  vm.conf         additions to the shared boot that runs every suite
  boot-<x>.conf   a boot of its own, e.g. one that must produce a lockdep splat
                  or that spans a kexec; or, with shared = yes, a command that
                  the shared boot runs last, its reports told apart from the
                  rest (a kernel costs about a minute under TCG)
  bench.conf      additions to the `make bench` boot only (e.g. more memory
                  than the shared boot should have)

These are "key = value" lines; '#' starts a comment; keys that may repeat
(append, qemu_opts, expect_splat) accumulate:

  append        kernel command-line words
  qemu_opts     extra QEMU arguments (devices)
  memory        guest memory, e.g. 2G (the largest request wins)
  timeout       seconds for the whole boot
  command       (boot-*.conf) what the guest runs; exit status 0 passes.
                $RKM_RESULTS is the results directory shared with the host;
                each line of flat TAP the command writes to
                $RKM_RESULTS/boot.tap ("ok - what", "not ok - what") is
                reported as a result of its own, besides the exit status
  expect_splat  (boot-*.conf) a kernel report the boot must produce, exactly:
                  COUNT HEADER | BODY | BODY ...
                COUNT splats whose header line matches the regular expression
                HEADER, each with, for every BODY regular expression, a line
                matching it; fields are separated by " | " (a "|" without
                spaces stays in the regex). One declaration per kind of
                report; each splat counts for the first it matches. More or
                fewer such splats, or any other splat, fail the boot. E.g.
                  expect_splat = 1 possible circular locking dependency | lock_a | lock_b
  description   one line saying what the boot proves
  shared        (boot-*.conf) yes: runs in the shared boot, after every
                suite's tests and unloads, instead of booting a kernel of its
                own. For a command that leaves the kernel as fit to test as
                it found it: a WARNING does, a lockdep report (lockdep turns
                itself off) or a kexec does not
  boots         (bench.conf) how many boots of the perf kernel run this
                suite's benchmark (default 1); its targets are judged over
                the boots' medians
"""

from dataclasses import dataclass, field
from pathlib import Path

from . import splat

_LISTS = {"append", "qemu_opts"}
_SCALARS = {"memory", "timeout", "command", "description"}


class ConfError(ValueError):
    pass


@dataclass
class BootConf:
    name: str
    append: list = field(default_factory=list)
    qemu_opts: list = field(default_factory=list)
    expect_splat: list = field(default_factory=list)  # splat.Expectation
    memory: str = ""
    timeout: int = 0
    command: str = ""
    description: str = ""
    boots: int = 1
    shared: bool = False


def parse_conf(text, name="vm"):
    conf = BootConf(name=name)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not key:
            raise ConfError(f"{name}:{number}: expected 'key = value'")
        if key == "expect_splat":
            try:
                conf.expect_splat.append(splat.Expectation.parse(value))
            except ValueError as e:
                raise ConfError(f"{name}:{number}: {e}") from None
        elif key in _LISTS:
            getattr(conf, key).append(value)
        elif key in ("timeout", "boots"):
            if not value.isdigit() or int(value) == 0:
                raise ConfError(f"{name}:{number}: {key} must be a positive number")
            setattr(conf, key, int(value))
        elif key == "shared":
            if value not in ("yes", "no"):
                raise ConfError(f"{name}:{number}: shared must be yes or no")
            conf.shared = value == "yes"
        elif key in _SCALARS:
            setattr(conf, key, value)
        else:
            raise ConfError(f"{name}:{number}: unknown key '{key}'")
    return conf


def memory_mib(size):
    """'2G' / '512M' -> MiB, so the largest request of several suites wins."""
    units = {"M": 1, "G": 1024}
    size = size.strip().upper()
    if size and size[-1] in units and size[:-1].isdigit():
        return int(size[:-1]) * units[size[-1]]
    if size.isdigit():
        return int(size)
    raise ConfError(f"bad memory size '{size}'")


def merge(confs, name="main"):
    """One boot that satisfies every conf: union of devices and parameters."""
    merged = BootConf(name=name)
    for conf in confs:
        for word in conf.append:
            if word not in merged.append:
                merged.append.append(word)
        merged.qemu_opts += conf.qemu_opts
        if conf.memory and (not merged.memory or memory_mib(conf.memory) > memory_mib(merged.memory)):
            merged.memory = conf.memory
        merged.timeout = max(merged.timeout, conf.timeout)
    return merged


@dataclass
class Suite:
    name: str
    path: Path
    modules: list  # .ko paths to load before its tests
    shared_boot: BootConf
    boots: list  # BootConf of its own boots
    unbuilt: list  # module folders (with a Kbuild) holding no .ko
    bench_boot: BootConf  # additions to the `make bench` boot
    tails: list = field(default_factory=list)  # BootConf of boots its shared boot runs last (shared = yes)


def _optional_conf(path, file_name):
    conf = path / file_name
    if not conf.exists():
        return BootConf(Path(file_name).stem)
    return parse_conf(conf.read_text(), f"{path.name}/{file_name}")


def discover(root, names=None):
    """Every suite under root/selftests (or only those named)."""
    suites = []
    for path in sorted((root / "selftests").iterdir()):
        if not (path / "Makefile").exists():
            continue
        if names and path.name not in names:
            continue
        module_dirs = [d for d in (root / "modules" / path.name, path) if (d / "Kbuild").exists()]
        modules = [ko for d in module_dirs for ko in sorted(d.glob("*.ko"))]
        unbuilt = [d for d in module_dirs if not any(d.glob("*.ko"))]
        shared = _optional_conf(path, "vm.conf")
        bench = _optional_conf(path, "bench.conf")
        boots = [parse_conf(p.read_text(), f"{path.name}/{p.stem[len('boot-'):]}")
                 for p in sorted(path.glob("boot-*.conf"))]
        suites.append(Suite(path.name, path, modules, shared, [b for b in boots if not b.shared], unbuilt,
                            bench, tails=[b for b in boots if b.shared]))
    if names:
        unknown = set(names) - {s.name for s in suites}
        if unknown:
            raise ConfError(f"no such suite: {', '.join(sorted(unknown))}")
    return suites
