//! `alipay-codegen`: check specs, generate code, import doc pages.
//!
//! Exit codes (a public contract): 0 success; 1 the input has problems (every problem is
//! listed on stderr) or, for `generate --check`, the output is out of date; 2 usage errors
//! (including inputs that do not exist). `diff` has its own: 0 nothing breaks, 1 a change
//! breaks callers, 2 usage errors or specs with problems.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay_codegen::builder::glob_match;
use alipay_codegen::catalog::{Crates, Part};
use alipay_codegen::spec;
use clap::{Parser, Subcommand};

// Loading, lowering and emitting allocate on every core at once; glibc's allocator
// serialises much of that (see BENCHMARKS.md, "codegen").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Check Alipay method specs and generate typed Rust clients from them.
///
/// Exit codes: 0 success; 1 problems found (each listed on stderr as
/// `file:line:column: field.path: message`), or `generate --check` found stale output;
/// 2 usage error (unknown flag, missing argument, an input that does not exist).
/// `diff` exits 0 when nothing breaks, 1 when a change breaks callers, 2 on usage errors
/// and specs with problems.
#[derive(Debug, Parser)]
#[command(name = "alipay-codegen", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load and lint specs; list every problem of every file.
    ///
    /// Folders are read for their `*.yaml` files in file-name order (`common.yaml` checked as
    /// the shared spec, every other file as a method spec). Exits 0 when everything is clean,
    /// 1 with every problem on stderr, one per line as `file:line:column: path: message`,
    /// 2 on usage errors (such as an input that does not exist).
    ///
    /// The product groups are also checked against the crate manifest's features, as the
    /// build checks them: `--manifest FILE`, or by default the `Cargo.toml` beside a checked
    /// folder when it holds the generated features section. A group without a feature of its
    /// own is a warning (it builds under `all-groups`); a group named like another feature an
    /// error.
    Check {
        /// Spec folders and/or spec files.
        #[arg(required = true, value_name = "DIR_OR_FILE")]
        paths: Vec<PathBuf>,
        /// The crate manifest whose `[features]` the groups are checked against.
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
    },
    /// Print, check or write the manifest's generated features section: one Cargo feature
    /// `<group> = []` per product group of the specs.
    ///
    /// Prints the section to stdout; with `--write`, replaces the section of MANIFEST (between
    /// its `# @generated product-group features` and `# @end product-group features` lines);
    /// with `--check`, exits 1 when MANIFEST's section differs. Exits 1 when the specs have
    /// problems, 2 on usage errors.
    Features {
        /// The folder of specs.
        #[arg(long, value_name = "DIR", default_value = "specs")]
        specs: PathBuf,
        /// The crate manifest holding the section.
        #[arg(value_name = "MANIFEST", default_value = "Cargo.toml")]
        manifest: PathBuf,
        /// Replace the manifest's section.
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Exit 1 when the manifest's section is not what the specs give.
        #[arg(long)]
        check: bool,
        /// Compile each product group as packages of its own under DIR (relative to MANIFEST's
        /// folder; a group of more than `--max-methods` methods split into parts), generated at
        /// build time from the specs: the features then enable those packages, a second section
        /// of `[dependencies]` (between `# @generated product-group packages` and
        /// `# @end product-group packages`) lists them, and `--write` also writes DIR (a
        /// manifest per part, a shared `build.rs` and `lib.rs`), `--check` compares it.
        #[arg(long, value_name = "DIR")]
        crates: Option<PathBuf>,
        /// With `--crates`: the most methods in one package.
        #[arg(long, value_name = "N", default_value_t = alipay_codegen::catalog::DEFAULT_MAX_METHODS, requires = "crates")]
        max_methods: usize,
        /// With `--crates`: the parts' `alipay-runtime` dependency as written in their manifests
        /// (default: this repository's, `{ path = "../../runtime", .. }`).
        #[arg(long, value_name = "TOML", requires = "crates")]
        runtime: Option<String>,
        /// With `--crates`: the parts' `alipay-codegen` build dependency as written in their
        /// manifests (default: this repository's, `{ path = "../../codegen", .. }`).
        #[arg(long, value_name = "TOML", requires = "crates")]
        codegen: Option<String>,
    },
    /// Generate the client code from a folder of specs.
    ///
    /// Only files whose content changed are rewritten. Exits 0 on success, 1 when the specs
    /// have problems (listed on stderr) or generation fails, and with `--check` also when the
    /// output differs from what the specs produce (the differing files are listed); 2 on
    /// usage errors (such as a specs folder that does not exist).
    Generate {
        /// The folder of specs.
        #[arg(long, value_name = "DIR")]
        specs: PathBuf,
        /// The folder to write the generated code into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Write nothing; exit 1 if the output is not up to date.
        #[arg(long)]
        check: bool,
        /// Generate only methods whose wire name matches one of these globs
        /// (`*` any run of characters, `?` one character; the rules of the build.rs
        /// `Builder::methods`), e.g. `alipay.user.*`. A glob that
        /// matches no method is a usage error (exit 2).
        #[arg(long, value_name = "GLOB", num_args = 1..)]
        methods: Vec<String>,
        /// `module` (default): a module tree to include into a crate (`mod.rs` and one file
        /// per group). `crates`: a facade crate over one crate per product group (large groups
        /// split into parts), ready to vendor: the whole catalog compiles this way in bounded
        /// memory.
        #[arg(long, value_enum, default_value = "module")]
        layout: Layout,
        /// With `--layout crates`: the facade package's name.
        #[arg(long, value_name = "NAME", default_value = "alipay-catalog")]
        crate_name: String,
        /// With `--layout crates`: the `alipay-runtime` dependency as written in the
        /// manifests, e.g. `"0.1"` or `{ path = "../alipay-rs/runtime" }`.
        #[arg(long, value_name = "TOML")]
        runtime: Option<String>,
        /// With `--layout crates`: the most methods in one crate.
        #[arg(long, value_name = "N", default_value_t = 250)]
        max_methods: usize,
    },
    /// Turn a doc page copied as text into a spec.
    ///
    /// Writes the spec as YAML to OUT (a file, or a folder to write `<method>.yaml` into) or
    /// to stdout. Whatever the importer could not place, or placed by a guess, is printed to
    /// stderr as `PAGE:LINE: warning: MESSAGE` (and kept as a `note:` in the spec). The
    /// result is then checked as by `check`. Exits 0 when it passes, 1 when the page cannot
    /// be read, names no method while OUT is a folder, or the spec does not pass `check` (it
    /// is still written, to be fixed by hand), 2 when PAGE does not exist or OUT exists and
    /// `--force` is not given.
    Import {
        /// The page, as text (UTF-8).
        #[arg(value_name = "PAGE")]
        page: PathBuf,
        /// Where to write the spec: a file, or an existing folder (default: stdout). A page
        /// that names no method cannot be written into a folder: give a file name.
        #[arg(short, long, value_name = "OUT")]
        out: Option<PathBuf>,
        /// Overwrite the output file if it exists (without it, an existing file is a usage
        /// error, exit 2, and is left alone).
        #[arg(long)]
        force: bool,
    },
    /// Report what changes for callers of the generated client between two versions of
    /// the specs.
    ///
    /// OLD and NEW are spec folders or single spec files; both are loaded and checked
    /// first, as by `check` (`common.yaml` is checked, not compared). Every change is
    /// classified per method and field path: breaking (code that compiled may not, a
    /// request the client accepted may be refused, an answer may read differently: a
    /// method, field, listed value or error code removed; a required request field added;
    /// required ↔ optional in a request; a type, Rust name or date format changed;
    /// `max_length` lowered; a request field sent elsewhere), minor (additions: methods,
    /// optional request fields, response fields, listed values, error codes; `max_length`
    /// raised) or patch (descriptions, titles, examples, notes). A renamed field is a
    /// removal plus an addition; a change inside a model is reported once, with every path
    /// using the model.
    ///
    /// Text: one line per change, `method: path: what changed (breaking|minor|patch)`,
    /// grouped by method, then a summary with the counts and the semver verdict. JSON
    /// (`--format json`, a public contract, see the README): `{"changes": [{"method",
    /// "path", "change", "breaking", "severity", "message", "old", "new", "model",
    /// "used_by"}...], "breaking": N, "minor": N, "patch": N, "semver":
    /// "major"|"minor"|"patch"|"none"}`.
    ///
    /// Exits 0 when nothing breaks, 1 when at least one change is breaking (so CI can gate
    /// on it), 2 on usage errors and when a spec of either side has problems (listed on
    /// stderr as `file:line:column: path: message`).
    Diff {
        /// The specs before: a folder or a spec file.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The specs after: a folder or a spec file.
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// `text` for people, `json` for tools.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
}

