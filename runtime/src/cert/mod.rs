//! Public-key certificate mode (公钥证书模式): certificate SNs, the Alipay public-key
//! certificate and the root bundle it must chain to.
//!
//! An app in certificate mode holds three files from Alipay's key tool and the open platform:
//! the app public-key certificate (`appCertPublicKey_<app_id>.crt`), the Alipay public-key
//! certificate (`alipayCertPublicKey_RSA2.crt`, the leaf and its intermediate CA) and the Alipay
//! root certificate bundle (`alipayRootCert.crt`). Every request then carries `app_cert_sn` and
//! `alipay_root_cert_sn` ([`AppCert::sn`], [`RootBundle::sn`]), and answers are verified with the
//! key inside the Alipay certificate ([`AlipayCert::public_key`]).
//!
//! SNs follow `shared/vectors/README.md` (`cert_sn.json`): MD5 of the issuer DN in reverse RDN
//! order and the serial in decimal; a root bundle's SN joins the SNs of its RSA-signed roots with
//! `_` in file order, skipping SM2 and ECDSA roots. X.509 and PEM are decoded by `x509-cert`;
//! signatures are checked by the compiled-in RSA backend.
//!
//! An Alipay certificate is trusted only when [`RootBundle::verify`] accepts it: its chain leads,
//! signature by signature, to a root of the bundle, every issuer on the way is a CA, and every
//! certificate is within its validity period. The client checks this at build time and again for
//! every certificate fetched when Alipay rotates its key.

mod chain;
mod sn;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64ct::Encoding as _;
use x509_cert::Certificate;
use x509_cert::der::{Decode as _, Encode as _};

use crate::keys::{KeyError, PublicKey};
use crate::sign::SignType;

/// A certificate file or text could not be used.
///
/// Says what is wrong and with which certificate (by subject), never more of the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The text holds no `-----BEGIN CERTIFICATE-----` block (and is not DER either).
    #[error("no certificate found: expected PEM \"-----BEGIN CERTIFICATE-----\" blocks")]
    NoCertificate,
    /// A block is not a valid X.509 certificate.
    #[error("certificate {index} of the file is not a valid X.509 certificate: {reason}")]
    Malformed {
        /// 1-based position of the certificate in the file.
        index: usize,
        /// What the decoder reported.
        reason: String,
    },
    /// A root bundle holds no RSA-signed certificate, so it has no root SN.
    #[error("the root bundle holds no RSA-signed certificate (SM2 and ECDSA roots have no SN)")]
    NoRsaRoot,
    /// A certificate's validity period has not started.
    #[error("certificate {subject:?} is not valid before {not_before}")]
    NotYetValid {
        /// The certificate's subject DN.
        subject: String,
        /// Its `notBefore`, RFC 3339.
        not_before: String,
    },
    /// A certificate's validity period is over.
    #[error("certificate {subject:?} expired at {not_after}")]
    Expired {
        /// The certificate's subject DN.
        subject: String,
        /// Its `notAfter`, RFC 3339.
        not_after: String,
    },
    /// A certificate does not chain to a root of the bundle.
    #[error("certificate {subject:?} does not chain to the Alipay root bundle: {reason}")]
    Untrusted {
        /// The subject DN of the certificate whose issuer could not be trusted.
        subject: String,
        /// Why.
        reason: String,
    },
    /// The certificate's public key is not a usable RSA key.
    #[error("certificate {subject:?} holds no usable RSA public key: {source}")]
    Key {
        /// The certificate's subject DN.
        subject: String,
        /// What is wrong with the key.
        #[source]
        source: KeyError,
    },
    /// A certificate file could not be read.
    #[error("cannot read certificate file {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// One decoded certificate with what the checks need, computed once.
#[derive(Clone)]
pub(crate) struct Cert {
    pub(crate) x509: Certificate,
    /// The DER of `tbsCertificate`, the bytes the issuer signed.
    pub(crate) tbs_der: Vec<u8>,
    pub(crate) sn: String,
}

