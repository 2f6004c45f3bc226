//! From a folder of specs to a folder of generated code: the engine behind
//! [`Builder`](crate::Builder) and `alipay-codegen generate`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::Settings;
use crate::emit;
pub use crate::emit::{EmitError, Files, HEADER};
use crate::ir::{self, LowerError};
use crate::progress::Stage;
use crate::spec::{self, Diagnostic, Spec};

/// What a generation did (or, in check mode, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateReport {
    /// How many methods were generated.
    pub methods: usize,
    /// The product groups (Cargo features) of the generated methods, sorted.
    pub groups: Vec<String>,
    /// Every product group of the specs read, generated or not, sorted, with its number of
    /// methods (what the crate's features section lists).
    pub all_groups: Vec<(String, usize)>,
    /// The spec files read, sorted (for `cargo:rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// Files written because they were new or changed (relative to the output folder).
    /// In check mode: the files that would be written.
    pub written: Vec<PathBuf>,
    /// Generated files deleted because their method is gone. In check mode: the files
    /// that would be deleted.
    pub removed: Vec<PathBuf>,
    /// Files left alone because their content was already right.
    pub unchanged: usize,
}

impl GenerateReport {
    /// In check mode: the files that differ from what the specs produce (to write or to
    /// delete), sorted. Empty when the output is up to date.
    pub fn differing(&self) -> Vec<&Path> {
        let mut all: Vec<&Path> = self
            .written
            .iter()
            .chain(&self.removed)
            .map(PathBuf::as_path)
            .collect();
        all.sort();
        all
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Spec files have problems; nothing was written.
    #[error("{} problem(s) in the specs, nothing generated:\n{}", .0.len(), join(.0))]
    Specs(Vec<Diagnostic>),
    /// A spec cannot be turned into code; nothing was written.
    #[error(transparent)]
    Lower(#[from] LowerError),
    /// The generator emitted code that does not parse (a bug); nothing was written.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// A file or folder the generator would write, inside the output folder, is a symbolic
    /// link: it is never written or deleted through; nothing was written.
    #[error(
        "`{}` is a symbolic link; the generator never writes through one (remove it)",
        path.display()
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{action} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn join(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Settings {
    /// The generated files for `specs` with these settings, in memory, by path relative to
    /// the output folder: lowering, then the one emitter (`emit::files`). The result does not
    /// depend on the order of `specs`.
    pub fn generate_files<'a>(
        &self,
        specs: impl IntoIterator<Item = &'a Spec>,
    ) -> Result<Files, GenerateError> {
        let ir = ir::lower_with(specs, self)?;
        Ok(emit::files(&ir, self)?)
    }
}

/// The generated files for `specs` with the default [`Settings`], in memory, by path relative
/// to the output folder. The result does not depend on the order of `specs`.
pub fn generate_files<'a>(
    specs: impl IntoIterator<Item = &'a Spec>,
) -> Result<Files, GenerateError> {
    Settings::default().generate_files(specs)
}

/// Loads every spec of `specs_dir` and writes the generated code (default [`Settings`]) into
/// `out_dir` (created if missing): only files whose content changed are rewritten, and
/// generated files (those starting with the `@generated` header) that no method produces any
/// more are deleted. With `check`, nothing is touched and the report lists what would change.
pub fn generate_dir(
    specs_dir: &Path,
    out_dir: &Path,
    check: bool,
) -> Result<GenerateReport, GenerateError> {
    generate_dir_with(
        specs_dir,
        out_dir,
        &Options {
            check,
            ..Options::default()
        },
    )
}

/// What [`generate_dir_with`] reads and generates, and how.
pub struct Options<'a> {
    /// Write nothing; report what would change.
    pub check: bool,
    /// Which spec files to read at all (by path): a build that needs few groups of a large
    /// catalog reads only their files.
    pub keep_file: &'a dyn Fn(&Path) -> bool,
    /// Which of the specs read to generate.
    pub keep: &'a dyn Fn(&Spec) -> bool,
    /// How to generate.
    pub settings: Settings,
}

impl Default for Options<'_> {
    /// Every spec, default settings, files written.
    fn default() -> Self {
        Self {
            check: false,
            keep_file: &|_| true,
            keep: &|_| true,
            settings: Settings::default(),
        }
    }
}

/// [`generate_dir`] with [`Options`].
pub fn generate_dir_with(
    specs_dir: &Path,
    out_dir: &Path,
    options: &Options<'_>,
) -> Result<GenerateReport, GenerateError> {
    let check = options.check;
    let loaded = spec::load_dir_where(specs_dir, options.keep_file);
    if !loaded.is_clean() {
        return Err(GenerateError::Specs(loaded.diagnostics));
    }
    let mut inputs: Vec<PathBuf> = loaded.specs.iter().map(|(p, _)| p.clone()).collect();
    inputs.extend(loaded.common.iter().map(|(p, _)| p.clone()));
    inputs.sort();
    let specs: Vec<&Spec> = loaded
        .specs
        .iter()
        .map(|(_, s)| s)
        .filter(|s| (options.keep)(s))
        .collect();
    // Every group of the folder, read or not, from the file names (`<method>.yaml`); a
    // method in both layers counts once.
    let files = spec::spec_files(specs_dir).unwrap_or_default();
    let methods: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str()?.strip_suffix(".yaml"))
        .filter(|m| *m != "common")
        .collect();
    let mut all_groups: BTreeMap<String, usize> = BTreeMap::new();
    for method in methods {
        *all_groups
            .entry(crate::naming::group_of(method))
            .or_default() += 1;
    }
    let ir = ir::lower_with(specs.iter().copied(), &options.settings)?;
    let files = emit::files(&ir, &options.settings)?;
    let mut report = write_files(&files, out_dir, check)?;
    report.methods = ir.methods.len();
    report.groups = ir.groups().keys().map(|g| (*g).to_owned()).collect();
    report.all_groups = all_groups.into_iter().collect();
    report.inputs = inputs;
    Ok(report)
}

