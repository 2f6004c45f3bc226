//! Certificate mode in the call path: which Alipay certificate verifies an answer, and safe
//! rotation.
//!
//! An answer names the certificate whose key signed it in `alipay_cert_sn` (not signed itself).
//! The configured certificate, and any rotated one accepted earlier, verify at once. Another SN
//! means Alipay rotated its key: the client fetches that certificate with
//! `alipay.open.app.alipaycert.download` (or takes it from the application's [`CertStore`]),
//! accepts it only if [`RootBundle::verify`] does (chain to the configured roots, CA issuers,
//! validity), keeps it, hands it to the store, and verifies the answer with it. Anything else
//! fails the call as [`Error::UntrustedAlipayCert`], naming both SNs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::Client;
use crate::cert::{AlipayCert, AppCert, RootBundle};
use crate::error::{DynBizCode, Error, UntrustedCertError};
use crate::keys::PublicKey;
use crate::method::RequestParts;
use crate::notify::{NotifyError, VerifiedNotify, VerifiedReturn};
use crate::verify;

/// The method that downloads an Alipay public-key certificate by SN.
pub const CERT_DOWNLOAD_METHOD: &str = "alipay.open.app.alipaycert.download";

/// How long an `alipay_cert_sn` whose certificate was refused (it could not be fetched, or it
/// does not chain to the roots) is refused again at once, without a new download (see
/// [`crate::ClientBuilder::refused_cert_retry_after`]).
pub const DEFAULT_REFUSED_CERT_RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// At most this many refused SNs are remembered; beyond it the oldest is forgotten (a gateway
/// naming new SNs on every answer cannot grow the client's memory).
const MAX_REFUSED_SNS: usize = 64;

/// Where an application keeps the Alipay certificates the client accepted on rotation, so that
/// a restarted process does not fetch them again (a file, a database row, a secret store).
///
/// What [`CertStore::load`] returns is checked against the root bundle like a download.
pub trait CertStore: Send + Sync {
    /// A certificate saved earlier under `sn`, as PEM, if any.
    fn load(&self, sn: &str) -> Option<Vec<u8>> {
        let _ = sn;
        None
    }

    /// Called once for each rotated certificate the client fetched and accepted: `pem` chains
    /// to the configured root bundle and is valid. Errors are the store's to report.
    fn save(&self, sn: &str, pem: &[u8]);
}

/// The certificate-mode settings, shared by every call.
pub(crate) struct CertMode {
    pub(crate) app_cert_sn: String,
    pub(crate) root: RootBundle,
    pub(crate) alipay: AlipayCert,
    /// Rotated certificates accepted so far, by SN.
    rotated: RwLock<HashMap<String, PublicKey>>,
    store: Option<Arc<dyn CertStore>>,
    /// SNs refused lately: when, and why. An answer naming one fails at once until
    /// `retry_after` has passed, so that an unknown SN does not cost a download per call.
    refused: Mutex<HashMap<String, (SystemTime, String)>>,
    retry_after: Duration,
}

impl fmt::Debug for CertMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertMode")
            .field("app_cert_sn", &self.app_cert_sn)
            .field("alipay_root_cert_sn", &self.root.sn())
            .field("alipay_cert_sn", &self.alipay.sn())
            .finish_non_exhaustive()
    }
}

impl CertMode {
    pub(crate) fn new(
        app: &AppCert,
        alipay: AlipayCert,
        root: RootBundle,
        store: Option<Arc<dyn CertStore>>,
        retry_after: Duration,
    ) -> Self {
        CertMode {
            app_cert_sn: app.sn().to_owned(),
            root,
            alipay,
            rotated: RwLock::new(HashMap::new()),
            store,
            refused: Mutex::new(HashMap::new()),
            retry_after,
        }
    }

