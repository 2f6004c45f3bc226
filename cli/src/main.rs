//! The `alipay` command: call any generated method, sign page and app requests (`page`,
//! `sdk`), list them, run the local gateway, or run the quickstart demo.
//!
//! Exit codes (a public contract): 0 success; 1 failure outside a call; 2 invalid input or
//! configuration (nothing sent); 3 verified business error; 4 verified gateway error;
//! 5 response (or notification) signature missing or invalid; 6 transport or HTTP failure.
//!
//! Every command's help ends with examples ([`examples`]); `alipay completions SHELL` prints a
//! completion script. Help and usage errors are coloured only when they go to a terminal and
//! `NO_COLOR` is unset or empty (<https://no-color.org>); nothing else the command prints is
//! styled.

/// `println!` that ignores a closed stdout (`alipay gateway | head`, `alipay demo | head` must
/// not panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod args_error;
mod biz_content;
mod call;
mod catalog;
mod certs;
mod config;
mod demo;
#[cfg(test)]
mod doc_pages;
#[cfg(test)]
mod docs_check;
mod examples;
mod notify;
mod page;
mod report;
mod serve;
mod shown;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use std::io::Write as _;

use crate::config::ClientFlags;
use crate::report::Exit;

/// Typed, verified Alipay OpenAPI calls from the command line, and a local gateway to try
/// them against.
#[derive(Debug, Parser)]
#[command(
    name = "alipay",
    version = catalog::VERSION,
    about,
    long_about = None,
    after_help = examples::CLI
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Call a method: validates the parameters against the spec, signs, sends, verifies the
    /// answer, and prints the verified response node as JSON.
    ///
    /// Exit codes: 0 success; 2 invalid input or config (nothing sent); 3 verified business
    /// error; 4 verified gateway error; 5 response signature missing or invalid; 6 transport or
    /// HTTP failure.
    #[command(after_help = examples::CALL)]
    Call(Box<CallArgs>),
    /// Sign a page method (alipay.trade.page.pay, alipay.trade.wap.pay, ...) for the user's
    /// browser and print it: the auto-submitting HTML form (POST, the default; in the request
    /// charset, as a server answers the browser with it) or the whole signed URL (GET). The
    /// parameters are validated against the spec as by `call`; nothing is sent.
    ///
    /// Exit codes: 0 printed; 2 invalid input or configuration, or not a page method
    /// (nothing printed on stdout).
    #[command(after_help = examples::PAGE)]
    Page(Box<PageArgs>),
    /// Sign an app method (alipay.trade.app.pay) into the order string the Alipay app SDK
    /// takes and print it. The parameters are validated against the spec as by `call`;
    /// nothing is sent.
    ///
    /// Exit codes: 0 printed; 2 invalid input or configuration, or not an app (or page)
    /// method (nothing printed on stdout).
    #[command(after_help = examples::SDK)]
    Sdk(Box<SdkArgs>),
    /// List the methods this command serves: the whole catalog (the doc-page specs and those
    /// converted from the SDK's models), plus those of --specs DIR.
    #[command(after_help = examples::METHODS)]
    Methods(MethodsArgs),
    /// Run a local, spec-driven gateway on 127.0.0.1 until Ctrl-C.
    #[command(after_help = examples::GATEWAY)]
    Gateway(GatewayArgs),
    /// Print the SN of a certificate (`app_cert_sn`, `alipay_cert_sn`), or with --root the
    /// `alipay_root_cert_sn` of a root bundle: what isv.invalid-app-cert-sn and
    /// isv.invalid-alipay-root-cert-sn are about. Exit 2 when the file is not a certificate.
    #[command(after_help = examples::CERT_SN)]
    CertSn(CertSnArgs),
    /// Quickstart: a local gateway with throwaway keys, both seed methods, a success, a
    /// business error, an invalid request and an altered answer.
    #[command(after_help = examples::DEMO)]
    Demo,
    /// What Alipay sends back to the merchant: `alipay notify verify` checks an asynchronous
    /// notification.
    #[command(subcommand, after_help = examples::NOTIFY)]
    Notify(NotifyCommand),
    /// Print the shell completion script of `alipay` for SHELL to stdout.
    ///
    /// Save it where the shell looks for completions (see the examples), or source it in the
    /// shell's start-up file. Exit codes: 0 printed; 2 a shell it does not know.
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
}

/// `alipay completions`.
#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    shell: clap_complete::Shell,
}

/// `alipay notify`.
#[derive(Debug, Subcommand)]
enum NotifyCommand {
    /// Verify a notification's raw form body (as POSTed to notify_url) with the configured
    /// Alipay public key or certificate, and print its parameters as a JSON object.
    ///
    /// Exit codes: 0 verified; 5 not signed, signature invalid or made with another key, or
    /// the body changed after signing (nothing printed on stdout); 2 unreadable input or
    /// invalid configuration.
    #[command(after_help = examples::NOTIFY_VERIFY)]
    Verify(NotifyVerifyArgs),
}

