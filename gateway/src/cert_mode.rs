//! The gateway's side of certificate mode and AES content encryption.
//!
//! In certificate mode the gateway refuses a request whose `app_cert_sn` or
//! `alipay_root_cert_sn` is not the configured one (`40002 isv.invalid-app-cert-sn`,
//! `isv.invalid-alipay-root-cert-sn`), signs answers with the key of its current Alipay
//! certificate, names that certificate in `alipay_cert_sn`, and serves
//! `alipay.open.app.alipaycert.download` for every certificate it has used.
//! [`crate::LocalGateway::rotate_alipay_cert`] switches to a new certificate, as Alipay does
//! when it rotates its key.

use std::sync::{Arc, Mutex, PoisonError};

use alipay_runtime::MethodDescriptor;
use alipay_runtime::cert::{self, AlipayCert, AppCert, CertError};
use alipay_runtime::keys::{KeyError, PrivateKey};
use alipay_runtime::validate::{Rule, ValidationError};

use crate::throwaway_certs::{IssuedCert, ThrowawayCerts};

pub use alipay_runtime::client::CERT_DOWNLOAD_METHOD;

/// Certificate mode could not be configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertModeError {
    /// A certificate could not be read.
    #[error("{what}: {source}")]
    Cert {
        /// Which certificate.
        what: &'static str,
        /// Why.
        #[source]
        source: CertError,
    },
    /// The signing key could not be read.
    #[error("the Alipay certificate's private key: {0}")]
    Key(#[from] KeyError),
    /// The gateway is not in certificate mode.
    #[error("the gateway is not in certificate mode")]
    NotCertMode,
    /// The private key is not the one the certificate holds.
    #[error("the private key does not match the Alipay certificate {sn}")]
    KeyMismatch {
        /// The certificate's SN.
        sn: String,
    },
}

/// One Alipay certificate the gateway signs with.
pub(crate) struct SigningCert {
    pub sn: String,
    pub pem: String,
    pub key: PrivateKey,
}

impl SigningCert {
    fn new(cert_pem: &str, private_key: &str) -> Result<Self, CertModeError> {
        let cert =
            AlipayCert::from_pem(cert_pem.as_bytes()).map_err(|source| CertModeError::Cert {
                what: "the Alipay certificate",
                source,
            })?;
        let key = PrivateKey::parse(private_key)?;
        if &key.public_key() != cert.public_key() {
            return Err(CertModeError::KeyMismatch {
                sn: cert.sn().to_owned(),
            });
        }
        Ok(SigningCert {
            sn: cert.sn().to_owned(),
            pem: cert_pem.to_owned(),
            key,
        })
    }
}

/// The gateway's certificates: what requests must name, and what answers are signed with.
pub struct GatewayCertMode {
    app_cert_sn: String,
    root_cert_sn: String,
    current: Mutex<Arc<SigningCert>>,
    served: Mutex<Vec<Arc<SigningCert>>>,
}

impl std::fmt::Debug for GatewayCertMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayCertMode")
            .field("app_cert_sn", &self.app_cert_sn)
            .field("alipay_root_cert_sn", &self.root_cert_sn)
            .field("alipay_cert_sn", &self.current().sn)
            .finish()
    }
}

impl GatewayCertMode {
    /// From PEM texts: the app certificate, the root bundle, the Alipay certificate and the
    /// private key of the Alipay certificate (PEM or bare base64).
    pub fn new(
        app_cert_pem: &str,
        root_bundle_pem: &str,
        alipay_cert_pem: &str,
        alipay_private_key: &str,
    ) -> Result<Self, CertModeError> {
        let app =
            AppCert::from_pem(app_cert_pem.as_bytes()).map_err(|source| CertModeError::Cert {
                what: "the app certificate",
                source,
            })?;
        let root_cert_sn = cert::root_cert_sn(root_bundle_pem.as_bytes()).map_err(|source| {
            CertModeError::Cert {
                what: "the root bundle",
                source,
            }
        })?;
        let current = Arc::new(SigningCert::new(alipay_cert_pem, alipay_private_key)?);
        Ok(GatewayCertMode {
            app_cert_sn: app.sn().to_owned(),
            root_cert_sn,
            served: Mutex::new(vec![Arc::clone(&current)]),
            current: Mutex::new(current),
        })
    }

    /// From throwaway certificates.
    pub fn from_throwaway(certs: &ThrowawayCerts) -> Result<Self, CertModeError> {
        Self::new(
            &certs.app.cert_pem,
            &certs.root_bundle_pem,
            &certs.alipay.cert_pem,
            &certs.alipay.key.private_pem,
        )
    }

    /// The `app_cert_sn` requests must carry.
    pub fn app_cert_sn(&self) -> &str {
        &self.app_cert_sn
    }

    /// The `alipay_root_cert_sn` requests must carry.
    pub fn alipay_root_cert_sn(&self) -> &str {
        &self.root_cert_sn
    }

    /// The SN of the certificate answers are signed with now.
    pub fn alipay_cert_sn(&self) -> String {
        self.current().sn.clone()
    }

    pub(crate) fn current(&self) -> Arc<SigningCert> {
        Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Signs answers with `cert` from now on, and serves it for download. Returns its SN.
    pub(crate) fn rotate(&self, cert: &IssuedCert) -> Result<String, CertModeError> {
        self.rotate_pem(&cert.cert_pem, &cert.key.private_pem)
    }

    /// [`GatewayCertMode::rotate`] from PEM texts.
    pub(crate) fn rotate_pem(
        &self,
        cert_pem: &str,
        private_key: &str,
    ) -> Result<String, CertModeError> {
        let next = Arc::new(SigningCert::new(cert_pem, private_key)?);
        let sn = next.sn.clone();
        self.served
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&next));
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(sn)
    }

    /// The PEM of a certificate this gateway signed with, by SN.
    pub(crate) fn served_pem(&self, sn: &str) -> Option<String> {
        self.served
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|c| c.sn == sn)
            .map(|c| c.pem.clone())
    }
}

/// Checks that `cert_pem` is an Alipay certificate whose key is `private_key` (what a
/// rotation needs).
pub(crate) fn check_signing_cert(cert_pem: &str, private_key: &str) -> Result<(), CertModeError> {
    SigningCert::new(cert_pem, private_key).map(|_| ())
}

/// `alipay.open.app.alipaycert.download`, served in certificate mode.
pub(crate) static CERT_DOWNLOAD: MethodDescriptor = MethodDescriptor {
    method: CERT_DOWNLOAD_METHOD,
    title: "应用支付宝公钥证书下载",
    group: "open",
    response_node: "alipay_open_app_alipaycert_download_response",
    call_style: alipay_runtime::CallStyle::Server,
    errors: &[],
    example_response: None,
    route: None,
    validate_request: validate_download,
};

fn validate_download(
    biz_content: Option<&serde_json::Value>,
    _form: &[(String, String)],
) -> Result<(), ValidationError> {
    match biz_content
        .and_then(|b| b.get("alipay_cert_sn"))
        .and_then(|v| v.as_str())
    {
        Some(sn) if !sn.is_empty() => Ok(()),
        _ => Err(ValidationError::new("alipay_cert_sn", Rule::Required)),
    }
}
