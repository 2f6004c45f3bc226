// Over 500 lines because: 460 lines of key and certificate writing in every form the SDKs read, then their unit tests.
//! Throwaway RSA key pairs for a local gateway: the app pair (the client signs with its
//! private key, the gateway verifies with its public key) and the "alipay" pair (the gateway
//! signs answers, the client verifies).

use std::fmt;
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64ct::{Base64, Encoding as _};
use pkcs8::der::Decode as _;

/// One RSA-2048 key pair as PEM text. `Debug` never shows the private key.
#[derive(Clone)]
pub struct PemKeyPair {
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    pub private_pem: String,
    /// The public key, SPKI PEM (`BEGIN PUBLIC KEY`).
    pub public_pem: String,
}

impl fmt::Debug for PemKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PemKeyPair")
            .field("private_pem", &"<redacted>")
            .field("public_pem", &self.public_pem)
            .finish()
    }
}

impl PemKeyPair {
    /// Generates a new RSA-2048 key pair.
    pub fn generate() -> Result<Self, KeyGenError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyGenError::Generate)?;
        let private: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| KeyGenError::Export)?;
        let public: PublicKeyX509Der<'static> = pair
            .public_key()
            .as_der()
            .map_err(|_| KeyGenError::Export)?;
        Ok(Self {
            private_pem: pem("PRIVATE KEY", private.as_ref()),
            public_pem: pem("PUBLIC KEY", public.as_ref()),
        })
    }
}

/// One key pair in every form the official SDKs and Alipay's own tools take it: PKCS#8 and
/// PKCS#1 for the private key (`BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY`), SPKI and PKCS#1
/// for the public key (`BEGIN PUBLIC KEY`, `BEGIN RSA PUBLIC KEY`), each as PEM and as the bare
/// base64 of its DER on one line (what Alipay's key tool and open platform console show).
/// `Debug` never shows the private key.
#[derive(Clone)]
pub struct KeyForms {
    /// The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`): the Node SDK's `keyType: 'PKCS8'`,
    /// Java.
    pub private_pkcs8_pem: String,
    /// The private key, PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`): the Node SDK's default
    /// `keyType: 'PKCS1'`.
    pub private_pkcs1_pem: String,
    /// The private key, bare base64 of its PKCS#8 DER (Alipay's "PKCS8 (Java)" form).
    pub private_pkcs8_base64: String,
    /// The private key, bare base64 of its PKCS#1 DER (Alipay's "PKCS1 (non-Java)" form; the
    /// Python SDK's `app_private_key`).
    pub private_pkcs1_base64: String,
    /// The public key, SPKI PEM (`BEGIN PUBLIC KEY`).
    pub public_spki_pem: String,
    /// The public key, PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`).
    pub public_pkcs1_pem: String,
    /// The public key, bare base64 of its SPKI DER (as Alipay's console shows the Alipay
    /// public key; the Node SDK's `alipayPublicKey`, the Python SDK's `alipay_public_key`).
    pub public_spki_base64: String,
    /// The public key, bare base64 of its PKCS#1 DER.
    pub public_pkcs1_base64: String,
}

impl fmt::Debug for KeyForms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyForms")
            .field("private", &"<redacted>")
            .field("public_spki_base64", &self.public_spki_base64)
            .finish_non_exhaustive()
    }
}

/// The DER inside PEM text with `label` (`None` when the text holds no such block or its body
/// is not base64).
fn pem_der(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Base64::decode_vec(&body).ok()
}

impl PemKeyPair {
    /// This pair in every form ([`KeyForms`]): the PKCS#1 keys are read out of the PKCS#8 and
    /// SPKI containers (and checked to parse as PKCS#1) by the `pkcs8` and `pkcs1` crates.
    pub fn forms(&self) -> Result<KeyForms, KeyGenError> {
        let private_pkcs8 = pem_der(&self.private_pem, "PRIVATE KEY").ok_or(KeyGenError::Export)?;
        let info =
            pkcs8::PrivateKeyInfo::from_der(&private_pkcs8).map_err(|_| KeyGenError::Export)?;
        if info.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(KeyGenError::Export);
        }
        let private_pkcs1 = info.private_key;
        pkcs1::RsaPrivateKey::from_der(private_pkcs1).map_err(|_| KeyGenError::Export)?;

