//! The client configuration: an `alipay.toml` file and flags, flags winning.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alipay_runtime::{Charset, Client, Gateway, PrivateKey, PublicKey, SignType};
use clap::Args;
use serde::Deserialize;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG: &str = "alipay.toml";

/// The keys of `alipay.toml`; every one can also be given as a flag.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    gateway: Option<String>,
    app_id: Option<String>,
    private_key: Option<String>,
    alipay_public_key: Option<String>,
    sign_type: Option<String>,
    charset: Option<String>,
    app_auth_token: Option<String>,
    notify_url: Option<String>,
    timeout_ms: Option<u64>,
    app_cert: Option<String>,
    alipay_cert: Option<String>,
    alipay_root_cert: Option<String>,
    encrypt_key: Option<String>,
    /// The protocol `alipay call` uses when `--protocol` is not given: `v2` (default) or `v3`.
    protocol: Option<String>,
}

/// Client settings given as flags; each wins over the same key in the config file.
#[derive(Debug, Default, Clone, Args)]
pub struct ClientFlags {
    /// The config file (TOML). Default: ./alipay.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `production`, `sandbox`, or a gateway URL (e.g. http://127.0.0.1:8080/gateway.do).
    #[arg(long, value_name = "URL")]
    pub gateway: Option<String>,
    /// The app id.
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// The app private key: a file, or inline PEM or base64.
    #[arg(long, value_name = "KEY")]
    pub private_key: Option<String>,
    /// The Alipay public key: a file, or inline PEM or base64.
    #[arg(long, value_name = "KEY")]
    pub alipay_public_key: Option<String>,
    /// RSA2 (default) or RSA.
    #[arg(long, value_name = "TYPE")]
    pub sign_type: Option<String>,
    /// utf-8 (default), GBK or GB2312.
    #[arg(long, value_name = "CHARSET")]
    pub charset: Option<String>,
    /// The app_auth_token, when calling on behalf of a merchant.
    #[arg(long, value_name = "TOKEN")]
    pub app_auth_token: Option<String>,
    /// The notify_url for asynchronous notifications.
    #[arg(long, value_name = "URL")]
    pub notify_url: Option<String>,
    /// The whole call's timeout in milliseconds (default 30000).
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<u64>,
    /// Certificate mode: the app public-key certificate (appCertPublicKey_<app_id>.crt), a
    /// file or inline PEM. With --alipay-cert and --alipay-root-cert; no Alipay public key is
    /// needed then.
    #[arg(long, value_name = "CERT")]
    pub app_cert: Option<String>,
    /// Certificate mode: the Alipay public-key certificate (alipayCertPublicKey_RSA2.crt).
    #[arg(long, value_name = "CERT")]
    pub alipay_cert: Option<String>,
    /// Certificate mode: the Alipay root certificate bundle (alipayRootCert.crt).
    #[arg(long, value_name = "CERT")]
    pub alipay_root_cert: Option<String>,
    /// AES content encryption: the app's AES key (base64), to encrypt biz_content.
    #[arg(long, value_name = "BASE64")]
    pub encrypt_key: Option<String>,
}

/// `v2` or `v3` (any case).
pub fn parse_protocol(text: &str) -> Result<alipay_runtime::Protocol, String> {
    match text.to_ascii_lowercase().as_str() {
        "v2" => Ok(alipay_runtime::Protocol::V2),
        "v3" => Ok(alipay_runtime::Protocol::V3),
        _ => Err(format!("{text:?} is not a protocol: v2 or v3")),
    }
}

/// A configuration mistake; nothing is sent. The message never contains key material.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn err(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

/// A value and where relative paths in it are resolved from.
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) base: Option<PathBuf>,
    pub(crate) origin: &'static str,
}

fn pick<T>(flag: Option<T>, file: Option<T>, file_base: &Option<PathBuf>) -> Option<Sourced<T>> {
    match (flag, file) {
        (Some(value), _) => Some(Sourced {
            value,
            base: None,
            origin: "flag",
        }),
        (None, Some(value)) => Some(Sourced {
            value,
            base: file_base.clone(),
            origin: "config file",
        }),
        (None, None) => None,
    }
}

