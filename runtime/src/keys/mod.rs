//! The app private key and the Alipay public key.
//!
//! Both load from PEM (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, SPKI `PUBLIC KEY`, PKCS#1
//! `RSA PUBLIC KEY`) or from the one-line bare base64 that Alipay's key tool hands out (either
//! container), from a string or a file. Keys are parsed once, into the signing backend's native
//! form; signing and verifying parse nothing.
//!
//! The usual mistakes are named when the key is loaded: a public key where the private key
//! belongs (and the reverse), a certificate, an encrypted key, a non-RSA key, an RSA key under
//! 2048 bits, and (through [`check_alipay_public_key`]) the app's own public key configured as
//! the Alipay public key. Errors never contain key material; neither does `Debug`. Decoded key
//! bytes are wiped (`zeroize`) once the backend holds the key; the backends wipe their own
//! copies when the key is dropped.

mod container;

use std::fmt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::sign::{self, SignError, SignType, Signer, VerifyError, backend};
use container::Kind;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const MAX_BITS: usize = 8192;

/// A key could not be loaded. Says what is wrong, never what the key is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text was empty.
    #[error("the key is empty")]
    Empty,
    /// A public key was given where the app private key belongs.
    #[error(
        "this is a public key, but a private key is expected here (configure the app private key, \
         not the app or Alipay public key)"
    )]
    PublicKeyGivenAsPrivate,
    /// A private key was given where a public key belongs.
    #[error(
        "this is a private key, but a public key is expected here (configure the Alipay public key \
         from the open platform, never a private key)"
    )]
    PrivateKeyGivenAsPublic,
    /// The app's own public key was configured as the Alipay public key.
    #[error(
        "the Alipay public key is the app's own public key (the public half of the app private \
         key); copy the \"Alipay public key\" (支付宝公钥) from the open platform instead"
    )]
    AlipayKeyIsAppKey,
    /// A certificate was given where a bare key is expected.
    #[error(
        "this is a certificate, not a key (public-key certificate mode is configured separately)"
    )]
    Certificate,
    /// The key is password-protected.
    #[error("the key is encrypted; export it without a password")]
    Encrypted,
    /// The key is not an RSA key.
    #[error("this is a {algorithm} key; Alipay RSA2/RSA signing needs an RSA key")]
    NotRsa {
        /// The algorithm found.
        algorithm: String,
    },
    /// The RSA key is shorter than [`MIN_BITS`].
    #[error("the RSA key has {bits} bits; at least 2048 are required")]
    TooSmall {
        /// Modulus length in bits.
        bits: usize,
    },
    /// The RSA key is longer than [`MAX_BITS`].
    #[error("the RSA key has {bits} bits; at most 8192 are supported")]
    TooLarge {
        /// Modulus length in bits.
        bits: usize,
    },
    /// The PEM armour is broken.
    #[error("malformed PEM: {reason}")]
    BadPem {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The PEM label is not one of the supported key labels.
    #[error("unsupported PEM label {label:?}")]
    UnexpectedPemLabel {
        /// The label (at most 40 characters).
        label: String,
    },
    /// PEM given to a `from_base64` loader, or bare base64 to a `from_pem` loader.
    #[error("expected {expected} but found {found} (`parse` accepts either)")]
    FormMismatch {
        /// The form the loader takes.
        expected: &'static str,
        /// The form given.
        found: &'static str,
    },
    /// Text without PEM armour that is not base64.
    #[error("the key is neither PEM nor valid base64")]
    BadBase64,
    /// The decoded bytes are not the DER structure expected.
    #[error("the decoded key is not a valid {expected}")]
    BadDer {
        /// The structure expected.
        expected: &'static str,
    },
    /// The signing backend refused the key (for example inconsistent private values).
    #[error("the {backend} backend rejected the RSA key: {reason}")]
    Rejected {
        /// `"aws-lc-rs"` or `"rsa"`.
        backend: &'static str,
        /// What the backend reported.
        reason: String,
    },
    /// The key file could not be read.
    #[error("cannot read key file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn check_size(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_BITS {
        Err(KeyError::TooSmall { bits })
    } else if bits > MAX_BITS {
        Err(KeyError::TooLarge { bits })
    } else {
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    // Bounded: the path may name an endless stream (`/dev/stdin`, `/dev/zero`).
    crate::bounded::read_to_string(path, crate::bounded::SMALL_FILE_BYTES)
        .map(Zeroizing::new)
        .map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })
}