        let spki = pem_der(&self.public_pem, "PUBLIC KEY").ok_or(KeyGenError::Export)?;
        let public =
            pkcs8::SubjectPublicKeyInfoRef::from_der(&spki).map_err(|_| KeyGenError::Export)?;
        if public.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(KeyGenError::Export);
        }
        let public_pkcs1 = public
            .subject_public_key
            .as_bytes()
            .ok_or(KeyGenError::Export)?;
        pkcs1::RsaPublicKey::from_der(public_pkcs1).map_err(|_| KeyGenError::Export)?;

        Ok(KeyForms {
            private_pkcs8_pem: pem("PRIVATE KEY", &private_pkcs8),
            private_pkcs1_pem: pem("RSA PRIVATE KEY", private_pkcs1),
            private_pkcs8_base64: Base64::encode_string(&private_pkcs8),
            private_pkcs1_base64: Base64::encode_string(private_pkcs1),
            public_spki_pem: pem("PUBLIC KEY", &spki),
            public_pkcs1_pem: pem("RSA PUBLIC KEY", public_pkcs1),
            public_spki_base64: Base64::encode_string(&spki),
            public_pkcs1_base64: Base64::encode_string(public_pkcs1),
        })
    }
}

/// The two key pairs a local gateway and its client need.
#[derive(Debug, Clone)]
pub struct ThrowawayKeys {
    /// The app pair: the client signs requests with `app.private_pem`, the gateway verifies
    /// them with `app.public_pem`.
    pub app: PemKeyPair,
    /// The "alipay" pair: the gateway signs answers with `alipay.private_pem`, the client
    /// verifies them with `alipay.public_pem`.
    pub alipay: PemKeyPair,
}

/// Where [`ThrowawayKeys::write_to`] put the keys.
#[derive(Debug, Clone)]
pub struct WrittenKeys {
    /// `app_private.pem`: the client's `private_key`.
    pub app_private: PathBuf,
    /// `app_public.pem`: the gateway's `--app-public-key`.
    pub app_public: PathBuf,
    /// `alipay_private.pem`: the gateway's `--alipay-private-key`.
    pub alipay_private: PathBuf,
    /// `alipay_public.pem`: the client's `alipay_public_key`.
    pub alipay_public: PathBuf,
    /// The app private key's other forms ([`AppKeyFiles`]).
    pub app_private_forms: AppKeyFiles,
    /// `alipay_public_pkcs1.pem`: the Alipay public key, PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`).
    pub alipay_public_pkcs1: PathBuf,
    /// `alipay_public.txt`: the Alipay public key, bare base64 of its SPKI DER on one line
    /// (as Alipay's console shows it; the Node and Python SDKs' `alipayPublicKey` /
    /// `alipay_public_key`).
    pub alipay_public_base64: PathBuf,
    /// `alipay_public_pkcs1.txt`: the Alipay public key, bare base64 of its PKCS#1 DER.
    pub alipay_public_pkcs1_base64: PathBuf,
}

/// The app private key's forms besides `app_private.pem` (PKCS#8 PEM), written next to it
/// (owner-only on Unix).
#[derive(Debug, Clone)]
pub struct AppKeyFiles {
    /// `app_private_pkcs1.pem`: PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), the Node SDK's default
    /// `keyType: 'PKCS1'`.
    pub pkcs1_pem: PathBuf,
    /// `app_private.txt`: bare base64 of the PKCS#8 DER on one line (Alipay's "PKCS8 (Java)"
    /// form).
    pub pkcs8_base64: PathBuf,
    /// `app_private_pkcs1.txt`: bare base64 of the PKCS#1 DER on one line (Alipay's "PKCS1
    /// (non-Java)" form: the Python SDK's `app_private_key`).
    pub pkcs1_base64: PathBuf,
}