impl Cert {
    fn new(x509: Certificate, index: usize) -> Result<Self, CertError> {
        // x509-cert decodes strict DER, so encoding the decoded TBS again yields the signed bytes.
        let tbs_der = x509
            .tbs_certificate
            .to_der()
            .map_err(|e| CertError::Malformed {
                index,
                reason: e.to_string(),
            })?;
        let sn = sn::cert_sn(&x509);
        Ok(Cert { x509, tbs_der, sn })
    }

    pub(crate) fn subject(&self) -> String {
        self.x509.tbs_certificate.subject.to_string()
    }

    /// The RSA signature algorithm the certificate is signed with, if it is one the backends
    /// verify (sha256WithRSA, sha1WithRSA).
    pub(crate) fn rsa_signature(&self) -> Option<SignType> {
        match self.x509.signature_algorithm.oid.to_string().as_str() {
            SHA256_WITH_RSA => Some(SignType::Rsa2),
            SHA1_WITH_RSA => Some(SignType::Rsa),
            _ => None,
        }
    }

    /// Whether the signature algorithm is any RSA one (`1.2.840.113549.1.1.*`), the rule for a
    /// root bundle's SN.
    fn signed_with_rsa(&self) -> bool {
        self.x509
            .signature_algorithm
            .oid
            .to_string()
            .starts_with(PKCS1_ARC)
    }

    pub(crate) fn public_key(&self) -> Result<PublicKey, CertError> {
        let spki = self
            .x509
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| CertError::Malformed {
                index: 1,
                reason: e.to_string(),
            })?;
        PublicKey::from_spki_der(&spki).map_err(|source| CertError::Key {
            subject: self.subject(),
            source,
        })
    }
}

const PKCS1_ARC: &str = "1.2.840.113549.1.1.";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";

/// Decodes every certificate of a PEM file (or one DER certificate), in file order.
fn decode_all(bytes: &[u8]) -> Result<Vec<Cert>, CertError> {
    const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
    const END: &[u8] = b"-----END CERTIFICATE-----";
    let mut certs = Vec::new();
    if find(bytes, BEGIN).is_none() {
        // Not PEM: one DER certificate, as some tools export it.
        if bytes.first() == Some(&0x30)
            && let Ok(x509) = Certificate::from_der(bytes)
        {
            certs.push(Cert::new(x509, 1)?);
            return Ok(certs);
        }
        return Err(CertError::NoCertificate);
    }
    // Locate each armoured block and decode its body. Not pem-rfc7468: its strict 64-column
    // rule refuses Alipay's own files, whose lines are 76 columns (Java's MIME base64). Text
    // between blocks, as some bundles carry, is ignored.
    let mut rest = bytes;
    while let Some(begin) = find(rest, BEGIN) {
        let index = certs.len() + 1;
        let block = &rest[begin + BEGIN.len()..];
        let end = find(block, END).ok_or_else(|| CertError::Malformed {
            index,
            reason: "no \"-----END CERTIFICATE-----\" line".to_owned(),
        })?;
        let body: Vec<u8> = block[..end]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let der = base64ct::Base64::decode_vec(&String::from_utf8_lossy(&body)).map_err(|_| {
            CertError::Malformed {
                index,
                reason: "the body between BEGIN and END is not valid base64".to_owned(),
            }
        })?;
        let x509 = Certificate::from_der(&der).map_err(|e| CertError::Malformed {
            index,
            reason: e.to_string(),
        })?;
        certs.push(Cert::new(x509, index)?);
        rest = &block[end + END.len()..];
    }
    Ok(certs)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn read(path: &Path) -> Result<Vec<u8>, CertError> {
    // Bounded: the path may name an endless stream (`/dev/stdin`, `/dev/zero`).
    crate::bounded::read(path, crate::bounded::SMALL_FILE_BYTES).map_err(|source| CertError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The SN of the first certificate in `pem` (the leaf of a certificate file), as sent in
/// `app_cert_sn` and answered in `alipay_cert_sn`.
pub fn cert_sn(pem: &[u8]) -> Result<String, CertError> {
    let certs = decode_all(pem)?;
    certs
        .into_iter()
        .next()
        .map(|c| c.sn)
        .ok_or(CertError::NoCertificate)
}

/// The root SN of a root bundle, as sent in `alipay_root_cert_sn`: the SNs of its RSA-signed
/// certificates joined with `_` in file order (SM2 and ECDSA roots skipped).
pub fn root_cert_sn(pem: &[u8]) -> Result<String, CertError> {
    Ok(RootBundle::from_pem(pem)?.sn)
}

/// The app public-key certificate (`appCertPublicKey_<app_id>.crt`): only its SN is sent.
#[derive(Clone)]
pub struct AppCert {
    cert: Cert,
}

impl AppCert {
    /// Loads the certificate from PEM text (the first certificate is the app's).
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        let cert = decode_all(pem)?
            .into_iter()
            .next()
            .ok_or(CertError::NoCertificate)?;
        Ok(AppCert { cert })
    }

    /// Reads the certificate from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CertError> {
        Self::from_pem(&read(path.as_ref())?)
    }

    /// `app_cert_sn`.
    pub fn sn(&self) -> &str {
        &self.cert.sn
    }

    /// The public key inside (which must be the public half of the app private key).
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        self.cert.public_key()
    }
}

