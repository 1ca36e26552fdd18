"""The splat scanner over report samples, planted logs and captured console logs.

Each sample is a report as the pinned tree prints it (the printk calls named in
scripts/harness/splat.py's KINDS), written as messages: console() puts a printk
timestamp in front of each line.
"""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from harness import splat

LOGS = Path(__file__).parent / "logs"
SPLAT_PY = Path(splat.__file__)


def console(messages, at=10.0):
    """Console lines: each message behind a printk timestamp, a microsecond apart."""
    lines = messages.strip("\n").split("\n")
    return "".join(f"[{at + i / 1e6:12.6f}] {m}".rstrip() + "\n" for i, m in enumerate(lines))


STACK = """\
CPU: 0 UID: 0 PID: 90 Comm: sh Tainted: G           O       7.3.4 #1 PREEMPT
Tainted: [O]=OOT_MODULE
Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x64/0x80
 rkm_x_store+0x10/0x20 [rkm_x]
 kernfs_fop_write_iter+0x1c2/0x2a0
 vfs_write+0x1ea/0x9d0
 ksys_write+0xab/0x150
 do_syscall_64+0x92/0x2b0
 entry_SYSCALL_64_after_hwframe+0x4b/0x53
 </TASK>"""

REGS = """\
RIP: 0010:rkm_x_store+0x10/0x20 [rkm_x]
Code: 5b c3 0f b6 4c 24 0e 48 83 fb 01 75 0c b8 ea ff ff ff 80 f9 31 75 df eb 11 <0f> 0b eb cb 0f 1f 80 00
RSP: 0018:ff11000009537d98 EFLAGS: 00010246
RAX: 00000000ffffffea RBX: 0000000000000002 RCX: 0000000000000031"""

WARN_TAIL = """\
irq event stamp: 6365
hardirqs last  enabled at (6369): [<ffffffff8127aa02>] __nbcon_atomic_flush_pending_con+0x132/0x1d0
hardirqs last disabled at (6372): [<ffffffff8127a9b9>] __nbcon_atomic_flush_pending_con+0xe9/0x1d0
softirqs last  enabled at (6354): [<ffffffff81162014>] __irq_exit_rcu+0xe4/0x240
softirqs last disabled at (6345): [<ffffffff81162014>] __irq_exit_rcu+0xe4/0x240
---[ end trace 0000000000000000 ]---"""

# After an oops, x86 prints the first oops' registers again (oops_end()).
OOPS_TAIL = f"""\
Modules linked in: rkm_x(O)
---[ end trace 0000000000000000 ]---
{REGS}"""


def warn(title, message=""):
    """A WARN(): "cut here", its message if any, the WARNING line and the rest."""
    lines = ["------------[ cut here ]------------"] + ([message] if message else [])
    return "\n".join(lines + [title, "Modules linked in: rkm_x(O)", STACK.split("\n")[0], REGS,
                              *STACK.split("\n")[3:], WARN_TAIL])


def lockdep(header, details):
    """A lockdep report: its framed header, the details, the held locks, the stack."""
    return f"""
{"=" * len(header)}
{header}
7.3.4 #1 Tainted: G           O
{"-" * len(header)}
{details}

stack backtrace:
{STACK}"""


HELD = """\
locks held by sh/90: 2, last CPU#0:
 #0: ffff888003e2a408 (sb_writers#7){.+.+}-{0:0}, at: ksys_write+0xab/0x150
 #1: ffff888003a1c0e8 (rkm_x_lock){+.+.}-{4:4}, at: rkm_x_store+0x20/0x60 [rkm_x]"""

# A report the scanner has no header for: its stack dump is a splat of its own.
UNKNOWN_DUMP = """\
rkm_x: something the kernel has no report header for
CPU: 1 UID: 0 PID: 12 Comm: kworker/1:0 Not tainted 7.3.4 #1 PREEMPT
Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x64/0x80
 rkm_x_work+0x10/0x20 [rkm_x]
 </TASK>"""

ABBA = lockdep("WARNING: possible circular locking dependency detected", """\
sh/90 is trying to acquire lock:
ffff888003a1c0a8 (rkm_guard_abba_a){+.+.}-{4:4}, at: abba+0x80/0x120 [rkm_guard]

but task is already holding lock:
ffff888003a1c0e8 (rkm_guard_abba_b){+.+.}-{4:4}, at: abba+0x60/0x120 [rkm_guard]

which lock already depends on the new lock.


the existing dependency chain (in reverse order) is:

-> #1 (rkm_guard_abba_b){+.+.}-{4:4}:
       lock_acquire+0xc6/0x2e0
       down_write+0x3e/0x100
       abba+0x40/0x120 [rkm_guard]

-> #0 (rkm_guard_abba_a){+.+.}-{4:4}:
       __lock_acquire+0x1b1d/0x2600
       lock_acquire+0xc6/0x2e0
       down_write+0x3e/0x100
       abba+0x80/0x120 [rkm_guard]

other info that might help us debug this:

 Possible unsafe locking scenario:

       CPU0                    CPU1
       ----                    ----
  lock(rkm_guard_abba_b);
                               lock(rkm_guard_abba_a);
                               lock(rkm_guard_abba_b);
  lock(rkm_guard_abba_a);

 *** DEADLOCK ***

locks held by sh/90: 2, last CPU#0:
 #0: ffff888003e2a408 (sb_writers#7){.+.+}-{0:0}, at: ksys_write+0xab/0x150
 #1: ffff888003a1c0e8 (rkm_guard_abba_b){+.+.}-{4:4}, at: abba+0x60/0x120 [rkm_guard]""")

