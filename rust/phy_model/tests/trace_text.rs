// SPDX-License-Identifier: GPL-2.0

//! The access trace, counters, and what debugfs accepts and shows.

mod common;

use common::*;
use phy_model::oa_tdr::{
    self,
    CableFault, //
};
use phy_model::regs;
use phy_model::text::{
    self,
    CableText,
    FaultCountText,
    InvalidInput,
    LinkText,
    StateMachineCommand, //
};
use phy_model::{
    Access,
    FaultCount,
    Link,
    Mode,
    Model,
    Op,
    Phy,
    Role,
    Trace, //
};

#[test]
fn trace_keeps_the_latest_accesses_in_order() {
    let mut trace = Trace::new(vec![Access::EMPTY; 4]);
    let mut phy = Phy::new(Model::Ax88772c, 0);
    for t in 0..6 {
        trace.push(phy.read(t, regs::BMSR));
    }
    let times: Vec<u64> = trace.iter().map(|a| a.time_ms).collect();
    assert_eq!(times, [2, 3, 4, 5]);
    assert_eq!(trace.overwritten(), 2);
    trace.clear();
    assert_eq!(trace.iter().count(), 0);
    trace.push(phy.write(9, regs::ADVERTISE, 0x41));
    let only: Vec<&Access> = trace.iter().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].op, Op::Write);
}

#[test]
fn trace_without_storage_records_nothing() {
    let mut trace = Trace::new(Vec::new());
    trace.push(Access::EMPTY);
    assert_eq!(trace.iter().count(), 0);
}

#[test]
fn access_lines() {
    let mut phy = Phy::new(Model::Dp83tg720, 7);
    assert_eq!(
        phy.write(7, regs::ADVERTISE, 0x1e1).to_string(),
        "7 w 0x04 0x01e1"
    );
    write(&mut phy, 7, regs::MMD_CTRL, 0x401f);
    phy.faults.read_errors = FaultCount::Next(1);
    assert_eq!(
        phy.read(8, regs::MMD_DATA).to_string(),
        "8 r 0x0e EIO mmd 31.0x0000"
    );
}

#[test]
fn counters_text() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    read(&mut phy, 0, regs::BMSR);
    mmd_read(&mut phy, 0, 31, 0x871);
    let text = phy.counters().to_string();
    assert_eq!(
        text,
        "c22 0x01 reads 1 writes 0 failed 0\n\
         c22 0x0d reads 0 writes 2 failed 0\n\
         c22 0x0e reads 1 writes 1 failed 0\n\
         mmd 31.0x0871 reads 1 writes 0 failed 0\n"
    );
    phy.clear_counters();
    assert_eq!(phy.counters().to_string(), "");
}

#[test]
fn counters_overflow_into_other() {
    let mut phy = Phy::new(Model::Dp83tg720, 0);
    for reg in 0..40u16 {
        mmd_read(&mut phy, 0, 31, 0x100 + reg);
    }
    assert_eq!(phy.counters().mmd_other().reads, 40 - 32);
    assert!(phy
        .counters()
        .to_string()
        .ends_with("mmd other reads 8 writes 0 failed 0\n"));
}

#[test]
fn numbers() {
    assert_eq!(text::parse_number(b"0x05e1\n", 0xffff), Ok(0x5e1));
    assert_eq!(text::parse_number(b" 150 ", 1000), Ok(150));
    assert_eq!(text::parse_number(b"1001", 1000), Err(InvalidInput));
    assert_eq!(text::parse_number(b"0x", 10), Err(InvalidInput));
    assert_eq!(text::parse_number(b"-1", 10), Err(InvalidInput));
    assert_eq!(text::parse_number(b"1 2", 10), Err(InvalidInput));
    assert_eq!(text::parse_number(b"", 10), Err(InvalidInput));
    assert_eq!(
        text::parse_number(b"99999999999", u32::MAX),
        Err(InvalidInput)
    );
    assert_eq!(text::parse_number(&[b'1'; 40], u32::MAX), Err(InvalidInput));
}