/// An RSA private key (the app private key), ready to sign with the compiled-in backend.
///
/// `Debug` prints only the size: `PrivateKey { bits: 2048, .. }`.
pub struct PrivateKey {
    inner: backend::PrivateKeyImpl,
    public: PublicKey,
}

impl PrivateKey {
    /// Loads a PEM private key: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_pem(pem)?)
    }

    /// Loads the bare base64 of a PKCS#1 or PKCS#8 DER private key (what Alipay's key tool
    /// prints; whitespace is ignored).
    pub fn from_base64(base64: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_bare_base64(base64)?)
    }

    /// Loads PEM or bare base64, whichever `text` is.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_text(text)?)
    }

    /// Reads a file holding PEM or bare base64.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::parse(&read_file(path.as_ref())?)
    }

    fn from_decoded(decoded: &container::Decoded) -> Result<Self, KeyError> {
        let der = match container::classify(decoded)? {
            Kind::Private(der) => der,
            Kind::Public { .. } => return Err(KeyError::PublicKeyGivenAsPrivate),
        };
        let (n, e) = container::private_components(&der)?;
        check_size(container::bit_len(&n))?;
        let inner =
            backend::PrivateKeyImpl::from_pkcs1_der(&der).map_err(|reason| KeyError::Rejected {
                backend: sign::BACKEND,
                reason,
            })?;
        let public = PublicKey::from_components(n, e)?;
        Ok(PrivateKey { inner, public })
    }

    /// The public half of this key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        self.public.bits
    }
}

impl Signer for PrivateKey {
    fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError> {
        self.inner.sign(sign_type, content)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// An RSA public key (the Alipay public key), ready to verify with the compiled-in backend.
///
/// Two keys are equal when modulus and exponent are. `Debug` prints only the size.
#[derive(Clone)]
pub struct PublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
    bits: usize,
    inner: backend::PublicKeyImpl,
}

impl PublicKey {
    /// Loads a PEM public key: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_pem(pem)?)
    }

    /// Loads the bare base64 of an SPKI (or PKCS#1 `RSAPublicKey`) DER public key, as the open
    /// platform shows the Alipay public key.
    pub fn from_base64(base64: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_bare_base64(base64)?)
    }

    /// Loads PEM or bare base64, whichever `text` is.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::from_decoded(&container::decode_text(text)?)
    }

    /// Reads a file holding PEM or bare base64.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::parse(&read_file(path.as_ref())?)
    }

    /// Loads the DER of a `SubjectPublicKeyInfo` (the key inside a certificate).
    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_decoded(&container::Decoded {
            label: Some("PUBLIC KEY".to_owned()),
            der: Zeroizing::new(der.to_vec()),
        })
    }

    fn from_decoded(decoded: &container::Decoded) -> Result<Self, KeyError> {
        match container::classify(decoded)? {
            Kind::Public { n, e } => Self::from_components(n, e),
            Kind::Private(_) => Err(KeyError::PrivateKeyGivenAsPublic),
        }
    }

    fn from_components(n: Vec<u8>, e: Vec<u8>) -> Result<Self, KeyError> {
        let n = container::strip_zeros(&n).to_vec();
        let e = container::strip_zeros(&e).to_vec();
        let bits = container::bit_len(&n);
        check_size(bits)?;
        let inner = backend::PublicKeyImpl::from_components(&n, &e).map_err(|reason| {
            KeyError::Rejected {
                backend: sign::BACKEND,
                reason,
            }
        })?;
        Ok(PublicKey { n, e, bits, inner })
    }

    /// Modulus length in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Verifies a standard-base64 RSASSA-PKCS1-v1_5 signature over `message` (the exact bytes
    /// that were signed) with the algorithm `sign_type` names.
    pub fn verify(
        &self,
        sign_type: SignType,
        message: &[u8],
        signature_b64: &str,
    ) -> Result<(), VerifyError> {
        let raw = sign::base64_decode(signature_b64)?;
        self.verify_raw(sign_type, message, &raw)
    }

    /// Verifies a raw (already base64-decoded) signature.
    pub fn verify_raw(
        &self,
        sign_type: SignType,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        if self.inner.verify(sign_type, message, signature) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch)
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.e == other.e
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// Fails with [`KeyError::AlipayKeyIsAppKey`] when the configured Alipay public key is the
/// public half of the app private key: responses would then never verify, and the mistake is
/// common enough to name at start-up.
pub fn check_alipay_public_key(
    app_private_key: &PrivateKey,
    alipay_public_key: &PublicKey,
) -> Result<(), KeyError> {
    if app_private_key.public == *alipay_public_key {
        Err(KeyError::AlipayKeyIsAppKey)
    } else {
        Ok(())
    }
}