impl AppKeyFiles {
    /// Writes the app private key's PKCS#1 PEM and both bare base64 forms into `dir`.
    pub(crate) fn write(dir: &Path, forms: &KeyForms) -> Result<Self, KeyGenError> {
        let files = AppKeyFiles {
            pkcs1_pem: dir.join("app_private_pkcs1.pem"),
            pkcs8_base64: dir.join("app_private.txt"),
            pkcs1_base64: dir.join("app_private_pkcs1.txt"),
        };
        write_file(&files.pkcs1_pem, &forms.private_pkcs1_pem, true)?;
        write_file(
            &files.pkcs8_base64,
            &format!("{}\n", forms.private_pkcs8_base64),
            true,
        )?;
        write_file(
            &files.pkcs1_base64,
            &format!("{}\n", forms.private_pkcs1_base64),
            true,
        )?;
        Ok(files)
    }
}

/// Where [`ThrowawayKeys::write_sdk_configs`] put the official SDKs' configurations.
#[derive(Debug, Clone)]
pub struct WrittenSdkConfigs {
    /// `alipay-sdk.node.js`: a CommonJS module exporting an `AlipaySdk` (npm `alipay-sdk`).
    pub node: PathBuf,
    /// `alipay_sdk_python.py`: a module defining `client`, a `DefaultAlipayClient`
    /// (PyPI `alipay-sdk-python`).
    pub python: PathBuf,
}

impl ThrowawayKeys {
    /// Generates both pairs (two RSA-2048 key generations: tens to hundreds of milliseconds).
    pub fn generate() -> Result<Self, KeyGenError> {
        Ok(Self {
            app: PemKeyPair::generate()?,
            alipay: PemKeyPair::generate()?,
        })
    }

    /// Writes the four PEM files into `dir` (created if needed), and besides them the app
    /// private key's and the Alipay public key's other forms ([`KeyForms`]). Private keys are
    /// written readable by the owner only on Unix.
    pub fn write_to(&self, dir: &Path) -> Result<WrittenKeys, KeyGenError> {
        std::fs::create_dir_all(dir).map_err(|e| KeyGenError::write(dir, e))?;
        let app = self.app.forms()?;
        let alipay = self.alipay.forms()?;
        let app_private_forms = AppKeyFiles::write(dir, &app)?;
        let written = WrittenKeys {
            app_private: dir.join("app_private.pem"),
            app_public: dir.join("app_public.pem"),
            alipay_private: dir.join("alipay_private.pem"),
            alipay_public: dir.join("alipay_public.pem"),
            app_private_forms,
            alipay_public_pkcs1: dir.join("alipay_public_pkcs1.pem"),
            alipay_public_base64: dir.join("alipay_public.txt"),
            alipay_public_pkcs1_base64: dir.join("alipay_public_pkcs1.txt"),
        };
        write_file(&written.app_private, &self.app.private_pem, true)?;
        write_file(&written.app_public, &self.app.public_pem, false)?;
        write_file(&written.alipay_private, &self.alipay.private_pem, true)?;
        write_file(&written.alipay_public, &self.alipay.public_pem, false)?;
        write_file(
            &written.alipay_public_pkcs1,
            &alipay.public_pkcs1_pem,
            false,
        )?;
        let line = |text: &str| format!("{text}\n");
        write_file(
            &written.alipay_public_base64,
            &line(&alipay.public_spki_base64),
            false,
        )?;
        write_file(
            &written.alipay_public_pkcs1_base64,
            &line(&alipay.public_pkcs1_base64),
            false,
        )?;
        Ok(written)
    }

