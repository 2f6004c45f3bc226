//! Reading spec files: one text, one file, or a whole folder, with every problem reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::common::{COMMON, COMMON_FILE, CommonSpec};
use super::diagnostic::{Diagnostic, FieldPath, Pos};
use super::lint;
use super::model::{Provenance, Spec};
use super::report::Reporter;
use super::shape::{self, KeyRule, Kind};
use super::tree::Node;
use super::yaml;
use crate::progress::Stage;

/// Everything read from a folder (or a list of files): the specs that passed every check, and
/// every problem of every file.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// The method specs without problems, sorted by file name.
    pub specs: Vec<(PathBuf, Spec)>,
    /// `common.yaml`, if it was among the inputs and has no problems.
    pub common: Option<(PathBuf, CommonSpec)>,
    /// Every problem of every file, files in the order read, problems in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadReport {
    /// Whether no file had a problem.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Loads and checks a method spec from text. `source_name` names it in diagnostics; when it
/// ends in `.yaml`, the file name must be `<method>.yaml`.
pub fn load_str(source_name: &str, text: &str) -> Result<Spec, Vec<Diagnostic>> {
    load_text(Path::new(source_name), text, SPEC)
}

/// Loads and checks a method spec from raw bytes (which must be UTF-8), as [`load_str`].
pub fn load_bytes(source_name: &str, bytes: &[u8]) -> Result<Spec, Vec<Diagnostic>> {
    let text = decode_utf8(Path::new(source_name), bytes.to_vec())?;
    load_str(source_name, &text)
}

/// Loads and checks a method spec file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Spec, Vec<Diagnostic>> {
    let path = path.as_ref();
    load_text(path, &read_text(path)?, SPEC)
}

/// Loads and checks `common.yaml` from text.
pub fn load_common_str(source_name: &str, text: &str) -> Result<CommonSpec, Vec<Diagnostic>> {
    load_text(Path::new(source_name), text, COMMON_SPEC)
}

/// Loads and checks a `common.yaml` file.
pub fn load_common_file(path: impl AsRef<Path>) -> Result<CommonSpec, Vec<Diagnostic>> {
    let path = path.as_ref();
    load_text(path, &read_text(path)?, COMMON_SPEC)
}

/// Loads and checks every `*.yaml` file of a folder, sorted by file name: `common.yaml` as the
/// shared spec, every other file as a method spec; then those of its [`SDK_LAYER`] subfolder,
/// if any (the specs converted from the SDK's models; other subfolders are not read). A
/// method specified both in the folder and in its `sdk/` layer is taken from the folder: the
/// doc-page spec wins, and that is not a problem. Files with another extension are left
/// alone, except `*.yml`, which is reported (spec files end in `.yaml`).
pub fn load_dir(dir: impl AsRef<Path>) -> LoadReport {
    load_paths(&[dir.as_ref().to_owned()])
}

/// The subfolder of a specs folder holding the specs converted from the official SDK's
/// models (`provenance: sdk_models`), below the doc-page specs of the folder itself.
pub const SDK_LAYER: &str = "sdk";

/// Whether `path` is in an [`SDK_LAYER`] folder.
pub fn in_sdk_layer(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == SDK_LAYER)
}

/// [`load_dir`] for the files `keep` accepts (by path) only: the others are not read.
pub fn load_dir_where(dir: impl AsRef<Path>, keep: impl Fn(&Path) -> bool) -> LoadReport {
    load_paths_where(&[dir.as_ref().to_owned()], keep)
}

/// The spec files [`load_dir`] reads (`common.yaml` included), in the order it reads them.
pub fn spec_files(dir: impl AsRef<Path>) -> std::io::Result<Vec<PathBuf>> {
    let dir = dir.as_ref();
    let mut files = list_dir(dir)?;
    let layer = dir.join(SDK_LAYER);
    if layer.is_dir() {
        files.extend(list_dir(&layer)?);
    }
    Ok(files)
}

/// Loads and checks files and folders (folders as by [`load_dir`]), in the order given.
pub fn load_paths(paths: &[PathBuf]) -> LoadReport {
    load_paths_where(paths, |_| true)
}

