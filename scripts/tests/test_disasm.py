"""The guard loops in machine code (harness/disasm.py), over listings shaped as llvm-objdump prints them."""

import tempfile
import unittest
from pathlib import Path

from harness import disasm

ROOT = Path(__file__).resolve().parents[2]
RUST_LOOP = ("<rkm_guard_main::bench::Counted as rkm_guard_main::bench::Driver>::drive::"
             "<<rkm_guard_main::bench::Op>::drive<rkm_guard_main::bench::Counted>::{{closure#{}}}>")

# Closure 0 (mutex) inlined its lock and unlock; closure 5 (spinlock) calls a
# tree helper and a shim; the C loops call the primitives.
LISTING = f"""
Disassembly of section .text:

0000000000000000 <{RUST_LOOP.format(0)}>:
       0:      \tendbr64
       4:      \ttestl\t%edi, %edi
       6:      \tje\t0x20 <{RUST_LOOP.format(0)}+0x20>
       8:      \tmovq\t%rsi, %rdi
       b:      \tcallq\t0x10 <{RUST_LOOP.format(0)}+0x10>
\t\t000000000000000c:  R_X86_64_PLT32\tmutex_lock-0x4
      10:      \tincq\t(%rbx)
      13:      \tcallq\t0x18 <{RUST_LOOP.format(0)}+0x18>
\t\t0000000000000014:  R_X86_64_PLT32\tmutex_unlock-0x4
      18:      \tdecl\t%ebp
      1a:      \tjne\t0x8 <{RUST_LOOP.format(0)}+0x8>
      20:      \tretq

0000000000000030 <{RUST_LOOP.format(5)}>:
      30:      \tcallq\t0x35 <{RUST_LOOP.format(5)}+0x5>
\t\t0000000000000031:  R_X86_64_PLT32\trust_helper_spin_lock-0x4
      35:      \tcallq\t0x40 <guard_shim_spin_unlock>
      3a:      \tdecl\t%ebp
      3c:      \tjne\t0x30 <{RUST_LOOP.format(5)}>
      3e:      \tretq

0000000000000040 <guard_shim_spin_unlock>:
      40:      \tretq

0000000000000050 <bench_raw_MUTEX>:
      50:      \tcallq\t0x55 <bench_raw_MUTEX+0x5>
\t\t0000000000000051:  R_X86_64_PLT32\tmutex_lock-0x4
      55:      \tcallq\t0x5a <bench_raw_MUTEX+0xa>
\t\t0000000000000056:  R_X86_64_PLT32\tmutex_unlock-0x4
      5a:      \tdecl\t%ebp
      5c:      \tjne\t0x50 <bench_raw_MUTEX>
      5e:      \tretq
"""


def op(variant, c_op, closure):
    return disasm.Op(variant, variant.lower(), c_op, closure)


class Listing(unittest.TestCase):
    def test_functions_instructions_and_relocations(self):
        funcs = disasm.functions(LISTING)
        self.assertEqual(len(funcs), 4)
        first = funcs[RUST_LOOP.format(0)]
        self.assertEqual([i.mnemonic for i in first][:3], ["endbr64", "testl", "je"])
        self.assertEqual(first[4].reloc, "mutex_lock")

    def test_a_loop_runs_from_the_widest_backward_branch_target_to_the_branch(self):
        loop = disasm.loop_insns(disasm.functions(LISTING)[RUST_LOOP.format(0)])
        self.assertEqual([hex(i.address) for i in loop], ["0x8", "0xb", "0x10", "0x13", "0x18", "0x1a"])
        self.assertEqual(disasm.loop_insns([disasm.Insn(0, "retq", "")]), [])

    def test_helper_and_shim_calls_fail_the_rust_loop_only(self):
        rows = disasm.guard_loops(LISTING, [op("Mutex", "MUTEX", 0), op("SpinLock", "SPINLOCK", 5),
                                            op("Preempt", "PREEMPT", 13)], {"guard_shim_spin_unlock"})
        mutex, spin, preempt = rows
        self.assertTrue(mutex.ok)
        self.assertEqual((len(mutex.rust.insns), len(mutex.c.insns)), (10, 5))
        self.assertFalse(spin.ok)
        self.assertEqual(spin.helpers, ["rust_helper_spin_lock", "guard_shim_spin_unlock"])
        self.assertIsNone(spin.c)
        self.assertFalse(preempt.ok)  # no Rust loop found
        table = disasm.table(rows)
        self.assertIn("rust_helper_spin_lock, guard_shim_spin_unlock", table)
        self.assertIn("Rust loop not found", table)
        self.assertEqual(table.splitlines()[1].split(), ["mutex", "6", "4", "none"])
        self.assertEqual(disasm.table(rows, counts=False).splitlines()[1].split(), ["mutex", "none"])


class Sources(unittest.TestCase):
    def test_the_benchmark_operations_come_from_bench_rs(self):
        ops = disasm.bench_ops(ROOT / "modules" / "rkm_guard" / "bench.rs")
        self.assertEqual([o.closure for o in ops], list(range(len(ops))))
        by_variant = {o.variant: o for o in ops}
        self.assertEqual((by_variant["GuardMutex"].c_op, by_variant["GuardMutex"].name),
                         ("MUTEX", "mutex (guard::Mutex)"))
        self.assertEqual(by_variant["SeqLockRead"].c_op, "SEQLOCK_READ")

    def test_shim_functions_are_those_marked(self):
        with tempfile.TemporaryDirectory() as tmp:
            shim = Path(tmp, "x_shim.c")
            shim.write_text("static int helper(void)\n{\n}\n\n__rkm_shim unsigned long *x_one(int a)\n{\n}\n"
                            "__rkm_shim void x_two(struct a *a,\n\t\t    int b)\n{\n}\n")
            self.assertEqual(disasm.shim_functions([shim]), {"x_one", "x_two"})


if __name__ == "__main__":
    unittest.main()
