"""Boot the test kernel under virtme-ng, run one command, return its exit code.

vng's own exit status cannot be trusted (it was 255 here for scripts that
exited 0, its script I/O channel falling back to the console), so the command
runs inside a wrapper that writes its exit code into a results directory shared
read-write with the guest. No exit-code file means the run failed, whatever vng
said. After the command the wrapper runs scripts/guest/end-boot.sh: a
kmemleak scan and the kernel log, saved beside the exit code. The whole
console is kept in that directory as console.log.
"""

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import timing

EXIT_CODE_FILE = "exit_code"
CONSOLE_LOG = "console.log"
# Written by END_BOOT in the guest.
DMESG = "dmesg.txt"
KMEMLEAK_REPORT = "kmemleak.txt"
KMEMLEAK_ERROR = "kmemleak.error"
END_BOOT = Path(__file__).resolve().parent.parent / "guest" / "end-boot.sh"
# What a panicking kernel prints last. With panic=-1 in force it reboots
# instead and QEMU, started by vng with -no-reboot, exits; but panic= is a
# core parameter, parsed after setup_arch(): a panic before (kasan_init,
# early memblock) prints this and spins forever.
_PANIC_END = b"---[ end Kernel panic - not syncing"


@dataclass
class Boot:
    """What one VM boot needs; suites add devices, boot parameters, memory."""

    kdir: Path  # built kernel tree: bzImage, and modules for modprobe in the guest
    command: str
    results: Path
    timeout: int = 900
    memory: str = "2G"
    cpus: int = 2
    append: list = field(default_factory=list)
    qemu_opts: list = field(default_factory=list)


def boot_from_conf(conf, kdir, command, results, default_timeout=900):
    """A Boot with the devices, parameters, memory and timeout of a suite conf."""
    return Boot(kdir=kdir, command=command, results=results,
                timeout=conf.timeout or default_timeout, memory=conf.memory or "2G",
                append=list(conf.append), qemu_opts=list(conf.qemu_opts))


@dataclass
class Outcome:
    exit_code: object  # int, or None when the guest never reported one
    timed_out: bool
    seconds: float
    console: Path
    panicked: bool = False  # the VM was stopped at the kernel's last panic words
    events: list = field(default_factory=list)  # (seconds, what) of timing.console_event

    @property
    def phases(self):
        return timing.phases(self.events, self.seconds)

    @property
    def ok(self):
        return self.exit_code == 0 and not self.timed_out and not self.panicked


def _cache_dir():
    base = os.environ.get("RKM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rkm")
    return Path(base)


def _vng():
    return str(_cache_dir() / "venv" / "bin" / "vng")


def bzimage(kdir):
    return Path(kdir) / "arch" / "x86" / "boot" / "bzImage"


def kvm_usable(kdir, log=print):
    """Whether KVM really runs a guest; probed once per host boot.

    /dev/kvm can exist while guests hang after SeaBIOS (no usable VMX), so
    boot the kernel for a few seconds and look for its banner. RKM_ACCEL=tcg
    or =kvm skips the probe.
    """
    forced = os.environ.get("RKM_ACCEL")
    if forced in ("tcg", "kvm"):
        return forced == "kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    stamp = _cache_dir() / f"kvm-probe-{boot_id}"
    if stamp.exists():
        return stamp.read_text().strip() == "kvm"
    log("probing whether KVM works (once per host boot, at most 20 s)")
    cmd = ["qemu-system-x86_64", "-accel", "kvm", "-m", "256", "-nographic", "-no-reboot",
           "-kernel", str(bzimage(kdir)), "-append", "console=ttyS0 panic=-1 rdinit=/rkm-no-init"]
    works = False
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        output = b""
        os.set_blocking(proc.stdout.fileno(), False)
        while time.monotonic() < deadline and proc.poll() is None:
            output += proc.stdout.read() or b""
            if b"Linux version" in output:
                works = True
                break
            time.sleep(0.2)
    finally:
        _kill(proc)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text("kvm" if works else "tcg")
    log(f"KVM {'works' if works else 'does not work here: using TCG'}")
    return works


