//! `alipay gateway`: the local gateway as a long-running command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alipay_gateway::{
    GatewayCertMode, GatewayKeys, LocalGateway, RecordedRequest, ScenarioFile, ThrowawayCerts,
    ThrowawayKeys,
};
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::{PrivateKey, PublicKey};

use crate::GatewayArgs;
use crate::catalog::Catalog;
use crate::shown::shown;

/// `println!` that ignores a closed stdout (`alipay gateway | head` must not panic the server).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
use crate::report::Exit;

/// The app id written into the generated client config.
const DEMO_APP_ID: &str = "2021000000000000";

fn read_key(flag: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.contains("-----BEGIN") {
        return Ok(value.to_owned());
    }
    let path = Path::new(value);
    if path.is_file() {
        return std::fs::read_to_string(path)
            .map_err(|e| format!("{flag}: cannot read {}: {e}", path.display()));
    }
    Ok(value.to_owned())
}

fn given_keys(app_public: &str, alipay_private: &str) -> Result<GatewayKeys, String> {
    let app_public = PublicKey::parse(&read_key("--app-public-key", app_public)?)
        .map_err(|e| format!("--app-public-key: {e}"))?;
    let alipay_private = PrivateKey::parse(&read_key("--alipay-private-key", alipay_private)?)
        .map_err(|e| format!("--alipay-private-key: {e}"))?;
    Ok(GatewayKeys::new(app_public, alipay_private))
}

/// A fresh folder for the throwaway keys: made by `tempfile` under an unpredictable name,
/// readable by this user only (0700), and removed when the guard is dropped.
fn fresh_keys_dir() -> Result<tempfile::TempDir, String> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("alipay-gateway-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder for the keys: {e}"))
}

/// Writes the client config that talks to this gateway with the throwaway keys (in
/// certificate mode, the throwaway certificates instead of the Alipay public key).
fn write_client_config(
    dir: &Path,
    url: &str,
    app_id: &str,
    cert_mode: bool,
    encrypt_key: Option<&str>,
) -> Result<PathBuf, String> {
    let path = dir.join("alipay.toml");
    let alipay = if cert_mode {
        "app_cert = \"app_cert.crt\"\n\
         alipay_cert = \"alipay_cert.crt\"\n\
         alipay_root_cert = \"alipay_root_cert.crt\"\n"
    } else {
        "alipay_public_key = \"alipay_public.pem\"\n"
    };
    let aes = encrypt_key
        .map(|k| format!("encrypt_key = \"{k}\"\n"))
        .unwrap_or_default();
    // Never through a link planted under this name: remove whatever is there, then create.
    if std::fs::symlink_metadata(&path).is_ok() {
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
    }
    let text = format!(
        "# Client config for the local gateway (TEST ONLY keys). Key paths are relative to this file.\n\
         gateway = \"{url}\"\n\
         app_id = \"{app_id}\"\n\
         private_key = \"app_private.pem\"\n\
         {alipay}{aes}\
         sign_type = \"RSA2\"\n\
         charset = \"utf-8\"\n\
         timeout_ms = 10000\n"
    );
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn describe(request: &RecordedRequest) -> String {
    let other_path =
        request.path != alipay_gateway::GATEWAY_PATH && !request.path.starts_with("/v3/");
    let method = match request.method.as_deref() {
        // The control endpoint names the method of the order string it was given (the
        // gateway never takes it from a cashier button's form): the path says what was asked
        // for.
        Some(method) if other_path => format!("{} {method}", request.path),
        Some(method) => method.to_owned(),
        // The cashier's buttons name no method: their path does.
        None if request.path != alipay_gateway::GATEWAY_PATH => request.path.clone(),
        None => "(no method)".to_owned(),
    };
    let answer = match (&request.answer.code, &request.answer.sub_code) {
        (Some(code), Some(sub)) => format!("{code} {sub}"),
        (Some(code), None) => code.clone(),
        (None, _) => format!("HTTP {}", request.answer.status),
    };
    // The verdict the gateway reached: a signature's, an order string's, a cashier token's;
    // then the fault injected into the answer, if one was.
    let signature = match &request.fault {
        Some(fault) => format!(
            "{}; injected fault: {}",
            shown(&request.verdict),
            shown(fault)
        ),
        None => shown(&request.verdict).into_owned(),
    };
    // An upload's files: field, file name, size and SHA-256 (never their content).
    let files: String = request
        .files
        .iter()
        .map(|f| {
            format!(
                " file {}={} ({} bytes, sha256 {})",
                shown(&f.name),
                shown(&f.file_name),
                f.size,
                f.sha256
            )
        })
        .collect();
    // Everything here but the verdict came from the request: one line per request, always.
    format!(
        "{} {} [{}]{} -> {} ({signature}){}{files}",
        shown(&request.http_method),
        shown(&method),
        shown(&request.charset),
        v3_target(request),
        shown(&answer),
        if request.decrypted_biz_content.is_some() {
            " AES"
        } else {
            ""
        }
    )
}

/// The console lines for the requests from position `first` on, when the console has shown
/// those before `seen`: a line saying how many the log dropped before they were shown, if
/// any, then one line per request.
fn console_lines(seen: usize, first: usize, new: &[RecordedRequest]) -> Vec<String> {
    let lost = first.saturating_sub(seen);
    let dropped = (lost > 0).then(|| {
        format!("({lost} request(s) dropped from the request log before they were shown)")
    });
    dropped
        .into_iter()
        .chain(new.iter().map(describe))
        .collect()
}

/// For a v3 request: ` v3 PATH` as received (percent-encoded), then the names of its path and
/// query parameters (never their values: a query may hold a user's `auth_token`); empty for
/// any other request.
fn v3_target(request: &RecordedRequest) -> String {
    if !request.path.starts_with("/v3/") {
        return String::new();
    }
    let names: Vec<&str> = request
        .params
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "biz_content")
        .collect();
    let params = if names.is_empty() {
        String::new()
    } else {
        format!(" params {}", shown(&names.join(",")))
    };
    format!(" v3 {}{params}", shown(&request.path))
}