/// A setting's text parsed, the error naming the setting and where its value came from.
fn parsed<T: std::str::FromStr>(
    name: &str,
    setting: Option<Sourced<String>>,
) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    setting
        .map(|s| {
            s.value
                .parse()
                .map_err(|e| err(format!("{name} (from the {}): {e}", s.origin)))
        })
        .transpose()
}

impl ClientFlags {
    /// Reads the config file (if any), applies the flags and builds the client.
    pub fn build_client(&self) -> Result<Client, ConfigError> {
        let (file, base) = self.read_file()?;
        let gateway = pick(self.gateway.clone(), file.gateway, &base);
        let app_id = pick(self.app_id.clone(), file.app_id, &base)
            .ok_or_else(|| err("app_id is not set (config key `app_id` or --app-id)"))?;
        let private_key =
            pick(self.private_key.clone(), file.private_key, &base).ok_or_else(|| {
                err("private_key is not set (config key `private_key` or --private-key)")
            })?;
        let certs = crate::certs::CertFlags {
            app_cert: pick(self.app_cert.clone(), file.app_cert, &base),
            alipay_cert: pick(self.alipay_cert.clone(), file.alipay_cert, &base),
            alipay_root_cert: pick(self.alipay_root_cert.clone(), file.alipay_root_cert, &base),
        };
        let alipay_public_key = pick(
            self.alipay_public_key.clone(),
            file.alipay_public_key,
            &base,
        );
        if alipay_public_key.is_none() && !certs.any() {
            return Err(err(
                "alipay_public_key is not set (config key `alipay_public_key` or --alipay-public-key; in certificate mode `app_cert`, `alipay_cert` and `alipay_root_cert`)",
            ));
        }

        let mut builder = Client::builder()
            .app_id(app_id.value)
            .private_key(load_private_key(&private_key)?);
        match alipay_public_key {
            // In certificate mode the Alipay key comes from alipay_cert.
            Some(key) if !certs.any() => {
                builder = builder.alipay_public_key(load_public_key(&key)?);
            }
            _ => builder = certs.apply(builder)?,
        }
        if let Some(key) = pick(self.encrypt_key.clone(), file.encrypt_key, &base) {
            let key = alipay_runtime::encrypt::EncryptKey::from_base64(&key.value)
                .map_err(|e| err(format!("encrypt_key (from the {}): {e}", key.origin)))?;
            builder = builder.encrypt_key(key);
        }
        if let Some(gateway) = gateway {
            builder = builder.gateway(
                parse_gateway(&gateway.value)
                    .map_err(|e| err(format!("{e} (from the {})", gateway.origin)))?,
            );
        }
        let sign_type = pick(self.sign_type.clone(), file.sign_type, &base);
        if let Some(sign_type) = parsed::<SignType>("sign_type", sign_type)? {
            builder = builder.sign_type(sign_type);
        }
        if let Some(charset) =
            parsed::<Charset>("charset", pick(self.charset.clone(), file.charset, &base))?
        {
            builder = builder.charset(charset);
        }
        if let Some(token) = self.app_auth_token.clone().or(file.app_auth_token) {
            builder = builder.app_auth_token(token);
        }
        if let Some(url) = self.notify_url.clone().or(file.notify_url) {
            builder = builder.notify_url(url);
        }
        if let Some(protocol) = file.protocol {
            builder = builder.protocol(
                parse_protocol(&protocol)
                    .map_err(|e| err(format!("protocol (from the config file): {e}")))?,
            );
        }
        if let Some(ms) = pick(self.timeout_ms, file.timeout_ms, &base) {
            if ms.value == 0 {
                return Err(err(format!(
                    "timeout_ms (from the {}) must be at least 1",
                    ms.origin
                )));
            }
            builder = builder.timeout(Duration::from_millis(ms.value));
        }
        builder
            .build()
            .map_err(|e| err(format!("client configuration: {e}")))
    }

