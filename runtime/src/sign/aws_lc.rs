//! The aws-lc-rs backend (default).
//!
//! RSA2 (SHA256withRSA) signs through aws-lc-rs's `RsaKeyPair`. aws-lc-rs offers no
//! SHA1withRSA signing encoding, so `sign_type=RSA` signs through `RSA_sign` of the very same
//! aws-lc library (`aws-lc-sys`, which aws-lc-rs links). Both key objects are built once from
//! the PKCS#1 DER when the key is loaded. aws-lc blinds private-key operations and cleanses key
//! memory when it frees it.

use std::ptr::NonNull;

use aws_lc_rs::signature::{
    self, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};

use super::{SignError, SignType};

/// Backend name, for messages.
pub(crate) const NAME: &str = "aws-lc-rs";

/// A private key in aws-lc's native form.
pub(crate) struct PrivateKeyImpl {
    sha256: RsaKeyPair,
    sha1: LegacyRsa,
}

impl PrivateKeyImpl {
    /// Builds the native key from PKCS#1 `RSAPrivateKey` DER.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self, String> {
        let sha256 = RsaKeyPair::from_der(der).map_err(|e| e.to_string())?;
        let sha1 = LegacyRsa::from_pkcs1_der(der)?;
        Ok(PrivateKeyImpl { sha256, sha1 })
    }

    /// Signs `content` (RSASSA-PKCS1-v1_5).
    pub(crate) fn sign(&self, sign_type: SignType, content: &[u8]) -> Result<Vec<u8>, SignError> {
        match sign_type {
            SignType::Rsa2 => {
                let mut out = vec![0u8; self.sha256.public_modulus_len()];
                let rng = aws_lc_rs::rand::SystemRandom::new();
                self.sha256
                    .sign(&signature::RSA_PKCS1_SHA256, &rng, content, &mut out)
                    .map_err(|e| backend_error(e.to_string()))?;
                Ok(out)
            }
            SignType::Rsa => self.sha1.sign_sha1(content),
        }
    }
}

fn backend_error(reason: String) -> SignError {
    SignError::Backend {
        backend: NAME,
        reason,
    }
}

/// An aws-lc `RSA*` used only for SHA1withRSA signing.
struct LegacyRsa(NonNull<aws_lc_sys::RSA>);

// SAFETY: aws-lc documents `RSA` objects as safe to use from several threads at once for
// operations that take a const pointer or are internally locked; `RSA_sign` locks the lazily
// computed blinding and Montgomery state itself. The pointer is owned uniquely by this value.
unsafe impl Send for LegacyRsa {}
// SAFETY: see `Send`; only `RSA_sign` and `RSA_size` are called through a shared reference.
unsafe impl Sync for LegacyRsa {}

impl LegacyRsa {
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, String> {
        // SAFETY: `der` is a valid slice for the duration of the call; aws-lc copies what it
        // needs and returns an owned `RSA*` or null.
        let ptr = unsafe { aws_lc_sys::RSA_private_key_from_bytes(der.as_ptr(), der.len()) };
        let ptr =
            NonNull::new(ptr).ok_or_else(|| "aws-lc could not parse the RSA key".to_owned())?;
        Ok(LegacyRsa(ptr))
    }

    fn sign_sha1(&self, content: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, content);
        let digest = digest.as_ref();
        // SAFETY: the pointer is a valid, owned `RSA*` for the life of `self`.
        let size = unsafe { aws_lc_sys::RSA_size(self.0.as_ptr()) } as usize;
        let mut out = vec![0u8; size];
        let mut out_len: std::os::raw::c_uint = 0;
        // SAFETY: `out` has room for `RSA_size` bytes, which is what `RSA_sign` writes at most;
        // `digest` is a valid SHA-1 digest for `NID_sha1`.
        let ok = unsafe {
            aws_lc_sys::RSA_sign(
                aws_lc_sys::NID_sha1,
                digest.as_ptr(),
                digest.len(),
                out.as_mut_ptr(),
                &mut out_len,
                self.0.as_ptr(),
            )
        };
        if ok != 1 {
            return Err(backend_error("RSA_sign (SHA1withRSA) failed".to_owned()));
        }
        out.truncate(out_len as usize);
        Ok(out)
    }
}

impl Drop for LegacyRsa {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `RSA_private_key_from_bytes` and is freed exactly once;
        // aws-lc cleanses the key material when it frees it.
        unsafe { aws_lc_sys::RSA_free(self.0.as_ptr()) }
    }
}

/// A public key in aws-lc's parsed form, one per algorithm so no parsing happens per call.
#[derive(Clone)]
pub(crate) struct PublicKeyImpl {
    sha256: ParsedPublicKey,
    sha1: ParsedPublicKey,
}

impl PublicKeyImpl {
    /// Builds the parsed key from the big-endian modulus and exponent.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, String> {
        let components = RsaPublicKeyComponents { n, e };
        let sha256 = components
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|e| e.to_string())?;
        let sha1 = components
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)
            .map_err(|e| e.to_string())?;
        Ok(PublicKeyImpl { sha256, sha1 })
    }

    /// Checks a raw signature.
    pub(crate) fn verify(&self, sign_type: SignType, message: &[u8], signature: &[u8]) -> bool {
        let key = match sign_type {
            SignType::Rsa2 => &self.sha256,
            SignType::Rsa => &self.sha1,
        };
        key.verify_sig(message, signature).is_ok()
    }
}
