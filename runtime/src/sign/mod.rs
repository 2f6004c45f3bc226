//! Request signing: the [`SignType`] algorithms, the [`Signer`] trait and the built-in RSA
//! backends.
//!
//! The backend is chosen at compile time by Cargo feature:
//!
//! - `aws-lc-rs` (default): aws-lc-rs, as fast as OpenSSL for RSA-2048 and already in the tree
//!   through reqwest's rustls. SHA1withRSA (`sign_type=RSA`) signing, which aws-lc-rs does not
//!   expose, goes through the same aws-lc build via `aws-lc-sys`.
//! - `rsa`: the pure-Rust `rsa` crate, for targets without a C compiler. It always signs with
//!   blinding (`RandomizedSigner::sign_with_rng`). Every `rsa` release carries advisory
//!   RUSTSEC-2023-0071 (a timing side channel), which is why it is not the default.
//!
//! When both features are enabled, aws-lc-rs is used. Enabling neither is a compile error.
//!
//! A [`crate::keys::PrivateKey`] implements [`Signer`] with the active backend; a KMS or HSM
//! signer can implement it too.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "aws-lc-rs")]
pub(crate) mod aws_lc;
#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc as backend;

#[cfg(all(feature = "rsa", not(feature = "aws-lc-rs")))]
pub(crate) mod rust_rsa;
#[cfg(all(feature = "rsa", not(feature = "aws-lc-rs")))]
pub(crate) use rust_rsa as backend;

#[cfg(not(any(feature = "aws-lc-rs", feature = "rsa")))]
compile_error!(
    "alipay-runtime needs a signing backend: enable the `aws-lc-rs` feature (default) or the \
     `rsa` feature (pure Rust)"
);

/// The signature algorithm named by the `sign_type` parameter.
///
/// Both are RSASSA-PKCS1-v1_5; the result travels as standard base64 with padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// `RSA2`: SHA256withRSA. What Alipay recommends and the default.
    #[default]
    Rsa2,
    /// `RSA`: SHA1withRSA, kept for old apps.
    Rsa,
}

impl SignType {
    /// The wire value: `"RSA2"` or `"RSA"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `sign_type` value other than `RSA2` or `RSA`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported sign_type {value:?}: expected RSA2 or RSA")]
pub struct UnsupportedSignType {
    /// The value that was given.
    pub value: String,
}

impl FromStr for SignType {
    type Err = UnsupportedSignType;

    /// Parses `RSA2` or `RSA`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("RSA2") {
            Ok(SignType::Rsa2)
        } else if s.eq_ignore_ascii_case("RSA") {
            Ok(SignType::Rsa)
        } else {
            Err(UnsupportedSignType {
                value: s.to_owned(),
            })
        }
    }
}

/// Signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The built-in backend refused to sign (it names no key material).
    #[error("RSA signing failed in the {backend} backend: {reason}")]
    Backend {
        /// `"aws-lc-rs"` or `"rsa"`.
        backend: &'static str,
        /// What the backend reported.
        reason: String,
    },
    /// A user-supplied signer (KMS, HSM) failed.
    #[error("external signer failed: {0}")]
    External(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Signature verification failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature is not standard base64.
    #[error("the signature is not valid base64")]
    Base64,
    /// The signature does not match the message under this public key.
    #[error("the signature does not match the signed content and public key")]
    Mismatch,
}

/// Produces raw RSASSA-PKCS1-v1_5 signatures.
///
/// Implemented by [`crate::keys::PrivateKey`] with the compiled-in backend. Implement it for a
/// KMS or HSM to keep the private key out of the process. `content` is the exact byte string to
/// sign (the sign content already encoded in the request charset); the result is the raw
/// signature (as many bytes as the modulus), not base64.
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// Signs `content` with the algorithm `sign_type` names.
    fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// Signs `content` and returns the signature as standard base64 with padding, the form the
/// `sign` parameter carries.
pub fn sign_base64(
    signer: &dyn Signer,
    sign_type: SignType,
    content: &[u8],
) -> Result<String, SignError> {
    let raw = signer.sign(sign_type, content)?;
    Ok(base64_encode(&raw))
}

// Signatures are public: the `base64` crate's engine, several times faster than the
// constant-time `base64ct` (kept for keys), does their encoding on every call.

/// Standard base64 with padding.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes a standard base64 signature: canonical padding required, no whitespace, no
/// trailing bits.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, VerifyError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| VerifyError::Base64)
}

/// The name of the backend compiled in: `"aws-lc-rs"` or `"rsa"`.
pub const BACKEND: &str = backend::NAME;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_type_round_trips_and_ignores_case() {
        for t in [SignType::Rsa2, SignType::Rsa] {
            assert_eq!(t.as_str().parse::<SignType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!("rsa2".parse::<SignType>(), Ok(SignType::Rsa2));
        assert_eq!("Rsa".parse::<SignType>(), Ok(SignType::Rsa));
        let err = "RSA256".parse::<SignType>().unwrap_err();
        assert_eq!(err.value, "RSA256");
        assert!("".parse::<SignType>().is_err());
    }

    #[test]
    fn base64_is_standard_with_padding() {
        assert_eq!(base64_encode(b"\xfb\xff"), "+/8=");
        assert_eq!(base64_decode("+/8="), Ok(b"\xfb\xff".to_vec()));
        assert_eq!(base64_decode("-_8="), Err(VerifyError::Base64));
        assert_eq!(base64_decode("+/8"), Err(VerifyError::Base64));
    }
}
