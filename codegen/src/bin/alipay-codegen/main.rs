//! `alipay-codegen`: check specs, generate code, import doc pages.
//!
//! Exit codes (a public contract): 0 success; 1 the input has problems (every problem is
//! listed on stderr) or, for `generate --check`, the output is out of date; 2 usage errors
//! (including inputs that do not exist). `diff` has its own: 0 nothing breaks, 1 a change
//! breaks callers, 2 usage errors or specs with problems.

mod args;
mod check;
mod diff;
#[cfg(test)]
mod docs_check;
mod features;
mod generate;
mod import;

use std::path::Path;
use std::process::ExitCode;

use alipay_codegen::catalog::{Catalog, Crates};
use args::{Cli, Command, Layout};
use clap::Parser;

// Loading, lowering and emitting allocate on every core at once; glibc's allocator
// serialises much of that (see BENCHMARKS.md, "codegen").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { paths, manifest } => check::check(&paths, manifest),
        Command::Features {
            specs,
            manifest,
            write,
            check,
            crates,
            max_methods,
            runtime,
            codegen,
            specs_crate,
        } => {
            let crates = crates.map(|dir| {
                let defaults = Catalog::alipay_openapi();
                Catalog {
                    dir: dir.display().to_string(),
                    max_methods,
                    runtime: runtime.unwrap_or(defaults.runtime.clone()),
                    codegen: codegen.unwrap_or(defaults.codegen.clone()),
                    specs: specs_crate.unwrap_or(defaults.specs.clone()),
                    ..defaults
                }
            });
            features::features(&specs, &manifest, write, check, crates)
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
            generate::generate(&specs, &out, check, &methods, layout)
        }
        Command::Import { page, out, force } => import::import(&page, out, force),
        Command::ImportOpenapi { file, specs, check } => {
            import::import_openapi(&file, &specs, check)
        }
        Command::Diff { old, new, format } => diff::diff(old, new, format),
    }
}

/// The usage error for inputs that do not exist, if any.
pub(crate) fn missing_inputs(paths: &[&Path]) -> Option<ExitCode> {
    let missing: Vec<&&Path> = paths.iter().filter(|p| !p.exists()).collect();
    for path in &missing {
        eprintln!("{}: no such file or folder", path.display());
    }
    (!missing.is_empty()).then_some(ExitCode::from(2))
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