/// The output of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// One line per change, then a summary.
    Text,
    /// One JSON document.
    Json,
}

/// The shape of `generate`'s output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Layout {
    /// A module tree to include into a crate.
    Module,
    /// A facade crate over one crate per product group.
    Crates,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { paths, manifest } => check(&paths, manifest),
        Command::Features {
            specs,
            manifest,
            write,
            check,
            crates,
            max_methods,
            runtime,
            codegen,
        } => {
            let crates = crates.map(|dir| {
                let defaults = alipay_codegen::catalog::Catalog::alipay_openapi();
                alipay_codegen::catalog::Catalog {
                    dir: dir.display().to_string(),
                    max_methods,
                    runtime: runtime.unwrap_or(defaults.runtime.clone()),
                    codegen: codegen.unwrap_or(defaults.codegen.clone()),
                    ..defaults
                }
            });
            features(&specs, &manifest, write, check, crates)
        }
        Command::Generate {
            specs,
            out,
            check,
            methods,
            layout,
            crate_name,
            runtime,
            max_methods,
        } => {
            let layout = match layout {
                Layout::Module => alipay_codegen::Layout::Module,
                Layout::Crates => {
                    let defaults = Crates::default();
                    alipay_codegen::Layout::Crates(Crates {
                        name: crate_name,
                        runtime: runtime.unwrap_or(defaults.runtime),
                        max_methods: max_methods.max(1),
                    })
                }
            };
            generate(&specs, &out, check, &methods, layout)
        }
        Command::Import { page, out, force } => import(&page, out, force),
        Command::Diff { old, new, format } => diff(old, new, format),
    }
}

