//! Embeds every spec of `specs/` and its `sdk/` layer (the doc-page spec wins where a method
//! is in both) as text: `alipay call`, `alipay methods` and `alipay gateway` read them at
//! run time, so the command serves the whole catalog without compiling its code.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| p.file_stem().is_some_and(|s| s != "common"))
        .collect()
}

/// The spec's `title:` when it is a plain scalar on one line, or a double-quoted one without
/// escapes; anything else is left to the YAML parser at run time.
fn plain_title(text: &str) -> Option<String> {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("title: "))?
        .trim_end();
    if let Some(inner) = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        return (!inner.contains(['"', '\\'])).then(|| inner.to_owned());
    }
    let special = line.starts_with(|c: char| "'|>&*!%@`{[#-?:,\"".contains(c));
    let plain = !line.is_empty() && !special && !line.contains(": ") && !line.contains(" #");
    plain.then(|| line.to_owned())
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let specs = manifest.join("../specs");
    let sdk = specs.join("sdk");
    println!("cargo:rerun-if-changed={}", specs.display());
    println!("cargo:rerun-if-changed={}", sdk.display());
    // By method (the file stem): the SDK layer first, then the doc pages over it.
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in yaml_files(&sdk).into_iter().chain(yaml_files(&specs)) {
        let method = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        println!("cargo:rerun-if-changed={}", path.display());
        files.insert(method, path);
    }
    let mut out = String::from(
        "/// Every embedded spec, by method name (sorted): the method, its title when the spec\n\
         /// writes it plainly on one line (`alipay methods` then parses nothing), and the text.\n\
         pub static SPECS: &[(&str, Option<&str>, &str)] = &[\n",
    );
    for (method, path) in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let title = plain_title(&text);
        let path = path.canonicalize().unwrap_or_else(|_| path.clone());
        let _ = writeln!(
            out,
            "    ({method:?}, {title:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("specs.rs"), out) {
        eprintln!("error: cannot write the embedded spec table: {e}");
        std::process::exit(1);
    }
}
