//! `alipay-codegen`: check specs, generate code, import doc pages.
//!
//! Exit codes (a public contract): 0 success; 1 the input has problems (every problem is
//! listed on stderr) or, for `generate --check`, the output is out of date; 2 usage errors
//! (including inputs that do not exist). `diff` has its own: 0 nothing breaks, 1 a change
//! breaks callers, 2 usage errors or specs with problems.
//!
//! On a terminal, long work draws a progress line on stderr ([`progress`]), and clap colours
//! the help and usage errors; piped, or with `NO_COLOR` set (non-empty), neither appears.

mod args;
mod check;
mod diff;
#[cfg(test)]
mod docs_check;
mod features;
mod generate;
mod import;
mod progress;

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
        Command::Completions { shell } => completions(shell),
    }
}

/// `completions`: the script for `shell` on stdout.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    use clap::CommandFactory as _;
    use std::io::Write as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "alipay-codegen", &mut script);
    // A closed stdout (`| head`) leaves nothing to do.
    let _ = std::io::stdout().write_all(&script);
    ExitCode::SUCCESS
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

    // Twinned in cli/src/main.rs: the alipay command builds this crate's library without clap.
    /// Each command's path (`[]` for `alipay-codegen` itself, `["generate"]`) and long help.
    fn long_helps() -> Vec<(Vec<String>, String)> {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        cmd.build();
        let mut out = vec![(Vec::new(), cmd.render_long_help().to_string())];
        // clap's own `help` command has no examples to give; no command has commands of its own.
        for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
            assert!(
                sub.get_subcommands().next().is_none(),
                "walk the commands of {sub}"
            );
            out.push((
                vec![sub.get_name().to_owned()],
                sub.render_long_help().to_string(),
            ));
        }
        out
    }

    /// The command lines of a help's `Examples:` section, split as a shell splits them, each
    /// cut at its first pipe or redirection.
    fn examples(help: &str) -> Vec<Vec<String>> {
        let Some((_, section)) = help.split_once("Examples:") else {
            return Vec::new();
        };
        section
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("alipay-codegen "))
            .map(|line| {
                let words =
                    shlex::split(line).unwrap_or_else(|| panic!("unbalanced quotes: {line}"));
                words
                    .into_iter()
                    .take_while(|w| !["|", ">", "<", "&&", ";"].contains(&w.as_str()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn every_command_ends_its_help_with_examples_of_itself() {
        let helps = long_helps();
        assert!(helps.len() >= 8, "{:?}", helps.iter().map(|h| &h.0));
        for (path, help) in &helps {
            assert!(
                help.contains("\nExamples:\n"),
                "no examples: {path:?}\n{help}"
            );
            let own = examples(help)
                .into_iter()
                .filter(|words| words[1..].starts_with(path))
                .count();
            assert!(
                own > 0,
                "no example runs `alipay-codegen {}`\n{help}",
                path.join(" ")
            );
        }
    }

    #[test]
    fn every_example_parses() {
        let mut seen = 0;
        for (path, help) in long_helps() {
            for words in examples(&help) {
                seen += 1;
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("an example of {path:?} does not parse: {words:?}\n{e}");
                }
            }
        }
        assert!(seen > 15, "{seen} examples");
    }
}