/// The gateway's keys: given, or throwaway ones (and certificates in certificate mode) made
/// for this run.
struct Keys {
    gateway: GatewayKeys,
    throwaway: Option<ThrowawayKeys>,
    throwaway_certs: Option<ThrowawayCerts>,
}

/// The keys `args` ask for; the error is the exit, its message printed.
fn keys(args: &GatewayArgs) -> Result<Keys, Exit> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        eprintln!("alipay: {what}{e}");
        Exit::Failure
    };
    match (&args.app_public_key, &args.alipay_private_key) {
        _ if args.cert_mode => {
            let certs = ThrowawayCerts::generate().map_err(|e| failed("", &e))?;
            let pairs = ThrowawayKeys {
                app: certs.app.key.clone(),
                alipay: certs.alipay.key.clone(),
            };
            let gateway = pairs
                .gateway_keys()
                .map_err(|e| failed("throwaway keys: ", &e))?;
            Ok(Keys {
                gateway,
                throwaway: None,
                throwaway_certs: Some(certs),
            })
        }
        (Some(app_public), Some(alipay_private)) => given_keys(app_public, alipay_private)
            .map(|gateway| Keys {
                gateway,
                throwaway: None,
                throwaway_certs: None,
            })
            .map_err(|e| {
                eprintln!("invalid input: {e}");
                Exit::Invalid
            }),
        (None, None) => {
            let generated = ThrowawayKeys::generate().map_err(|e| failed("", &e))?;
            let gateway = generated
                .gateway_keys()
                .map_err(|e| failed("throwaway keys: ", &e))?;
            Ok(Keys {
                gateway,
                throwaway: Some(generated),
                throwaway_certs: None,
            })
        }
        _ => {
            eprintln!(
                "invalid input: give both --app-public-key and --alipay-private-key, or neither (throwaway keys)"
            );
            Err(Exit::Invalid)
        }
    }
}

