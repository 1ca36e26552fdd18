// SPDX-License-Identifier: GPL-2.0

//! Environment probe of the rkm test suite.
//!
//! Proves the build recipe for kernel APIs the tree's `bindings` crate lacks
//! (Documentation/bindings.rst) in a loadable module: `kho_is_enabled()` and
//! `is_kho_boot()` come from bindings generated at build time (their header is
//! not in rust/bindings/bindings_helper.h), the kernel configuration and the
//! online CPU count from a C shim linked into the same `.ko` (a macro and a
//! static inline, which Rust cannot call). The environment kselftest compares
//! what it shows in `/sys/kernel/debug/rkm_env/` with what user space sees:
//!
//! - `kho`: `enabled=<0|1> boot=<0|1>`
//! - `config`: one `CONFIG_<NAME>=y|n` line per option the rkm suites rely on
//! - `online_cpus`: the number of online CPUs
//! - `warn`: writing `1` raises a kernel WARNING, so the harness can prove it
//!   catches a real splat; anything else fails with `EINVAL`

use core::fmt;
use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    prelude::*,
    uaccess::UserSliceReader, //
};

#[path = "kernel_ext_generated.rs"]
pub mod kernel_ext;

crate::generated_bindings!(
    /// Items generated from rkm_env_bindings.h.
    mod ffi_ext = "rkm_env_bindings_generated.rs"
);

module! {
    type: RkmEnv,
    name: "rkm_env",
    authors: ["rkm developers"],
    description: "rkm test environment probe (generated bindings and C shim)",
    license: "GPL",
}

/// A kernel option as the C preprocessor sees it through the shim, paired
/// with the same option as Rust's `cfg` sees it.
struct ConfigOption {
    name: &'static str,
    shim_bit: u32,
    rust_cfg: bool,
}

const CONFIG_OPTIONS: [ConfigOption; 7] = [
    ConfigOption {
        name: "RUST",
        shim_bit: ffi_ext::RKM_ENV_RUST,
        rust_cfg: cfg!(CONFIG_RUST),
    },
    ConfigOption {
        name: "KUNIT",
        shim_bit: ffi_ext::RKM_ENV_KUNIT,
        rust_cfg: cfg!(CONFIG_KUNIT),
    },
    ConfigOption {
        name: "KEXEC_HANDOVER",
        shim_bit: ffi_ext::RKM_ENV_KEXEC_HANDOVER,
        rust_cfg: cfg!(CONFIG_KEXEC_HANDOVER),
    },
    ConfigOption {
        name: "PROVE_LOCKING",
        shim_bit: ffi_ext::RKM_ENV_PROVE_LOCKING,
        rust_cfg: cfg!(CONFIG_PROVE_LOCKING),
    },
    ConfigOption {
        name: "KASAN",
        shim_bit: ffi_ext::RKM_ENV_KASAN,
        rust_cfg: cfg!(CONFIG_KASAN),
    },
    ConfigOption {
        name: "DEBUG_KMEMLEAK",
        shim_bit: ffi_ext::RKM_ENV_DEBUG_KMEMLEAK,
        rust_cfg: cfg!(CONFIG_DEBUG_KMEMLEAK),
    },
    ConfigOption {
        name: "PHYLIB",
        shim_bit: ffi_ext::RKM_ENV_PHYLIB,
        rust_cfg: cfg!(CONFIG_PHYLIB),
    },
];

fn shim_config() -> u32 {
    // SAFETY: `rkm_env_config` only evaluates constants; it has no preconditions.
    unsafe { ffi_ext::rkm_env_config() }
}

fn online_cpus() -> u32 {
    // SAFETY: `rkm_env_num_online_cpus` reads the online mask; callable from any context.
    unsafe { ffi_ext::rkm_env_num_online_cpus() }
}

/// Kexec HandOver state, fixed for the life of this kernel.
struct Kho {
    enabled: bool,
    boot: bool,
}

