// SPDX-License-Identifier: GPL-2.0

//! The module parameters, checked once at load.
//!
//! Each refusal logs one line naming the parameter and fails the load with the errno the
//! parameter's documentation in Documentation/rkm_accept.rst gives.

#[cfg(any(CONFIG_INTEL_TDX_GUEST, CONFIG_AMD_MEM_ENCRYPT))]
use crate::kernel_ext::coco;
use crate::kernel_ext::{
    mm,
    module_param, //
};
use core::num::NonZeroU32;
use kernel::{
    page::PAGE_SIZE,
    prelude::*,
    time::Delta, //
};

/// When the region is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A unit is accepted on the first touch of any of its pages.
    Lazy,
    /// Every unit is accepted at load.
    Eager,
}

impl Mode {
    /// Parses the `mode` parameter.
    pub(crate) fn parse(name: &[u8]) -> Option<Self> {
        match name {
            b"lazy" => Some(Self::Lazy),
            b"eager" => Some(Self::Eager),
            _ => None,
        }
    }
}

/// What accepting a unit does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BackendKind {
    /// TDX semantics on ordinary memory: accepted memory reads as zeros.
    EmulatedTdx,
    /// SNP semantics on ordinary memory: accepted memory holds unspecified contents (poison).
    EmulatedSnp,
    /// Real conversions in a TDX guest.
    #[cfg(CONFIG_INTEL_TDX_GUEST)]
    Tdx,
    /// Real conversions in an SEV-SNP guest.
    #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
    Snp,
}

/// Why a `backend` name was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BackendError {
    /// Not a backend name at all.
    Unknown,
    /// A real backend this kernel was built without; the name is the config option.
    #[cfg(any(not(CONFIG_INTEL_TDX_GUEST), not(CONFIG_AMD_MEM_ENCRYPT)))]
    NotBuilt(&'static str),
}

impl BackendKind {
    /// Parses the `backend` parameter.
    pub(crate) fn parse(name: &[u8]) -> Result<Self, BackendError> {
        match name {
            b"emulated-tdx" => Ok(Self::EmulatedTdx),
            b"emulated-snp" => Ok(Self::EmulatedSnp),
            #[cfg(CONFIG_INTEL_TDX_GUEST)]
            b"tdx" => Ok(Self::Tdx),
            #[cfg(not(CONFIG_INTEL_TDX_GUEST))]
            b"tdx" => Err(BackendError::NotBuilt("CONFIG_INTEL_TDX_GUEST")),
            #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
            b"snp" => Ok(Self::Snp),
            #[cfg(not(CONFIG_AMD_MEM_ENCRYPT))]
            b"snp" => Err(BackendError::NotBuilt("CONFIG_AMD_MEM_ENCRYPT")),
            _ => Err(BackendError::Unknown),
        }
    }

    /// Returns `true` for the backends that convert memory for real.
    pub(crate) fn is_real(self) -> bool {
        !matches!(self, Self::EmulatedTdx | Self::EmulatedSnp)
    }

    /// Returns `true` if accepted memory reads as zeros (TDX), `false` if it reads as it was
    /// (SNP).
    pub(crate) fn accept_clears(self) -> bool {
        match self {
            Self::EmulatedTdx => true,
            Self::EmulatedSnp => false,
            #[cfg(CONFIG_INTEL_TDX_GUEST)]
            Self::Tdx => true,
            #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
            Self::Snp => false,
        }
    }
}

/// The checked module parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// Bytes in the region, a whole number of units.
    pub(crate) size: u64,
    /// Bytes per unit, a whole number of pages.
    pub(crate) unit_size: NonZeroU32,
    /// When the region is accepted.
    pub(crate) mode: Mode,
    /// Bytes at the start of the region accepted before load, as firmware does for the kernel.
    pub(crate) pre_accepted: u64,
    /// Units accepted ahead of a sequential walk; 0 turns accept-ahead off.
    pub(crate) accept_ahead: u64,
    /// What accepting does.
    pub(crate) backend: BackendKind,
    /// Extra time an emulated accept takes per unit.
    pub(crate) accept_delay: Delta,
    /// Unit on which the emulated backends fail, to exercise failure handling.
    pub(crate) fail_unit: Option<u64>,
}