    /// The official Node SDK's configuration for a gateway at `gateway_url` (npm
    /// `alipay-sdk`, v3 or v4): a CommonJS module that exports the client, the keys inline
    /// (the app private key as PKCS#1, its default `keyType`).
    pub fn node_sdk_config(&self, gateway_url: &str, app_id: &str) -> Result<String, KeyGenError> {
        let app = self.app.forms()?;
        let alipay = self.alipay.forms()?;
        Ok(format!(
            "// The official Node SDK (npm alipay-sdk) against the local gateway: TEST ONLY keys.\n\
             // Use: const alipaySdk = require('./alipay-sdk.node.js');\n\
             //      const result = await alipaySdk.exec('alipay.trade.query', {{ bizContent: {{ out_trade_no: '...' }} }});\n\
             const sdk = require('alipay-sdk');\n\
             // v4 exports {{ AlipaySdk }}; v3 exports it as `default`.\n\
             const AlipaySdk = sdk.AlipaySdk || sdk.default;\n\
             \n\
             module.exports = new AlipaySdk({{\n\
             \x20 appId: {app_id},\n\
             \x20 // The app private key, PKCS#1 (app_private_pkcs1.txt). For PKCS#8 give app_private.txt's\n\
             \x20 // text with keyType: 'PKCS8'.\n\
             \x20 privateKey: {private_key},\n\
             \x20 keyType: 'PKCS1',\n\
             \x20 // The Alipay public key (alipay_public.txt).\n\
             \x20 alipayPublicKey: {alipay_public_key},\n\
             \x20 gateway: {gateway},\n\
             \x20 // The v3 protocol's base (sdk.curl()).\n\
             \x20 endpoint: {endpoint},\n\
             }});\n",
            app_id = js_string(app_id),
            private_key = js_string(&app.private_pkcs1_base64),
            alipay_public_key = js_string(&alipay.public_spki_base64),
            gateway = js_string(gateway_url),
            endpoint = js_string(
                gateway_url
                    .strip_suffix("/gateway.do")
                    .unwrap_or(gateway_url)
            ),
        ))
    }

    /// The official Python SDK's configuration for a gateway at `gateway_url` (PyPI
    /// `alipay-sdk-python`): a module that defines `client`, the keys inline (the app private
    /// key as PKCS#1, the only form it reads). The SDK connects to port 80 (443 for https)
    /// whatever port `server_url` names, and fails on a URL with a port: the module makes it
    /// connect to the URL's port.
    pub fn python_sdk_config(
        &self,
        gateway_url: &str,
        app_id: &str,
    ) -> Result<String, KeyGenError> {
        let app = self.app.forms()?;
        let alipay = self.alipay.forms()?;
        Ok(format!(
            "# The official Python SDK (PyPI alipay-sdk-python) against the local gateway: TEST ONLY keys.\n\
             # Use: from alipay_sdk_python import client\n\
             import http.client\n\
             import urllib.parse\n\
             \n\
             import alipay.aop.api.util.WebUtils as WebUtils\n\
             from alipay.aop.api.AlipayClientConfig import AlipayClientConfig\n\
             from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient\n\
             \n\
             \n\
             # The SDK connects to port 80 whatever port server_url names (and fails on a URL with a\n\
             # port): connect to the URL's own port instead.\n\
             def _connection(url, query_string, timeout):\n\
             \x20   parsed = urllib.parse.urlparse(url)\n\
             \x20   connection = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=timeout)\n\
             \x20   return url + '?' + query_string, connection\n\
             \n\
             \n\
             WebUtils.get_http_connection = _connection\n\
             \n\
             config = AlipayClientConfig()\n\
             config.server_url = {gateway}\n\
             config.app_id = {app_id}\n\
             # The app private key, PKCS#1 (app_private_pkcs1.txt): the only form the SDK reads.\n\
             config.app_private_key = {private_key}\n\
             # The Alipay public key (alipay_public.txt).\n\
             config.alipay_public_key = {alipay_public_key}\n\
             client = DefaultAlipayClient(alipay_client_config=config)\n",
            gateway = py_string(gateway_url),
            app_id = py_string(app_id),
            private_key = py_string(&app.private_pkcs1_base64),
            alipay_public_key = py_string(&alipay.public_spki_base64),
        ))
    }