/// `alipay notify verify`.
#[derive(Debug, clap::Args)]
struct NotifyVerifyArgs {
    /// The raw body (application/x-www-form-urlencoded, exactly as received), or @FILE to
    /// read it from a file. Default: standard input.
    #[arg(long, value_name = "@FILE")]
    body: Option<String>,
    #[command(flatten)]
    client: ClientFlags,
}

/// `alipay call`.
#[derive(Debug, clap::Args)]
struct CallArgs {
    /// The method, for example alipay.user.agreement.auth.confirm.
    method: String,
    /// The biz_content as a JSON object, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON")]
    biz_content: Option<String>,
    /// A form field the method sends outside biz_content, as key=value (repeatable).
    #[arg(long = "form", value_name = "KEY=VALUE")]
    form: Vec<String>,
    /// A file for a File field of the method, as NAME=@PATH (repeatable): uploaded as a
    /// multipart file part (its file name and a content type guessed from it), never signed.
    /// A file that cannot be read: exit 2, nothing sent.
    #[arg(long = "file", value_name = "NAME=@PATH")]
    file: Vec<String>,
    /// A folder of specs (checked as `alipay-codegen check` checks them) whose methods are
    /// served besides, and over, the built-in ones.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
    /// Send biz_content fields the spec does not know (for a field Alipay added after the spec
    /// was written). Without it such a field is refused (exit 2), naming it.
    #[arg(long)]
    allow_unknown_fields: bool,
    /// v2 (the gateway's signed form) or v3 (the method's REST route, signed in headers).
    /// Default: the config key `protocol`, else v2. Over v3 the fields of --biz-content and
    /// --form are placed by the method's route: path parameters, query parameters, the JSON
    /// body. A method without a v3 route is refused (exit 2), nothing sent.
    #[arg(long, value_name = "v2|v3", value_parser = crate::config::parse_protocol)]
    protocol: Option<alipay_runtime::Protocol>,
    #[command(flatten)]
    client: ClientFlags,
}

/// How `alipay page` hands the request to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum HttpMethod {
    /// An auto-submitting HTML form, POSTed by the browser.
    #[value(name = "POST")]
    Post,
    /// One signed URL for the browser to open.
    #[value(name = "GET")]
    Get,
}

/// `alipay page`.
#[derive(Debug, clap::Args)]
struct PageArgs {
    /// The page method, for example alipay.trade.page.pay.
    method: String,
    /// The biz_content as a JSON object, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON")]
    biz_content: Option<String>,
    /// A form field the method sends outside biz_content, as key=value (repeatable).
    #[arg(long = "form", value_name = "KEY=VALUE")]
    form: Vec<String>,
    /// POST (default): print the auto-submitting HTML form; GET: print the URL.
    #[arg(
        long,
        value_name = "POST|GET",
        default_value = "POST",
        ignore_case = true
    )]
    http_method: HttpMethod,
    /// Where Alipay sends the user's browser back afterwards (this request's return_url).
    #[arg(long, value_name = "URL")]
    return_url: Option<String>,
    /// A folder of specs whose methods are served besides, and over, the built-in ones.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
    /// Sign biz_content fields the spec does not know (see `alipay call`).
    #[arg(long)]
    allow_unknown_fields: bool,
    #[command(flatten)]
    client: ClientFlags,
}

/// `alipay sdk`.
#[derive(Debug, clap::Args)]
struct SdkArgs {
    /// The app method, for example alipay.trade.app.pay.
    method: String,
    /// The biz_content as a JSON object, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON")]
    biz_content: Option<String>,
    /// A form field the method sends outside biz_content, as key=value (repeatable).
    #[arg(long = "form", value_name = "KEY=VALUE")]
    form: Vec<String>,
    /// A folder of specs whose methods are served besides, and over, the built-in ones.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
    /// Sign biz_content fields the spec does not know (see `alipay call`).
    #[arg(long)]
    allow_unknown_fields: bool,
    #[command(flatten)]
    client: ClientFlags,
}

/// `alipay cert-sn`.
#[derive(Debug, clap::Args)]
struct CertSnArgs {
    /// The certificate file (PEM; the first certificate is the one whose SN is printed).
    file: PathBuf,
    /// FILE is a root bundle (alipayRootCert.crt): print the SNs of its RSA roots joined
    /// with `_`.
    #[arg(long)]
    root: bool,
}

/// `alipay methods`.
#[derive(Debug, clap::Args)]
struct MethodsArgs {
    /// A folder of specs whose methods are listed besides, and over, the built-in ones.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
}

