// SPDX-License-Identifier: GPL-2.0

//! The kernel policy against a transcription of the C code it follows.

use pcie_ready::{
    Policy,
    Verdict, //
};
use proptest::prelude::*;

use super::{
    gen,
    kernel_c::{
        Exit,
        Kernel, //
    },
    sim,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Same verdict at the same time, after the same polls, reads and sleeps.
    #[test]
    fn kernel_policy_is_the_c_code(port in gen::port(), device in gen::device()) {
        let mut kernel = Kernel::new(port.bridge, &port.topology, &device);
        let (rc, exit) = kernel.pci_bridge_wait_for_secondary_bus();
        let at_ms = kernel.jiffies;
        // The C code says only 0 or -ENOTTY; the engine also says why.
        let expected = match exit {
            Exit::NoWait => Verdict::NoWait,
            Exit::Waited => Verdict::Waited { at_ms },
            Exit::Ready => Verdict::Ready { at_ms },
            _ if kernel.saw_disconnected => Verdict::Disconnected { at_ms },
            Exit::LinkDown => Verdict::LinkDown { at_ms },
            Exit::TimedOut => Verdict::TimedOut { at_ms },
        };
        prop_assert_eq!(rc == 0, matches!(exit, Exit::NoWait | Exit::Waited | Exit::Ready));

        let run = sim::run(&port.topology, Policy::Kernel, &device);
        prop_assert_eq!(run.verdict, expected);
        prop_assert_eq!(run.record.polls, kernel.polls);
        prop_assert_eq!(run.record.config_reads, kernel.config_reads);
        prop_assert_eq!(run.record.link_reads, kernel.link_reads);
        prop_assert_eq!(run.record.slept_ms, kernel.jiffies);
    }
}
