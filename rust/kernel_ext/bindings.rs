// SPDX-License-Identifier: GPL-2.0

//! Mounting bindings that `scripts/Makefile.bindgen` generated.

/// Mounts the bindings that `scripts/Makefile.bindgen` generated into `FILE` (a path relative to
/// the file that invokes the macro, as `include!` takes it) as module `NAME`:
/// `generated_bindings!(mod NAME = "FILE");`.
///
/// Only allowlisted items are generated; the types they mention resolve against the tree's
/// `kernel::bindings`, as in the kernel's own `bindings` crate.
#[macro_export]
macro_rules! generated_bindings {
    ($(#[$attr:meta])* $vis:vis mod $name:ident = $file:literal) => {
        $(#[$attr])*
        // Which of these lints fire depends on what the allowlist brings in: generated code, as
        // the tree's rust/bindings/lib.rs allows them for its own.
        #[allow(
            dead_code,
            improper_ctypes,
            non_camel_case_types,
            non_snake_case,
            non_upper_case_globals,
            unreachable_pub,
            unsafe_op_in_unsafe_fn,
            unused_imports,
            clippy::missing_safety_doc,
            clippy::ptr_as_ptr,
            clippy::ref_as_ptr,
            clippy::undocumented_unsafe_blocks
        )]
        $vis mod $name {
            use kernel::bindings::*;
            use kernel::ffi;
            use pin_init::MaybeZeroable;
            include!($file);
        }
    };
}
