//! `Price`: a money amount that Alipay writes as a decimal string (`"0.01"`).

use std::fmt;
use std::str::FromStr;

/// A money amount in yuan, kept exactly as the decimal text Alipay uses (`"0.01"`,
/// `"100.00"`); never a float.
///
/// It deserializes from a JSON string, or from a bare JSON number when the number is known
/// exactly: any integer of `i64` or `u64`, or another number below 2^53 in magnitude with at
/// most 15 significant digits (others may have been rounded when read, and are refused rather
/// than changed).
///
/// ```
/// use alipay_runtime::Price;
/// let p: Price = "88.88".parse().unwrap();
/// assert_eq!(p.to_string(), "88.88");
/// assert_eq!(Price::from_cents(1).to_string(), "0.01");
/// assert_eq!(p.to_cents(), Some(8888));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Price(String);

/// The text is not a decimal amount such as `0.01`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decimal amount such as \"0.01\"")]
pub struct InvalidPrice(String);

impl Price {
    /// The amount `cents / 100` yuan, written with two decimals.
    pub fn from_cents(cents: i64) -> Self {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        Price(format!("{sign}{}.{:02}", abs / 100, abs % 100))
    }

    /// The decimal text, exactly as it is sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The amount in cents (fen), when it has at most two decimals and fits in `i64`.
    pub fn to_cents(&self) -> Option<i64> {
        let (neg, body) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if frac.len() > 2 {
            return None;
        }
        // In i128, so that i64::MIN cents (whose magnitude is no i64) comes back too.
        let mut cents: i128 = i128::from(int.parse::<u64>().ok()?) * 100;
        if !frac.is_empty() {
            cents += i128::from(frac.parse::<u8>().ok()?) * if frac.len() == 1 { 10 } else { 1 };
        }
        i64::try_from(if neg { -cents } else { cents }).ok()
    }
}

impl FromStr for Price {
    type Err = InvalidPrice;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if all_digits(int) && frac.is_none_or(all_digits) {
            Ok(Price(s.to_owned()))
        } else {
            Err(InvalidPrice(s.to_owned()))
        }
    }
}

impl TryFrom<&str> for Price {
    type Error = InvalidPrice;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Price({})", self.0)
    }
}

impl serde::Serialize for Price {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Price;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount such as \"0.01\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Price, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Price, E> {
                Ok(Price(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Price, E> {
                Ok(Price(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Price, E> {
                // Only reached when a server sends a bare JSON number that is not an integer
                // of i64 or u64; the shortest round-trip text of the number is the best that
                // is left. It is the amount sent only when it has at most 15 significant
                // digits (what a double holds exactly): with more, the amount sent was
                // rounded on the way in, and is refused rather than changed.
                let text = format!("{v}");
                let digits = text.trim_start_matches('-').replace('.', "");
                let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
                // From 2^53 up a double is not every integer: the zeros its text ends in were
                // written by the formatting, not sent (10000000000000000000001 reads as 1e22).
                if significant > f64::DIGITS as usize || v.abs() >= 9_007_199_254_740_992.0 {
                    return Err(E::custom(format!(
                        "the JSON number {text} may have been rounded when read (a double holds \
                         {} significant digits, and not every integer from 2^53 up), so the \
                         amount sent is not known; expected a decimal amount as a string such \
                         as \"0.01\"",
                        f64::DIGITS
                    )));
                }
                text.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        for ok in ["0.01", "100", "100.00", "-3.5"] {
            assert_eq!(ok.parse::<Price>().unwrap().as_str(), ok);
        }
        for bad in ["", ".5", "1.", "1e3", "0.0.1", "abc", " 1", "NaN"] {
            assert!(bad.parse::<Price>().is_err(), "{bad}");
        }
    }

    #[test]
    fn cents() {
        assert_eq!(Price::from_cents(-5).to_string(), "-0.05");
        assert_eq!("1.5".parse::<Price>().unwrap().to_cents(), Some(150));
        assert_eq!("1.555".parse::<Price>().unwrap().to_cents(), None);
        // Found by a probe: from_cents(i64::MIN) wrote an amount to_cents refused.
        for cents in [i64::MIN, i64::MIN + 1, i64::MAX, 0, -1, 99] {
            assert_eq!(Price::from_cents(cents).to_cents(), Some(cents), "{cents}");
        }
        assert_eq!(
            "92233720368547758.08".parse::<Price>().unwrap().to_cents(),
            None
        );
        assert_eq!(
            "-92233720368547758.09".parse::<Price>().unwrap().to_cents(),
            None
        );
        assert_eq!("-0.5".parse::<Price>().unwrap().to_cents(), Some(-50));
    }

    #[test]
    fn serde_is_a_string_and_accepts_numbers() {
        let p: Price = serde_json::from_str("\"0.01\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"0.01\"");
        let n: Price = serde_json::from_str("12").unwrap();
        assert_eq!(n.as_str(), "12");
        let f: Price = serde_json::from_str("0.1").unwrap();
        assert_eq!(f.as_str(), "0.1");
        assert!(serde_json::from_str::<Price>("\"x\"").is_err());
    }

    #[test]
    fn a_bare_number_a_double_rounded_is_refused_not_changed() {
        // Found by a probe: -9223372036854775809 (below i64, so read as a double) became
        // Price("-9223372036854776000"), another amount than the one sent.
        for rounded in [
            "-9223372036854775809",
            "18446744073709551616",
            "12345678901234567.89",
            "0.30000000000000004",
            "10000000000000000000001",
            "-100000000000000000000000",
        ] {
            let e = serde_json::from_str::<Price>(rounded).unwrap_err();
            assert!(
                e.to_string().contains("significant digits"),
                "{rounded}: {e}"
            );
        }
        for (exact, text) in [
            ("1e2", "100"),
            ("-2.5E-1", "-0.25"),
            ("1234567890123.45", "1234567890123.45"),
            ("999999999999999.0", "999999999999999"),
        ] {
            let p: Price = serde_json::from_str(exact).unwrap();
            assert_eq!(p.as_str(), text, "{exact}");
        }
        // Integers of i64 and u64 stay exact, whatever their length.
        let p: Price = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(p.as_str(), "18446744073709551615");
    }
}