impl fmt::Debug for AppCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCert")
            .field("sn", &self.cert.sn)
            .finish()
    }
}

/// An Alipay public-key certificate file: the leaf (whose key verifies answers and
/// notifications) followed by the intermediate CAs Alipay ships with it.
///
/// Loading decodes it only; [`RootBundle::verify`] decides whether it is trusted.
#[derive(Clone)]
pub struct AlipayCert {
    chain: Vec<Cert>,
    public_key: PublicKey,
    file: Option<PathBuf>,
}

impl AlipayCert {
    /// Loads the certificate chain from PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        let chain = decode_all(pem)?;
        let leaf = chain.first().ok_or(CertError::NoCertificate)?;
        let public_key = leaf.public_key()?;
        Ok(AlipayCert {
            chain,
            public_key,
            file: None,
        })
    }

    /// Reads the certificate chain from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CertError> {
        let mut cert = Self::from_pem(&read(path.as_ref())?)?;
        cert.file = Some(path.as_ref().to_owned());
        Ok(cert)
    }

    /// The file it was read from, if it was.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The leaf's SN: what answers name in `alipay_cert_sn`.
    pub fn sn(&self) -> &str {
        &self.chain[0].sn
    }

    /// The leaf's subject DN.
    pub fn subject(&self) -> String {
        self.chain[0].subject()
    }

    /// The Alipay public key inside the leaf.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}

impl fmt::Debug for AlipayCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlipayCert")
            .field("sn", &self.sn())
            .field("chain_len", &self.chain.len())
            .finish()
    }
}

/// The Alipay root certificate bundle (`alipayRootCert.crt`): the trust anchors.
#[derive(Clone)]
pub struct RootBundle {
    roots: Vec<Cert>,
    sn: String,
}

impl RootBundle {
    /// Loads a bundle from PEM text. Every certificate must decode; it needs at least one
    /// RSA-signed root, whose SNs make [`RootBundle::sn`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        let roots = decode_all(pem)?;
        let sn = roots
            .iter()
            .filter(|c| c.signed_with_rsa())
            .map(|c| c.sn.as_str())
            .collect::<Vec<_>>()
            .join("_");
        if sn.is_empty() {
            return Err(CertError::NoRsaRoot);
        }
        Ok(RootBundle { roots, sn })
    }

    /// Reads a bundle from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CertError> {
        Self::from_pem(&read(path.as_ref())?)
    }

    /// `alipay_root_cert_sn`.
    pub fn sn(&self) -> &str {
        &self.sn
    }

    /// Accepts `cert` only if its chain leads to a root of this bundle, signature by signature,
    /// through CA certificates, with every certificate valid at `now`.
    pub fn verify(&self, cert: &AlipayCert, now: SystemTime) -> Result<(), CertError> {
        chain::verify(&cert.chain, &self.roots, now)
    }
}

impl fmt::Debug for RootBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootBundle")
            .field("sn", &self.sn)
            .field("roots", &self.roots.len())
            .finish()
    }
}