KASAN = f"""\
==================================================================
BUG: KASAN: slab-use-after-free in rkm_x_store+0x10/0x20 [rkm_x]
Read of size 8 at addr ffff888004d0c000 by task sh/90

{STACK}

Allocated by task 90 on cpu 0 at 20.123456s:
 kasan_save_stack+0x2c/0x50
 __kmalloc_cache_noprof+0x1a5/0x3a0
 rkm_x_init+0x20/0x40 [rkm_x]

Freed by task 90 on cpu 0 at 20.223456s:
 kasan_save_stack+0x2c/0x50
 kfree+0x11a/0x380

The buggy address belongs to the object at ffff888004d0c000
 which belongs to the cache kmalloc-64 of size 64
The buggy address is located 0 bytes inside of
 freed 64-byte region [ffff888004d0c000, ffff888004d0c040)

Memory state around the buggy address:
 ffff888004d0bf00: fa fb fb fb fb fb fb fb fc fc fc fc fc fc fc fc
>ffff888004d0c000: fa fb fb fb fb fb fb fb fc fc fc fc fc fc fc fc
                   ^
==================================================================
Disabling lock debugging due to kernel taint"""

EARLY_PANIC = """\
Linux version 7.3.4 (root@vm) (Debian clang version 19.1.7 (3~deb12u1), Debian LLD 19.1.7) #1 SMP PREEMPT
Command line: console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 kho=on kho_scratch=256M,512M,128M
BIOS-provided physical RAM map:
BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
printk: legacy bootconsole [earlyser0] enabled
Kernel panic - not syncing: kasan_populate_pmd+0x1c3/0x210: Failed to allocate page, nid=0 from=1000000
CPU: 0 UID: 0 PID: 0 Comm: swapper Not tainted 7.3.4 #1 PREEMPT
Call Trace:
 <TASK>
 panic+0x2ee/0x350
 kasan_populate_pmd+0x1c3/0x210
 kasan_init+0x1c6/0x3b0
 setup_arch+0x9b8/0xe70
 start_kernel+0x6d/0x900
 </TASK>
---[ end Kernel panic - not syncing: kasan_populate_pmd+0x1c3/0x210: Failed to allocate page, nid=0 from=1000000 ]---
"""

