#!/usr/bin/env python3
"""Check that every option a config fragment requests survived into .config.

olddefconfig silently drops an option whose dependencies are missing; this
names each one so the build fails before spending 15 minutes on the wrong
kernel.

    kconfig_check.py .config fragment.config...
"""

import re
import sys

_SET = re.compile(r"^(CONFIG_\w+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_\w+) is not set$")


def parse(text):
    """Map option name -> value ('n' for '# ... is not set') from config text."""
    options = {}
    for line in text.splitlines():
        line = line.strip()
        if m := _SET.match(line):
            options[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line):
            options[m.group(1)] = "n"
    return options


def mismatches(config, requested):
    """List (option, wanted, got) for each requested option config lacks."""
    bad = []
    for name, wanted in requested.items():
        got = config.get(name, "n")
        if got != wanted:
            bad.append((name, wanted, got))
    return bad


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        config = parse(f.read())
    failed = False
    for path in argv[2:]:
        with open(path) as f:
            requested = parse(f.read())
        for name, wanted, got in mismatches(config, requested):
            print(f"rkm: {path}: {name}={wanted} requested, .config has "
                  f"{name}={got} (a dependency is missing)", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