#[test]
fn sized_numbers() {
    assert_eq!(text::parse_u16(b"0xffff"), Ok(0xffff));
    assert_eq!(text::parse_u16(b"65536"), Err(InvalidInput));
    assert_eq!(text::parse_u8(b"7", 7), Ok(7));
    assert_eq!(text::parse_u8(b"8", 7), Err(InvalidInput));
}

#[test]
fn switches_roles_and_fault_counts() {
    assert_eq!(text::parse_switch(b"up\n"), Ok(true));
    assert_eq!(text::parse_switch(b"0"), Ok(false));
    assert_eq!(text::parse_switch(b"yes"), Err(InvalidInput));
    assert_eq!(text::parse_role(b"slave\n"), Ok(Role::Slave));
    assert_eq!(text::parse_role(b"boss"), Err(InvalidInput));
    assert_eq!(text::parse_fault_count(b"always"), Ok(FaultCount::Always));
    assert_eq!(text::parse_fault_count(b"3\n"), Ok(FaultCount::Next(3)));
    assert_eq!(text::parse_fault_count(b"x"), Err(InvalidInput));
    assert_eq!(FaultCountText(FaultCount::Next(3)).to_string(), "3");
    assert_eq!(FaultCountText(FaultCount::Always).to_string(), "always");
}

#[test]
fn state_machine_commands() {
    assert_eq!(
        text::parse_state_machine(b"manual\n"),
        Ok(StateMachineCommand::Manual)
    );
    assert_eq!(
        text::parse_state_machine(b"run"),
        Ok(StateMachineCommand::Run)
    );
    assert_eq!(
        text::parse_state_machine(b" auto "),
        Ok(StateMachineCommand::Auto)
    );
    assert_eq!(text::parse_state_machine(b"run run"), Err(InvalidInput));
    assert_eq!(text::parse_state_machine(b"poll"), Err(InvalidInput));
}

#[test]
fn cables() {
    for (input, cable) in [
        (&b"ok\n"[..], CableFault::None),
        (b"noise", CableFault::Noise),
        (b"open 12", CableFault::Open(12)),
        (b"short  31\n", CableFault::Short(31)),
    ] {
        assert_eq!(text::parse_cable(input), Ok(cable));
        let shown = CableText(cable).to_string();
        assert_eq!(text::parse_cable(shown.as_bytes()), Ok(cable));
    }
    for bad in [
        &b"open"[..],
        b"open 0",
        b"open 32",
        b"ok 3",
        b"short x",
        b"cut 3",
        b"open 3 4",
        b"",
    ] {
        assert_eq!(text::parse_cable(bad), Err(InvalidInput), "{bad:?}");
    }
}

#[test]
fn link_text() {
    assert_eq!(LinkText(Link::Down).to_string(), "down");
    assert_eq!(
        LinkText(Link::Training { since_ms: 3 }).to_string(),
        "training"
    );
    assert_eq!(LinkText(Link::Up(Mode::Half10)).to_string(), "up 10 half");
    assert_eq!(
        LinkText(Link::Up(Mode::Full1000T1)).to_string(),
        "up 1000 full"
    );
}

#[test]
fn tdr_register_round_trip() {
    for metres in 1..=oa_tdr::MAX_FAULT_METRES {
        let reg = CableFault::Open(metres).encode();
        assert_eq!(
            oa_tdr::fault_distance_cm(reg),
            Some(u32::from(metres) * 100)
        );
    }
    // What open_alliance_helpers.c does with values no model produces.
    assert_eq!(
        oa_tdr::result_code(0x3f00 | 0x0d0),
        oa_tdr::ResultCode::ResolutionNotPossible
    );
    assert_eq!(
        oa_tdr::result_code(0x0100 | 0x080),
        oa_tdr::ResultCode::Unspec
    );
    assert_eq!(
        CableFault::Open(200).encode(),
        CableFault::Open(oa_tdr::MAX_FAULT_METRES).encode()
    );
}
