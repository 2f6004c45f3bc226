//! The pure-Rust backend (`rsa` feature), on the `rsa` 0.9 crate.
//!
//! Signing always goes through `RandomizedSigner::sign_with_rng` with the OS random number
//! generator, so every private-key operation is blinded. The unblinded `Signer::sign` of the
//! `rsa` crate is never called. Every `rsa` release carries advisory RUSTSEC-2023-0071.
//! `RsaPrivateKey` zeroizes its components on drop.

use rand_core::OsRng;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Verifier as _};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::Sha256;

use super::{SignError, SignType};

/// Backend name, for messages.
pub(crate) const NAME: &str = "rsa";

/// Largest modulus accepted, the same bound as the aws-lc-rs backend.
const MAX_BITS: usize = 8192;

/// A private key ready to sign with either digest.
pub(crate) struct PrivateKeyImpl {
    sha256: SigningKey<Sha256>,
    sha1: SigningKey<Sha1>,
}

impl PrivateKeyImpl {
    /// Builds the key from PKCS#1 `RSAPrivateKey` DER (precomputes the CRT values).
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, String> {
        let key = RsaPrivateKey::from_pkcs1_der(der).map_err(|e| e.to_string())?;
        key.validate().map_err(|e| e.to_string())?;
        Ok(PrivateKeyImpl {
            sha256: SigningKey::<Sha256>::new(key.clone()),
            sha1: SigningKey::<Sha1>::new(key),
        })
    }

    /// Signs `content` (RSASSA-PKCS1-v1_5) with blinding.
    pub(crate) fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = match sign_type {
            SignType::Rsa2 => self.sha256.try_sign_with_rng(&mut OsRng, content),
            SignType::Rsa => self.sha1.try_sign_with_rng(&mut OsRng, content),
        }
        .map_err(|e| SignError::Backend {
            backend: NAME,
            reason: e.to_string(),
        })?;
        Ok(signature.to_vec())
    }
}

/// A public key ready to verify with either digest.
#[derive(Clone)]
pub(crate) struct PublicKeyImpl {
    sha256: VerifyingKey<Sha256>,
    sha1: VerifyingKey<Sha1>,
}

impl PublicKeyImpl {
    /// Builds the key from the big-endian modulus and exponent.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_BITS,
        )
        .map_err(|e| e.to_string())?;
        Ok(PublicKeyImpl {
            sha256: VerifyingKey::<Sha256>::new(key.clone()),
            sha1: VerifyingKey::<Sha1>::new(key),
        })
    }

    /// Checks a raw signature.
    pub(crate) fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = Signature::try_from(signature) else {
            return false;
        };
        match sign_type {
            SignType::Rsa2 => self.sha256.verify(message, &signature).is_ok(),
            SignType::Rsa => self.sha1.verify(message, &signature).is_ok(),
        }
    }
}
