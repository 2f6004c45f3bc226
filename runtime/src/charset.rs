//! The request and response charsets Alipay supports: UTF-8, GBK and GB2312.
//!
//! Conversions are strict: a character the charset cannot represent is an error when encoding,
//! malformed bytes are an error when decoding; nothing is replaced. `encoding_rs` implements the
//! WHATWG Encoding Standard, in which the label `gb2312` means GBK; [`Charset::Gb2312`] is
//! therefore encoded and decoded as GBK (a superset), and only its wire name differs.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A request or response charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// `utf-8` (the default).
    #[default]
    Utf8,
    /// `GBK`.
    Gbk,
    /// `GB2312`, handled as GBK.
    Gb2312,
}

/// A charset conversion failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CharsetError {
    /// The text holds a character the charset cannot represent.
    #[error("the text holds a character that {charset} cannot represent")]
    Unmappable {
        /// The charset's wire name.
        charset: &'static str,
    },
    /// The bytes are not valid in the charset.
    #[error("the bytes are not valid {charset}")]
    Malformed {
        /// The charset's wire name.
        charset: &'static str,
    },
    /// The charset name is not supported.
    #[error("unsupported charset {name:?}: expected utf-8, GBK or GB2312")]
    Unsupported {
        /// The name given (at most 40 characters).
        name: String,
    },
}

impl Charset {
    /// The wire name: `"utf-8"`, `"GBK"` or `"GB2312"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gbk => "GBK",
            Charset::Gb2312 => "GB2312",
        }
    }

    /// Encodes `text`; borrows for UTF-8 and for pure ASCII.
    pub fn encode<'a>(&self, text: &'a str) -> Result<Cow<'a, [u8]>, CharsetError> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk | Charset::Gb2312 => {
                let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
                if had_errors {
                    Err(CharsetError::Unmappable {
                        charset: self.as_str(),
                    })
                } else {
                    Ok(bytes)
                }
            }
        }
    }

    /// Decodes `bytes`; borrows for valid UTF-8 and for pure ASCII. A UTF-8 byte order mark is
    /// not removed (Alipay sends none, and it is not JSON whitespace).
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Result<Cow<'a, str>, CharsetError> {
        let malformed = || CharsetError::Malformed {
            charset: self.as_str(),
        };
        match self {
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|_| malformed()),
            Charset::Gbk | Charset::Gb2312 => encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(malformed),
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Charset {
    type Err = CharsetError;

    /// Parses `utf-8`, `utf8`, `gbk` or `gb2312`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utf-8") || t.eq_ignore_ascii_case("utf8") {
            Ok(Charset::Utf8)
        } else if t.eq_ignore_ascii_case("gbk") {
            Ok(Charset::Gbk)
        } else if t.eq_ignore_ascii_case("gb2312") {
            Ok(Charset::Gb2312)
        } else {
            Err(CharsetError::Unsupported {
                name: s.chars().take(40).collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_round_trip_with_chinese_text() {
        let text = "王龙海 校验码超时，协议已生效 {\\} ASCII";
        for cs in [Charset::Gbk, Charset::Gb2312] {
            let bytes = cs.encode(text).unwrap();
            assert!(bytes.starts_with(&[0xcd, 0xf5, 0xc1, 0xfa, 0xba, 0xa3]));
            assert_eq!(cs.decode(&bytes).unwrap(), text);
        }
        // Decoding GBK bytes as UTF-8 fails instead of guessing.
        let gbk = Charset::Gbk.encode("王龙海").unwrap();
        assert_eq!(&*gbk, &[0xcd, 0xf5, 0xc1, 0xfa, 0xba, 0xa3]);
        assert!(Charset::Utf8.decode(&gbk).is_err());
        let utf8 = Charset::Utf8.encode("王龙海").unwrap();
        assert_eq!(Charset::Utf8.decode(&utf8).unwrap(), "王龙海");
    }

    #[test]
    fn gbk_trail_bytes_include_json_structural_characters() {
        // 0x5C '\', 0x7B '{' and 0x7D '}' occur as second bytes of GBK characters, which is why
        // responses are parsed after decoding, never in raw GBK bytes.
        let decoded = Charset::Gbk
            .decode(&[0x81, 0x5c, 0x81, 0x7b, 0x81, 0x7d])
            .unwrap();
        assert_eq!(decoded.chars().count(), 3);
        assert!(!decoded.contains(['\\', '{', '}']));
        assert_eq!(
            &*Charset::Gbk.encode(&decoded).unwrap(),
            &[0x81, 0x5c, 0x81, 0x7b, 0x81, 0x7d]
        );
    }

    #[test]
    fn strict_in_both_directions() {
        assert_eq!(
            Charset::Gbk.encode("emoji 😀"),
            Err(CharsetError::Unmappable { charset: "GBK" })
        );
        assert_eq!(
            Charset::Gbk.decode(&[0x81]),
            Err(CharsetError::Malformed { charset: "GBK" })
        );
        assert_eq!(
            Charset::Utf8.decode(&[0xff]),
            Err(CharsetError::Malformed { charset: "utf-8" })
        );
        assert!(matches!(Charset::Utf8.encode("abc"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn names_parse_case_insensitively() {
        for (name, cs) in [
            ("utf-8", Charset::Utf8),
            ("UTF8", Charset::Utf8),
            ("gbk", Charset::Gbk),
            ("GB2312", Charset::Gb2312),
        ] {
            assert_eq!(name.parse::<Charset>(), Ok(cs));
        }
        for cs in [Charset::Utf8, Charset::Gbk, Charset::Gb2312] {
            assert_eq!(cs.as_str().parse::<Charset>(), Ok(cs));
            assert_eq!(cs.to_string(), cs.as_str());
        }
        assert!("latin1".parse::<Charset>().is_err());
    }
}
