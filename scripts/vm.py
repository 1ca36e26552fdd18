#!/usr/bin/env python3
"""`make vm`: an interactive root shell in the test VM.

Same kernel, devices and boot parameters as the shared test boot; the host's
root is the guest's root (read-only), the repository is the working directory,
so `insmod modules/<name>/<name>.ko` and build/kselftest/run_kselftest.sh work.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import suites, vm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kdir", required=True, type=Path)
    args = parser.parse_args()
    conf = suites.merge([s.shared_boot for s in suites.discover(ROOT)])
    results = ROOT / "build" / "vm-shell"
    results.mkdir(parents=True, exist_ok=True)
    boot = vm.boot_from_conf(conf, args.kdir, "", results)
    cmd = vm.vng_command(boot, vm.kvm_usable(args.kdir))
    cmd = cmd[: cmd.index("--exec")]
    print("rkm: modules are under modules/ and selftests/; kselftests in build/kselftest/")
    os.chdir(ROOT)
    os.execve(cmd[0], cmd, vm.vng_environment(boot))


if __name__ == "__main__":
    sys.exit(main())
