//! Any text as Alipay's OpenAPI document: the import never panics, and every spec it plans
//! loads and checks without panicking.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// An empty specs folder: every operation is a new spec.
fn empty_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("alipay-fuzz-openapi-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(import) =
        alipay_codegen::import::openapi::import_openapi(Path::new("openapi.json"), text, empty_dir())
    else {
        return;
    };
    for spec in &import.specs {
        let _ = alipay_codegen::spec::load_str(&spec.file.to_string_lossy(), &spec.text);
    }
});
