//! `alipay-codegen diff`: what changed between two versions of the specs.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::missing_inputs;

use crate::args::DiffFormat;

pub(crate) fn diff(old: PathBuf, new: PathBuf, format: DiffFormat) -> ExitCode {
    if let Some(code) = missing_inputs(&[&old, &new]) {
        return code;
    }
    match crate::progress::shown_while(|| alipay_codegen::diff::diff_paths(&[old], &[new])) {
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