    /// Why `sn` was refused, when that was less than `retry_after` ago.
    fn recently_refused(&self, sn: &str, now: SystemTime) -> Option<String> {
        let refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
        let (at, reason) = refused.get(sn)?;
        // A clock that went back counts as recent: better one refusal too many than a
        // download per call.
        let age = now.duration_since(*at).unwrap_or_default();
        (age < self.retry_after).then(|| {
            let left = (self.retry_after - age).as_secs();
            format!(
                "{reason} (refused {}s ago; not fetched again for {left}s)",
                age.as_secs()
            )
        })
    }

    fn refuse(&self, sn: &str, now: SystemTime, reason: &str) {
        let mut refused = self.refused.lock().unwrap_or_else(PoisonError::into_inner);
        if refused.len() >= MAX_REFUSED_SNS && !refused.contains_key(sn) {
            let oldest = refused
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                refused.remove(&oldest);
            }
        }
        refused.insert(sn.to_owned(), (now, reason.to_owned()));
    }

    /// The key of a certificate already trusted under `sn`.
    pub(super) fn known(&self, sn: &str) -> Option<PublicKey> {
        if sn == self.alipay.sn() {
            return Some(self.alipay.public_key().clone());
        }
        self.rotated.read().ok()?.get(sn).cloned()
    }

    /// Checks a fetched or stored certificate: it must be the one named, chain to the roots and
    /// be valid now.
    fn accept(
        &self,
        sn: &str,
        pem: &[u8],
        now: std::time::SystemTime,
    ) -> Result<AlipayCert, String> {
        let cert = AlipayCert::from_pem(pem).map_err(|e| e.to_string())?;
        if cert.sn() != sn {
            return Err(format!("the certificate received has SN {}", cert.sn()));
        }
        self.root.verify(&cert, now).map_err(|e| e.to_string())?;
        Ok(cert)
    }

    fn remember(&self, sn: &str, cert: &AlipayCert) {
        if let Ok(mut rotated) = self.rotated.write() {
            rotated.insert(sn.to_owned(), cert.public_key().clone());
        }
    }
}

/// Whether `sn` has the shape of a certificate SN: 32 hexadecimal digits (the MD5 of the
/// issuer and the serial number, as [`crate::cert::cert_sn`] writes it).
fn is_cert_sn(sn: &str) -> bool {
    sn.len() == 32 && sn.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Deserialize)]
struct Download {
    alipay_cert_content: Option<String>,
}

