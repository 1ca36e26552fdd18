// SPDX-License-Identifier: GPL-2.0

//! String module parameters, which the kernel crate's `module!` cannot declare.
//!
//! `module!` declares integer and `bool` parameters only. A module that takes a name (a mode, a
//! backend) declares it in its C shim with `module_param_string()`, as C modules do, and reads it
//! from Rust with [`string`], which finds it among the module's parameters by name.
//!
//! ```ignore
//! // my_shim.c
//! static char mode[8] = "lazy";
//! module_param_string(mode, mode, sizeof(mode), 0444);
//!
//! // my_main.rs, in `init()`
//! let mode = module_param::string(module, c"mode").ok_or(EINVAL)?;
//! ```

use core::{
    ptr,
    slice, //
};
use kernel::{
    bindings,
    prelude::*,
    str::CStr, //
};

/// Returns the value of `module`'s string parameter `name`.
///
/// `None` if `module` has no such parameter, if it is not a string (`module_param_string()`),
/// or if it is writable in sysfs (its value could change while it is read), or for built-in code
/// (no `struct module`).
pub fn string(module: &'static ThisModule, name: &CStr) -> Option<&'static CStr> {
    let module = module.as_ptr();
    if module.is_null() {
        return None;
    }
    // SAFETY: By the invariants of `ThisModule` a non-null pointer is the module's own `struct
    // module`, alive as long as the module, which the `'static` reference stands for.
    let (kp, num_kp) = unsafe { ((*module).kp, (*module).num_kp) };
    if kp.is_null() {
        return None;
    }
    // SAFETY: `load_module()` points `kp` at the module's `__param` section of `num_kp` entries
    // before the module runs, in the module's memory, and never changes them afterwards.
    let params = unsafe { slice::from_raw_parts(kp, num_kp as usize) };
    let param = params.iter().find(|param| {
        // SAFETY: Every parameter has a NUL-terminated name in the module's memory.
        !param.name.is_null() && unsafe { CStr::from_char_ptr(param.name) } == name
    })?;
    if !ptr::eq(param.ops, &raw const bindings::param_ops_string) || param.perm & 0o222 != 0 {
        return None;
    }
    // SAFETY: The argument of a parameter with `param_ops_string` is a `struct kparam_string`
    // (`module_param_string()`), in the module's memory.
    let string = unsafe { (*param.__bindgen_anon_1.str_).string };
    // SAFETY: `param_ops_string` keeps the buffer NUL-terminated; it writes it only while the
    // module's arguments are parsed at load, before the module runs, or through sysfs, where the
    // parameter is not writable.
    Some(unsafe { CStr::from_char_ptr(string) })
}
