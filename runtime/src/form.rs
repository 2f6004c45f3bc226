//! Support for generated code and the local gateway; not covered by semver.
//!
//! The one `application/x-www-form-urlencoded` decoder of the project (notifications here,
//! requests in the local gateway), to raw bytes.
//!
//! The bytes behind `%XX` are in the sender's charset (GBK or UTF-8), which is known only
//! once the `charset` field or the content type has been read, so decoding to text is a
//! second step: `form_urlencoded::parse` would decode them as UTF-8 straight away. The
//! percent-decoding itself is the `percent-encoding` crate's.

use std::borrow::Cow;

use percent_encoding::percent_decode;

/// One `key=value` pair, percent-decoded but not yet decoded from its charset.
pub type RawPair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Splits `input` on `&`, then each part on its first `=`, turning `+` into a space and
/// `%XX` into its byte (a malformed `%` sequence stays literal, as the WHATWG form parser
/// does). Empty parts are skipped; a part without `=` is a key with an empty value. Each
/// value is decoded exactly once.
///
/// ```
/// let pairs = alipay_runtime::form::decode(b"a=1+2&b=%CD%F5&c");
/// assert_eq!(&*pairs[0].1, b"1 2");
/// assert_eq!(&*pairs[1].1, [0xcd, 0xf5]);
/// assert_eq!((&*pairs[2].0, &*pairs[2].1), (&b"c"[..], &b""[..]));
/// ```
pub fn decode(input: &[u8]) -> Vec<RawPair<'_>> {
    input
        .split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = match part.iter().position(|&b| b == b'=') {
                Some(at) => (&part[..at], &part[at + 1..]),
                None => (part, &[][..]),
            };
            (unescape(key), unescape(value))
        })
        .collect()
}

/// [`decode`], then each key and value decoded from `charset` to text; the first that
/// `charset` cannot read is the error.
///
/// ```
/// use alipay_runtime::Charset;
/// let pairs = alipay_runtime::form::decode_text(b"a=1+2&b=%CD%F5", Charset::Gbk).unwrap();
/// assert_eq!(pairs, [("a".to_owned(), "1 2".to_owned()), ("b".to_owned(), "王".to_owned())]);
/// ```
pub fn decode_text(
    input: &[u8],
    charset: crate::Charset,
) -> Result<Vec<(String, String)>, crate::charset::CharsetError> {
    decode(input)
        .into_iter()
        .map(|(k, v)| {
            Ok((
                charset.decode(&k)?.into_owned(),
                charset.decode(&v)?.into_owned(),
            ))
        })
        .collect()
}

fn unescape(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.contains(&b'+') {
        return percent_decode(bytes).into();
    }
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    Cow::Owned(percent_decode(&spaced).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent_once_and_keeps_gbk_bytes() {
        let pairs = decode(b"a=1+2%2B3&b=%25zz&c&&d=%E4%B8%AD&e=%4&f=%CD%F5%C1%FA&g=x%3D%26y");
        let got: Vec<(&[u8], &[u8])> = pairs.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        assert_eq!(
            got,
            vec![
                (&b"a"[..], &b"1 2+3"[..]),
                (b"b", b"%zz"),
                (b"c", b""),
                (b"d", "中".as_bytes()),
                (b"e", b"%4"),
                (b"f", &[0xcd, 0xf5, 0xc1, 0xfa][..]),
                (b"g", b"x=&y"),
            ]
        );
        // Nothing to decode: borrowed, not copied.
        assert!(matches!(decode(b"k=v")[0].1, Cow::Borrowed(_)));
    }
}
