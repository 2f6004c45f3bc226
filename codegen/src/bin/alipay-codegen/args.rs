//! The command line: subcommands, flags and their help (a public contract: change them only
//! by adding).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Check Alipay method specs and generate typed Rust clients from them.
///
/// Exit codes: 0 success; 1 problems found (each listed on stderr as
/// `file:line:column: field.path: message`), or `generate --check` found stale output;
/// 2 usage error (unknown flag, missing argument, an input that does not exist).
/// `diff` exits 0 when nothing breaks, 1 when a change breaks callers, 2 on usage errors
/// and specs with problems.
#[derive(Debug, Parser)]
#[command(
    name = "alipay-codegen",
    version,
    about,
    long_about,
    after_help = examples::CLI
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
    #[command(after_help = examples::CHECK)]
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
    #[command(after_help = examples::FEATURES)]
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
        /// With `--crates`: the parts' `alipay-specs` build dependency (the data crate their
        /// build scripts read the specs from) as written in their manifests (default: this
        /// repository's, `{ path = "../../specs", .. }`).
        #[arg(long, value_name = "TOML", requires = "crates")]
        specs_crate: Option<String>,
    },
    /// Generate the client code from a folder of specs.
    ///
    /// Only files whose content changed are rewritten. Exits 0 on success, 1 when the specs
    /// have problems (listed on stderr) or generation fails, and with `--check` also when the
    /// output differs from what the specs produce (the differing files are listed); 2 on
    /// usage errors (such as a specs folder that does not exist).
    #[command(after_help = examples::GENERATE)]
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
    #[command(after_help = examples::IMPORT)]
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
    /// Import Alipay's OpenAPI document of the v3 protocol (YAML or JSON) into the specs.
    ///
    /// Every operation gives its method's spec a `route` (HTTP method, path, query, body) and
    /// adds what the spec lacks: error codes, parameters, request and response fields and
    /// the models they name, each with its `source`. What a spec says is never changed. An
    /// operation without a spec gets one (`provenance: openapi`). Prints one line per new or
    /// updated spec and a summary. Exits 0 when done (with `--check`: when nothing would
    /// change), 1 when the document or a spec has problems (nothing written) or, with
    /// `--check`, when specs would change, 2 when FILE or the specs folder does not exist.
    #[command(after_help = examples::IMPORT_OPENAPI)]
    ImportOpenapi {
        /// The document (`openapi.yaml` or `openapi.json`).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The folder of specs (its `sdk/` layer included).
        #[arg(long, value_name = "DIR", default_value = "specs")]
        specs: PathBuf,
        /// Write nothing; exit 1 when the import would change a spec.
        #[arg(long)]
        check: bool,
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
    /// (`--format json`, a public contract, see docs/spec-diffs.md): `{"changes": [{"method",
    /// "path", "change", "breaking", "severity", "message", "old", "new", "model",
    /// "used_by"}...], "breaking": N, "minor": N, "patch": N, "semver":
    /// "major"|"minor"|"patch"|"none"}`.
    ///
    /// Exits 0 when nothing breaks, 1 when at least one change is breaking (so CI can gate
    /// on it), 2 on usage errors and when a spec of either side has problems (listed on
    /// stderr as `file:line:column: path: message`).
    #[command(after_help = examples::DIFF)]
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
    /// Print the shell completion script of `alipay-codegen` for SHELL to stdout.
    ///
    /// Save it where the shell looks for completions (see the examples), or source it in the
    /// shell's start-up file. Exits 0, or 2 for a shell it does not know.
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

/// The examples each command's help ends with: real command lines, run from a crate's folder
/// whose specs are in `specs/` (the unit tests parse every line that starts with
/// `alipay-codegen`).
mod examples {
    pub const CLI: &str = "\
Examples:
  alipay-codegen check specs
  alipay-codegen generate --specs specs --out src/generated
  alipay-codegen diff old/specs specs
  alipay-codegen completions bash > ~/.local/share/bash-completion/completions/alipay-codegen

Run `alipay-codegen help <COMMAND>` for each command's flags and examples.";

    pub const CHECK: &str = "\
Examples:
  # Every spec of a folder (and the features of the Cargo.toml beside it, if it has them):
  alipay-codegen check specs
  # One spec file, with the product groups checked against a given manifest:
  alipay-codegen check specs/alipay.trade.query.yaml --manifest Cargo.toml";

    pub const FEATURES: &str = "\
Examples:
  # Print the features section the specs give:
  alipay-codegen features --specs specs
  # Rewrite Cargo.toml's section:
  alipay-codegen features --write Cargo.toml
  # Exit 1 when the sections, and the groups' packages under catalog/, are not what the specs
  # give (for CI):
  alipay-codegen features --check Cargo.toml --crates catalog
  # Rewrite them, every product group a package of its own under catalog/:
  alipay-codegen features --write Cargo.toml --crates catalog";

    pub const GENERATE: &str = "\
Examples:
  # A module tree to include! into a crate:
  alipay-codegen generate --specs specs --out src/generated
  # Only some methods:
  alipay-codegen generate --specs specs --out src/generated --methods 'alipay.trade.*' 'alipay.user.*'
  # Exit 1 when src/generated is not what the specs produce (for CI); nothing is written:
  alipay-codegen generate --specs specs --out src/generated --check
  # A facade crate over one crate per product group, ready to vendor:
  alipay-codegen generate --specs specs --out alipay-catalog --layout crates --runtime '\"0.1\"'";

    pub const IMPORT: &str = "\
Examples:
  # A doc page saved as text, into specs/<method>.yaml:
  alipay-codegen import alipay.trade.query.txt -o specs
  # The spec on stdout, to read it first:
  alipay-codegen import alipay.trade.query.txt";

    pub const IMPORT_OPENAPI: &str = "\
Examples:
  # What the document would add to specs/ (exit 1 when a spec would change), nothing written:
  alipay-codegen import-openapi openapi.yaml --specs specs --check
  # Write it:
  alipay-codegen import-openapi openapi.yaml --specs specs";

    pub const DIFF: &str = "\
Examples:
  # What changes for callers between the specs of main (checked out in old/) and these:
  alipay-codegen diff old/specs specs
  # One method, as JSON for a tool:
  alipay-codegen diff old/specs/alipay.trade.query.yaml specs/alipay.trade.query.yaml --format json";

    pub const COMPLETIONS: &str = "\
Examples:
  alipay-codegen completions bash > ~/.local/share/bash-completion/completions/alipay-codegen
  alipay-codegen completions zsh > ~/.zfunc/_alipay-codegen
  alipay-codegen completions fish > ~/.config/fish/completions/alipay-codegen.fish";
}

/// The output of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line per change, then a summary.
    Text,
    /// One JSON document.
    Json,
}

/// The shape of `generate`'s output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// A module tree to include into a crate.
    Module,
    /// A facade crate over one crate per product group.
    Crates,
}
