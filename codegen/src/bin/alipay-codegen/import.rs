//! `alipay-codegen import`: a doc page copied as text, into a spec.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alipay_codegen::spec;

use crate::missing_inputs;

pub(crate) fn import(page: &Path, out: Option<PathBuf>, force: bool) -> ExitCode {
    // Long because: each way an import can fail, with its exit code, then the write.
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

/// `import-openapi`: plans the import, then writes it (or, with `check`, says what would change).
pub(crate) fn import_openapi(file: &Path, specs: &Path, check: bool) -> ExitCode {
    use alipay_codegen::import::openapi::{SpecChange, import_openapi};
    if let Some(code) = missing_inputs(&[file, specs]) {
        return code;
    }
    let text = match std::fs::read(file).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            eprintln!("{}: not valid UTF-8", file.display());
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("{}: cannot read: {e}", file.display());
            return ExitCode::from(1);
        }
    };
    let import = match crate::progress::shown_while(|| import_openapi(file, &text, specs)) {
        Ok(import) => import,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let count = |c: SpecChange| import.specs.iter().filter(|s| s.change == c).count();
    let (new, updated) = (count(SpecChange::New), count(SpecChange::Updated));
    for s in &import.specs {
        let what = match s.change {
            SpecChange::New => "new",
            SpecChange::Updated => "updated",
            SpecChange::Unchanged => continue,
        };
        let line = format!("{}: {what}", specs.join(&s.file).display());
        if check {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
    let summary = format!(
        "{} operation(s) of document {}: {new} new, {updated} updated, {} unchanged",
        import.specs.len(),
        import.version,
        count(SpecChange::Unchanged)
    );
    if check {
        if new + updated > 0 {
            eprintln!("{summary}; run without --check to write them");
            return ExitCode::from(1);
        }
        println!("{summary}");
        return ExitCode::SUCCESS;
    }
    if let Err(e) = crate::progress::shown_while(|| import.write(specs)) {
        eprintln!("{}: cannot write: {e}", specs.display());
        return ExitCode::from(1);
    }
    println!("{summary}");
    ExitCode::SUCCESS
}