/// The usage error for inputs that do not exist, if any.
fn missing_inputs(paths: &[&Path]) -> Option<ExitCode> {
    let missing: Vec<&&Path> = paths.iter().filter(|p| !p.exists()).collect();
    for path in &missing {
        eprintln!("{}: no such file or folder", path.display());
    }
    (!missing.is_empty()).then_some(ExitCode::from(2))
}

fn check(paths: &[PathBuf], manifest: Option<PathBuf>) -> ExitCode {
    let mut inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    inputs.extend(manifest.as_deref());
    if let Some(code) = missing_inputs(&inputs) {
        return code;
    }
    let report = spec::load_paths(paths);
    for diagnostic in &report.diagnostics {
        eprintln!("{diagnostic}");
    }
    let files = report.specs.len() + usize::from(report.common.is_some());
    // What the build says of the groups, for the manifest beside the specs.
    let manifest = manifest.or_else(|| {
        paths
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| {
                std::fs::canonicalize(p)
                    .ok()?
                    .parent()
                    .map(|d| d.join("Cargo.toml"))
            })
            .find(|m| {
                std::fs::read_to_string(m).is_ok_and(|t| alipay_codegen::features::has_section(&t))
            })
    });
    let mut feature_errors = 0;
    if let Some(manifest) = manifest {
        let groups: std::collections::BTreeSet<String> = report
            .specs
            .iter()
            .map(|(_, s)| alipay_codegen::group_of(&s.method))
            .collect();
        match feature_messages(&manifest, groups.iter().map(String::as_str)) {
            Ok(messages) => {
                for (severity, message) in messages {
                    let error = severity == alipay_codegen::features::Severity::Error;
                    let label = if error { "error" } else { "warning" };
                    feature_errors += usize::from(error);
                    eprintln!("{}: {label}: {message}", manifest.display());
                }
            }
            Err(message) => {
                feature_errors += 1;
                eprintln!("{}: error: {message}", manifest.display());
            }
        }
    }
    if feature_errors > 0 && report.is_clean() {
        eprintln!("{feature_errors} problem(s) in the manifest's features");
        return ExitCode::from(1);
    }
    if report.is_clean() {
        println!("checked {files} file(s): no problems");
        ExitCode::SUCCESS
    } else {
        let mut bad: Vec<_> = report.diagnostics.iter().map(|d| &d.file).collect();
        bad.dedup();
        eprintln!(
            "{} problem(s) in {} file(s)",
            report.diagnostics.len(),
            bad.len()
        );
        ExitCode::from(1)
    }
}