    /// Writes [`node_sdk_config`](Self::node_sdk_config) and
    /// [`python_sdk_config`](Self::python_sdk_config) into `dir` (`alipay-sdk.node.js`,
    /// `alipay_sdk_python.py`; owner-only on Unix: they hold the app private key).
    pub fn write_sdk_configs(
        &self,
        dir: &Path,
        gateway_url: &str,
        app_id: &str,
    ) -> Result<WrittenSdkConfigs, KeyGenError> {
        let written = WrittenSdkConfigs {
            node: dir.join("alipay-sdk.node.js"),
            python: dir.join("alipay_sdk_python.py"),
        };
        write_file(
            &written.node,
            &self.node_sdk_config(gateway_url, app_id)?,
            true,
        )?;
        write_file(
            &written.python,
            &self.python_sdk_config(gateway_url, app_id)?,
            true,
        )?;
        Ok(written)
    }
}

/// `text` as a JavaScript string literal (JSON's string syntax is valid JavaScript).
fn js_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// `text` as a Python string literal: JSON's string syntax, which Python reads the same for
/// the texts written here (URLs, app ids, base64).
fn py_string(text: &str) -> String {
    js_string(text)
}

/// Writes a fresh file: whatever is at `path` (an older key, or a link someone planted to
/// make the write land elsewhere) is removed first, and the file is created new, so a write
/// never goes through a link and a private key never inherits looser permissions.
pub(crate) fn write_file(path: &Path, text: &str, private: bool) -> Result<(), KeyGenError> {
    use std::io::Write as _;
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::remove_file(path).map_err(|e| KeyGenError::write(path, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| KeyGenError::write(path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| KeyGenError::write(path, e))
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Key generation or export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyGenError {
    /// The backend could not generate an RSA key.
    #[error("RSA key generation failed")]
    Generate,
    /// The backend could not export the key.
    #[error("RSA key export failed")]
    Export,
    /// A key file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl KeyGenError {
    pub(crate) fn write(path: &Path, source: std::io::Error) -> Self {
        KeyGenError::Write {
            path: path.display().to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_pair_is_pem_and_debug_hides_the_private_key() {
        let pair = PemKeyPair::generate().expect("keygen");
        assert!(
            pair.private_pem
                .starts_with("-----BEGIN PRIVATE KEY-----\n")
        );
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pair.public_pem.lines().all(|l| l.len() <= 64));
        let shown = format!("{pair:?}");
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains("BEGIN PRIVATE KEY"));
    }

    #[test]
    fn every_form_is_the_same_key() {
        use alipay_runtime::{PrivateKey, PublicKey};
        let pair = PemKeyPair::generate().expect("keygen");
        let forms = pair.forms().expect("forms");
        assert_eq!(forms.private_pkcs8_pem, pair.private_pem);
        assert_eq!(forms.public_spki_pem, pair.public_pem);
        assert!(
            forms
                .private_pkcs1_pem
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
        assert!(
            forms
                .public_pkcs1_pem
                .starts_with("-----BEGIN RSA PUBLIC KEY-----\n")
        );
        let message = b"app_id=2021&method=alipay.trade.query";
        let publics = [
            &forms.public_spki_pem,
            &forms.public_pkcs1_pem,
            &forms.public_spki_base64,
            &forms.public_pkcs1_base64,
        ]
        .map(|text| PublicKey::parse(text).expect("public form"));
        for text in [
            &forms.private_pkcs8_pem,
            &forms.private_pkcs1_pem,
            &forms.private_pkcs8_base64,
            &forms.private_pkcs1_base64,
        ] {
            let private = PrivateKey::parse(text).expect("private form");
            let sign = crate::crypto::sign(&private, Default::default(), message).expect("sign");
            for public in &publics {
                assert!(crate::crypto::verify(
                    public,
                    Default::default(),
                    message,
                    &sign
                ));
            }
        }
        assert!(!format!("{forms:?}").contains(&forms.private_pkcs1_base64));
    }
}
