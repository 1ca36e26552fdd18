// SPDX-License-Identifier: GPL-2.0

//! The names shown to user space.

use pcie_ready::{
    Path,
    Policy,
    SpecTiming,
    Verdict, //
};

const PATHS: [Path; 6] = [
    Path::Skip,
    Path::Conventional,
    Path::UpTo5Gt,
    Path::UpTo5GtReporting,
    Path::Above5Gt,
    Path::Above5GtSilent,
];

const VERDICTS: [Verdict; 6] = [
    Verdict::Ready { at_ms: 100 },
    Verdict::NoWait,
    Verdict::Waited { at_ms: 1100 },
    Verdict::LinkDown { at_ms: 1000 },
    Verdict::TimedOut { at_ms: 60_000 },
    Verdict::Disconnected { at_ms: 100 },
];

/// A name a shell script can match as one word.
fn is_word(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[test]
fn policy_names_round_trip() {
    for policy in [Policy::Kernel, Policy::Spec(SpecTiming::default())] {
        assert_eq!(Policy::from_name(policy.name().as_bytes()), Some(policy));
    }
}

#[test]
fn policy_names_as_echo_writes_them() {
    assert_eq!(Policy::from_name(b"kernel\n"), Some(Policy::Kernel));
    assert_eq!(
        Policy::from_name(b"spec\n"),
        Some(Policy::Spec(SpecTiming::default()))
    );
}

#[test]
fn other_policy_names_are_rejected() {
    for name in [
        &b""[..],
        b"\n",
        b"kernel\n\n",
        b"Kernel",
        b" spec",
        b"spec ",
        b"spec\0",
        b"specs",
        b"kern",
        b"kernel\nspec",
    ] {
        assert_eq!(Policy::from_name(name), None, "{name:?}");
    }
}

/// Checks that every name is a word and no two are the same.
fn assert_distinct_words(names: &[&str]) {
    for (i, a) in names.iter().enumerate() {
        assert!(is_word(a), "{a}");
        assert!(!names[i + 1..].contains(a), "{a} twice");
    }
}

#[test]
fn path_names_are_distinct_words() {
    assert_distinct_words(&PATHS.map(Path::name));
}

#[test]
fn verdict_names_are_distinct_words() {
    assert_distinct_words(&VERDICTS.map(Verdict::name));
}

#[test]
fn verdict_names_ignore_the_time() {
    assert_eq!(
        Verdict::Ready { at_ms: 1 }.name(),
        Verdict::Ready { at_ms: 2 }.name()
    );
}

#[test]
fn names_the_documentation_uses() {
    assert_eq!(Path::UpTo5Gt.name(), "up-to-5gt");
    assert_eq!(Path::Above5Gt.name(), "above-5gt");
    assert_eq!(Verdict::LinkDown { at_ms: 0 }.name(), "link-down");
    assert_eq!(Verdict::Disconnected { at_ms: 0 }.name(), "disconnected");
}
