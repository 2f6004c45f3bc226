//! `alipay-codegen check`: the specs, and the manifest's features beside them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay_codegen::spec;

use crate::missing_inputs;

pub(crate) fn check(paths: &[PathBuf], manifest: Option<PathBuf>) -> ExitCode {
    let mut inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    inputs.extend(manifest.as_deref());
    if let Some(code) = missing_inputs(&inputs) {
        return code;
    }
    let report = crate::progress::shown_while(|| spec::load_paths(paths));
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
