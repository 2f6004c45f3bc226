//! Certificate mode on the command line: the `app_cert`, `alipay_cert` and `alipay_root_cert`
//! settings (each a file or inline PEM), and `alipay cert-sn`.

use std::path::{Path, PathBuf};

use alipay_runtime::ClientBuilder;
use alipay_runtime::cert::{self, AlipayCert, AppCert, RootBundle};

use crate::config::{ConfigError, Sourced, err};
use crate::report::Exit;

/// The three certificate-mode settings, as given.
pub(crate) struct CertFlags {
    pub app_cert: Option<Sourced<String>>,
    pub alipay_cert: Option<Sourced<String>>,
    pub alipay_root_cert: Option<Sourced<String>>,
}

/// Where a certificate comes from: a file (named in errors) or inline PEM.
enum CertSource {
    /// The file, and whether the value as given may be key material (never shown then).
    File(PathBuf, bool),
    Inline(String),
}

impl CertFlags {
    /// Whether any certificate-mode setting was given.
    pub fn any(&self) -> bool {
        self.app_cert.is_some() || self.alipay_cert.is_some() || self.alipay_root_cert.is_some()
    }

    /// Loads the three certificates into `builder`; all three are needed.
    pub fn apply(&self, builder: ClientBuilder) -> Result<ClientBuilder, ConfigError> {
        let app = source("app_cert", "--app-cert", &self.app_cert)?;
        let alipay = source("alipay_cert", "--alipay-cert", &self.alipay_cert)?;
        let root = source(
            "alipay_root_cert",
            "--alipay-root-cert",
            &self.alipay_root_cert,
        )?;
        let app = app.load("app_cert", |p| AppCert::from_file(p), AppCert::from_pem)?;
        let alipay = alipay.load(
            "alipay_cert",
            |p| AlipayCert::from_file(p),
            AlipayCert::from_pem,
        )?;
        let root = root.load(
            "alipay_root_cert",
            |p| RootBundle::from_file(p),
            RootBundle::from_pem,
        )?;
        Ok(builder
            .app_cert(app)
            .alipay_cert(alipay)
            .alipay_root_cert(root))
    }
}

impl CertSource {
    /// The certificate of setting `key`, read with `from_file` or decoded with `from_pem`.
    fn load<T>(
        self,
        key: &str,
        from_file: impl FnOnce(&Path) -> Result<T, cert::CertError>,
        from_pem: impl FnOnce(&[u8]) -> Result<T, cert::CertError>,
    ) -> Result<T, ConfigError> {
        match self {
            CertSource::File(path, secret) => {
                from_file(&path).map_err(|e| named(key, &path, secret, e))
            }
            CertSource::Inline(pem) => {
                from_pem(pem.as_bytes()).map_err(|e| err(format!("{key} (inline PEM): {e}")))
            }
        }
    }
}

fn named(key: &str, path: &Path, secret: bool, e: cert::CertError) -> ConfigError {
    match e {
        cert::CertError::Io { source, .. } if secret => {
            err(format!("{key}: {}: {source}", NOT_SHOWN))
        }
        // The I/O error already names the file.
        cert::CertError::Io { .. } => err(format!("{key}: {e}")),
        e => err(format!("{key} ({}): {e}", path.display())),
    }
}

/// What an error says instead of a value that is not a readable file and may be key material.
const NOT_SHOWN: &str =
    "the value is not a readable file (not shown: it looks like base64 key material)";

/// Whether a value given as a certificate path looks like a base64 key pasted in its place
/// (a private key in the wrong setting must not reach a terminal or a log): 32 characters or
/// more, all of base64 and line breaks. File names (`appCertPublicKey_2021….crt`) have a `.`,
/// `_` or `-`, which base64 never has.
fn may_be_key(value: &Path) -> bool {
    let text = value.as_os_str().as_encoded_bytes();
    text.len() >= 32
        && text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=\r\n ".contains(b))
}

fn source(
    key: &str,
    flag: &str,
    value: &Option<Sourced<String>>,
) -> Result<CertSource, ConfigError> {
    let value = value.as_ref().ok_or_else(|| {
        err(format!(
            "certificate mode needs app_cert, alipay_cert and alipay_root_cert: {key} is not set (config key `{key}` or {flag})"
        ))
    })?;
    let text = value.value.trim();
    if text.contains("-----BEGIN") {
        return Ok(CertSource::Inline(text.to_owned()));
    }
    let path = match &value.base {
        Some(base) => base.join(text),
        None => PathBuf::from(text),
    };
    Ok(CertSource::File(path, may_be_key(Path::new(text))))
}

/// `alipay cert-sn [--root] FILE`: prints the certificate's SN (or the bundle's root SN).
pub fn cert_sn(file: &Path, root: bool) -> Exit {
    let bytes = match alipay_runtime::bounded::read(file, alipay_runtime::bounded::SMALL_FILE_BYTES)
    {
        Ok(bytes) => bytes,
        Err(e) if may_be_key(file) => {
            eprintln!("invalid input: {NOT_SHOWN}: {e}");
            return Exit::Invalid;
        }
        Err(e) => {
            eprintln!("invalid input: cannot read {}: {e}", file.display());
            return Exit::Invalid;
        }
    };
    let sn = if root {
        cert::root_cert_sn(&bytes)
    } else {
        cert::cert_sn(&bytes)
    };
    match sn {
        Ok(sn) => crate::report::print_line(&sn, Exit::Success),
        Err(e) => {
            eprintln!("invalid input: {}: {e}", file.display());
            Exit::Invalid
        }
    }
}