impl Client {
    /// The key of a certificate already trusted that must verify `body`, or the unknown SN
    /// the answer names.
    #[allow(clippy::result_large_err)]
    fn trusted_key(
        &self,
        body: &[u8],
    ) -> Result<Result<Cow<'_, PublicKey>, String>, Error<DynBizCode>> {
        let config = &self.inner.config;
        let Some(cert) = config.cert.as_deref() else {
            return Ok(Ok(Cow::Borrowed(&config.alipay_public_key)));
        };
        match verify::answer_cert_sn(body, config.charset) {
            // No SN (some gateway errors): the configured certificate must verify it.
            Ok(None) => Ok(Ok(Cow::Borrowed(&config.alipay_public_key))),
            Ok(Some(sn)) => Ok(cert.known(&sn).map(Cow::Owned).ok_or(sn)),
            Err(e) => Err(super::call::response_error(e)),
        }
    }

    /// [`Client::answer_key`] without fetching: an answer naming a certificate not trusted yet
    /// is refused.
    #[allow(clippy::result_large_err)]
    pub(super) fn known_answer_key(
        &self,
        body: &[u8],
    ) -> Result<Cow<'_, PublicKey>, Error<DynBizCode>> {
        match self.trusted_key(body)? {
            Ok(key) => Ok(key),
            Err(sn) => Err(Error::UntrustedAlipayCert(UntrustedCertError {
                configured_sn: self
                    .inner
                    .config
                    .alipay_cert_sn()
                    .unwrap_or_default()
                    .to_owned(),
                answer_sn: sn,
                reason: "it is not trusted yet (only a call fetches a rotated certificate)"
                    .to_owned(),
            })),
        }
    }

    /// The Alipay public key that must verify `body`: the configured key outside certificate
    /// mode; in certificate mode the key of the certificate the answer names (fetched and checked
    /// when it is new).
    pub(super) async fn answer_key(
        &self,
        body: &[u8],
    ) -> Result<Cow<'_, PublicKey>, Error<DynBizCode>> {
        match self.trusted_key(body)? {
            Ok(key) => Ok(key),
            Err(sn) => self.key_for_sn(sn).await,
        }
    }

    /// Certificate mode: the key of the certificate named `sn`, trusted already or fetched,
    /// checked against the roots and kept (the rotation path); the configured key outside
    /// certificate mode.
    pub(super) async fn key_for_sn(
        &self,
        sn: String,
    ) -> Result<Cow<'_, PublicKey>, Error<DynBizCode>> {
        let config = &self.inner.config;
        let Some(cert) = config.cert.as_deref() else {
            return Ok(Cow::Borrowed(&config.alipay_public_key));
        };
        if let Some(key) = cert.known(&sn) {
            return Ok(Cow::Owned(key));
        }
        // The SN comes from the answer, unsigned: one that no certificate can have (an SN is
        // the 32 hex digits of an MD5) is refused before it is looked up in the store, logged,
        // remembered or sent in a download request, and quoted cut to its start.
        if !is_cert_sn(&sn) {
            return Err(Error::UntrustedAlipayCert(UntrustedCertError {
                configured_sn: cert.alipay.sn().to_owned(),
                answer_sn: sn.chars().take(64).collect(),
                reason: "it is not a certificate SN (32 hexadecimal digits): no certificate has it"
                    .to_owned(),
            }));
        }
        let untrusted = |reason: String| {
            Error::UntrustedAlipayCert(UntrustedCertError {
                configured_sn: cert.alipay.sn().to_owned(),
                answer_sn: sn.clone(),
                reason,
            })
        };
        let now = (config.clock)();
        if let Some(pem) = cert.store.as_ref().and_then(|s| s.load(&sn))
            && let Ok(accepted) = cert.accept(&sn, &pem, now)
        {
            cert.remember(&sn, &accepted);
            return Ok(Cow::Owned(accepted.public_key().clone()));
        }
        if let Some(reason) = cert.recently_refused(&sn, now) {
            return Err(untrusted(reason));
        }
        tracing::info!(alipay_cert_sn = %sn, "the answer names a new Alipay certificate: fetching it");
        let refused = |reason: String| {
            cert.refuse(&sn, now, &reason);
            untrusted(reason)
        };
        let pem = self
            .download_cert(cert, &sn)
            .await
            .map_err(|e| refused(format!("it could not be fetched: {e}")))?;
        let accepted = cert.accept(&sn, &pem, now).map_err(refused)?;
        cert.remember(&sn, &accepted);
        if let Some(store) = &cert.store {
            store.save(&sn, &pem);
        }
        Ok(Cow::Owned(accepted.public_key().clone()))
    }

    /// Fetches the certificate named `sn`. The download answer itself must verify, with the
    /// configured certificate or with the downloaded one once that is trusted.
    async fn download_cert(&self, cert: &CertMode, sn: &str) -> Result<Vec<u8>, String> {
        let config = &self.inner.config;
        let parts = RequestParts {
            biz_content: Some(serde_json::json!({ "alipay_cert_sn": sn }).to_string()),
            form: Vec::new(),
            files: Vec::new(),
        };
        let prepared = self
            .prepare_parts::<DynBizCode>(CERT_DOWNLOAD_METHOD, &parts, &super::options::NO_OPTIONS)
            .map_err(|e| e.to_string())?;
        let (status, body) = self.send(prepared).await.map_err(|e| e.to_string())?;
        if !(200..300).contains(&status) {
            return Err(format!("the gateway answered HTTP {status}"));
        }
        // Read the content first (unverified) only to learn which key signed this answer.
        let signer_sn = verify::answer_cert_sn(&body, config.charset).map_err(|e| e.to_string())?;
        let unverified_pem = unverified_content(&body, config.charset)?;
        let key = match signer_sn.as_deref() {
            Some(s) if s == sn => cert
                .accept(sn, &unverified_pem, (config.clock)())?
                .public_key()
                .clone(),
            Some(s) => cert.known(s).ok_or_else(|| {
                format!("the download answer is signed by unknown certificate {s}")
            })?,
            None => cert.alipay.public_key().clone(),
        };
        let verified = verify::verify_response(
            &body,
            CERT_DOWNLOAD_METHOD,
            config.charset,
            config.sign_type,
            &key,
        )
        .map_err(|e| e.to_string())?;
        if !verified.is_success() {
            return Err(format!(
                "the gateway answered {} {}{}",
                verified.code,
                verified.msg,
                verified
                    .sub_code
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ));
        }
        let download: Download = verified.deserialize_node().map_err(|e| e.to_string())?;
        decode_content(download.alipay_cert_content)
    }
}