# (kind, report, the header starts with, the report's last line)
SAMPLES = [
    ("WARNING", warn("WARNING: drivers/misc/rkm_x.c:30 at rkm_x_store+0x10/0x20 [rkm_x], CPU#0: sh/90"),
     "WARNING: drivers/misc/rkm_x.c:30", "---[ end trace 0000000000000000 ]---"),
    ("kernel BUG", f"""\
------------[ cut here ]------------
kernel BUG at drivers/misc/rkm_x.c:42!
Oops: invalid opcode: 0000 [#1] SMP KASAN NOPTI
{STACK.split(chr(10))[0]}
{REGS}
{STACK[STACK.index("Call Trace:"):]}
{OOPS_TAIL}""", "kernel BUG at drivers/misc/rkm_x.c:42!", "---[ end trace 0000000000000000 ]---"),
    ("Oops", f"""\
Oops: general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] SMP KASAN NOPTI
KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]
{STACK.split(chr(10))[0]}
{REGS}
{STACK[STACK.index("Call Trace:"):]}
{OOPS_TAIL}""", "Oops: general protection fault", "---[ end trace 0000000000000000 ]---"),
    ("page fault", f"""\
BUG: kernel NULL pointer dereference, address: 0000000000000008
#PF: supervisor read access in kernel mode
#PF: error_code(0x0000) - not-present page
PGD 0 P4D 0
Oops: Oops: 0000 [#1] SMP KASAN NOPTI
{STACK.split(chr(10))[0]}
{REGS}
{STACK[STACK.index("Call Trace:"):]}
{OOPS_TAIL}""", "BUG: kernel NULL pointer dereference", "---[ end trace 0000000000000000 ]---"),
    ("double fault", f"""\
traps: PANIC: double fault, error_code: 0x0
Oops: double fault: 0000 [#1] SMP KASAN NOPTI
{STACK.split(chr(10))[0]}
{REGS}
Call Trace:
 <#DF>
 </#DF>
 <TASK>
 rkm_x_recurse+0x10/0x20 [rkm_x]
 </TASK>
{OOPS_TAIL}""", "traps: PANIC: double fault", "---[ end trace 0000000000000000 ]---"),
    ("stack overflow", f"""\
BUG: TASK stack guard page was hit at ffffc90000417ff8 (stack is ffffc90000418000..ffffc9000041c000)
Oops: stack guard page: 0000 [#1] SMP KASAN NOPTI
{STACK.split(chr(10))[0]}
{REGS}
{STACK[STACK.index("Call Trace:"):]}
{OOPS_TAIL}""", "BUG: TASK stack guard page was hit", "---[ end trace 0000000000000000 ]---"),
    ("stack-protector", f"""\
Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: rkm_x_store+0x5a/0x60 [rkm_x]
{STACK}
Kernel Offset: disabled
---[ end Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: rkm_x_store+0x5a/0x60 [rkm_x] ]---""",
     "Kernel panic - not syncing: stack-protector:", "---[ end Kernel panic - not syncing: stack-protector:"),
    ("panic", f"""\
Kernel panic - not syncing: Fatal exception
Kernel Offset: disabled
---[ end Kernel panic - not syncing: Fatal exception ]---""",
     "Kernel panic - not syncing: Fatal exception", "---[ end Kernel panic - not syncing: Fatal exception ]---"),
    ("KASAN", KASAN, "BUG: KASAN: slab-use-after-free", "=" * 66),
    ("KFENCE", f"""\
==================================================================
BUG: KFENCE: use-after-free read in rkm_x_store+0x10/0x20 [rkm_x]

Use-after-free read at 0x000000006d3bb0d4 (in kfence-#72):
 rkm_x_store+0x10/0x20 [rkm_x]
 kernfs_fop_write_iter+0x1c2/0x2a0
 vfs_write+0x1ea/0x9d0

kfence-#72: 0x000000006d3bb0d4-0x00000000dd2fd0ad, size=32, cache=kmalloc-32

allocated by task 90 on cpu 0 at 20.123456s (0.100000s ago):
 __kmalloc_cache_noprof+0x1a5/0x3a0
 rkm_x_init+0x20/0x40 [rkm_x]

freed by task 90 on cpu 0 at 20.223456s (0.000100s ago):
 kfree+0x11a/0x380

{STACK.split(chr(10))[0]}
{STACK.split(chr(10))[2]}
==================================================================""", "BUG: KFENCE: use-after-free read", "=" * 66),
    ("UBSAN", f"""\
------------[ cut here ]------------
UBSAN: array-index-out-of-bounds in drivers/misc/rkm_x.c:30:9
index 4 is out of range for type 'int [4]'
{STACK}
---[ end trace ]---""", "UBSAN: array-index-out-of-bounds", "---[ end trace ]---"),
    ("circular locking", ABBA, "WARNING: possible circular locking dependency detected", " </TASK>"),
    ("recursive locking", lockdep("WARNING: possible recursive locking detected", f"""\
sh/90 is trying to acquire lock:
ffff888003a1c0e8 (rkm_x_lock){{+.+.}}-{{4:4}}, at: rkm_x_store+0x30/0x60 [rkm_x]

but task is already holding lock:
ffff888003a1c0e8 (rkm_x_lock){{+.+.}}-{{4:4}}, at: rkm_x_store+0x20/0x60 [rkm_x]

other info that might help us debug this:
 Possible unsafe locking scenario:

       CPU0
       ----
  lock(rkm_x_lock);
  lock(rkm_x_lock);

 *** DEADLOCK ***

 May be due to missing lock nesting notation

{HELD}"""), "WARNING: possible recursive locking detected", " </TASK>"),
    ("inconsistent lock state", lockdep("WARNING: inconsistent lock state", f"""\
inconsistent {{IN-HARDIRQ-W}} -> {{HARDIRQ-ON-W}} usage.
sh/90 [HC0[0]:SC0[0]:HE1:SE1] takes:
ffff888003a1c0a8 (&x->lock){{?.+.}}-{{2:2}}, at: rkm_x_store+0x10/0x20 [rkm_x]
{{IN-HARDIRQ-W}} state was registered at:
  lock_acquire+0xc6/0x2e0
  _raw_spin_lock+0x2f/0x40
  rkm_x_irq+0x10/0x20 [rkm_x]
irq event stamp: 1234
hardirqs last  enabled at (1233): [<ffffffff81e0c2a5>] _raw_spin_unlock_irq+0x25/0x40

other info that might help us debug this:
 Possible unsafe locking scenario:

       CPU0
       ----
  lock(&x->lock);
  <Interrupt>
    lock(&x->lock);

 *** DEADLOCK ***

{HELD}"""), "WARNING: inconsistent lock state", " </TASK>"),
    ("irq lock inversion", lockdep("WARNING: possible irq lock inversion dependency detected", f"""\
sh/90 just changed the state of lock:
ffff888003a1c0a8 (&x->lock){{+.+.}}-{{2:2}}, at: rkm_x_store+0x10/0x20 [rkm_x]
but this lock was taken by another, HARDIRQ-safe lock in the past:
 (&y->lock){{-...}}-{{2:2}}

and interrupts could create inverse lock ordering between them.

{HELD}"""), "WARNING: possible irq lock inversion dependency detected", " </TASK>"),
    ("irq-unsafe lock order", lockdep("WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected", f"""\
sh/90 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:
ffff888003a1c0a8 (rkm_x_lock){{+.+.}}-{{2:2}}, at: rkm_x_store+0x10/0x20 [rkm_x]

and this task is already holding:
ffff888003a1c0e8 (&y->lock){{-...}}-{{2:2}}, at: rkm_x_store+0x08/0x20 [rkm_x]
which would create a new lock dependency:
 (&y->lock){{-...}}-{{2:2}} -> (rkm_x_lock){{+.+.}}-{{2:2}}

{HELD}"""), "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected", " </TASK>"),
    ("invalid wait context", lockdep("[ BUG: Invalid wait context ]", f"""\
sh/90 is trying to lock:
ffff888003a1c128 (rkm_guard_atomic_rwsem){{++++}}-{{4:4}}, at: sleep_in_atomic+0x50/0xa0 [rkm_guard]
other info that might help us debug this:
context-{{5:5}}
{HELD}"""), "[ BUG: Invalid wait context ]", " </TASK>"),
    ("lock held at exit", lockdep("WARNING: kworker/0:1/33 still has locks held!", HELD),
     "WARNING: kworker/0:1/33 still has locks held!", " </TASK>"),
    ("lock held returning to user", f"""
================================================
WARNING: lock held when returning to user space!
7.3.4 #1 Tainted: G           O
------------------------------------------------
sh/90 is leaving the kernel with locks still held!
{HELD}""", "WARNING: lock held when returning to user space!", HELD.split("\n")[-1]),
    ("bad unlock balance", lockdep("WARNING: bad unlock balance detected!", """\
sh/90 is trying to release lock (rkm_x_lock) at:
[<ffffffffc0201010>] rkm_x_store+0x10/0x20 [rkm_x]
but there are no more locks to release!

other info that might help us debug this:
locks held by sh/90: 0, last CPU#0"""), "WARNING: bad unlock balance detected!", " </TASK>"),
    ("held lock freed", lockdep("WARNING: held lock freed!", f"""\
sh/90 is freeing memory ffff888003a1c000-ffff888003a1c03f, with a lock still held there!
ffff888003a1c0a8 (rkm_x_lock){{+.+.}}-{{4:4}}, at: rkm_x_store+0x10/0x20 [rkm_x]
{HELD}"""), "WARNING: held lock freed!", " </TASK>"),
    ("nested lock not taken", lockdep("WARNING: Nested lock was not taken", f"""\
sh/90 is trying to lock:
ffff888003a1c0a8 (&obj->lock){{+.+.}}-{{4:4}}, at: rkm_x_store+0x10/0x20 [rkm_x]

but this task is not holding:
rkm_x_outer

{HELD}"""), "WARNING: Nested lock was not taken", " </TASK>"),
    ("bad contention", lockdep("WARNING: bad contention detected!", """\
sh/90 is trying to contend lock (rkm_x_lock) at:
[<ffffffffc0201010>] rkm_x_store+0x10/0x20 [rkm_x]
but there are no locks held!

other info that might help us debug this:
locks held by sh/90: 0, last CPU#0"""), "WARNING: bad contention detected!", " </TASK>"),
    ("chain_key collision", lockdep("WARNING: chain_key collision", f"""\
{HELD}
Locks in cached chain:
 (rkm_x_lock){{+.+.}}-{{4:4}}"""), "WARNING: chain_key collision", " </TASK>"),
    ("suspicious RCU usage", lockdep("WARNING: suspicious RCU usage", f"""\
drivers/misc/rkm_x.c:55 suspicious rcu_dereference_check() usage!

other info that might help us debug this:


rcu_scheduler_active = 2, debug_locks = 1
{HELD}"""), "WARNING: suspicious RCU usage", " </TASK>"),
    ("non-static key", f"""\
INFO: trying to register non-static key.
The code is fine but needs lockdep annotation, or maybe
you didn't initialize this object before use?
turning off the locking correctness validator.
{STACK}""", "INFO: trying to register non-static key.", " </TASK>"),
    ("lockdep limit", f"""\
BUG: MAX_LOCKDEP_KEYS too low!
turning off the locking correctness validator.
{STACK}""", "BUG: MAX_LOCKDEP_KEYS too low!", " </TASK>"),
    ("unregistered lock key", "BUG: key ffff888003a1c0a8 has not been registered!\n"
     + warn("WARNING: kernel/locking/lockdep.c:4987 at lockdep_init_map_type+0x2a1/0x3a0, CPU#0: sh/90",
            "DEBUG_LOCKS_WARN_ON(1)"),
     "BUG: key ffff888003a1c0a8 has not been registered!", "---[ end trace 0000000000000000 ]---"),
    ("might_sleep", f"""\
BUG: sleeping function called from invalid context at kernel/locking/rwsem.c:1577
in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 90, name: sh
preempt_count: 1, expected: 0
RCU nest depth: 0, expected: 0
{HELD}
Preemption disabled at:
[<ffffffffc0201010>] sleep_in_atomic+0x30/0xa0 [rkm_guard]
{STACK}""", "BUG: sleeping function called from invalid context", " </TASK>"),
    ("scheduling while atomic", f"""\
BUG: scheduling while atomic: sh/90/0x00000002
{HELD}
Modules linked in: rkm_x(O)
Preemption disabled at:
[<ffffffffc0201010>] rkm_x_store+0x10/0x20 [rkm_x]
{STACK}""", "BUG: scheduling while atomic: sh/90/0x00000002", " </TASK>"),
    ("bad page", f"""\
BUG: Bad page state in process sh  pfn:04d0c
page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x4d0c
flags: 0x4000000000000200(workingset|zone=1)
raw: 4000000000000200 dead000000000100 dead000000000122 0000000000000000
page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set
Modules linked in: rkm_x(O)
{STACK}""", "BUG: Bad page state in process sh", " </TASK>"),
    ("slab corruption", f"""\
=============================================================================
BUG kmalloc-64 (Tainted: G           O     ): Right Redzone overwritten
-----------------------------------------------------------------------------

0xffff888004d0c040-0xffff888004d0c040 @offset=64. First byte 0x0 instead of 0xcc
Allocated in rkm_x_init+0x20/0x40 [rkm_x] age=12 cpu=0 pid=90
 __kmalloc_cache_noprof+0x1a5/0x3a0
 rkm_x_init+0x20/0x40 [rkm_x]
Slab 0xffffea0000134300 objects=21 used=21 fp=0x0000000000000000 flags=0x4000000000000200(workingset|zone=1)
Object 0xffff888004d0c000 @offset=0 fp=0x0000000000000000

Redzone  ffff888004d0c040: 00 cc cc cc cc cc cc cc                          ........
{STACK}
Disabling lock debugging due to kernel taint
FIX kmalloc-64: Restoring Right Redzone 0xffff888004d0c040-0xffff888004d0c040=0xcc""",
     "BUG kmalloc-64 (Tainted:", "FIX kmalloc-64: Restoring Right Redzone 0xffff888004d0c040-0xffff888004d0c040=0xcc"),
    ("refcount", warn("WARNING: lib/refcount.c:25 at refcount_warn_saturate+0x13a/0x1c0, CPU#0: sh/90",
                      "refcount_t: addition on 0; use-after-free."),
     "refcount_t: addition on 0; use-after-free.", "---[ end trace 0000000000000000 ]---"),
    ("list corruption", warn("WARNING: lib/list_debug.c:32 at __list_add_valid_or_report+0xf0/0x140, CPU#0: sh/90",
                             "list_add corruption. prev->next should be next (ffff888003a1c0a8), "
                             "but was ffff888003a1c0e8. (prev=ffff888003a1c000)."),
     "list_add corruption. prev->next should be next", "---[ end trace 0000000000000000 ]---"),
    ("RCU stall", f"""\
rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
rcu: \t1-...!: (0 ticks this GP) idle=b5c4/1/0x4000000000000000 softirq=3242/3242 fqs=0
rcu: \t(detected by 0, t=21002 jiffies, g=4261, q=56 ncpus=2)
Sending NMI from CPU 0 to CPUs 1:
NMI backtrace for cpu 1
CPU: 1 UID: 0 PID: 0 Comm: swapper/1 Not tainted 7.3.4 #1 PREEMPT
RIP: 0010:default_idle+0xf/0x20
Call Trace:
 <TASK>
 default_idle_call+0x6d/0xb0
 do_idle+0x2e6/0x340
 </TASK>
rcu: rcu_preempt kthread starved for 21004 jiffies! g4261 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1
rcu: \tUnless rcu_preempt kthread gets sufficient CPU time, OOM is now expected behavior.
rcu: RCU grace-period kthread stack dump:
task:rcu_preempt     state:R  running task     stack:0     pid:16    tgid:16    ppid:2      task_flags:0x208040 flags:0x00004000
Call Trace:
 <TASK>
 __schedule+0x6a4/0x1890
 rcu_gp_kthread+0x1a3/0x2b0
 </TASK>""", "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", " </TASK>"),
    ("soft lockup", f"""\
watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:90]
CPU#0 Utilization every 4s during lockup:
\t#1: 100% system,\t  0% softirq,\t  0% hardirq,\t  0% idle
Modules linked in: rkm_x(O)
irq event stamp: 1234
{STACK.split(chr(10))[0]}
{REGS}
{STACK[STACK.index("Call Trace:"):]}""", "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!", " </TASK>"),
    ("hard lockup", f"""\
watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 1
Modules linked in: rkm_x(O)
irq event stamp: 1234
Sending NMI from CPU 0 to CPUs 1:
NMI backtrace for cpu 1
CPU: 1 UID: 0 PID: 90 Comm: sh Tainted: G           O       7.3.4 #1 PREEMPT
{REGS}
Call Trace:
 <NMI>
 </NMI>
 <TASK>
 rkm_x_spin+0x10/0x20 [rkm_x]
 </TASK>""", "watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 1", " </TASK>"),
    ("hung task", """\
INFO: task sh:90 blocked for more than 122 seconds.
      Tainted: G           O       7.3.4 #1
"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
task:sh              state:D stack:0     pid:90    tgid:90    ppid:1      task_flags:0x400100 flags:0x00004002
Call Trace:
 <TASK>
 __schedule+0x6a4/0x1890
 schedule+0x3d/0x130
 rwsem_down_write_slowpath+0x3a2/0x990
 rkm_x_store+0x10/0x20 [rkm_x]
 </TASK>
INFO: task sh:90 is blocked on an rw-semaphore likely owned by task sh:91 <writer>
task:sh              state:S stack:0     pid:91    tgid:91    ppid:1      task_flags:0x400100 flags:0x00004002
Call Trace:
 <TASK>
 __schedule+0x6a4/0x1890
 </TASK>""", "INFO: task sh:90 blocked for more than 122 seconds.", " </TASK>"),
    ("Rust panic", f"""\
rust_kernel: panicked at drivers/misc/rkm_x.rs:10:5:
attempt to add with overflow
------------[ cut here ]------------
kernel BUG at rust/helpers/bug.c:7!
Oops: invalid opcode: 0000 [#1] SMP KASAN NOPTI
{STACK.split(chr(10))[0]}
RIP: 0010:rust_helper_BUG+0x8/0x10
{STACK[STACK.index("Call Trace:"):]}
{OOPS_TAIL}""", "rust_kernel: panicked at drivers/misc/rkm_x.rs:10:5:", "---[ end trace 0000000000000000 ]---"),
    ("kmemleak", """\
kmemleak: unreferenced object 0xffff888003a1c000 (size 64):
kmemleak:   comm "insmod", pid 90, jiffies 4294937296
kmemleak:   hex dump (first 32 bytes):
kmemleak:     00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
kmemleak:   backtrace (crc 0):
kmemleak:     __kmalloc_cache_noprof+0x1a5/0x3a0
kmemleak:     rkm_x_init+0x20/0x40 [rkm_x]""", "kmemleak: unreferenced object 0xffff888003a1c000",
     "kmemleak:     rkm_x_init+0x20/0x40 [rkm_x]"),
    ("kmemleak scan", "kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
     "kmemleak: 2 new suspected memory leaks", "kmemleak: 2 new suspected memory leaks"),
    ("BUG", f"""\
BUG: using smp_processor_id() in preemptible [00000000] code: sh/90
caller is rkm_x_store+0x10/0x20 [rkm_x]
{STACK}""", "BUG: using smp_processor_id() in preemptible", " </TASK>"),
    ("other WARNING", lockdep("WARNING: a lockdep report of a kind not yet named", HELD),
     "WARNING: a lockdep report of a kind not yet named", " </TASK>"),
    ("Call Trace", STACK, "Call Trace:", " </TASK>"),
]
# Kinds that are part of another report; their own tests name them.
INSIDE_OTHERS = {"cut here", "KASAN address"}


