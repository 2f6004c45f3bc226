//! Embeds every spec of the `alipay-specs` data crate (the folder `specs/` and its `sdk/`
//! layer; the doc-page spec wins where a method is in both) as text: `alipay call`, `alipay
//! methods` and `alipay gateway` read them at run time, so the command serves the whole
//! catalog without compiling its code. `alipay --version` names the catalog: the data crate's
//! version, how many methods, and a SHA-256 of what was embedded.

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
    plain_scalar(text.lines().find_map(|l| l.strip_prefix("title: "))?)
}

/// A spec's v3 route as read by a small text scan, so `alipay gateway` knows every route at
/// start without parsing the specs: the Rust expression of an `alipay_runtime::v3::Route`,
/// or `None` when the spec has no `route:` block. `Err` when the block is written in a way
/// this scan does not read (the method's spec is then parsed at start instead). The test
/// `catalog::tests::scanned_routes_are_the_parsed_ones` holds the scan to the YAML parser.
fn scanned_route(text: &str) -> Result<Option<String>, ()> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != "route:");
    if lines.next().is_none() {
        return Ok(None);
    }
    let (mut http_method, mut path, mut body, mut v2) = (None, None, "Json", true);
    let mut query: Vec<String> = Vec::new();
    let mut in_query = false;
    let mut skipping = false;
    for line in lines {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            break;
        }
        if let Some(item) = line.strip_prefix("    - ").filter(|_| in_query) {
            query.push(plain_scalar(item).ok_or(())?);
            continue;
        }
        if line.starts_with("   ") {
            // The continuation of a member this scan skips (a folded `note`).
            if skipping {
                continue;
            }
            return Err(());
        }
        in_query = false;
        skipping = false;
        let member = line.trim();
        let (key, value) = member.split_once(':').ok_or(())?;
        let value = value.trim();
        match key {
            "http_method" => {
                http_method = Some(match value {
                    "GET" => "Get",
                    "POST" => "Post",
                    "PUT" => "Put",
                    "PATCH" => "Patch",
                    "DELETE" => "Delete",
                    _ => return Err(()),
                })
            }
            "path" => path = Some(plain_scalar(value).ok_or(())?),
            "body" => {
                body = match value {
                    "json" => "Json",
                    "multipart" => "Multipart",
                    "none" => "None",
                    _ => return Err(()),
                }
            }
            "v2" => {
                v2 = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(()),
                }
            }
            "query" if value.is_empty() => in_query = true,
            "query" => return Err(()),
            "source" | "note" => skipping = true,
            _ => return Err(()),
        }
    }
    let (Some(http_method), Some(path)) = (http_method, path) else {
        return Err(());
    };
    Ok(Some(format!(
        "alipay_runtime::v3::Route {{ http_method: alipay_runtime::v3::HttpMethod::{http_method}, path: {path:?}, query: &{query:?}, body: alipay_runtime::v3::RouteBody::{body}, v2: {v2} }}"
    )))
}

/// A YAML scalar this scan reads: plain, or double-quoted without escapes.
fn plain_scalar(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return (!inner.contains(['"', '\\'])).then(|| inner.to_owned());
    }
    let special = value.starts_with(|c: char| "'|>&*!%@`{[#-?:,\"".contains(c));
    let plain = !value.is_empty() && !special && !value.contains(": ") && !value.contains(" #");
    plain.then(|| value.to_owned())
}

/// `alipay-specs <version>, <n> methods, sha256 <16 hex digits>`: the digest covers each
/// embedded method's name and text, in order, so two builds embedding the same catalog say the
/// same, and any spec change shows.
fn catalog_line(files: &BTreeMap<String, PathBuf>) -> String {
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for (method, path) in files {
        let text = std::fs::read(path).unwrap_or_default();
        for chunk in [method.as_bytes(), b"\0", &text, b"\0"] {
            digest.update(chunk);
        }
    }
    let hash = digest.finish();
    let short: String = hash.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "alipay-specs {}, {} methods, sha256 {short}",
        alipay_specs::VERSION,
        files.len()
    )
}

fn main() {
    // The specs come from the data crate (a build dependency), never from a path outside this
    // package: the packaged command builds from its dependencies alone.
    let specs = PathBuf::from(alipay_specs::DIR);
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
    let mut routes = String::from(
        "/// The v3 route of every embedded spec that has one (the spec that wins for its method),\n\
         /// read by a text scan at build time: (method, route), by method.\n\
         pub static ROUTES: &[(&str, alipay_runtime::v3::Route)] = &[\n",
    );
    let mut unscanned = String::from(
        "/// The embedded specs whose `route` the build's scan could not read: parsed at start.\n\
         pub static UNSCANNED_ROUTES: &[&str] = &[\n",
    );
    for (method, path) in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match scanned_route(&text) {
            Ok(None) => {}
            Ok(Some(route)) => {
                let _ = writeln!(routes, "    ({method:?}, {route}),");
            }
            Err(()) => {
                let _ = writeln!(unscanned, "    {method:?},");
            }
        }
    }
    out.push_str(&routes);
    out.push_str("];\n");
    out.push_str(&unscanned);
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// `alipay --version` (after `alipay `): the command's version and the catalog it embeds:\n\
         /// the `alipay-specs` version, the number of methods, the start of the SHA-256 of every\n\
         /// embedded (method, text).\n\
         pub const VERSION: &str = \"{} (catalog: {})\";",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default(),
        catalog_line(&files)
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("specs.rs"), out) {
        eprintln!("error: cannot write the embedded spec table: {e}");
        std::process::exit(1);
    }
}
