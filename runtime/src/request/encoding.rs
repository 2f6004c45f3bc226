//! Each value in the request charset, and the percent-encoding of those bytes.
//!
//! Every value must survive the request charset: a lossy encoding would sign and send
//! something other than what the caller asked for.

use super::{Param, PrepareError};
use crate::charset::Charset;
use crate::validate::{Rule, ValidationError};

/// `pairs` with each value encoded in `charset`; the first value it cannot hold is refused.
pub(super) fn encode<'a>(
    pairs: &[(&'a str, &'a str)],
    charset: Charset,
) -> Result<Vec<Param<'a>>, PrepareError> {
    pairs
        .iter()
        .map(|&(key, value)| match charset.encode(value) {
            Ok(encoded) => Ok(Param {
                key,
                value,
                encoded,
            }),
            Err(_) => Err(unencodable(key, charset)),
        })
        .collect()
}

/// The refusal of a value (of `field`) that `charset` cannot hold.
pub(super) fn unencodable(field: &str, charset: Charset) -> PrepareError {
    PrepareError::Invalid(ValidationError::new(
        field,
        Rule::Unsupported(unencodable_rule(charset)),
    ))
}

/// What a value that `charset` cannot hold breaks.
pub(crate) fn unencodable_rule(charset: Charset) -> &'static str {
    match charset {
        Charset::Utf8 => "has characters that cannot be encoded in utf-8",
        Charset::Gbk => "has characters that cannot be encoded in GBK",
        Charset::Gb2312 => "has characters that cannot be encoded in GB2312",
    }
}

/// Appends `key=value` percent-encoded (`value` already in the request charset), after `&`
/// unless `first`.
pub(super) fn push_pair(out: &mut String, first: &mut bool, key: &str, value: &[u8]) {
    if !*first {
        out.push('&');
    }
    *first = false;
    out.extend(form_urlencoded::byte_serialize(key.as_bytes()));
    out.push('=');
    out.extend(form_urlencoded::byte_serialize(value));
}
