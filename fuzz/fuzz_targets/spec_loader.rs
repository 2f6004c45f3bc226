//! Any bytes as a spec file: loading never panics, and a spec that loads generates code
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = alipay_codegen::spec::load_bytes("fuzz.yaml", data) {
        let _ = alipay_codegen::generate::generate_files([&spec]);
    }
});
