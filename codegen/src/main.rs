//! `alipay-codegen`: check specs, generate code, import doc pages.
//!
//! Exit codes (a public contract): 0 success; 1 the input has problems (every problem is
//! listed on stderr) or, for `generate --check`, the output is out of date; 2 usage errors
//! (including inputs that do not exist). `diff` has its own: 0 nothing breaks, 1 a change
//! breaks callers, 2 usage errors or specs with problems.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay_codegen::builder::glob_match;
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
    Check {
        /// Spec folders and/or spec files.
        #[arg(required = true, value_name = "DIR_OR_FILE")]
        paths: Vec<PathBuf>,
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
    },
    /// Turn a doc page copied as text into a spec.
    ///
    /// Writes the spec as YAML to OUT (a file, or a folder to write `<method>.yaml` into) or
    /// to stdout. Whatever the importer could not place, or placed by a guess, is printed to
    /// stderr as `PAGE:LINE: warning: MESSAGE` (and kept as a `note:` in the spec). The
    /// result is then checked as by `check`. Exits 0 when it passes, 1 when the page cannot
    /// be read or the spec does not pass `check` (it is still written, to be fixed by hand),
    /// 2 when PAGE does not exist.
    Import {
        /// The page, as text (UTF-8).
        #[arg(value_name = "PAGE")]
        page: PathBuf,
        /// Where to write the spec: a file, or an existing folder (default: stdout).
        #[arg(short, long, value_name = "OUT")]
        out: Option<PathBuf>,
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

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { paths } => check(&paths),
        Command::Generate {
            specs,
            out,
            check,
            methods,
        } => generate(specs, out, check, &methods),
        Command::Import { page, out } => import(&page, out),
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

fn check(paths: &[PathBuf]) -> ExitCode {
    let inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    if let Some(code) = missing_inputs(&inputs) {
        return code;
    }
    let report = spec::load_paths(paths);
    for diagnostic in &report.diagnostics {
        eprintln!("{diagnostic}");
    }
    let files = report.specs.len() + usize::from(report.common.is_some());
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

fn generate(specs: PathBuf, out: PathBuf, check: bool, methods: &[String]) -> ExitCode {
    if let Some(code) = missing_inputs(&[&specs]) {
        return code;
    }
    // A glob that matches nothing is a typo; caught before generating, since generation
    // removes the files of methods it no longer produces.
    let names = method_names(&specs);
    let unmatched: Vec<&String> = methods
        .iter()
        .filter(|g| !names.iter().any(|m| glob_match(g, m)))
        .collect();
    if !unmatched.is_empty() {
        for glob in unmatched {
            eprintln!(
                "--methods `{glob}` matches no method in {}",
                specs.display()
            );
        }
        return ExitCode::from(2);
    }
    let keep = |method: &str| methods.is_empty() || methods.iter().any(|g| glob_match(g, method));
    match alipay_codegen::generate::generate_dir_filtered(&specs, &out, check, keep) {
        Ok(report) if check => {
            let differing = report.differing();
            if differing.is_empty() {
                println!(
                    "{}: up to date ({} method(s))",
                    out.display(),
                    report.methods
                );
                ExitCode::SUCCESS
            } else {
                for path in &differing {
                    eprintln!("{}: out of date", out.join(path).display());
                }
                eprintln!(
                    "{} file(s) differ from what the specs produce; run without --check",
                    differing.len()
                );
                ExitCode::from(1)
            }
        }
        Ok(report) => {
            println!(
                "{} method(s): {} file(s) written, {} removed, {} unchanged",
                report.methods,
                report.written.len(),
                report.removed.len(),
                report.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

fn import(page: &Path, out: Option<PathBuf>) -> ExitCode {
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
    let target = out.map(|out| {
        if out.is_dir() {
            out.join(&file_name)
        } else {
            out
        }
    });
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
    let Ok(entries) = std::fs::read_dir(specs) else {
        return Vec::new();
    };
    entries
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
