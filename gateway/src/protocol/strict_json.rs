//! `biz_content` read strictly: into a `serde_json::Value` by the runtime's
//! `de::json_without_duplicates`, which refuses a key sent twice in any object (serde_json's
//! own `Value` keeps the last one: `total_amount` 100000.00 then 0.01 would pay 0.01), and a
//! number written with an exponent (`1e2`: no amount is written so) is refused too. The
//! runtime's notification and answer parsers refuse duplicates the same way.

use serde_json::Value;

/// Parses `text` as JSON, refusing duplicate keys and exponent numbers; the error is the
/// `sub_msg`'s words.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let value =
        alipay_runtime::de::json_without_duplicates(text.as_bytes()).map_err(|e| e.to_string())?;
    if let Some(number) = exponent_number(text) {
        return Err(format!(
            "the number `{number}` is written with an exponent: write it as a decimal such as 100.00"
        ));
    }
    Ok(value)
}

/// The first number of `json` (valid JSON text) written with an exponent, if any.
fn exponent_number(json: &str) -> Option<&str> {
    alipay_runtime::de::json_numbers(json).find(|n| n.contains(['e', 'E']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_at_any_depth_and_exponents_are_refused() {
        let ok = r#"{"total_amount":"100.00","n":3,"x":1.5,"t":true,"f":false,"s":"1e2 \"e5","l":[{"a":1},{"a":2}],"o":{"a":null}}"#;
        let parsed = parse(ok).expect("valid");
        assert_eq!(parsed, serde_json::from_str::<Value>(ok).unwrap());
        for (text, words) in [
            (
                r#"{"total_amount":"100000.00","total_amount":"0.01"}"#,
                "the key `total_amount` is sent more than once",
            ),
            (
                r#"{"goods":[{"price":"1","price":"2"}]}"#,
                "the key `price` is sent more than once",
            ),
            (
                r#"{"total_amount":1e2}"#,
                "the number `1e2` is written with an exponent",
            ),
            (
                r#"{"a":[true,false],"b":-2.5E-3}"#,
                "the number `-2.5E-3` is written with an exponent",
            ),
        ] {
            let e = parse(text).expect_err(text);
            assert!(e.starts_with(words), "{text}: {e}");
        }
        assert!(parse("{\"a\":1} x").is_err());
    }
}