def prepare_modules(kdir):
    """Refreshes vng's module folder of the tree (KDIR/.virtme_mods) as vng would.

    vng (--mods=auto) rebuilds it at start when the tree's modules.order is
    newer (a rebuilt kernel): two vng starting at once would both delete and
    rewrite it. check.py calls this before its lanes start their VMs.
    """
    kdir, prep = Path(kdir), Path(_vng()).parent / "virtme-prep-kdir-mods"
    order, dep = kdir / "modules.order", kdir / ".virtme_mods" / "lib" / "modules" / "0.0.0" / "modules.dep"
    if prep.exists() and order.exists() and (not dep.exists() or order.stat().st_mtime > dep.stat().st_mtime):
        # Failing, it leaves vng to try again and report it in the boot.
        subprocess.run([str(prep)], cwd=kdir, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _read_available(fd):
    """(What a non-blocking pipe holds now, whether it is still open for writing)."""
    data = b""
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return data, True
        if not chunk:
            return data, False
        data += chunk


def _kill(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def guest_exports(**variables):
    """`export NAME=VALUE ...;`, to put in front of a guest command."""
    return "export " + " ".join(f"{name}={shlex.quote(str(value))}" for name, value in variables.items()) + ";"


# Guest start-up costs that test nothing, measured on one boot each way (TCG,
# debug kernel): a process start (/bin/true) 437 -> 244 ms, boot to the test
# command 59.5 -> 36.2 s. vng mounts the 9p root uncached, so every exec
# re-reads its binary and libraries from the host; the root is read-only for
# the guest and unchanged by the host while a boot runs, so the loose cache is
# coherent. The kernel takes the last rootflags=, so this one (vng's own flags
# plus the cache mode) replaces vng's. pty.legacy_count=0: no 256 legacy pty
# devices to create at boot; nothing here uses them.
FAST_GUEST = ("rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=loose",
              "pty.legacy_count=0")


def vng_command(boot, use_kvm):
    """The vng invocation for a boot (a list of arguments).

    vng runs the tree named by KBUILD_OUTPUT (see vng_environment) rather than
    a bare bzImage, so that it installs the tree's modules for the guest's
    modprobe.
    """
    # 9p root needs root=/dev/root with 7.3; printk.time=1 marks kernel lines
    # for the splat scanner; panic=-1 turns a panic into a quick, visible exit.
    # no5lvl: with TCG's LA57 and KASAN, an interrupt during early boot hit
    # unpopulated KASAN shadow of the 5-level direct map ("wild-memory-access
    # in do_raw_spin_lock"), which also switched lockdep off for the boot.
    append = (["root=/dev/root", "printk.time=1", "panic=-1", "no5lvl"] + list(FAST_GUEST)
              + list(boot.append))
    results = boot.results.resolve()
    # A subshell, so that an `exit` in the command still reaches the echo.
    # The markers begin the phases of the timing table (timing.py).
    wrapped = (f"echo {timing.MARKER}command; ({boot.command}); status=$?; "
               f"echo {timing.MARKER}end of boot: kmemleak scan, dmesg; "
               f"sh {shlex.quote(str(END_BOOT))} {shlex.quote(str(results))}; "
               f"echo {timing.MARKER}power off; "
               f"echo $status > {shlex.quote(str(results / EXIT_CODE_FILE))}; sync")
    cmd = [_vng(), "--user", "root", "--verbose",
           "--disable-microvm", "--cpus", str(boot.cpus), "--memory", boot.memory,
           "--rwdir", str(results), "--append", " ".join(append)]
    if not use_kvm:
        cmd.append("--disable-kvm")
    if boot.qemu_opts:
        # One word with "=": as a separate word, "-device ..." is taken by
        # vng's argparse for its short option -d.
        cmd.append("--qemu-opts=" + " ".join(boot.qemu_opts))
    cmd += ["--exec", wrapped]
    return cmd


def vng_environment(boot):
    # vng starts virtme-run and friends from PATH: the virtualenv's bin.
    path = f"{Path(_vng()).parent}:{os.environ.get('PATH', '')}"
    return dict(os.environ, KBUILD_OUTPUT=str(Path(boot.kdir).resolve()), PATH=path)


def kernel_has(kdir, option):
    """Whether the tree's .config sets CONFIG_<option>=y."""
    config = Path(kdir) / ".config"
    return config.exists() and f"CONFIG_{option}=y" in config.read_text().splitlines()


def run(boot, use_kvm=None, log=print, stop=None):
    """Boot, run the command, power off; never longer than boot.timeout.

    A kernel that panicked is stopped as soon as the console shows it, and
    the VM of any boot once stop (a threading.Event) is set: check.py's
    lanes run boots in threads, which ^C does not reach. Boots may run at
    once in threads; the KVM probe (use_kvm None) and prepare_modules() may
    not, so check.py calls them first.
    """
    boot.results.mkdir(parents=True, exist_ok=True)
    exit_file = boot.results / EXIT_CODE_FILE
    for stale in (EXIT_CODE_FILE, DMESG, KMEMLEAK_REPORT, KMEMLEAK_ERROR):
        (boot.results / stale).unlink(missing_ok=True)
    console = boot.results / CONSOLE_LOG
    if use_kvm is None:
        use_kvm = kvm_usable(boot.kdir, log)
    cmd = vng_command(boot, use_kvm)
    (boot.results / "vng-command").write_text(shlex.join(cmd) + "\n")
    start = time.monotonic()
    timed_out = panicked = False
    events = []
    # The console comes through a pipe that this loop copies to console.log:
    # QEMU's serial output, sent to a file, would start over at offset 0 after
    # QEMU's own warnings on stderr ("nic e1000e.0 has no peer"), overwriting
    # them and the kernel's first lines before the loop could read them.
    with open(console, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=vng_environment(boot), start_new_session=True)
        pipe = proc.stdout.fileno()
        os.set_blocking(pipe, False)
        seen = partial = b""

        def watch():
            """Copies what the console printed since; False once it is closed."""
            nonlocal seen, partial, panicked
            chunk, is_open = _read_available(pipe)
            out.write(chunk)
            out.flush()
            # Keep a marker's worth of what was read, for one cut in two.
            seen = seen[-len(_PANIC_END):] + chunk
            panicked = panicked or _PANIC_END in seen
            *lines, partial = (partial + chunk).split(b"\n")
            now = time.monotonic() - start
            events.extend((now, what) for line in lines
                          if (what := timing.console_event(line.decode(errors="replace"))))
            return is_open

        try:
            while proc.poll() is None and not panicked:
                if time.monotonic() - start > boot.timeout:
                    timed_out = True
                    break
                if stop is not None and stop.is_set():
                    break
                time.sleep(timing.VM_POLL)
                watch()
        finally:
            _kill(proc)
        # What the killed VM's processes left in the pipe.
        drained_by = time.monotonic() + 5
        while watch() and time.monotonic() < drained_by:
            time.sleep(0.05)
        proc.stdout.close()
    seconds = time.monotonic() - start
    exit_code = None
    if exit_file.exists():
        text = exit_file.read_text().strip()
        exit_code = int(text) if text.lstrip("-").isdigit() else None
    return Outcome(exit_code=exit_code, timed_out=timed_out, seconds=seconds, console=console, panicked=panicked,
                   events=events)
