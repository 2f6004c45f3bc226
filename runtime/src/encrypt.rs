//! AES content encryption (`encrypt_type=AES`, 接口内容加密).
//!
//! `shared/vectors/README.md` (`aes.json`): AES-CBC with a zero IV and PKCS#7 padding, the key
//! being the base64-decoded `encrypt_key` from the open platform (16 bytes: AES-128, 24: AES-192,
//! 32: AES-256); plaintext UTF-8, ciphertext standard base64. A request's `biz_content` is
//! encrypted and then signed (the signature covers the ciphertext); an answer's node is verified
//! as the JSON string it is (quotes included) and only then decrypted.
//!
//! The key never appears in `Debug`, `Display` or an error, and its bytes are wiped on drop.

use std::fmt;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut as _, BlockEncryptMut as _, KeyIvInit as _};
use base64ct::Encoding as _;
use zeroize::Zeroizing;

/// The `encrypt_type` value.
pub const ENCRYPT_TYPE: &str = "AES";

const IV: [u8; 16] = [0; 16];

/// The app's AES key (`encrypt_key`). `Debug` prints only its size.
#[derive(Clone)]
pub struct EncryptKey {
    key: Zeroizing<Vec<u8>>,
}

/// An AES key or ciphertext could not be used. Never holds key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptError {
    /// The key is not standard base64.
    #[error("the AES key (encrypt_key) is not valid base64")]
    KeyNotBase64,
    /// The decoded key is not 16, 24 or 32 bytes.
    #[error("the AES key (encrypt_key) decodes to {len} bytes; expected 16, 24 or 32")]
    KeyLength {
        /// The decoded length.
        len: usize,
    },
    /// The ciphertext is not standard base64.
    #[error("the encrypted content is not valid base64")]
    CiphertextNotBase64,
    /// Decryption failed: wrong key, truncated ciphertext or bad padding.
    #[error("the encrypted content does not decrypt with the configured AES key")]
    Decrypt,
    /// The plaintext is not UTF-8.
    #[error("the decrypted content is not UTF-8")]
    NotUtf8,
}

impl EncryptKey {
    /// Loads the base64 key the open platform shows (whitespace around it ignored).
    pub fn from_base64(base64: &str) -> Result<Self, EncryptError> {
        let key = Zeroizing::new(
            base64ct::Base64::decode_vec(base64.trim()).map_err(|_| EncryptError::KeyNotBase64)?,
        );
        match key.len() {
            16 | 24 | 32 => Ok(EncryptKey { key }),
            len => Err(EncryptError::KeyLength { len }),
        }
    }

    /// Key length in bits.
    pub fn bits(&self) -> usize {
        self.key.len() * 8
    }

    /// Encrypts UTF-8 text to standard base64.
    pub fn encrypt(&self, plaintext: &str) -> String {
        self.encrypt_bytes(plaintext.as_bytes())
    }

    /// Encrypts bytes (text already encoded in the request charset, as the Java SDK does) to
    /// standard base64.
    pub fn encrypt_bytes(&self, data: &[u8]) -> String {
        let ciphertext = match self.key.len() {
            16 => cbc::Encryptor::<aes::Aes128>::new(self.key[..].into(), &IV.into())
                .encrypt_padded_vec_mut::<Pkcs7>(data),
            24 => cbc::Encryptor::<aes::Aes192>::new(self.key[..].into(), &IV.into())
                .encrypt_padded_vec_mut::<Pkcs7>(data),
            _ => cbc::Encryptor::<aes::Aes256>::new(self.key[..].into(), &IV.into())
                .encrypt_padded_vec_mut::<Pkcs7>(data),
        };
        base64ct::Base64::encode_string(&ciphertext)
    }

    /// Decrypts standard base64 to UTF-8 text.
    pub fn decrypt(&self, base64: &str) -> Result<String, EncryptError> {
        String::from_utf8(self.decrypt_bytes(base64)?).map_err(|_| EncryptError::NotUtf8)
    }

    /// Decrypts standard base64 to bytes (text in the charset it was encrypted in).
    pub fn decrypt_bytes(&self, base64: &str) -> Result<Vec<u8>, EncryptError> {
        let data = base64ct::Base64::decode_vec(base64.trim())
            .map_err(|_| EncryptError::CiphertextNotBase64)?;
        match self.key.len() {
            16 => cbc::Decryptor::<aes::Aes128>::new(self.key[..].into(), &IV.into())
                .decrypt_padded_vec_mut::<Pkcs7>(&data),
            24 => cbc::Decryptor::<aes::Aes192>::new(self.key[..].into(), &IV.into())
                .decrypt_padded_vec_mut::<Pkcs7>(&data),
            _ => cbc::Decryptor::<aes::Aes256>::new(self.key[..].into(), &IV.into())
                .decrypt_padded_vec_mut::<Pkcs7>(&data),
        }
        .map_err(|_| EncryptError::Decrypt)
    }
}

impl fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_errors_and_debug_name_no_key() {
        assert_eq!(
            EncryptKey::from_base64("not base64!").unwrap_err(),
            EncryptError::KeyNotBase64
        );
        assert_eq!(
            EncryptKey::from_base64("AAAA").unwrap_err(),
            EncryptError::KeyLength { len: 3 }
        );
        let key = EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").unwrap();
        let debug = format!("{key:?}");
        assert_eq!(debug, "EncryptKey { bits: 128, .. }");
    }

    #[test]
    fn bad_ciphertexts_are_errors() {
        let key = EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").unwrap();
        assert_eq!(
            key.decrypt("@@@").unwrap_err(),
            EncryptError::CiphertextNotBase64
        );
        // Not a whole block.
        assert_eq!(key.decrypt("AAAA").unwrap_err(), EncryptError::Decrypt);
        let other = EncryptKey::from_base64("qVaHNMry8lTIa1R6RaJ5dQ==").unwrap();
        let sealed = other.encrypt("{\"a\":1}");
        assert!(key.decrypt(&sealed).is_err());
        assert_eq!(other.decrypt(&sealed).unwrap(), "{\"a\":1}");
    }
}