class Kinds(unittest.TestCase):
    def test_every_kind_has_a_sample(self):
        self.assertEqual({k.name for k in splat.KINDS} - INSIDE_OTHERS, {s[0] for s in SAMPLES})

    def test_follow_names_kinds(self):
        names = {k.name for k in splat.KINDS}
        for kind in splat.KINDS:
            self.assertLessEqual(kind.follow, names, kind.name)

    def test_each_report_is_one_splat_ending_where_the_kernel_ends_it(self):
        # The unknown report's dump after each sample proves the sample's
        # splat ended: inside it, the dump would have been swallowed.
        for kind, report, header, last in SAMPLES:
            with self.subTest(kind=kind):
                found = splat.find_splats(console(report + "\n" + UNKNOWN_DUMP))
                self.assertEqual([s.kind for s in found], [kind, "Call Trace"])
                self.assertTrue(found[0].header.startswith(header), found[0].header)
                self.assertTrue(found[0].lines[-1].startswith(last), found[0].lines[-1])

    def test_warn_message_belongs_to_its_warning(self):
        [found] = splat.find_splats(console(warn(
            "WARNING: drivers/net/phy/phy.c:1352 at _phy_state_machine+0x1a6/0x6a0, CPU#1: kworker/1:2/61",
            "phy_check_link_status+0x0/0x2b0: returned: -5")))
        self.assertTrue(found.header.startswith("WARNING: drivers/net/phy/phy.c:1352"))
        self.assertEqual(found.lines[:2], ["------------[ cut here ]------------",
                                           "phy_check_link_status+0x0/0x2b0: returned: -5"])
        self.assertEqual(found.line_number, 3)
        self.assertNotIn(found.header, found.body())

    def test_kasan_address_belongs_to_its_oops(self):
        [found] = splat.find_splats(console(dict((s[0], s[1]) for s in SAMPLES)["Oops"]))
        self.assertIn("KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]", found.lines)

    def test_list_corruption_under_bug_on_data_corruption(self):
        # CONFIG_BUG_ON_DATA_CORRUPTION: the message, then BUG()'s report.
        [found] = splat.find_splats(console(f"""\
list_del corruption, ffff888003a1c0a8->next is LIST_POISON1 (dead000000000100)
------------[ cut here ]------------
kernel BUG at lib/list_debug.c:56!
Oops: invalid opcode: 0000 [#1] SMP KASAN NOPTI
{STACK}
{OOPS_TAIL}"""))
        self.assertEqual(found.kind, "list corruption")

    def test_headers_after_a_subsystem_prefix(self):
        for message in ("rcu: INFO: rcu_preempt self-detected stall on CPU",
                        "rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: {",
                        "watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [kworker/1:1:40]",
                        "watchdog: Watchdog detected hard LOCKUP on cpu 1",
                        "[ BUG: Invalid wait context ]",
                        "traps: PANIC: double fault, error_code: 0x0"):
            with self.subTest(message=message):
                self.assertEqual(len(splat.find_splats(console(message))), 1)

    def test_report_lines_that_look_like_headers_are_not(self):
        for message in ("INFO: lockdep is turned off.",
                        "INFO: task sh:90 is blocked on a mutex likely owned by task sh:91.",
                        "rkm_x: WARNING count is 3",
                        "    # rkm_guard: BUG: in a KUnit message"):
            with self.subTest(message=message):
                self.assertEqual(splat.find_splats(console(message)), [])