impl Kho {
    fn probe() -> Self {
        // SAFETY: Both read flags set during boot; they have no preconditions.
        let (enabled, boot) = unsafe { (ffi_ext::kho_is_enabled(), ffi_ext::is_kho_boot()) };
        Self { enabled, boot }
    }
}

fn show_kho(kho: &Kho, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(
        f,
        "enabled={} boot={}",
        u8::from(kho.enabled),
        u8::from(kho.boot)
    )
}

fn show_config(bits: &u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for option in &CONFIG_OPTIONS {
        let value = if bits & option.shim_bit != 0 {
            'y'
        } else {
            'n'
        };
        writeln!(f, "CONFIG_{}={}", option.name, value)?;
    }
    Ok(())
}

fn show_online_cpus(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{}", online_cpus())
}

fn write_warn(_: &(), reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 2];
    let len = reader.len();
    if len == 0 || len > buf.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut buf[..len])?;
    match &buf[..len] {
        b"1" | b"1\n" => {
            kernel::warn_on!(true);
            Ok(())
        }
        _ => Err(EINVAL),
    }
}

#[pin_data]
struct RkmEnv {
    #[pin]
    kho: File<Kho>,
    #[pin]
    config: File<u32>,
    #[pin]
    online_cpus: File<()>,
    #[pin]
    warn: File<()>,
    // Last: the files above borrow it while they are created.
    _dir: Dir,
}

impl kernel::InPlaceModule for RkmEnv {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let dir = Dir::new(c"rkm_env");
        try_pin_init!(Self {
            kho <- dir.read_callback_file(c"kho", Kho::probe(), &show_kho),
            config <- dir.read_callback_file(c"config", shim_config(), &show_config),
            online_cpus <- dir.read_callback_file(c"online_cpus", (), &show_online_cpus),
            warn <- dir.write_callback_file(c"warn", (), &write_warn),
            _dir: dir,
        })
    }
}

#[kunit_tests(rkm_env)]
mod tests {
    use super::*;
    use core::ptr;
    use kernel::bindings;

    /// The shim's `IS_ENABLED()` and Rust's `cfg!` read the same .config.
    #[test]
    fn shim_config_matches_rust_cfg() {
        let bits = shim_config();
        for option in &CONFIG_OPTIONS {
            let enabled_in_c = bits & option.shim_bit != 0;
            assert_eq!(enabled_in_c, option.rust_cfg);
        }
    }

    /// The shim calls the static inline, not a stale copy: the count is real.
    #[test]
    fn online_cpus_within_possible() {
        let online = online_cpus();
        assert!(online >= 1);
        assert!(online <= kernel::cpu::nr_cpu_ids());
    }

    /// Whether KHO's debugfs directory `kho/<name>` exists.
    fn kho_debugfs_has(name: &CStr) -> bool {
        // SAFETY: The name is NUL-terminated; a NULL parent is the debugfs root.
        let kho = unsafe { bindings::debugfs_lookup(c"kho".as_char_ptr(), ptr::null_mut()) };
        if kho.is_null() {
            return false;
        }
        // SAFETY: `name` is NUL-terminated; `kho` is a dentry that the reference we hold keeps.
        let sub = unsafe { bindings::debugfs_lookup(name.as_char_ptr(), kho) };
        let found = !sub.is_null();
        // SAFETY: Each is NULL or a dentry `debugfs_lookup()` returned with a reference, which
        // `dput()` drops (`dput(NULL)` does nothing).
        unsafe {
            bindings::dput(sub);
            bindings::dput(kho);
        }
        found
    }

    /// The bound functions agree with what KHO's init created from its own state (with
    /// `CONFIG_KEXEC_HANDOVER_DEBUGFS`, which the suite's config requires): `kho/out` while KHO
    /// is enabled, `kho/in` in a kernel that a KHO kexec started. The shared boot (`kho=on`,
    /// cold) tells the two functions apart: enabled, and no KHO boot.
    #[test]
    fn kho_matches_its_debugfs() {
        let kho = Kho::probe();
        assert_eq!(kho.enabled, kho_debugfs_has(c"out"));
        assert_eq!(kho.boot, kho_debugfs_has(c"in"));
    }
}
