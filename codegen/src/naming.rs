//! Every Rust name the generator derives from a spec, in one place.
//!
//! The linter calls the same functions, so a spec that lints clean never produces a name
//! collision while generating. Rules:
//! - fields, modules and Cargo features are `snake_case`, types and variants `UpperCamelCase`
//!   (through `heck`);
//! - characters that cannot appear in an identifier are word breaks; non-ASCII letters are
//!   spelled as `u<hex>` words so the output stays ASCII;
//! - a name starting with a digit gets a prefix (`_` for snake case, `N` for camel case);
//! - Rust keywords become raw identifiers (`r#type`), except those that cannot be raw
//!   (`self`, `Self`, `super`, `crate`, `_`), which get a trailing `_`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords of every edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that `r#` cannot escape.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Whether `s` is a Rust keyword (in any edition up to 2024).
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Replaces every character that cannot be part of an ASCII identifier: non-ASCII letters
/// and digits become `_u<hex>_` words, everything else a `_` word break.
fn ascii_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.push_str(&format!("_u{:x}_", u32::from(c)));
        } else {
            out.push('_');
        }
    }
    out
}

/// Makes `ident` usable as an identifier: raw when a keyword, `_`-suffixed when it cannot be raw.
fn escape_keyword(ident: String) -> String {
    if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if is_keyword(&ident) {
        format!("r#{ident}")
    } else {
        ident
    }
}