/// The build's messages on `groups` against the features of `manifest`.
fn feature_messages<'a>(
    manifest: &Path,
    groups: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<(alipay_codegen::features::Severity, String)>, String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("cannot read: {e}"))?;
    let report = alipay_codegen::features::check(&text, groups).map_err(|e| e.to_string())?;
    Ok(report.messages(&manifest.display().to_string()))
}

fn features(
    specs: &Path,
    manifest: &Path,
    write: bool,
    check: bool,
    crates: Option<alipay_codegen::catalog::Catalog>,
) -> ExitCode {
    use alipay_codegen::features::{self, Update};
    if let Some(code) = missing_inputs(&[specs]) {
        return code;
    }
    let report = spec::load_dir(specs);
    if !report.is_clean() {
        for diagnostic in &report.diagnostics {
            eprintln!("{diagnostic}");
        }
        return ExitCode::from(1);
    }
    let mut groups: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (_, s) in &report.specs {
        *groups
            .entry(alipay_codegen::group_of(&s.method))
            .or_default() += 1;
    }
    if !write && !check {
        // Printed: the features section, or with `--crates` both sections for the manifest's
        // package.
        let Some(catalog) = crates else {
            print!("{}", features::section(groups.keys().map(String::as_str)));
            return ExitCode::SUCCESS;
        };
        if let Some(code) = missing_inputs(&[manifest]) {
            return code;
        }
        let named = std::fs::read_to_string(manifest)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| catalog.named_by(&text).map_err(|e| e.to_string()));
        match named {
            Ok(c) => {
                print!("{}", features::crates_section(&groups, &c));
                print!("{}", features::dependencies_section(&groups, &c));
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("{}: {e}", manifest.display());
                return ExitCode::from(1);
            }
        }
    }
    if let Some(code) = missing_inputs(&[manifest]) {
        return code;
    }
    let update = match Update::plan(manifest, &groups, crates) {
        Ok(update) => update,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if check {
        if update.is_up_to_date() {
            println!("{}: features section up to date", manifest.display());
            return ExitCode::SUCCESS;
        }
        let base = manifest.parent().unwrap_or(Path::new("."));
        for rel in update.differing.keys() {
            eprintln!(
                "{}: differs from what the specs give",
                base.join(rel).display()
            );
        }
        for dir in &update.stale {
            eprintln!(
                "{}: a package of a group the specs no longer have",
                dir.display()
            );
        }
        let flags = update
            .catalog
            .as_ref()
            .map_or(String::new(), |c| format!(" --crates {}", c.dir));
        eprintln!(
            "{}: the features section differs from the specs' groups; run `alipay-codegen features --write {}{flags}`",
            manifest.display(),
            manifest.display()
        );
        return ExitCode::from(1);
    }
    if let Err(e) = update.write() {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    println!("{}: features section written", manifest.display());
    ExitCode::SUCCESS
}

fn generate(
    specs: &Path,
    out: &Path,
    check: bool,
    methods: &[String],
    layout: alipay_codegen::Layout,
) -> ExitCode {
    use alipay_codegen::generate::{Options, generate_dir_with};
    if let Some(code) = missing_inputs(&[specs]) {
        return code;
    }
    let keep = |method: &str| methods.is_empty() || methods.iter().any(|g| glob_match(g, method));
    let names: std::collections::BTreeSet<String> = method_names(specs).into_iter().collect();
    if let alipay_codegen::Layout::Crates(_) = layout {
        if !names.iter().any(|m| keep(m)) {
            eprintln!("no method selected in {}", specs.display());
            return ExitCode::from(2);
        }
    } else {
        // A glob that matches nothing is a typo; caught before generating, since generation
        // removes the files of methods it no longer produces.
        let unmatched: Vec<&String> = methods
            .iter()
            .filter(|g| !names.iter().any(|m| glob_match(g, m)))
            .collect();
        for glob in &unmatched {
            eprintln!(
                "--methods `{glob}` matches no method in {}",
                specs.display()
            );
        }
        if !unmatched.is_empty() {
            return ExitCode::from(2);
        }
    }
    let options = Options {
        check,
        keep: &|s: &spec::Spec| keep(&s.method),
        settings: alipay_codegen::Settings {
            layout: layout.clone(),
            ..Default::default()
        },
        ..Options::default()
    };
    let report = match generate_dir_with(specs, out, &options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let differing = report.differing();
    if check && !differing.is_empty() {
        for path in &differing {
            eprintln!("{}: out of date", out.join(path).display());
        }
        eprintln!(
            "{} file(s) differ from what the specs produce; run without --check",
            differing.len()
        );
        return ExitCode::from(1);
    }
    match &layout {
        alipay_codegen::Layout::Crates(crates) => {
            // One facade and one crate per part of each group generated.
            let mut sizes: std::collections::BTreeMap<String, usize> = Default::default();
            for name in names.iter().filter(|m| keep(m)) {
                *sizes.entry(alipay_codegen::group_of(name)).or_default() += 1;
            }
            let parts: usize = sizes
                .iter()
                .map(|(g, &n)| Part::of_group(g, n, crates.max_methods).len())
                .sum();
            println!(
                "{} method(s) in {} crate(s): {} file(s) written, {} unchanged",
                report.methods,
                parts + 1,
                report.written.len(),
                report.unchanged
            );
        }
        _ if check => println!(
            "{}: up to date ({} method(s))",
            out.display(),
            report.methods
        ),
        _ => println!(
            "{} method(s): {} file(s) written, {} removed, {} unchanged",
            report.methods,
            report.written.len(),
            report.removed.len(),
            report.unchanged
        ),
    }
    ExitCode::SUCCESS
}

fn import(page: &Path, out: Option<PathBuf>, force: bool) -> ExitCode {
    if let Some(code) = missing_inputs(&[page]) {
        return code;
    }
    let text = match std::fs::read(page).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            eprintln!(
                "{}: not valid UTF-8; save the page as UTF-8 text",
                page.display()
            );
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("{}: cannot read: {e}", page.display());
            return ExitCode::from(1);
        }
    };
    let imported = alipay_codegen::import::import_page(&text);
    for warning in &imported.warnings {
        eprintln!(
            "{}:{}: warning: {}",
            page.display(),
            warning.line,
            warning.message
        );
    }
    let yaml = match alipay_codegen::import::spec_file(&imported.spec) {
        Ok(yaml) => yaml,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let file_name = format!("{}.yaml", imported.spec.method);
    let target = match out {
        Some(out) if out.is_dir() => {
            if !spec::is_method_name(&imported.spec.method) {
                eprintln!(
                    "{}: the page names no method (no title line), so the spec has no file name; \
                     give one with -o FILE",
                    page.display()
                );
                return ExitCode::from(1);
            }
            Some(out.join(&file_name))
        }
        other => other,
    };
    if let Some(path) = &target
        && !force
        && std::fs::symlink_metadata(path).is_ok()
    {
        eprintln!(
            "{}: already exists; pass --force to overwrite it",
            path.display()
        );
        return ExitCode::from(2);
    }
    // Check under the name it is written as, so the file-name rule applies.
    let checked_as = target.clone().unwrap_or_else(|| PathBuf::from(&file_name));
    let problems = spec::load_str(&checked_as.to_string_lossy(), &yaml)
        .err()
        .unwrap_or_default();
    match &target {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &yaml) {
                eprintln!("{}: cannot write: {e}", path.display());
                return ExitCode::from(1);
            }
        }
        None => print!("{yaml}"),
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "the imported spec has {} problem(s); fix them by hand",
            problems.len()
        );
        ExitCode::from(1)
    }
}