class Structure(unittest.TestCase):
    def test_report_inside_another_is_its_own(self):
        # A WARN from within KASAN's report: the WARNING is a splat of its own.
        cut = KASAN.index("Allocated by task")
        nested = KASAN[:cut] + warn("WARNING: mm/slub.c:100 at kfree+0x1/0x2, CPU#0: sh/90") + "\n" + KASAN[cut:]
        found = splat.find_splats(console(nested))
        self.assertEqual([s.kind for s in found], ["KASAN", "WARNING"])

    def test_header_in_a_stack_report_opens_a_new_one(self):
        # The rest of the interrupted report belongs to no splat: its stack
        # dump is one of its own.
        abba = ABBA.split("\n")
        at = abba.index("stack backtrace:")
        log = "\n".join(abba[:at] + KASAN.split("\n") + abba[at:])
        self.assertEqual([s.kind for s in splat.find_splats(console(log))],
                         ["circular locking", "KASAN", "Call Trace"])

    def test_unknown_report_after_a_report_without_end_marker_is_found(self):
        # The lockdep report ends with its stack dump; what follows, even
        # within a few lines, is not swallowed.
        found = splat.find_splats(console(ABBA + "\nrkm_guard: unloaded\n" + UNKNOWN_DUMP))
        self.assertEqual([s.kind for s in found], ["circular locking", "Call Trace"])
        self.assertNotIn("rkm_guard: unloaded", found[0].lines)

    def test_panic_after_an_oops_is_its_own_splat(self):
        oops = dict((s[0], s[1]) for s in SAMPLES)["kernel BUG"]
        found = splat.find_splats(console(oops + "\nKernel panic - not syncing: Fatal exception\n"
                                          "---[ end Kernel panic - not syncing: Fatal exception ]---"))
        self.assertEqual([s.kind for s in found], ["kernel BUG", "panic"])


