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

/// A public key ready to verify with either digest, through the `rsa` crate's own
/// RSASSA-PKCS1-v1_5 verification (`rsa::pkcs1v15::VerifyingKey`).
///
/// An earlier version verified with its own square-and-multiply over the exponent's bits,
/// which was about twice as fast as the crate's windowed `modpow`; it was dropped because
/// hand-rolled cryptography in a payments library is not acceptable, whatever it saves.
#[derive(Clone)]
pub(crate) struct PublicKeyImpl {
    sha256: VerifyingKey<Sha256>,
    sha1: VerifyingKey<Sha1>,
}

impl PublicKeyImpl {
    /// Builds the key from the big-endian modulus and exponent.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        // The crate's own checks (modulus size bound, exponent range) decide what is a key.
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_BITS,
        )
        .map_err(|e| e.to_string())?;
        Ok(PublicKeyImpl {
            sha256: VerifyingKey::new(key.clone()),
            sha1: VerifyingKey::new(key),
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::Encoding as _;
    use rsa::traits::PublicKeyParts as _;

    fn app_key() -> (PrivateKeyImpl, RsaPublicKey) {
        // The vectors' PKCS#1 key as bare base64 DER (the same key as `app_private_pkcs1.pem`).
        let b64 = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/vectors/keys/app_private_pkcs1.b64"
        ))
        .expect("shared/vectors beside the checkout");
        let der = base64ct::Base64::decode_vec(b64.trim()).unwrap();
        let public = RsaPrivateKey::from_pkcs1_der(&der).unwrap().to_public_key();
        (PrivateKeyImpl::from_pkcs1_der(&der).unwrap(), public)
    }

    #[test]
    fn verifies_good_signatures_and_refuses_altered_ones() {
        let (private, public) = app_key();
        let ours =
            PublicKeyImpl::from_components(&public.n().to_bytes_be(), &public.e().to_bytes_be())
                .unwrap();
        for sign_type in [SignType::Rsa2, SignType::Rsa] {
            let message = "biz_content={\"a\":\"中文\"}&method=alipay.x".as_bytes();
            let sig = private.sign(sign_type, message).unwrap();
            assert!(ours.verify(sign_type, message, &sig));
            let other = if sign_type == SignType::Rsa2 {
                SignType::Rsa
            } else {
                SignType::Rsa2
            };
            assert!(
                !ours.verify(other, message, &sig),
                "digest mismatch accepted"
            );
            assert!(!ours.verify(sign_type, b"another message", &sig));
            // Every single-bit flip of the signature, and wrong lengths.
            for i in 0..sig.len() * 8 {
                let mut bad = sig.clone();
                bad[i / 8] ^= 1 << (i % 8);
                assert!(!ours.verify(sign_type, message, &bad), "bit {i}");
            }
            for len in [0, 1, sig.len() - 1, sig.len() + 1] {
                let mut bad = sig.clone();
                bad.resize(len, 0);
                assert!(!ours.verify(sign_type, message, &bad), "length {len}");
            }
            // The modulus itself, and values above it, are not signatures.
            let n = public.n().to_bytes_be();
            assert!(!ours.verify(sign_type, message, &n));
            assert!(!ours.verify(sign_type, message, &vec![0xff; sig.len()]));
            assert!(!ours.verify(sign_type, message, &vec![0; sig.len()]));
        }
    }
}
