//! Certificate serial numbers (SNs) as the official SDKs compute them.
//!
//! SN = lowercase hex MD5 of the issuer DN written in reverse RDN order (`CN=…,OU=…,O=…,C=…`,
//! RFC 4514 as `x509-cert` prints it) immediately followed by the serial number in decimal.

use md5::{Digest, Md5};
use x509_cert::Certificate;

/// The SN of one certificate.
pub(crate) fn cert_sn(cert: &Certificate) -> String {
    let tbs = &cert.tbs_certificate;
    let mut input = tbs.issuer.to_string();
    input.push_str(&decimal(tbs.serial_number.as_bytes()));
    let digest = Md5::digest(input.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

/// A big-endian unsigned integer (a DER serial number's content octets, at most 20 bytes by
/// RFC 5280, so the quadratic long division costs nothing) in decimal.
pub(crate) fn decimal(be: &[u8]) -> String {
    let mut number: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    if number.is_empty() {
        return "0".to_owned();
    }
    let mut digits = Vec::with_capacity(number.len() * 3);
    while !number.is_empty() {
        let mut remainder = 0u32;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 10) as u8;
            remainder = value % 10;
        }
        digits.push(b'0' + remainder as u8);
        let leading = number.iter().take_while(|b| **b == 0).count();
        number.drain(..leading);
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimal_matches_u128_formatting() {
        for value in [
            0u128,
            1,
            9,
            10,
            255,
            256,
            65_535,
            u64::MAX as u128,
            u128::MAX,
        ] {
            let be = value.to_be_bytes();
            assert_eq!(decimal(&be), value.to_string());
        }
        // The vectors' serials, hex to decimal (as `bc` computes them).
        assert_eq!(
            decimal(&[
                0x20, 0x21, 0x07, 0x30, 0x00, 0x12, 0x34, 0x56, 0x78, 0xAB, 0xCD, 0xEF
            ]),
            "9943448808344544683110419951"
        );
        // 20 bytes: beyond u128.
        assert_eq!(
            decimal(&[0xff; 20]),
            "1461501637330902918203684832716283019655932542975"
        );
    }
}