CLEAN = """\
[    0.000000] Linux version 7.3.4 (root@host) #1 SMP PREEMPT
[    1.234567] Run /init as init process
# WARNING: this line comes from a test's output, not from the kernel
BUG: neither does this one
ok 1 selftests: rkm_env: env_test.sh
[    9.876543] reboot: Power down
"""


class KernelLines(unittest.TestCase):
    def test_clean_log_has_none(self):
        self.assertEqual(splat.find_splats(CLEAN), [])

    def test_user_space_warning_text_is_ignored(self):
        self.assertTrue(splat.scan(splat.find_splats(CLEAN)).ok)

    def test_planted_warning_fails_the_run(self):
        verdict = splat.scan(splat.find_splats(CLEAN + console(warn(
            "WARNING: drivers/misc/rkm_x.c:30 at rkm_x_store+0x10/0x20 [rkm_x], CPU#0: sh/90"))))
        self.assertFalse(verdict.ok)
        self.assertEqual(len(verdict.unexpected), 1)

    def test_timestamp_prefix_variants(self):
        for line in ("<4>[    1.000000] WARNING: at x+0x1/0x2, CPU#0: sh/1",
                     "[    1.000000][    T1] WARNING: at x+0x1/0x2, CPU#0: sh/1"):
            with self.subTest(line=line):
                self.assertEqual(len(splat.find_splats(line + "\n")), 1)

    def test_untimestamped_early_panic(self):
        log = (console("kexec_core: Starting new kernel", at=50.0) + EARLY_PANIC)
        [found] = splat.find_splats(log)
        self.assertEqual(found.kind, "panic")
        self.assertIsNone(found.timestamp)
        self.assertEqual(found.line_number, 7)
        self.assertIn("Failed to allocate page", found.header)
        self.assertTrue(found.lines[-1].startswith("---[ end Kernel panic"))

    def test_early_boot_ends_at_the_first_timestamped_line(self):
        early = EARLY_PANIC.split("\n")[:5]
        log = "\n".join(early) + "\n" + console("Run /init as init process") + "BUG: printed by a test\n"
        self.assertEqual(splat.find_splats(log), [])

    def test_host_and_user_space_text_is_not_early_boot(self):
        # vng's own warning before the kernel starts, and a test printing
        # /proc/version: neither is followed by the kernel's command line.
        log = ("WARNING: stdin/stdout/stderr not accessible via /proc/self/fd, falling back\n"
               + EARLY_PANIC.split("\n")[0] + "\n"
               + "BUG: printed by a test\n")
        self.assertEqual(splat.find_splats(log), [])


    def test_a_replayed_record_counts_once(self):
        # A console taken over mid-record prints it again behind a marker
        # (kernel/printk/nbcon.c): one WARNING, not a second "cut here".
        report = console(warn(
            "WARNING: drivers/net/phy/phy.c:1352 at _phy_state_machine+0x40c/0x8e0, CPU#1: kworker/1:0/22",
            "phy_check_link_status+0x0/0x410: returned: -5"), at=672.0).split("\n")
        for first in (report[0], report[0][:25] + "** replaying previous printk message **"):
            with self.subTest(first=first):
                replayed = [first] if first.endswith("**") else [first, "** replaying previous printk message **"]
                [found] = splat.find_splats("\n".join(replayed + report))
                self.assertTrue(found.header.startswith("WARNING: drivers/net/phy/phy.c:1352"))
                self.assertEqual(found.lines.count("------------[ cut here ]------------"), 1)
                self.assertEqual(found.line_number, len(replayed) + 3)


