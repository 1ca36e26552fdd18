#!/usr/bin/env python3
"""`make demo`: boot the test VM, show what each module does.

Every suite folder with a demo.sh takes part (or those named with --suite,
`make demo SUITE=...`): its modules are loaded, the script prints a short
report, the modules are unloaded. The report is printed here once the VM has
powered off.
"""

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import splat, suites, vm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kdir", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "demo")
    parser.add_argument("--suite", action="append", help="only this suite's demo (repeatable)")
    args = parser.parse_args()

    shown = [s for s in suites.discover(ROOT, args.suite) if (s.path / "demo.sh").exists()]
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    (args.out / "demo.list").write_text("".join(
        f"{s.name} {(s.path / 'demo.sh').resolve()} {' '.join(str(k.resolve()) for k in s.modules)}\n"
        for s in shown))
    conf = suites.merge([s.shared_boot for s in shown])
    command = (f"{vm.guest_exports(RKM_ROOT=ROOT, RKM_KDIR=args.kdir.resolve())} "
               f"sh {ROOT / 'scripts' / 'guest' / 'demo.sh'} {args.out.resolve()}")
    boot = vm.boot_from_conf(conf, args.kdir, command, args.out)
    print(f"booting the test VM for {', '.join(s.name for s in shown)} "
          "(one to three minutes under TCG) ...", flush=True)
    outcome = vm.run(boot)
    report = args.out / "demo.txt"
    if report.exists():
        print(report.read_text(), end="")
    verdict = splat.scan(splat.boot_splats(outcome.console.parent))
    for u in verdict.unexpected:
        print(f"kernel splat at {u.reason()}")
    if not outcome.ok or not verdict.ok:
        print(f"demo failed (exit {outcome.exit_code}, {outcome.seconds:.0f} s); console: {outcome.console}")
        return 1
    print(f"(VM ran {outcome.seconds:.0f} s; console log {outcome.console})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
