//! `alipay-codegen features`: print, check or write the manifest's generated sections.

use std::path::Path;
use std::process::ExitCode;

use alipay_codegen::spec;

use crate::missing_inputs;

pub(crate) fn features(
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
    let report = crate::progress::shown_while(|| spec::load_dir(specs));
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
    let update = match crate::progress::shown_while(|| Update::plan(manifest, &groups, crates)) {
        Ok(update) => update,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if check {
        return report_check(manifest, &update);
    }
    if let Err(e) = crate::progress::shown_while(|| update.write()) {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    println!("{}: features section written", manifest.display());
    ExitCode::SUCCESS
}

/// `--check`: 0 when the manifest and the packages are what the specs give, else 1 with what
/// differs.
fn report_check(manifest: &Path, update: &alipay_codegen::features::Update) -> ExitCode {
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
    ExitCode::from(1)
}