    /// The `notify_url` the client is configured with: the flag, else the config file's
    /// (`None` too when the file cannot be read; building the client reports that).
    pub fn notify_url_setting(&self) -> Option<String> {
        self.notify_url
            .clone()
            .or_else(|| self.read_file().ok().and_then(|(file, _)| file.notify_url))
    }

    fn read_file(&self) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
        let path = match &self.config {
            Some(path) => path.clone(),
            None => {
                let default = PathBuf::from(DEFAULT_CONFIG);
                if !default.is_file() {
                    return Ok((FileConfig::default(), None));
                }
                default
            }
        };
        let text = alipay_runtime::bounded::read_to_string(
            &path,
            alipay_runtime::bounded::SMALL_FILE_BYTES,
        )
        .map_err(|e| err(format!("cannot read config {}: {e}", path.display())))?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
        let base = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .map(Path::to_path_buf);
        Ok((file, base))
    }
}

/// A TOML mistake as `file:line:column: message`. The TOML crate's own rendering quotes the
/// source line, which may hold an inline key, so only the position and the message are kept,
/// and any quoted value the message repeats is cut out.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let position = e
        .span()
        .map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(":{line}:{column}")
        })
        .unwrap_or_default();
    err(format!(
        "config {}{position}: {}",
        path.display(),
        redact_values(e.message().trim())
    ))
}

/// The message with every quoted value (`"..."`, `'...'`) replaced by `"…"`, and every
/// backquoted name that is not a plain snake-case key name likewise: serde and the TOML parser
/// repeat the offending value or key there, and it may be a piece of a key.
fn redact_values(message: &str) -> String {
    alipay_runtime::redact::quoted_values(message, |quote, quoted| {
        quote == '`'
            && !quoted.is_empty()
            && (quoted.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                || (quoted.len() <= 3 && quoted.bytes().all(|b| b.is_ascii_punctuation())))
    })
}

fn parse_gateway(value: &str) -> Result<Gateway, ConfigError> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("production") {
        Ok(Gateway::Production)
    } else if v.eq_ignore_ascii_case("sandbox") {
        Ok(Gateway::Sandbox)
    } else if v.starts_with("http://") || v.starts_with("https://") {
        Ok(Gateway::Url(v.to_owned()))
    } else {
        Err(err(format!(
            "gateway {v:?}: expected `production`, `sandbox` or an http(s) URL"
        )))
    }
}

/// Key text from a value that is inline PEM, a file path, or inline base64, in that order of
/// checks. Relative paths from the config file are relative to its folder.
fn key_text(name: &str, key: &Sourced<String>) -> Result<(String, String), ConfigError> {
    let value = key.value.trim();
    if value.contains("-----BEGIN") {
        return Ok((value.to_owned(), format!("inline PEM ({})", key.origin)));
    }
    let path = match &key.base {
        Some(base) => base.join(value),
        None => PathBuf::from(value),
    };
    if path.is_file() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(format!("{name}: cannot read {}: {e}", path.display())))?;
        return Ok((text, format!("file {}", path.display())));
    }
    let base64ish = value.len() >= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'));
    if base64ish {
        return Ok((value.to_owned(), format!("inline base64 ({})", key.origin)));
    }
    // A short single-line value is a path the user typed, unless it could be a piece of a
    // base64 key body, which must not end up in a terminal or a log.
    let shown = if value.len() <= 256 && !value.contains(char::is_whitespace) && !may_be_key(value)
    {
        path.display().to_string()
    } else {
        "the value".to_owned()
    };
    Err(err(format!(
        "{name} (from the {}): {shown} is not a file, and the value is neither PEM nor base64",
        key.origin
    )))
}

/// Whether a value could be a piece of a base64 key body: only base64 characters, or a run of
/// 16 or more of them without a `/` (a path's folder and file names are shorter, or hold `.`,
/// `-`, `_`).
fn may_be_key(value: &str) -> bool {
    let base64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=');
    value.bytes().all(|b| base64(b) || b == b'/')
        || value
            .split(|c: char| !(c.is_ascii() && base64(c as u8)))
            .any(|run| run.len() >= 16)
}