fn diff(old: PathBuf, new: PathBuf, format: DiffFormat) -> ExitCode {
    if let Some(code) = missing_inputs(&[&old, &new]) {
        return code;
    }
    match alipay_codegen::diff::diff_paths(&[old], &[new]) {
        Ok(report) => {
            match format {
                DiffFormat::Text => print!("{}", report.text()),
                DiffFormat::Json => print!("{}", report.json()),
            }
            if report.breaking() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(alipay_codegen::diff::DiffError::Specs(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "{} problem(s): both sides must pass `check` before they are compared",
                problems.len()
            );
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// The methods of a specs folder, by file name (the checker makes every spec file
/// `<method>.yaml`).
fn method_names(specs: &Path) -> Vec<String> {
    [specs.to_owned(), specs.join(spec::SDK_LAYER)]
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".yaml").map(str::to_owned))
        .filter(|name| name != "common")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "alipay-codegen",
            "generate",
            "--specs",
            "s",
            "--out",
            "o",
            "--methods",
            "a.*",
            "b.*",
        ]);
        assert!(
            matches!(cli.map(|c| c.command), Ok(Command::Generate { methods, .. }) if methods.len() == 2)
        );
        assert!(Cli::try_parse_from(["alipay-codegen", "check"]).is_err());
    }
}
