//! The runtime's charsets, signing and verification, in the shapes the gateway needs.

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{SignError, SignType, sign_base64};

/// The charset named `name` (`utf-8`, `GBK`, `GB2312`, any ASCII case).
pub(crate) fn parse_charset(name: &str) -> Option<Charset> {
    name.parse().ok()
}

/// Strict decoding: `None` when `bytes` are not valid in `charset`.
pub(crate) fn decode(charset: Charset, bytes: &[u8]) -> Option<String> {
    charset.decode(bytes).ok().map(|text| text.into_owned())
}

/// Strict encoding: `None` when `text` holds a character `charset` cannot represent.
pub(crate) fn encode(charset: Charset, text: &str) -> Option<Vec<u8>> {
    charset.encode(text).ok().map(|bytes| bytes.into_owned())
}

/// Encodes JSON text in `charset`, writing each character the charset cannot represent as a
/// `\uXXXX` escape (JSON text built by serde_json holds non-ASCII characters only inside
/// strings, where the escape means the same character).
pub(crate) fn encode_json(charset: Charset, json: &str) -> Vec<u8> {
    if let Some(bytes) = encode(charset, json) {
        return bytes;
    }
    let mut escaped = String::with_capacity(json.len() + 16);
    let mut buf = [0u8; 4];
    for c in json.chars() {
        if encode(charset, c.encode_utf8(&mut buf)).is_some() {
            escaped.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    // Every character left is encodable and the escapes are ASCII.
    encode(charset, &escaped).unwrap_or_else(|| escaped.into_bytes())
}

/// Whether `signature_b64` is `key`'s signature of `message`.
pub(crate) fn verify(
    key: &PublicKey,
    sign_type: SignType,
    message: &[u8],
    signature_b64: &str,
) -> bool {
    key.verify(sign_type, message, signature_b64).is_ok()
}

/// Signs `message` with `key`, standard base64.
pub(crate) fn sign(
    key: &PrivateKey,
    sign_type: SignType,
    message: &[u8],
) -> Result<String, SignError> {
    sign_base64(key, sign_type, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_with_characters_outside_gbk_is_escaped() {
        let bytes = encode_json(Charset::Gbk, "{\"a\":\"王😀\"}");
        assert_eq!(
            Charset::Gbk.decode(&bytes).unwrap(),
            "{\"a\":\"王\\ud83d\\ude00\"}"
        );
        assert_eq!(encode_json(Charset::Utf8, "😀"), "😀".as_bytes());
    }
}