class BothLogs(unittest.TestCase):
    """A boot's console and dmesg, each report counted once."""

    def boot(self, console_text, dmesg_text):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        results = Path(tmp.name)
        (results / "console.log").write_text(console_text)
        if dmesg_text is not None:
            (results / "dmesg.txt").write_text(dmesg_text)
        return splat.boot_splats(results)

    def test_report_in_both_counts_once(self):
        found = self.boot(CLEAN + console(ABBA), console(ABBA))
        self.assertEqual([Path(s.source).name for s in found], ["console.log"])

    def test_report_only_in_dmesg_counts(self):
        # kmemleak's count is pr_info: the console's log level may hide it.
        leak = "kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
        found = self.boot(CLEAN, console(leak, at=70.0))
        self.assertEqual([(Path(s.source).name, s.kind) for s in found], [("dmesg.txt", "kmemleak scan")])

    def test_same_header_at_another_time_is_another_report(self):
        found = self.boot(console(ABBA, at=10.0), console(ABBA, at=11.0))
        self.assertEqual(len(found), 2)

    def test_early_boot_report_matches_its_timestamped_dmesg_line(self):
        warning = warn("WARNING: arch/x86/kernel/setup.c:900 at setup_arch+0x1/0x2, CPU#0: swapper/0")
        early = "\n".join(EARLY_PANIC.split("\n")[:2]) + "\n" + warning + "\n"
        found = self.boot(early + console("Run /init as init process"), console(warning, at=0.0))
        self.assertEqual([(Path(s.source).name, s.timestamp) for s in found], [("console.log", None)])

    def test_without_dmesg_the_console_alone(self):
        self.assertEqual(len(self.boot(console(ABBA), None)), 1)

    def test_kmemleak_report_is_kernel_text(self):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp, "kmemleak.txt")
            report.write_text("".join(
                f"unreferenced object 0xffff88800{i}a1c000 (size 64):\n"
                '  comm "insmod", pid 90, jiffies 4294937296\n'
                "  backtrace (crc 0):\n"
                "    rkm_x_init+0x20/0x40 [rkm_x]\n" for i in range(2)))
            found = splat.read_log(report)
        self.assertEqual([s.kind for s in found], ["kmemleak", "kmemleak"])
        self.assertEqual(found[1].lines[-1], "    rkm_x_init+0x20/0x40 [rkm_x]")


ABBA_DECLARED = "1 WARNING: possible circular locking dependency detected | rkm_guard_abba_a | rkm_guard_abba_b"