fn load_private_key(key: &Sourced<String>) -> Result<PrivateKey, ConfigError> {
    let (text, from) = key_text("private_key", key)?;
    PrivateKey::parse(&text).map_err(|e| err(format!("private_key ({from}): {e}")))
}

fn load_public_key(key: &Sourced<String>) -> Result<PublicKey, ConfigError> {
    let (text, from) = key_text("alipay_public_key", key)?;
    PublicKey::parse(&text).map_err(|e| err(format!("alipay_public_key ({from}): {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_names_and_urls() {
        assert_eq!(parse_gateway("sandbox").ok(), Some(Gateway::Sandbox));
        assert_eq!(parse_gateway("Production").ok(), Some(Gateway::Production));
        assert_eq!(
            parse_gateway("http://127.0.0.1:1/gateway.do").ok(),
            Some(Gateway::Url("http://127.0.0.1:1/gateway.do".into()))
        );
        assert!(parse_gateway("127.0.0.1:1").is_err());
    }

    /// A secret-looking key body; no error may show any piece of it.
    const SECRET: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretKEYbody";

    fn config_error(text: &str) -> String {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "alipay-config-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("scratch");
        let path = dir.join("alipay.toml");
        std::fs::write(&path, text).expect("write config");
        let flags = ClientFlags {
            config: Some(path),
            ..ClientFlags::default()
        };
        let message = flags.build_client().map(drop).expect_err("refused").0;
        let _ = std::fs::remove_dir_all(&dir);
        message
    }

    fn assert_no_key_material(message: &str) {
        for piece in SECRET.as_bytes().chunks_exact(8) {
            let piece = std::str::from_utf8(piece).expect("ascii");
            assert!(!message.contains(piece), "{piece:?} shown in: {message}");
        }
    }

    #[test]
    fn toml_errors_never_show_the_line_holding_a_key() {
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----");
        let cases = [
            // A misspelt key name.
            format!("app_id = \"2021\"\nprivate_kye = \"{SECRET}\"\n"),
            // A missing closing quote.
            format!("app_id = \"2021\"\nprivate_key = \"{SECRET}\n"),
            // A key under a key of the wrong type.
            format!("timeout_ms = \"{SECRET}\"\n"),
            format!("private_key = [\"{SECRET}\"]\n"),
            // A duplicate line.
            format!("private_key = \"{SECRET}\"\nprivate_key = \"{SECRET}\"\n"),
            // A multi-line PEM, then a broken line.
            format!("private_key = \"\"\"\n{pem}\n\"\"\"\n= broken {SECRET}\n"),
            format!("private_key = '''\n{pem}\n'''\nprivate_key = 1\n"),
            format!("private_key = '''\n{pem}\n"),
        ];
        for text in cases {
            let message = config_error(&text);
            assert_no_key_material(&message);
            assert!(
                message.contains("alipay.toml:"),
                "names the file and line: {message}"
            );
        }
    }

    #[test]
    fn a_key_fragment_is_never_echoed_as_a_path() {
        for fragment in [&SECRET[..40], &SECRET[..63], &SECRET[8..30]] {
            let key = Sourced {
                value: fragment.to_owned(),
                base: None,
                origin: "flag",
            };
            let e = key_text("private_key", &key).expect_err("not a key");
            assert_no_key_material(&e.0);
        }
    }

    #[test]
    fn a_missing_key_file_is_named_and_a_mangled_key_is_not_echoed() {
        let key = Sourced {
            value: "no/such/key.pem".to_owned(),
            base: Some(PathBuf::from("/etc/x")),
            origin: "config file",
        };
        let e = key_text("private_key", &key).expect_err("missing");
        assert!(e.0.contains("/etc/x/no/such/key.pem"), "{e}");
        let mangled = Sourced {
            value: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC secret part".to_owned(),
            base: None,
            origin: "flag",
        };
        let e = key_text("private_key", &mangled).expect_err("mangled");
        assert!(!e.0.contains("MIIE"), "{e}");
    }
}
