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

fn default_keys_dir() -> PathBuf {
    std::env::temp_dir().join(format!("alipay-gateway-{}", std::process::id()))
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
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn describe(request: &RecordedRequest) -> String {
    let method = request.method.as_deref().unwrap_or("(no method)");
    let answer = match (&request.answer.code, &request.answer.sub_code) {
        (Some(code), Some(sub)) => format!("{code} {sub}"),
        (Some(code), None) => code.clone(),
        (None, _) => format!("HTTP {}", request.answer.status),
    };
    let signature = if request.signature_verified {
        "signature ok"
    } else {
        "signature not verified"
    };
    format!(
        "{} {method} [{}] -> {answer} ({signature})",
        request.http_method, request.charset
    )
}

/// Runs `alipay gateway` until Ctrl-C.
pub async fn run(args: GatewayArgs) -> Exit {
    let scenarios = match &args.scenario {
        None => ScenarioFile::default(),
        Some(path) => match ScenarioFile::from_path(path) {
            Ok(file) => file,
            Err(e) => {
                eprintln!("invalid input: {e}");
                return Exit::Invalid;
            }
        },
    };

    let encrypt_key = match args.encrypt_key.as_deref().map(EncryptKey::from_base64) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(e)) => {
            eprintln!("invalid input: --encrypt-key: {e}");
            return Exit::Invalid;
        }
    };
    let mut throwaway = None;
    let mut throwaway_certs = None;
    let keys = match (&args.app_public_key, &args.alipay_private_key) {
        _ if args.cert_mode => {
            let certs = match ThrowawayCerts::generate() {
                Ok(certs) => certs,
                Err(e) => {
                    eprintln!("alipay: {e}");
                    return Exit::Failure;
                }
            };
            let pairs = ThrowawayKeys {
                app: certs.app.key.clone(),
                alipay: certs.alipay.key.clone(),
            };
            let keys = match pairs.gateway_keys() {
                Ok(keys) => keys,
                Err(e) => {
                    eprintln!("alipay: throwaway keys: {e}");
                    return Exit::Failure;
                }
            };
            throwaway_certs = Some(certs);
            keys
        }
        (Some(app_public), Some(alipay_private)) => match given_keys(app_public, alipay_private) {
            Ok(keys) => keys,
            Err(e) => {
                eprintln!("invalid input: {e}");
                return Exit::Invalid;
            }
        },
        (None, None) => {
            let generated = match ThrowawayKeys::generate() {
                Ok(keys) => keys,
                Err(e) => {
                    eprintln!("alipay: {e}");
                    return Exit::Failure;
                }
            };
            let keys = match generated.gateway_keys() {
                Ok(keys) => keys,
                Err(e) => {
                    eprintln!("alipay: throwaway keys: {e}");
                    return Exit::Failure;
                }
            };
            throwaway = Some(generated);
            keys
        }
        _ => {
            eprintln!(
                "invalid input: give both --app-public-key and --alipay-private-key, or neither (throwaway keys)"
            );
            return Exit::Invalid;
        }
    };

    let catalog = match Catalog::new(args.specs.as_deref()) {
        Ok(catalog) => std::sync::Arc::new(catalog),
        Err(message) => {
            eprintln!("invalid input: {message}");
            return Exit::Invalid;
        }
    };
    let served = catalog.names().count();
    // The compiled methods answer first; every other one through its spec.
    let mut builder = LocalGateway::builder(alipay_openapi::METHODS, keys)
        .resolver(catalog.resolver())
        .port(args.port)
        .scenarios(scenarios);
    if let Some(app_id) = &args.app_id {
        builder = builder.app_id(app_id.clone());
    }
    if let Some(certs) = &throwaway_certs {
        match GatewayCertMode::from_throwaway(certs) {
            Ok(mode) => builder = builder.cert_mode(mode),
            Err(e) => {
                eprintln!("alipay: throwaway certificates: {e}");
                return Exit::Failure;
            }
        }
    }
    if let Some(key) = encrypt_key {
        builder = builder.encrypt_key(key);
    }
    let gw = match builder.start().await {
        Ok(gw) => gw,
        Err(alipay_gateway::StartError::Scenario(e)) => {
            eprintln!("invalid input: {e}");
            return Exit::Invalid;
        }
        Err(e) => {
            eprintln!("alipay: {e}");
            return Exit::Failure;
        }
    };

    say!("local Alipay gateway listening on {}", gw.url());
    say!("serving {served} method(s); `alipay methods` lists them");
    // A folder this command chose itself is removed when it stops; one the user named stays.
    let mut remove_on_exit = None;
    if let Some(keys) = &throwaway {
        let dir = match &args.keys_dir {
            Some(dir) => dir.clone(),
            None => {
                let dir = default_keys_dir();
                remove_on_exit = Some(dir.clone());
                dir
            }
        };
        let app_id = args.app_id.as_deref().unwrap_or(DEMO_APP_ID);
        match keys
            .write_to(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| {
                write_client_config(&dir, &gw.url(), app_id, false, args.encrypt_key.as_deref())
            }) {
            Ok(config) => {
                say!("throwaway keys (TEST ONLY) written to {}:", dir.display());
                say!("  app_private.pem     the client's private_key");
                say!("  app_public.pem      this gateway's --app-public-key");
                say!("  alipay_private.pem  this gateway's --alipay-private-key");
                say!("  alipay_public.pem   the client's alipay_public_key");
                say!("client config: {}", config.display());
                say!(
                    "try: alipay call alipay.user.agreement.auth.confirm --config {} \\\n       --biz-content '{{\"agreement_no\":\"20170502000610755993\",\"apply_token\":\"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f\",\"auth_confirm_no\":\"423979\"}}'",
                    config.display()
                );
            }
            Err(e) => {
                eprintln!("alipay: cannot write the throwaway keys: {e}");
                return Exit::Failure;
            }
        }
    }
    if let Some(certs) = &throwaway_certs {
        let dir = match &args.keys_dir {
            Some(dir) => dir.clone(),
            None => {
                let dir = default_keys_dir();
                remove_on_exit = Some(dir.clone());
                dir
            }
        };
        let app_id = args.app_id.as_deref().unwrap_or(DEMO_APP_ID);
        match certs
            .write_to(&dir)
            .map_err(|e| e.to_string())
            .and_then(|_| {
                write_client_config(&dir, &gw.url(), app_id, true, args.encrypt_key.as_deref())
            }) {
            Ok(config) => {
                say!(
                    "certificate mode: throwaway certificates (TEST ONLY) written to {}:",
                    dir.display()
                );
                say!("  app_private.pem       the client's private_key");
                say!("  app_cert.crt          the client's app_cert");
                say!("  alipay_cert.crt       the client's alipay_cert");
                say!("  alipay_root_cert.crt  the client's alipay_root_cert");
                say!("  alipay_private.pem    the key this gateway signs answers with");
                if let Some(sn) = gw.alipay_cert_sn() {
                    say!("answers name alipay_cert_sn {sn}");
                }
                say!("client config: {}", config.display());
            }
            Err(e) => {
                eprintln!("alipay: cannot write the throwaway certificates: {e}");
                return Exit::Failure;
            }
        }
    }
    say!("Ctrl-C stops it (and removes throwaway keys it put in the temporary folder).");

    let mut seen = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tick.tick() => {
                let new = gw.requests_since(seen);
                for request in &new {
                    say!("{}", describe(request));
                }
                seen += new.len();
            }
        }
    }
    gw.shutdown().await;
    if let Some(dir) = remove_on_exit {
        // Throwaway keys for a gateway that no longer runs: nothing worth keeping.
        let _ = std::fs::remove_dir_all(dir);
    }
    Exit::Success
}