fn load_paths_where(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> LoadReport {
    let mut report = LoadReport::default();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let layer = path.join(SDK_LAYER);
            let folders: &[&Path] = if layer.is_dir() {
                &[path.as_path(), layer.as_path()]
            } else {
                &[path.as_path()]
            };
            for folder in folders {
                match list_dir(folder) {
                    Ok(listed) => files.extend(listed),
                    Err(e) => report
                        .diagnostics
                        .push(file_problem(folder, format!("cannot read folder: {e}"))),
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    files.retain(|f| keep(f));
    // The first file that defined each method, and the first common.yaml.
    let mut methods: HashMap<String, PathBuf> = HashMap::new();
    let mut common_at: Option<PathBuf> = None;
    for (path, outcome) in files.iter().zip(load_all(&files)) {
        match outcome {
            Loaded::Spec(spec)
                if in_sdk_layer(path) && spec.provenance != Provenance::SdkModels =>
            {
                report.diagnostics.push(Diagnostic {
                    path: "provenance".to_owned(),
                    message: format!(
                        "a spec in the `{SDK_LAYER}/` folder comes from the SDK's models: it says \
                         `provenance: sdk_models` (a spec transcribed from the doc page goes in \
                         the folder above)"
                    ),
                    ..file_problem(path, "")
                });
            }
            Loaded::Spec(spec) => match methods.get(&spec.method) {
                // The doc-page spec (read first) wins over the SDK-model one.
                Some(first) if in_sdk_layer(path) && !in_sdk_layer(first) => {}
                Some(first) => report.diagnostics.push(Diagnostic {
                    path: "method".to_owned(),
                    message: format!(
                        "method `{}` is also defined in {}",
                        spec.method,
                        first.display()
                    ),
                    ..file_problem(path, "")
                }),
                None => {
                    methods.insert(spec.method.clone(), path.clone());
                    report.specs.push((path.clone(), *spec));
                }
            },
            Loaded::Common(common) => match &common_at {
                Some(first) => report.diagnostics.push(file_problem(
                    path,
                    format!("a second common.yaml (the first is {})", first.display()),
                )),
                None => {
                    common_at = Some(path.clone());
                    report.common = Some((path.clone(), common));
                }
            },
            Loaded::Problems(problems) => report.diagnostics.extend(problems),
        }
    }
    report
}

/// The `*.yaml` and `*.yml` files of a folder, sorted by file name.
fn list_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

enum Loaded {
    // Boxed: a spec is several times the size of the other outcomes.
    Spec(Box<Spec>),
    Common(CommonSpec),
    Problems(Vec<Diagnostic>),
}

fn load_one(path: &Path) -> Loaded {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name.ends_with(".yml") {
        return Loaded::Problems(vec![file_problem(
            path,
            "spec files end in `.yaml`: rename the file",
        )]);
    }
    if name == COMMON_FILE {
        match load_common_file(path) {
            Ok(common) => Loaded::Common(common),
            Err(problems) => Loaded::Problems(problems),
        }
    } else {
        match load_file(path) {
            Ok(spec) => Loaded::Spec(Box::new(spec)),
            Err(problems) => Loaded::Problems(problems),
        }
    }
}

/// Loads files on every core: a folder of thousands of specs is read in parallel, results
/// kept in input order.
fn load_all(files: &[PathBuf]) -> Vec<Loaded> {
    crate::parallel::in_parallel(Stage::Load, files, |f| {
        // Loading only panics on a bug; report the file rather than lose the others.
        std::panic::catch_unwind(|| load_one(f)).unwrap_or_else(|_| {
            Loaded::Problems(vec![file_problem(
                f,
                "internal error while checking this file",
            )])
        })
    })
}

fn file_problem(file: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line: 1,
        column: 1,
        path: String::new(),
        message: message.into(),
    }
}

fn read_text(path: &Path) -> Result<String, Vec<Diagnostic>> {
    let bytes =
        std::fs::read(path).map_err(|e| vec![file_problem(path, format!("cannot read: {e}"))])?;
    decode_utf8(path, bytes)
}

/// The text of a file, or a diagnostic at the first byte that is not UTF-8.
pub(crate) fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String, Vec<Diagnostic>> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        vec![Diagnostic {
            file: path.to_owned(),
            line,
            column,
            path: String::new(),
            message: format!(
                "not valid UTF-8 (byte 0x{:02X}); spec files must be UTF-8",
                bytes[valid]
            ),
        }]
    })
}

/// How one kind of file is checked: its keys, then its lints.
struct FileKind<T> {
    rules: &'static [KeyRule],
    what: &'static str,
    lint: fn(&T, &Path, &Node<'_>, &mut Reporter<'_>),
}

const SPEC: FileKind<Spec> = FileKind {
    rules: shape::SPEC,
    what: "a method spec",
    lint: lint::lint_spec,
};

const COMMON_SPEC: FileKind<CommonSpec> = FileKind {
    rules: COMMON,
    what: "common.yaml",
    lint: |c, _, tree, out| lint::lint_common(c, tree, out),
};

fn load_text<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    kind: FileKind<T>,
) -> Result<T, Vec<Diagnostic>> {
    let mut out = Reporter::new(file);
    let tree = match yaml::parse_tree(text) {
        Ok(Some(tree)) => tree,
        Ok(None) => {
            let keys: Vec<&str> = kind
                .rules
                .iter()
                .filter(|r| r.required)
                .map(|r| r.key)
                .collect();
            out.at(
                Pos::START,
                &FieldPath::root(),
                format!(
                    "empty file: {} needs the keys {}",
                    kind.what,
                    keys.join(", ")
                ),
            );
            return Err(out.finish());
        }
        Err(e) => {
            out.at(e.pos, &FieldPath::root(), e.message);
            return Err(out.finish());
        }
    };
    let json = shape::check(
        &tree,
        &Kind::Struct(kind.rules),
        &mut FieldPath::root(),
        &mut out,
    );
    let value = match json {
        Some(json) if out.is_empty() => match serde_json::from_value::<T>(json) {
            Ok(value) => value,
            Err(e) => {
                // The key tables mirror the model; this only fires if they drift apart.
                out.at(
                    tree.pos,
                    &FieldPath::root(),
                    format!("internal: the checked spec does not fit the model: {e}"),
                );
                return Err(out.finish());
            }
        },
        _ => return Err(out.finish()),
    };
    (kind.lint)(&value, file, &tree, &mut out);
    if out.is_empty() {
        Ok(value)
    } else {
        Err(out.finish())
    }
}
