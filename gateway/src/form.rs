//! `application/x-www-form-urlencoded` decoding to raw bytes.
//!
//! The bytes behind `%XX` are in the request's charset (GBK or UTF-8), which is known only
//! once the `charset` parameter or the content type has been read, so decoding to text is a
//! second step.

use percent_encoding::percent_decode;

/// One `key=value` pair, percent-decoded but not yet decoded from its charset.
pub(crate) type RawPair = (Vec<u8>, Vec<u8>);

/// Splits `input` on `&`, then each part on its first `=`, turning `+` into a space and
/// `%XX` into its byte. Empty parts are skipped; a malformed `%` sequence stays literal.
pub(crate) fn decode(input: &[u8]) -> Vec<RawPair> {
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

fn unescape(bytes: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_keeps_gbk_bytes() {
        let pairs = decode(b"a=1+2&b=%CD%F5%C1%FA&&c&d=x%3D%26y&e=%zz");
        assert_eq!(
            pairs,
            vec![
                (b"a".to_vec(), b"1 2".to_vec()),
                (b"b".to_vec(), vec![0xcd, 0xf5, 0xc1, 0xfa]),
                (b"c".to_vec(), vec![]),
                (b"d".to_vec(), b"x=&y".to_vec()),
                (b"e".to_vec(), b"%zz".to_vec()),
            ]
        );
    }
}