/// Starts the gateway over `catalog` with `keys` and what `args` configure.
async fn start(
    args: &GatewayArgs,
    keys: GatewayKeys,
    certs: Option<&ThrowawayCerts>,
    catalog: &std::sync::Arc<Catalog>,
) -> Result<LocalGateway, Exit> {
    let invalid = |e: &dyn std::fmt::Display| {
        eprintln!("invalid input: {e}");
        Exit::Invalid
    };
    let mut scenarios = match &args.scenario {
        None => ScenarioFile::default(),
        Some(path) => ScenarioFile::from_path(path).map_err(|e| invalid(&e))?,
    };
    let encrypt_key = match args.encrypt_key.as_deref().map(EncryptKey::from_base64) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(e)) => return Err(invalid(&format!("--encrypt-key: {e}"))),
    };
    // `issue = "from_root"`: a new certificate from this gateway's throwaway CA.
    scenarios
        .issue_rotation_cert(certs)
        .map_err(|e| invalid(&e))?;
    // The compiled methods answer first; every other one through its spec.
    let mut builder = LocalGateway::builder(alipay_openapi::METHODS, keys)
        .resolver(std::sync::Arc::clone(catalog).resolver())
        .routes(catalog.routes())
        .port(args.port)
        .scenarios(scenarios);
    if let Some(app_id) = &args.app_id {
        builder = builder.app_id(app_id.clone());
    }
    if let Some(certs) = certs {
        let mode = GatewayCertMode::from_throwaway(certs).map_err(|e| {
            eprintln!("alipay: throwaway certificates: {e}");
            Exit::Failure
        })?;
        builder = builder.cert_mode(mode);
    }
    if let Some(key) = encrypt_key {
        builder = builder.encrypt_key(key);
    }
    builder.start().await.map_err(|e| match e {
        alipay_gateway::StartError::Scenario(e) => invalid(&e),
        e => {
            eprintln!("alipay: {e}");
            Exit::Failure
        }
    })
}

/// Writes the throwaway keys or certificates (if any) and a client config for them into the
/// folder `args` name, or a fresh temporary one (returned: it is removed when dropped), and
/// says what is where.
fn write_throwaway(
    args: &GatewayArgs,
    throwaway: Option<&ThrowawayKeys>,
    certs: Option<&ThrowawayCerts>,
    gw: &LocalGateway,
) -> Result<Option<tempfile::TempDir>, Exit> {
    let cert_mode = certs.is_some();
    if throwaway.is_none() && !cert_mode {
        return Ok(None);
    }
    let mut temp = None;
    let dir = match &args.keys_dir {
        Some(dir) => dir.clone(),
        None => {
            let fresh = fresh_keys_dir().map_err(|e| {
                eprintln!("alipay: {e}");
                Exit::Failure
            })?;
            let dir = fresh.path().to_owned();
            temp = Some(fresh);
            dir
        }
    };
    let app_id = args.app_id.as_deref().unwrap_or(DEMO_APP_ID);
    let written = match (throwaway, certs) {
        (_, Some(certs)) => certs.write_to(&dir).map(drop),
        (Some(pairs), None) => pairs
            .write_to(&dir)
            .and_then(|_| pairs.write_sdk_configs(&dir, &gw.url(), app_id))
            .map(drop),
        (None, None) => Ok(()),
    };
    let config = written.map_err(|e| e.to_string()).and_then(|()| {
        write_client_config(
            &dir,
            &gw.url(),
            app_id,
            cert_mode,
            args.encrypt_key.as_deref(),
        )
    });
    let config = match config {
        Ok(config) => config,
        Err(e) if cert_mode => {
            eprintln!("alipay: cannot write the throwaway certificates: {e}");
            return Err(Exit::Failure);
        }
        Err(e) => {
            eprintln!("alipay: cannot write the throwaway keys: {e}");
            return Err(Exit::Failure);
        }
    };
    if cert_mode {
        say!(
            "certificate mode: throwaway certificates (TEST ONLY) written to {}:",
            dir.display()
        );
        say!(
            "  app_private.pem       the client's private_key (PKCS#8; app_private_pkcs1.pem: PKCS#1;"
        );
        say!(
            "                        app_private.txt, app_private_pkcs1.txt: the same as bare base64)"
        );
        say!("  app_cert.crt          the client's app_cert");
        say!("  alipay_cert.crt       the client's alipay_cert");
        say!("  alipay_root_cert.crt  the client's alipay_root_cert");
        say!("  alipay_private.pem    the key this gateway signs answers with");
        if let Some(sn) = gw.alipay_cert_sn() {
            say!("answers name alipay_cert_sn {sn}");
        }
        say!("client config: {}", config.display());
    } else {
        say!("throwaway keys (TEST ONLY) written to {}:", dir.display());
        say!(
            "  app_private.pem     the client's private_key (PKCS#8; app_private_pkcs1.pem: PKCS#1;"
        );
        say!(
            "                      app_private.txt, app_private_pkcs1.txt: the same as bare base64)"
        );
        say!("  app_public.pem      this gateway's --app-public-key");
        say!("  alipay_private.pem  this gateway's --alipay-private-key");
        say!(
            "  alipay_public.pem   the client's alipay_public_key (alipay_public.txt: bare base64;"
        );
        say!("                      alipay_public_pkcs1.pem, alipay_public_pkcs1.txt: PKCS#1)");
        say!("client config: {}", config.display());
        say!(
            "official SDKs: {} (npm alipay-sdk), {} (PyPI alipay-sdk-python)",
            dir.join("alipay-sdk.node.js").display(),
            dir.join("alipay_sdk_python.py").display()
        );
        say!(
            "try: alipay call alipay.user.agreement.auth.confirm --config {} \\\n       --biz-content '{{\"agreement_no\":\"20170502000610755993\",\"apply_token\":\"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f\",\"auth_confirm_no\":\"423979\"}}'",
            config.display()
        );
    }
    Ok(temp)
}

