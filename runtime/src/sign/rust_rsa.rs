//! The pure-Rust backend (`rsa` feature), on the `rsa` 0.9 crate.
//!
//! Signing always goes through `RandomizedSigner::sign_with_rng` with the OS random number
//! generator, so every private-key operation is blinded. The unblinded `Signer::sign` of the
//! `rsa` crate is never called. Every `rsa` release carries advisory RUSTSEC-2023-0071.
//! `RsaPrivateKey` zeroizes its components on drop.

use rand_core::OsRng;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs1v15::{Pkcs1v15Sign, SigningKey};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

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
///
/// Verification is RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2.2) done here rather than through
/// `rsa::pkcs1v15::VerifyingKey`: that path raises the signature to `e` with the crate's
/// general `modpow`, which walks all 64 bits of the exponent's digit in 4-bit windows (about
/// 90 Montgomery multiplications, plus a 4096-bit reduction, for e = 65537). Square-and-multiply
/// over the exponent's own bits is 17 multiplications (a bare verify in `benches/call.rs`:
/// 152 µs with the crate's path, 80 µs with this one); the inputs are all public, so nothing
/// here needs to run in constant time. The encoding is compared whole against the one the
/// signer must have produced, with the `DigestInfo` prefixes the `rsa` crate itself uses.
#[derive(Clone)]
pub(crate) struct PublicKeyImpl {
    n: BigUint,
    /// The public exponent's bits, most significant first, without leading zeros.
    e_bits: Vec<bool>,
    /// The modulus length in bytes (`k` in RFC 8017).
    k: usize,
    sha256_prefix: Box<[u8]>,
    sha1_prefix: Box<[u8]>,
}

impl PublicKeyImpl {
    /// Builds the key from the big-endian modulus and exponent.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        // The crate's own checks (modulus size bound, exponent range) still decide what is
        // a key.
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_BITS,
        )
        .map_err(|e| e.to_string())?;
        let e_bytes = key.e().to_bytes_be();
        let e_bits = e_bytes
            .iter()
            .flat_map(|byte| (0..8).rev().map(move |i| byte >> i & 1 == 1))
            .skip_while(|bit| !bit)
            .collect();
        Ok(PublicKeyImpl {
            k: key.size(),
            n: key.n().clone(),
            e_bits,
            sha256_prefix: Pkcs1v15Sign::new::<Sha256>().prefix,
            sha1_prefix: Pkcs1v15Sign::new::<Sha1>().prefix,
        })
    }

    /// Checks a raw signature.
    pub(crate) fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> bool {
        match sign_type {
            SignType::Rsa2 => {
                self.verify_digest(&self.sha256_prefix, &Sha256::digest(message), signature)
            }
            SignType::Rsa => {
                self.verify_digest(&self.sha1_prefix, &Sha1::digest(message), signature)
            }
        }
    }

    fn verify_digest(&self, prefix: &[u8], hash: &[u8], signature: &[u8]) -> bool {
        let k = self.k;
        let t_len = prefix.len() + hash.len();
        // RFC 8017 8.2.2 step 1 and 9.2 step 5 (k >= tLen + 11).
        if signature.len() != k || k < t_len + 11 {
            return false;
        }
        let s = BigUint::from_bytes_be(signature);
        // RSAVP1 step 1: the representative must be below the modulus.
        if s >= self.n {
            return false;
        }
        let mut m = BigUint::from(1u8);
        for &bit in &self.e_bits {
            m = &m * &m % &self.n;
            if bit {
                m = &m * &s % &self.n;
            }
        }
        let m = m.to_bytes_be();
        // EM = 0x00 || 0x01 || PS (0xff, at least 8 bytes) || 0x00 || DigestInfo prefix || H,
        // k bytes long; `m` lacks the leading 0x00.
        let ps_len = k - t_len - 3;
        m.len() == k - 1
            && m[0] == 0x01
            && m[1..1 + ps_len].iter().all(|&b| b == 0xff)
            && m[1 + ps_len] == 0x00
            && m[2 + ps_len..2 + ps_len + prefix.len()] == *prefix
            && m[2 + ps_len + prefix.len()..] == *hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::Encoding as _;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;

    /// The crate's own verification, which this module's must agree with.
    fn crate_verify(key: &RsaPublicKey, sign_type: SignType, message: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = Signature::try_from(sig) else {
            return false;
        };
        match sign_type {
            SignType::Rsa2 => VerifyingKey::<Sha256>::new(key.clone())
                .verify(message, &sig)
                .is_ok(),
            SignType::Rsa => VerifyingKey::<Sha1>::new(key.clone())
                .verify(message, &sig)
                .is_ok(),
        }
    }

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
    fn agrees_with_the_rsa_crate_on_good_and_altered_signatures() {
        let (private, public) = app_key();
        let ours =
            PublicKeyImpl::from_components(&public.n().to_bytes_be(), &public.e().to_bytes_be())
                .unwrap();
        for sign_type in [SignType::Rsa2, SignType::Rsa] {
            let message = "biz_content={\"a\":\"中文\"}&method=alipay.x".as_bytes();
            let sig = private.sign(sign_type, message).unwrap();
            assert!(ours.verify(sign_type, message, &sig));
            assert!(crate_verify(&public, sign_type, message, &sig));
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