class ExpectedSplats(unittest.TestCase):
    def verdict(self, log, *declared):
        return splat.scan(splat.find_splats(log), [splat.Expectation.parse(d) for d in declared])

    def test_parse(self):
        e = splat.Expectation.parse(ABBA_DECLARED)
        self.assertEqual((e.count, e.header.pattern, [p.pattern for p in e.body]),
                         (1, "WARNING: possible circular locking dependency detected",
                          ["rkm_guard_abba_a", "rkm_guard_abba_b"]))
        self.assertEqual(splat.Expectation.parse("2 a|b").header.pattern, "a|b")

    def test_parse_errors(self):
        for text in ("WARNING: x", "0 WARNING: x", "1", "1  | body", "1 (unclosed"):
            with self.subTest(text=text):
                with self.assertRaises(ValueError):
                    splat.Expectation.parse(text)

    def test_declared_splat_passes(self):
        verdict = self.verdict(CLEAN + console(ABBA), ABBA_DECLARED)
        self.assertTrue(verdict.ok)
        self.assertEqual(len(verdict.expected[0][1]), 1)

    def test_declared_splat_seen_twice_fails(self):
        verdict = self.verdict(console(ABBA, at=10.0) + console(ABBA, at=20.0), ABBA_DECLARED)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.unexpected, [])
        self.assertEqual(len(verdict.expected[0][1]), 2)

    def test_declared_splat_seen_zero_times_fails(self):
        verdict = self.verdict(CLEAN, ABBA_DECLARED)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.expected[0][1], [])

    def test_body_regex_not_matching_fails(self):
        verdict = self.verdict(console(ABBA), ABBA_DECLARED + " | rkm_guard_abba_c")
        self.assertFalse(verdict.ok)
        [unexpected] = verdict.unexpected
        self.assertIn("no line matches /rkm_guard_abba_c/", unexpected.reason())
        self.assertEqual(verdict.expected[0][1], [])

    def test_body_regex_must_match_the_splat_not_the_log(self):
        log = console(ABBA.replace("rkm_guard_abba_b", "other_lock")) + console("rkm_guard_abba_b", at=30.0)
        self.assertFalse(self.verdict(log, ABBA_DECLARED).ok)

    def test_other_splats_still_fail(self):
        verdict = self.verdict(console(ABBA) + console(KASAN, at=30.0), ABBA_DECLARED)
        self.assertFalse(verdict.ok)
        self.assertEqual([u.splat.kind for u in verdict.unexpected], ["KASAN"])

    def test_each_splat_counts_for_one_declaration(self):
        verdict = self.verdict(console(ABBA), ABBA_DECLARED, "1 circular locking")
        self.assertFalse(verdict.ok)
        self.assertEqual([len(seen) for _, seen in verdict.expected], [1, 0])


class Sections(unittest.TestCase):
    """The shared boot's run-suites.sh marks each command it runs for a boot-*.conf in the kernel log."""

    def test_reports_are_told_apart_by_when_they_were_printed(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp, "console.log")
            log.write_text(CLEAN + console(ABBA, at=10.0) + console("rkm-section: begin rkm_x/warn", at=20.0)
                           + console(KASAN, at=21.0) + console("rkm-section: end rkm_x/warn", at=22.0)
                           + "rkm-section: begin rkm_x/faked by user space\n"
                           + console("rkm-section: begin rkm_x/open", at=30.0) + console(ABBA, at=31.0))
            # dmesg alone has the second section's end.
            Path(tmp, "dmesg.txt").write_text(console("rkm-section: end rkm_x/open", at=40.0))
            spans = splat.sections(log, Path(tmp, "dmesg.txt"), Path(tmp, "missing.txt"))
            self.assertEqual(spans, {"rkm_x/warn": (20.0, 22.0), "rkm_x/open": (30.0, 40.0)})
            found = splat.by_section(splat.read_log(log) + splat.find_splats(console(ABBA, at=50.0)), spans)
            self.assertEqual({name: [s.kind for s in splats] for name, splats in found.items()},
                             {None: ["circular locking"] * 2, "rkm_x/warn": ["KASAN"], "rkm_x/open": ["circular locking"]})

    def test_a_section_that_never_ended_takes_what_follows(self):
        spans = {"rkm_x/hang": (5.0, None)}
        found = splat.by_section(splat.find_splats(console(KASAN, at=9.0)), spans)
        self.assertEqual(list(found), [None, "rkm_x/hang"])
        self.assertEqual(found[None], [])


class Command(unittest.TestCase):
    def run_splat(self, *logs):
        return subprocess.run([sys.executable, str(SPLAT_PY), *map(str, logs)],
                              capture_output=True, text=True, timeout=60)

    def test_exit_codes_and_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            clean, dirty = Path(tmp, "clean.log"), Path(tmp, "console.log")
            clean.write_text(CLEAN)
            dirty.write_text(CLEAN + console(ABBA, at=20.0))
            self.assertEqual(self.run_splat(clean).returncode, 0)
            result = self.run_splat(clean, dirty)
            self.assertEqual(result.returncode, 1)
            lines = result.stdout.splitlines()
            self.assertEqual(lines[0], f"{dirty}:8: WARNING: possible circular locking dependency detected")
            self.assertIn("    sh/90 is trying to acquire lock:", lines)
            self.assertEqual(lines[-1], "     </TASK>")
            self.assertEqual(self.run_splat(Path(tmp, "missing.log")).returncode, 2)


class CapturedLogs(unittest.TestCase):
    """Console logs captured from real VM boots of the test kernel."""

    def log(self, name):
        return (LOGS / name).read_text(errors="replace")

    def test_clean_boot_is_clean(self):
        self.assertEqual(splat.find_splats(self.log("clean-boot.log")), [])

    def test_real_warning_is_found(self):
        found = splat.find_splats(self.log("warn-boot.log"))
        declared = splat.Expectation.parse(r"1 ^WARNING: selftests/rkm_env/rkm_env_main\.rs:\d+ at .*write_warn")
        self.assertEqual([s.kind for s in found], ["WARNING"])
        self.assertTrue(splat.scan(found, [declared]).ok)

    def test_planted_warning_in_a_clean_boot_fails(self):
        lines = self.log("clean-boot.log").splitlines(keepends=True)
        planted = "".join(lines[: len(lines) // 2]) + console(ABBA) + "".join(lines[len(lines) // 2:])
        self.assertEqual(len(splat.find_splats(planted)), 1)


if __name__ == "__main__":
    unittest.main()