/// Runs `alipay gateway` until Ctrl-C.
pub async fn run(args: GatewayArgs) -> Exit {
    match serve(args).await {
        Ok(()) => Exit::Success,
        Err(exit) => exit,
    }
}

/// [`run`], its failures as the exit (their messages printed).
async fn serve(args: GatewayArgs) -> Result<(), Exit> {
    let Keys {
        gateway,
        throwaway,
        throwaway_certs,
    } = keys(&args)?;
    let catalog = Catalog::new(args.specs.as_deref()).map_err(|message| {
        eprintln!("invalid input: {message}");
        Exit::Invalid
    })?;
    let catalog = std::sync::Arc::new(catalog);
    let served = catalog.names().count();
    let gw = start(&args, gateway, throwaway_certs.as_ref(), &catalog).await?;

    // Signals are taken over before the keys folder exists and before anything is printed:
    // a SIGTERM sent as soon as the folder is announced must still remove it, not kill the
    // process with the folder left behind.
    let mut stop = Stop::new().map_err(|e| {
        eprintln!("alipay: cannot listen for signals: {e}");
        Exit::Failure
    })?;
    say!("local Alipay gateway listening on {}", gw.url());
    say!("serving {served} method(s); `alipay methods` lists them");
    say!(
        "and {} v3 route(s) under http://{}/v3/ (requests signed in an Authorization header)",
        gw.v3_route_count(),
        gw.addr()
    );
    // A folder this command chose itself is removed when it stops, however it stops (the
    // guard's drop, also on an early return or a panic; SIGTERM and SIGHUP end the loop
    // below like Ctrl-C); one the user named stays.
    let _remove_on_exit =
        write_throwaway(&args, throwaway.as_ref(), throwaway_certs.as_ref(), &gw)?;
    say!("Ctrl-C stops it (and removes throwaway keys it put in the temporary folder).");

    let mut seen = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = stop.next() => break,
            _ = tick.tick() => {
                let (first, new) = gw.requests_from(seen);
                for line in console_lines(seen, first, &new) {
                    say!("{line}");
                }
                seen = first + new.len();
            }
        }
    }
    // Stopping never waits on a client: open connections (keep-alive ones included) and
    // notifications in delivery are dropped, not drained; the bound is a backstop.
    let _ = tokio::time::timeout(Duration::from_millis(250), gw.shutdown()).await;
    // Throwaway keys for a gateway that no longer runs: nothing worth keeping (the guard in
    // `_remove_on_exit` deletes the folder as it goes out of scope).
    Ok(())
}

