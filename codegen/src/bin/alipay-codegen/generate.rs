//! `alipay-codegen generate`: a module tree or a facade over crates.

use std::path::Path;
use std::process::ExitCode;

use alipay_codegen::spec;

use crate::missing_inputs;

use alipay_codegen::builder::glob_match;
use alipay_codegen::catalog::Part;

pub(crate) fn generate(
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
    if let Some(code) = refused_selection(specs, methods, &names, &layout) {
        return code;
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
    let report = match crate::progress::shown_while(|| generate_dir_with(specs, out, &options)) {
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

/// The usage error for a selection that cannot be meant: with the crates layout, one that
/// selects nothing; with the module tree, a glob that matches nothing (a typo, caught before
/// generating, since generation removes the files of methods it no longer produces).
fn refused_selection(
    specs: &Path,
    methods: &[String],
    names: &std::collections::BTreeSet<String>,
    layout: &alipay_codegen::Layout,
) -> Option<ExitCode> {
    let matches = |glob: &String| names.iter().any(|m| glob_match(glob, m));
    if let alipay_codegen::Layout::Crates(_) = layout {
        let selected = names
            .iter()
            .any(|m| methods.is_empty() || methods.iter().any(|g| glob_match(g, m)));
        if selected {
            return None;
        }
        eprintln!("no method selected in {}", specs.display());
        return Some(ExitCode::from(2));
    }
    let unmatched: Vec<&String> = methods.iter().filter(|g| !matches(g)).collect();
    for glob in &unmatched {
        eprintln!(
            "--methods `{glob}` matches no method in {}",
            specs.display()
        );
    }
    (!unmatched.is_empty()).then_some(ExitCode::from(2))
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
