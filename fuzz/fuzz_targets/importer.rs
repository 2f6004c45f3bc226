//! Any text as a doc page: importing never panics, and what it gives can be written as YAML
//! and checked without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let imported = alipay_codegen::import::import_page(text);
    if let Ok(yaml) = alipay_codegen::import::spec_file(&imported.spec) {
        let _ = alipay_codegen::spec::load_str("page.yaml", &yaml);
    }
});