/// What stops the gateway: Ctrl-C, and on Unix also SIGTERM and SIGHUP.
struct Stop {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl Stop {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = self.term.recv() => {}
            _ = self.hangup.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_gateway::RecordedAnswer;

    #[test]
    fn a_request_cannot_forge_a_console_line() {
        let request = RecordedRequest {
            http_method: "POST".into(),
            path: "/gateway.do".into(),
            method: Some(
                "alipay.x\nPOST alipay.trade.refund [utf-8] -> 10000 (signature ok)\u{1b}[1A"
                    .into(),
            ),
            params: Vec::new(),
            charset: "utf-8".into(),
            decrypted_biz_content: None,
            files: Vec::new(),
            signature_verified: false,
            verdict: "signature not verified".into(),
            answer: RecordedAnswer {
                status: 200,
                code: Some("40002".into()),
                sub_code: Some("isv.invalid-method".into()),
                node: Some("error_response".into()),
            },
            fault: None,
        };
        let line = describe(&request);
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
        assert!(line.ends_with("(signature not verified)"), "{line}");
    }

    #[test]
    fn an_injected_fault_is_on_the_line() {
        let request = RecordedRequest {
            http_method: "POST".into(),
            path: "/gateway.do".into(),
            method: Some("alipay.trade.query".into()),
            params: Vec::new(),
            charset: "utf-8".into(),
            decrypted_biz_content: None,
            files: Vec::new(),
            signature_verified: true,
            verdict: "signature ok".into(),
            answer: RecordedAnswer {
                status: 503,
                code: None,
                sub_code: None,
                node: None,
            },
            fault: Some("http_status 503".into()),
        };
        assert_eq!(
            describe(&request),
            "POST alipay.trade.query [utf-8] -> HTTP 503 (signature ok; injected fault: http_status 503)"
        );
    }

    #[test]
    fn dropped_requests_are_counted_never_repeated() {
        let request = RecordedRequest {
            http_method: "POST".into(),
            path: "/gateway.do".into(),
            method: Some("alipay.trade.query".into()),
            params: Vec::new(),
            charset: "utf-8".into(),
            decrypted_biz_content: None,
            files: Vec::new(),
            signature_verified: true,
            verdict: "signature ok".into(),
            answer: RecordedAnswer {
                status: 200,
                code: Some("10000".into()),
                sub_code: None,
                node: Some("alipay_trade_query_response".into()),
            },
            fault: None,
        };
        let two = [request.clone(), request];
        let lines = console_lines(4, 7, &two);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(
            lines[0],
            "(3 request(s) dropped from the request log before they were shown)"
        );
        assert!(
            lines[1].starts_with("POST alipay.trade.query "),
            "{}",
            lines[1]
        );
        assert_eq!(console_lines(9, 9, &two).len(), 2);
    }

    #[test]
    fn a_v3_line_names_its_path_and_parameters_never_their_values() {
        let mut request = RecordedRequest {
            http_method: "POST".into(),
            path: "/v3/alipay/user/info/share".into(),
            method: Some("alipay.user.info.share".into()),
            params: vec![
                ("auth_token".into(), "kuaijieSECRET".into()),
                ("biz_content".into(), "{}".into()),
            ],
            charset: "utf-8".into(),
            decrypted_biz_content: Some("{}".into()),
            files: Vec::new(),
            signature_verified: true,
            verdict: "signature ok".into(),
            answer: RecordedAnswer {
                status: 200,
                code: None,
                sub_code: None,
                node: None,
            },
            fault: None,
        };
        assert_eq!(
            describe(&request),
            "POST alipay.user.info.share [utf-8] v3 /v3/alipay/user/info/share params auth_token -> HTTP 200 (signature ok) AES"
        );
        // The control endpoint: its path, then the method of the order string it was given.
        request.path = "/control/pay-order-string".into();
        request.method = Some("alipay.trade.app.pay".into());
        request.params.clear();
        request.decrypted_biz_content = None;
        request.verdict = "order string signature ok".into();
        assert_eq!(
            describe(&request),
            "POST /control/pay-order-string alipay.trade.app.pay [utf-8] -> HTTP 200 (order string signature ok)"
        );
    }
}