impl Config {
    /// Reads and checks the parameters of `module`.
    pub(crate) fn from_params(module: &'static ThisModule) -> Result<Self> {
        let size = crate::module_parameters::size.value();
        let unit_size = crate::module_parameters::unit_size.value();
        let pre_accepted = crate::module_parameters::pre_accepted.value();
        let accept_ahead = crate::module_parameters::accept_ahead.value();
        let accept_delay_us = crate::module_parameters::accept_delay_us.value();
        let fail_unit = crate::module_parameters::fail_unit.value();

        let Some(unit_size) =
            NonZeroU32::new(unit_size).filter(|unit| unit.get() as usize % PAGE_SIZE == 0)
        else {
            pr_err!("unit_size={unit_size}: must be a positive multiple of {PAGE_SIZE}\n");
            return Err(EINVAL);
        };
        if size == 0 || size % u64::from(unit_size.get()) != 0 {
            let unit_size = unit_size.get();
            pr_err!("size={size}: must be a positive multiple of unit_size={unit_size}\n");
            return Err(EINVAL);
        }
        if pre_accepted > size {
            pr_err!("pre_accepted={pre_accepted}: larger than size={size}\n");
            return Err(EINVAL);
        }

        // `mode` and `backend` are declared, read-only, in the C shim.
        let mode_name = module_param::string(module, c"mode").ok_or(EINVAL)?;
        let Some(mode) = Mode::parse(mode_name.to_bytes()) else {
            pr_err!("mode={mode_name}: expected lazy or eager\n");
            return Err(EINVAL);
        };

        let backend_name = module_param::string(module, c"backend").ok_or(EINVAL)?;
        let backend = match BackendKind::parse(backend_name.to_bytes()) {
            Ok(backend) => backend,
            Err(BackendError::Unknown) => {
                pr_err!(
                    "backend={backend_name}: expected emulated-tdx, emulated-snp, tdx or snp\n"
                );
                return Err(EINVAL);
            }
            #[cfg(any(not(CONFIG_INTEL_TDX_GUEST), not(CONFIG_AMD_MEM_ENCRYPT)))]
            Err(BackendError::NotBuilt(option)) => {
                pr_err!("backend={backend_name}: this kernel is built without {option}\n");
                return Err(ENODEV);
            }
        };

        let free = mm::free_ram();
        if size > free {
            pr_err!("size={size}: more than the {free} bytes of free memory\n");
            return Err(ENOMEM);
        }

        Ok(Self {
            size,
            unit_size,
            mode,
            pre_accepted,
            accept_ahead,
            backend,
            accept_delay: Delta::from_micros(i64::from(accept_delay_us)),
            fail_unit: u64::try_from(fail_unit).ok(),
        })
    }

    /// Returns the number of units of the region.
    pub(crate) fn units(&self) -> u64 {
        self.size / u64::from(self.unit_size.get())
    }
}

/// Fails with `ENODEV` unless this guest is one `backend` can convert memory in.
pub(crate) fn check_backend(backend: BackendKind) -> Result {
    match backend {
        BackendKind::EmulatedTdx | BackendKind::EmulatedSnp => Ok(()),
        #[cfg(CONFIG_INTEL_TDX_GUEST)]
        BackendKind::Tdx => {
            if !coco::tdx_guest() {
                pr_err!("backend=tdx: this is not a TDX guest (cc_platform_has)\n");
                return Err(ENODEV);
            }
            Ok(())
        }
        #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
        BackendKind::Snp => {
            if !coco::snp_guest() {
                pr_err!("backend=snp: this is not an SEV-SNP guest (cc_platform_has)\n");
                return Err(ENODEV);
            }
            Ok(())
        }
    }
}

#[kunit_tests(rkm_accept_config)]
mod tests {
    use super::*;

    /// Exactly the documented names, nothing close to them.
    #[test]
    fn mode_names() {
        assert_eq!(Mode::parse(b"lazy"), Some(Mode::Lazy));
        assert_eq!(Mode::parse(b"eager"), Some(Mode::Eager));
        for bad in [&b""[..], b"Lazy", b"lazy\n", b"eage", b"eagerly"] {
            assert_eq!(Mode::parse(bad), None);
        }
    }

    /// Each backend name, and the real ones since this kernel has both guest options.
    #[test]
    fn backend_names() {
        assert_eq!(
            BackendKind::parse(b"emulated-tdx"),
            Ok(BackendKind::EmulatedTdx)
        );
        assert_eq!(
            BackendKind::parse(b"emulated-snp"),
            Ok(BackendKind::EmulatedSnp)
        );
        for bad in [&b""[..], b"emulated", b"TDX", b"tdx ", b"sev-snp"] {
            assert_eq!(BackendKind::parse(bad), Err(BackendError::Unknown));
        }
        assert!(!BackendKind::EmulatedTdx.is_real());
        assert!(!BackendKind::EmulatedSnp.is_real());
        #[cfg(CONFIG_INTEL_TDX_GUEST)]
        assert_eq!(BackendKind::parse(b"tdx"), Ok(BackendKind::Tdx));
        #[cfg(CONFIG_AMD_MEM_ENCRYPT)]
        assert!(BackendKind::parse(b"snp").is_ok_and(BackendKind::is_real));
    }
}