/// `alipay_cert_content` of a download answer before verification.
fn unverified_content(body: &[u8], charset: crate::Charset) -> Result<Vec<u8>, String> {
    let text = charset.decode(body).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let node = &value[verify::response_node_name(CERT_DOWNLOAD_METHOD)];
    decode_content(node["alipay_cert_content"].as_str().map(str::to_owned))
}

/// The certificate travels as the base64 of its PEM text.
fn decode_content(content: Option<String>) -> Result<Vec<u8>, String> {
    use base64ct::Encoding as _;
    let content = content
        .filter(|c| !c.is_empty())
        .ok_or("the answer carries no alipay_cert_content")?;
    base64ct::Base64::decode_vec(content.trim())
        .map_err(|_| "alipay_cert_content is not base64".to_owned())
}

impl Client {
    /// Verifies an asynchronous notification (the raw form body) with the Alipay key, as
    /// [`crate::notify::verify_notify`] does.
    ///
    /// In certificate mode a notification does not name its certificate: it is verified with
    /// the configured Alipay certificate's key, then with each certificate accepted on rotation
    /// (never with one that was not checked against the root bundle).
    ///
    /// A body over [`crate::notify::MAX_NOTIFY_BYTES`] or with more than
    /// [`crate::notify::MAX_NOTIFY_FIELDS`] fields is refused before it is parsed or any key
    /// is tried.
    pub fn verify_notify(&self, form_body: &[u8]) -> Result<VerifiedNotify, NotifyError> {
        crate::notify::check_form_size(form_body)?;
        self.with_alipay_keys(|key| crate::notify::verify_notify(form_body, key))
    }

    /// Verifies the query of a `return_url` redirect with the Alipay key (or, in certificate
    /// mode, the keys [`Client::verify_notify`] tries), as [`crate::notify::verify_return`]
    /// does, with the same bounds.
    pub fn verify_return(&self, query: &str) -> Result<VerifiedReturn, NotifyError> {
        crate::notify::check_form_size(query.strip_prefix('?').unwrap_or(query).as_bytes())?;
        self.with_alipay_keys(|key| crate::notify::verify_return(query, key))
    }

    /// `verify` with the configured Alipay key, then (certificate mode) each key accepted on
    /// rotation; the first error when none verifies.
    fn with_alipay_keys<T>(
        &self,
        verify: impl Fn(&PublicKey) -> Result<T, NotifyError>,
    ) -> Result<T, NotifyError> {
        let config = &self.inner.config;
        let first = verify(&config.alipay_public_key);
        let Some(cert) = config.cert.as_deref() else {
            return first;
        };
        if first.is_ok() {
            return first;
        }
        let rotated: Vec<PublicKey> = cert
            .rotated
            .read()
            .map(|keys| keys.values().cloned().collect())
            .unwrap_or_default();
        rotated
            .iter()
            .find_map(|key| verify(key).ok())
            .map_or(first, Ok)
    }
}