/// The `snake_case` form of `name` before keyword escaping (never empty).
fn snake(name: &str) -> String {
    if is_plain_snake(name) {
        return name.to_owned();
    }
    let mut s = ascii_words(name).to_snake_case();
    if !s.bytes().any(|b| b.is_ascii_alphabetic()) {
        // Nothing but digits (or nothing at all, `-`): `_1` and `__` would be identifiers of
        // only underscores and digits, which clippy's `just_underscores_and_digits` refuses in
        // `new`'s arguments.
        let digits = s.trim_matches('_');
        return if digits.is_empty() {
            "field".to_owned()
        } else {
            format!("field_{digits}")
        };
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// Whether `name` is already in the form [`snake`] gives: ASCII lowercase words of
/// letters and digits, the first starting with a letter, joined by single underscores
/// (`out_trade_no`, most wire names). heck splits words only at underscores and case
/// changes, so it would give `name` back unchanged; this skips the work.
fn is_plain_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The `UpperCamelCase` form of `name` (never empty, never a keyword).
fn camel(name: &str) -> String {
    let mut s = ascii_words(name).to_upper_camel_case();
    if s.is_empty() {
        s.push_str("Empty");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'N');
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// The Rust identifier of a field (struct field, setter and `new` argument) with wire name
/// `name`: `out_trade_no`, `orderStr` → `order_str`, `type` → `r#type`, `self` → `self_`.
pub fn field_ident(name: &str) -> String {
    escape_keyword(snake(name))
}

/// The Rust identifier of a type (model, enum) named `name` in the spec: `UpperCamelCase`.
pub fn type_ident(name: &str) -> String {
    camel(name)
}

/// The Rust identifier of an enum variant for an allowed value or error code:
/// `ACQ.TRADE_NOT_EXIST` → `AcqTradeNotExist`, `01` → `N01`.
pub fn variant_ident(value: &str) -> String {
    camel(value)
}

/// The key under which collisions are detected: the identifier without the `r#` prefix.
pub fn collision_key(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// The product group of a method, used as its Cargo feature and its top-level module:
/// the second segment for `alipay.*` methods (`alipay.user.agreement.auth.confirm` →
/// `user`), the first two segments joined by `_` otherwise (`aft.aifin.fireeye.ocr.image.query`
/// → `aft_aifin`). Always a valid feature name and module name (`[a-z0-9_]`, not a keyword).
///
/// ```
/// use alipay_codegen::group_of;
/// assert_eq!(group_of("alipay.user.agreement.auth.confirm"), "user");
/// assert_eq!(group_of("aft.aifin.fireeye.ocr.image.query"), "aft_aifin");
/// ```
pub fn group_of(method: &str) -> String {
    let segments: Vec<&str> = method.split('.').collect();
    let raw = match segments.as_slice() {
        ["alipay", second, ..] => (*second).to_owned(),
        [first, second, ..] => format!("{first}_{second}"),
        [only] => (*only).to_owned(),
        [] => String::new(),
    };
    let mut g = snake(&raw);
    if g.starts_with('_') {
        g.insert(0, 'g');
    }
    if is_keyword(&g) || NOT_RAW.contains(&g.as_str()) || TAKEN_GROUPS.contains(&g.as_str()) {
        g.push('_');
    }
    g
}

/// Names a product group cannot take as they are: crates the generated code names (`std`,
/// `core`), the client crate's own modules, re-exports and Cargo features (`runtime`,
/// `gateway`, `default`, `rsa`, `curated`, `json`) and the runtime's modules it may re-export
/// (`client`, `error`, `price`).
const TAKEN_GROUPS: &[&str] = &[
    "std", "core", "runtime", "gateway", "default", "rsa", "curated", "json", "client", "error",
    "price",
];

/// The module of a method inside its group: the segments after the group's, joined by `_`
/// (`alipay.user.agreement.auth.confirm` → `agreement_auth_confirm`).
pub fn method_module(method: &str) -> String {
    let segments: Vec<&str> = method.split('.').collect();
    let skip = match segments.as_slice() {
        ["alipay", ..] | [_, _, _, ..] => 2,
        _ => 0,
    };
    let rest = segments.get(skip..).unwrap_or_default().join("_");
    if rest.is_empty() {
        return field_ident(&segments.join("_"));
    }
    field_ident(&rest)
}

/// The response node of a method: its name with `.` replaced by `_`, plus `_response`.
pub fn response_node(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// Two or more names that map to the same Rust identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The shared identifier.
    pub ident: String,
    /// The names (as written in the spec) that map to it, in input order.
    pub names: Vec<String>,
}

/// Finds the names in `names` whose identifiers (by `to_ident`) collide, in the order the
/// identifiers first appear. The linter reports each as an error asking for `rust_name:`.
#[cfg(test)]
pub fn collisions<'a>(
    names: impl IntoIterator<Item = &'a str>,
    to_ident: impl Fn(&str) -> String,
) -> Vec<Collision> {
    let pairs: Vec<(&str, String)> = names.into_iter().map(|n| (n, to_ident(n))).collect();
    collisions_of(pairs.iter().map(|(n, i)| (*n, i.as_str())))
}

/// [`collisions`] of names whose identifiers are already known: `(name, ident)` pairs.
pub fn collisions_of<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Collision> {
    // In first-seen order; the index finds an identifier's entry without a scan.
    let mut seen: Vec<(&str, Vec<String>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (name, ident) in pairs {
        let key = collision_key(ident);
        match index.get(key) {
            Some(&i) => seen[i].1.push(name.to_owned()),
            None => {
                index.insert(key, seen.len());
                seen.push((key, vec![name.to_owned()]));
            }
        }
    }
    seen.into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(ident, names)| Collision {
            ident: ident.to_owned(),
            names,
        })
        .collect()
}

/// Makes each identifier in `idents` unique by appending `2`, `3`, ... to later duplicates
/// (and to any identifier equal to one in `reserved`), keeping the order. Used for enum
/// variants of allowed values and error codes, which have no `rust_name:` to resolve
/// collisions by hand.
pub fn dedupe(idents: Vec<String>, reserved: &[&str]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> =
        reserved.iter().map(|s| (*s).to_owned()).collect();
    // The next suffix to try for each identifier, so many duplicates of one name do not
    // try every earlier suffix again.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(idents.len());
    for ident in idents {
        let mut candidate = ident.clone();
        if taken.contains(collision_key(&candidate)) {
            let base = collision_key(&ident);
            let n = next.entry(base.to_owned()).or_insert(2);
            loop {
                candidate = format!("{}{}", suffix_base(base), *n);
                *n += 1;
                if !taken.contains(&candidate) {
                    break;
                }
            }
        }
        taken.insert(collision_key(&candidate).to_owned());
        out.push(candidate);
    }
    out
}

/// What a numbered or suffixed variant of `ident` is built on: `ident` without the trailing
/// `_` of an escaped keyword (`Self_` → `Self`), so the result (`Self2`, `SelfInResponse`)
/// stays in the case rustc expects.
pub fn suffix_base(ident: &str) -> &str {
    let trimmed = ident.trim_end_matches('_');
    if trimmed.is_empty() { ident } else { trimmed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_snake_shortcut_gives_what_heck_gives() {
        for name in [
            "out_trade_no",
            "a",
            "v2",
            "sku_id_2",
            "x1y2_z3",
            "biz_scene",
            "a_b_c_d",
        ] {
            assert!(is_plain_snake(name), "{name}");
            assert_eq!(snake(name), ascii_words(name).to_snake_case(), "{name}");
        }
        for name in [
            "", "_a", "a_", "a__b", "2a", "aB", "A", "a-b", "a.b", "ä", "a b", "type_",
        ] {
            assert!(!is_plain_snake(name), "{name}");
        }
    }

    #[test]
    fn fields_are_snake_case() {
        assert_eq!(field_ident("out_trade_no"), "out_trade_no");
        assert_eq!(field_ident("orderStr"), "order_str");
        assert_eq!(field_ident("pageRedirectionData"), "page_redirection_data");
        assert_eq!(field_ident("URL"), "url");
        assert_eq!(field_ident("a-b.c"), "a_b_c");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        for kw in [
            "type", "match", "box", "use", "async", "ref", "gen", "try", "dyn",
        ] {
            assert_eq!(field_ident(kw), format!("r#{kw}"));
        }
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("Self"), "self_");
        assert_eq!(field_ident("super"), "super_");
        assert_eq!(field_ident("crate"), "crate_");
        assert_eq!(type_ident("self"), "Self_");
        assert_eq!(type_ident("type"), "Type");
    }

    #[test]
    fn leading_digits_and_empty_names() {
        assert_eq!(field_ident("1st_name"), "_1st_name");
        assert_eq!(type_ident("3ds"), "N3ds");
        assert_eq!(variant_ident("01"), "N01");
        assert_eq!(field_ident(""), "field");
        assert_eq!(field_ident("-"), "field");
        assert_eq!(field_ident("_"), "field");
        assert_eq!(field_ident("1"), "field_1");
        assert_eq!(field_ident("2_3"), "field_2_3");
        assert_eq!(field_ident("_4"), "field_4");
        assert_eq!(variant_ident("*"), "Empty");
    }

    #[test]
    fn non_ascii_is_spelled_in_ascii() {
        assert_eq!(field_ident("金额"), "u91d1_u989d");
        assert_eq!(variant_ident("是"), "U662f");
        assert!(field_ident("名字name").is_ascii());
    }

    #[test]
    fn prelude_names_are_plain_types() {
        assert_eq!(type_ident("Option"), "Option");
        assert_eq!(type_ident("Result"), "Result");
        assert_eq!(type_ident("result"), "Result");
    }

    #[test]
    fn variants_of_codes() {
        assert_eq!(variant_ident("ACQ.TRADE_NOT_EXIST"), "AcqTradeNotExist");
        assert_eq!(
            variant_ident("isv.invalid-signature"),
            "IsvInvalidSignature"
        );
        assert_eq!(variant_ident("UNKNOWN"), "Unknown");
    }

    #[test]
    fn groups_and_modules() {
        assert_eq!(group_of("alipay.ebpp.pdeduct.sign.validate"), "ebpp");
        assert_eq!(
            method_module("alipay.ebpp.pdeduct.sign.validate"),
            "pdeduct_sign_validate"
        );
        assert_eq!(group_of("koubei.marketing.data.query"), "koubei_marketing");
        assert_eq!(method_module("koubei.marketing.data.query"), "data_query");
        assert_eq!(group_of("alipay.type.x"), "type_");
        for taken in [
            "client", "error", "gateway", "price", "runtime", "default", "rsa",
        ] {
            assert_eq!(group_of(&format!("alipay.{taken}.x")), format!("{taken}_"));
        }
        assert_eq!(group_of("alipay.3d.x"), "g_3d");
        assert_eq!(method_module("alipay.user"), "alipay_user");
        assert_eq!(
            response_node("alipay.user.info.share"),
            "alipay_user_info_share_response"
        );
    }

    #[test]
    fn collisions_after_case_conversion() {
        let c = collisions(
            ["userId", "user_id", "USER_ID", "name", "type", "r#type"],
            field_ident,
        );
        assert_eq!(
            c,
            vec![Collision {
                ident: "user_id".into(),
                names: vec!["userId".into(), "user_id".into(), "USER_ID".into()],
            }]
        );
        assert!(collisions(["a", "b"], type_ident).is_empty());
        let t = collisions(["GoodsDetail", "goods_detail"], type_ident);
        assert_eq!(t[0].ident, "GoodsDetail");
    }

    #[test]
    fn dedupe_appends_numbers() {
        let d = dedupe(
            vec![
                "Paid".into(),
                "Paid".into(),
                "Unknown".into(),
                "Paid2".into(),
            ],
            &["Unknown"],
        );
        assert_eq!(
            d,
            ["Paid", "Paid2", "Unknown2", "Paid22"]
                .map(String::from)
                .to_vec()
        );
    }

    /// The examples the functions' documentation gave when this module was public.
    #[test]
    fn documented_examples() {
        assert_eq!(field_ident("orderStr"), "order_str");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("3d_secure"), "_3d_secure");
        assert_eq!(field_ident("1"), "field_1");
        assert_eq!(type_ident("goods_detail"), "GoodsDetail");
        assert_eq!(type_ident("OcrIdentifyResult"), "OcrIdentifyResult");
        assert_eq!(type_ident("1st"), "N1st");
        assert_eq!(
            method_module("alipay.user.agreement.auth.confirm"),
            "agreement_auth_confirm"
        );
        assert_eq!(method_module("alipay.trade.type"), "r#type");
        let c = collisions(["orderStr", "order_str", "other"], field_ident);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].ident, "order_str");
    }
}
