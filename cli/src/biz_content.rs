//! `--biz-content`: inline JSON or `@FILE`, read strictly (a key given twice, or a number
//! that cannot be sent as written, is refused before anything is signed).

use serde_json::Value;

/// Reads `--biz-content`: inline JSON or `@FILE`; it must be a JSON object.
pub fn read(arg: Option<&str>) -> Result<Value, String> {
    let Some(arg) = arg else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let text = match arg.strip_prefix('@') {
        Some(path) => alipay_runtime::bounded::read_to_string(
            path.as_ref(),
            alipay_runtime::bounded::BIZ_CONTENT_BYTES,
        )
        .map_err(|e| format!("--biz-content @{path}: cannot read: {e}"))?,
        None => arg.to_owned(),
    };
    // Strictly: serde_json's `Value` keeps the last of a key given twice, so
    // `"total_amount":"100000.00","total_amount":"0.01"` would silently send 0.01.
    let value: Value = alipay_gateway::parse_strict_json(&text)
        .map_err(|e| format!("--biz-content is not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("--biz-content must be a JSON object".to_owned());
    }
    if let Some(number) = inexact_number(&text) {
        return Err(format!(
            "--biz-content: the number `{number}` cannot be sent as written (it has more digits \
             than a 64-bit integer or a double holds): write it as a string"
        ));
    }
    Ok(value)
}

/// The first number of `json` (valid JSON text without exponents) that serde_json would not
/// send back as written: an integer outside the 64-bit range, or a decimal whose nearest
/// double has another value (`0.1234567890123456789`). Trailing zeros (`1.50`) are kept
/// value for value.
fn inexact_number(json: &str) -> Option<&str> {
    alipay_runtime::de::json_numbers(json).find(|number| {
        let exact = if number.contains('.') {
            // The shortest text of the nearest double, compared value for value.
            let trimmed = |t: &str| match t.contains('.') {
                true => t.trim_end_matches('0').trim_end_matches('.').to_owned(),
                false => t.to_owned(),
            };
            number
                .parse::<f64>()
                .is_ok_and(|f| trimmed(&format!("{f}")) == trimmed(number))
        } else {
            number.parse::<i64>().is_ok() || number.parse::<u64>().is_ok()
        };
        !exact
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn biz_content_must_be_an_object() {
        assert_eq!(read(None).ok(), Some(Value::Object(serde_json::Map::new())));
        assert!(read(Some("{\"a\":1}")).is_ok());
        assert!(read(Some("[1]")).is_err());
        assert!(read(Some("{")).is_err());
        assert!(read(Some("@/no/such/file.json")).is_err());
    }

    #[test]
    fn numbers_are_sent_as_written_or_refused() {
        for exact in [
            "1",
            "-1",
            "0",
            "-0",
            "1.50",
            "100.0",
            "0.01",
            "-0.0",
            "99999999.99",
            "9223372036854775807",
            "18446744073709551615",
        ] {
            assert_eq!(
                inexact_number(&format!("{{\"n\":{exact}}}")),
                None,
                "{exact}"
            );
        }
        for inexact in [
            "18446744073709551616",
            "-9223372036854775809",
            "12345678901234567890123",
            "0.1234567890123456789",
            "12345678901234567.5",
        ] {
            let json = format!("{{\"s\":\"1.23456789012345678901\",\"n\":[{inexact}]}}");
            assert_eq!(inexact_number(&json), Some(inexact), "{json}");
        }
    }
}