/// Writes `files` (relative paths) under `out_dir` as described in [`generate_dir`].
pub fn write_files(
    files: &Files,
    out_dir: &Path,
    check: bool,
) -> Result<GenerateReport, GenerateError> {
    let mut report = GenerateReport::default();
    // A link inside the output folder would send a write elsewhere: refuse before writing
    // anything. (The output folder itself may sit behind links, as /tmp does on some systems.)
    let mut seen: BTreeSet<&Path> = BTreeSet::new();
    for rel in files.keys() {
        for part in rel.ancestors().filter(|p| !p.as_os_str().is_empty()) {
            if !seen.insert(part) {
                break;
            }
            let path = out_dir.join(part);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(GenerateError::Symlink { path });
            }
        }
    }
    if !check {
        let folders: BTreeSet<&Path> = files
            .keys()
            .map(|rel| rel.parent().unwrap_or(Path::new("")))
            .collect();
        for folder in folders {
            let dir = out_dir.join(folder);
            std::fs::create_dir_all(&dir).map_err(|source| GenerateError::Io {
                action: "cannot create folder",
                path: dir,
                source,
            })?;
        }
    }
    // Files are independent; creating them is mostly the file system's time, which two
    // writers overlap.
    let files_list: Vec<(&PathBuf, &String)> = files.iter().collect();
    let outcomes = crate::parallel::in_parallel_large(Stage::Write, &files_list, |(rel, text)| {
        write_one(&out_dir.join(rel), text, check)
    });
    for ((rel, _), changed) in files_list.iter().zip(outcomes) {
        if changed? {
            report.written.push((*rel).clone());
        } else {
            report.unchanged += 1;
        }
    }
    for rel in stale_files(out_dir, |rel| files.contains_key(rel))? {
        if !check {
            let path = out_dir.join(&rel);
            std::fs::remove_file(&path).map_err(|source| GenerateError::Io {
                action: "cannot delete",
                path,
                source,
            })?;
            if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
                // Only succeeds when the group folder is now empty.
                let _ = std::fs::remove_dir(out_dir.join(parent));
            }
        }
        report.removed.push(rel);
    }
    Ok(report)
}

/// The generated `.rs` files in `out_dir` (top level and one folder deep) that are not
/// `wanted` (by path relative to `out_dir`).
fn stale_files(
    out_dir: &Path,
    wanted: impl Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, GenerateError> {
    let mut found = Vec::new();
    // Links are left out: neither followed into another folder nor taken for a generated file.
    let read = |dir: &Path| -> Result<Vec<PathBuf>, GenerateError> {
        match std::fs::read_dir(dir) {
            Ok(entries) => Ok(entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_symlink()))
                .map(|e| e.path())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(GenerateError::Io {
                action: "cannot read folder",
                path: dir.to_owned(),
                source,
            }),
        }
    };
    let is_generated = |path: &Path| {
        path.extension().is_some_and(|e| e == "rs")
            && !path.strip_prefix(out_dir).is_ok_and(&wanted)
            && starts_with_header(path)
    };
    for entry in read(out_dir)? {
        if entry.is_dir() {
            for inner in read(&entry)? {
                if inner.is_file() && is_generated(&inner) {
                    found.push(inner);
                }
            }
        } else if is_generated(&entry) {
            found.push(entry);
        }
    }
    let mut rel: Vec<PathBuf> = found
        .into_iter()
        .filter_map(|p| p.strip_prefix(out_dir).ok().map(Path::to_owned))
        .collect();
    rel.sort();
    Ok(rel)
}

/// Whether the file at `path` starts with the `@generated` header (only its first bytes
/// are read).
fn starts_with_header(path: &Path) -> bool {
    use std::io::Read;
    let header = HEADER.trim_end().as_bytes();
    let mut start = vec![0; header.len()];
    std::fs::File::open(path).is_ok_and(|mut f| f.read_exact(&mut start).is_ok()) && start == header
}

/// Writes `text` to `path` unless the file already holds it (or `check`); whether the
/// file differed.
fn write_one(path: &Path, text: &str, check: bool) -> Result<bool, GenerateError> {
    match std::fs::read(path) {
        Ok(old) if old == text.as_bytes() => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(GenerateError::Io {
                action: "cannot read",
                path: path.to_owned(),
                source,
            });
        }
    }
    if !check {
        std::fs::write(path, text).map_err(|source| GenerateError::Io {
            action: "cannot write",
            path: path.to_owned(),
            source,
        })?;
    }
    Ok(true)
}
