//! `alipay gateway`: the local gateway as a long-running command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alipay_gateway::{
    GatewayCertMode, GatewayKeys, LocalGateway, ScenarioFile, ThrowawayCerts, ThrowawayKeys,
};
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::{PrivateKey, PublicKey};

use crate::GatewayArgs;
use crate::catalog::Catalog;

mod console;

use console::console_lines;

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
        .map(|k| format!("encrypt_key = {}\n", toml_string(k)))
        .unwrap_or_default();
    let (url, app_id) = (toml_string(url), toml_string(app_id));
    // Never through a link planted under this name: remove whatever is there, then create.
    if std::fs::symlink_metadata(&path).is_ok() {
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
    }
    let text = format!(
        "# Client config for the local gateway (TEST ONLY keys). Key paths are relative to this file.\n\
         gateway = {url}\n\
         app_id = {app_id}\n\
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

/// `text` as a TOML string, quoted and escaped by the toml crate: `--app-id` is any text, and
/// a `"` or a line break in it must not break (or add keys to) the config file written with it.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
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
    // A mistake in the scenario file names the file (a read or parse error does already).
    let in_file = |e: alipay_gateway::ScenarioError| match (&args.scenario, &e) {
        (Some(path), e) if !matches!(e, alipay_gateway::ScenarioError::File { .. }) => {
            invalid(&format!("scenario file {}: {e}", path.display()))
        }
        _ => invalid(&e),
    };
    let mut scenarios = match &args.scenario {
        None => ScenarioFile::default(),
        Some(path) => ScenarioFile::from_path(path).map_err(in_file)?,
    };
    let encrypt_key = match args.encrypt_key.as_deref().map(EncryptKey::from_base64) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(e)) => return Err(invalid(&format!("--encrypt-key: {e}"))),
    };
    // `issue = "from_root"`: a new certificate from this gateway's throwaway CA.
    scenarios.issue_rotation_cert(certs).map_err(in_file)?;
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
        alipay_gateway::StartError::Scenario(e) => in_file(e),
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
    say_written(&dir, &config, cert_mode, gw);
    Ok(temp)
}

/// Says what the throwaway folder `dir` holds, which client configuration was written, and
/// (key mode) the official SDKs' configurations and a command to try.
fn say_written(
    dir: &std::path::Path,
    config: &std::path::Path,
    cert_mode: bool,
    gw: &LocalGateway,
) {
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
