//! Throwaway RSA key pairs for a local gateway: the app pair (the client signs with its
//! private key, the gateway verifies with its public key) and the "alipay" pair (the gateway
//! signs answers, the client verifies).

use std::fmt;
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64ct::{Base64, Encoding as _};

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
}

impl ThrowawayKeys {
    /// Generates both pairs (two RSA-2048 key generations: tens to hundreds of milliseconds).
    pub fn generate() -> Result<Self, KeyGenError> {
        Ok(Self {
            app: PemKeyPair::generate()?,
            alipay: PemKeyPair::generate()?,
        })
    }

    /// Writes the four PEM files into `dir` (created if needed). Private keys are written
    /// readable by the owner only on Unix.
    pub fn write_to(&self, dir: &Path) -> Result<WrittenKeys, KeyGenError> {
        std::fs::create_dir_all(dir).map_err(|e| KeyGenError::write(dir, e))?;
        let written = WrittenKeys {
            app_private: dir.join("app_private.pem"),
            app_public: dir.join("app_public.pem"),
            alipay_private: dir.join("alipay_private.pem"),
            alipay_public: dir.join("alipay_public.pem"),
        };
        write_file(&written.app_private, &self.app.private_pem, true)?;
        write_file(&written.app_public, &self.app.public_pem, false)?;
        write_file(&written.alipay_private, &self.alipay.private_pem, true)?;
        write_file(&written.alipay_public, &self.alipay.public_pem, false)?;
        Ok(written)
    }
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
}