/// `alipay gateway`.
#[derive(Debug, clap::Args)]
struct GatewayArgs {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A scenario file (TOML, or JSON when it ends in .json) choosing each method's answer.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// The app public key that verifies requests: a file, or inline PEM or base64. Give it
    /// with --alipay-private-key, or neither to use throwaway keys.
    #[arg(long, value_name = "KEY")]
    app_public_key: Option<String>,
    /// The private key that signs answers: a file, or inline PEM or base64.
    #[arg(long, value_name = "KEY")]
    alipay_private_key: Option<String>,
    /// Accept only this app_id (default: any).
    #[arg(long, value_name = "ID")]
    app_id: Option<String>,
    /// Where to write throwaway keys and a ready client config (default: a new folder in the
    /// system's temporary folder).
    #[arg(long, value_name = "DIR")]
    keys_dir: Option<PathBuf>,
    /// Public-key certificate mode: make a throwaway root CA, app and Alipay certificates,
    /// check app_cert_sn and alipay_root_cert_sn, answer with alipay_cert_sn, and write a
    /// ready certificate-mode client config.
    #[arg(long, conflicts_with_all = ["app_public_key", "alipay_private_key"])]
    cert_mode: bool,
    /// AES content encryption: the AES key (base64) that decrypts encrypt_type=AES requests
    /// (written into the client config when keys are throwaway).
    #[arg(long, value_name = "BASE64")]
    encrypt_key: Option<String>,
    /// A folder of specs whose methods are answered besides, and over, the built-in ones.
    #[arg(long, value_name = "DIR")]
    specs: Option<PathBuf>,
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => report_args_error(&e, &args),
    };
    // Printing a script needs no async runtime.
    if let Command::Completions(args) = &cli.command {
        completions(args.shell);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("alipay: cannot start the async runtime: {e}");
            std::process::exit(Exit::Failure.code());
        }
    };
    let exit = runtime.block_on(async move {
        match cli.command {
            Command::Call(args) => call::run(*args).await,
            Command::Page(args) => page::page(*args),
            Command::Sdk(args) => page::sdk(*args),
            Command::Methods(args) => call::list_methods(args.specs.as_deref()),
            Command::Gateway(args) => serve::run(args).await,
            Command::CertSn(args) => certs::cert_sn(&args.file, args.root),
            Command::Demo => demo::run().await,
            Command::Notify(NotifyCommand::Verify(args)) => notify::verify(args),
            Command::Completions(_) => unreachable!("printed before the runtime starts"),
        }
    });
    // Connections of the local gateway may still be open; do not wait for them.
    runtime.shutdown_background();
    std::process::exit(exit.code());
}

/// `alipay completions`: prints the script for `shell` and exits 0.
fn completions(shell: clap_complete::Shell) -> ! {
    use clap::CommandFactory as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "alipay", &mut script);
    // A closed stdout (`| head`) leaves nothing else to do but exit.
    let _ = std::io::stdout().write_all(&script);
    std::process::exit(Exit::Success.code());
}

/// Prints clap's message (usage errors, or `--help`/`--version`) with every argument that may
/// hold key material cut out, and exits with clap's code (2 for a usage error).
///
/// The message is styled (clap's bold headings, its red `error:`) only where its stream is a
/// terminal and `NO_COLOR` is unset or empty: `anstream` strips the styles otherwise. A
/// message that had anything cut out is printed plain.
fn report_args_error(e: &clap::Error, args: &[std::ffi::OsString]) -> ! {
    let rendered = e.render();
    let secrets = args_error::secrets(args);
    let plain = args_error::redact(&rendered.to_string(), &secrets);
    let styled = args_error::redact(&rendered.ansi().to_string(), &secrets);
    let text = args_error::styled_if_same(styled, plain);
    // A closed stdout or stderr leaves nothing else to do but exit.
    if e.use_stderr() {
        let _ = anstream::AutoStream::auto(std::io::stderr()).write_all(text.as_bytes());
    } else {
        let _ = anstream::AutoStream::auto(std::io::stdout()).write_all(text.as_bytes());
    }
    std::process::exit(e.exit_code());
}

// Help-example tests twinned in alipay-codegen's main.rs: no shared crate has clap (no `cli` feature here).
#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::{CommandFactory as _, Parser as _};

    /// Each command's path (`[]` for `alipay` itself, `["notify", "verify"]`) and long help.
    fn long_helps() -> Vec<(Vec<String>, String)> {
        fn walk(cmd: &mut clap::Command, path: &[String], out: &mut Vec<(Vec<String>, String)>) {
            out.push((path.to_vec(), cmd.render_long_help().to_string()));
            // clap's own `help` command has no examples to give.
            for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
                let mut inner = path.to_vec();
                inner.push(sub.get_name().to_owned());
                walk(sub, &inner, out);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut out = Vec::new();
        walk(&mut cmd, &[], &mut out);
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
            .filter(|line| line.starts_with("alipay "))
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
        assert!(helps.len() > 10, "{:?}", helps.iter().map(|h| &h.0));
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
                "no example runs `alipay {}`\n{help}",
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
        assert!(seen > 20, "{seen} examples");
    }

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }
}
