//! No input makes the spec loader panic: every truncation of the seeds, random YAML, deep
//! nesting, and specs with arbitrary text where text goes.

use alipay_codegen::spec::{self, Diagnostic};
use proptest::prelude::*;

use crate::check::seeds_dir;

/// Prefixes of the seed texts cut at every character boundary, and the seeds with bytes
/// changed, never panic the loader. Only the two seed specs and `common.yaml`: cutting at every
/// boundary is quadratic in the text's length, and the other specs in `specs/` are far longer.
fn seed_texts() -> Vec<String> {
    let mut texts: Vec<String> = [
        "alipay.ebpp.pdeduct.sign.validate.yaml",
        "alipay.user.agreement.auth.confirm.yaml",
        "common.yaml",
    ]
    .iter()
    .map(|name| std::fs::read_to_string(seeds_dir().join(name)).unwrap())
    .collect();
    texts.sort();
    assert!(texts.len() >= 2, "seed specs missing");
    texts
}

fn assert_sane(result: Result<spec::Spec, Vec<Diagnostic>>, text: &[u8]) {
    if let Err(problems) = result {
        assert!(!problems.is_empty());
        // YAML breaks lines at LF, CRLF and a lone CR.
        let breaks = text
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && text.get(i + 1) != Some(&b'\n')))
            .count();
        let lines = breaks + 1;
        for d in problems {
            assert!(
                d.line >= 1 && d.line <= lines + 1 && d.column >= 1,
                "{d} ({lines} lines)"
            );
        }
    }
}

#[test]
fn every_truncation_of_the_seeds_loads_without_panic() {
    for text in seed_texts() {
        // Every cut in the first 1,500 characters (the header and first fields), then a sample.
        for (n, (cut, _)) in text.char_indices().enumerate() {
            if n > 1500 && n % 11 != 0 {
                continue;
            }
            let prefix = &text[..cut];
            assert_sane(
                spec::load_str("alipay.user.agreement.auth.confirm.yaml", prefix),
                prefix.as_bytes(),
            );
        }
    }
}

/// Fragments that YAML gives meaning to, to make random texts reach deep into the parser.
fn yaml_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        Just("method: a.b.c".to_owned()),
        Just("title: t".to_owned()),
        Just("request:".to_owned()),
        Just("models:".to_owned()),
        Just("name: x".to_owned()),
        Just("type: String[]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!!str ".to_owned()),
        Just("? ".to_owned()),
        Just("|\n".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("---\n".to_owned()),
        Just("#".to_owned()),
        Just("\t".to_owned()),
        "[a-zA-Z0-9_.]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_yaml_never_panics(text in yaml_text()) {
        assert_sane(spec::load_str("a.b.c.yaml", &text), text.as_bytes());
        let _ = spec::load_common_str("common.yaml", &text);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        assert_sane(spec::load_bytes("a.b.c.yaml", &bytes), &bytes);
    }

    #[test]
    fn mutated_seeds_never_panic(
        which in 0usize..2,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let texts = seed_texts();
        let mut bytes = texts[which % texts.len()].clone().into_bytes();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        assert_sane(spec::load_bytes("alipay.user.agreement.auth.confirm.yaml", &bytes), &bytes);
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let text = format!("method: a.b.c\ntitle: t\nnote: {}", "[".repeat(100_000));
    let problems = spec::load_str("a.b.c.yaml", &text).unwrap_err();
    assert_eq!(problems[0].line, 3, "{problems:?}");
    // Block nesting, which the parser itself does not limit.
    let mut text = "method: a.b.c\ntitle: t\nnote:\n".to_owned();
    for depth in 1..200 {
        text.push_str(&" ".repeat(depth * 2));
        text.push_str("- \n");
    }
    let problems = spec::load_str("a.b.c.yaml", &text).unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("nesting deeper than 64 levels"),
        "{problems:?}"
    );
}

/// `text` without the characters the checker refuses in spec text.
fn visible(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !((c.is_control() && c != '\n' && c != '\t')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c))
        })
        .collect()
}

fn field(name: &str, description: String, example: Option<String>) -> spec::Field {
    spec::Field {
        name: name.to_owned(),
        rust_name: None,
        ty: "String".to_owned(),
        required: false,
        max_length: None,
        format: None,
        description,
        example,
        values: Vec::new(),
        location: spec::Location::BizContent,
        note: None,
        source: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// What `to_yaml` writes, the loader reads back unchanged, whatever the text (the importer
    /// writes specs this way, so page text of any shape must survive).
    #[test]
    fn any_text_round_trips_through_to_yaml(
        title in "\\PC{1,20}",
        description in any::<String>(),
        example in prop::option::of(prop_oneof![
            any::<String>(),
            "[-+]?[0-9_.eE]{1,8}",
            Just("~".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("yes".to_owned()),
            Just("0o17".to_owned()),
            Just("0x1F".to_owned()),
            Just(".inf".to_owned()),
            Just(" leading space".to_owned()),
            Just("line\nbreaks\n".to_owned()),
        ]),
        error_code in "[A-Za-z0-9_.-]{1,12}",
        block in "([ \t]{0,2}(\\PC|[\u{2028}\u{85}\r]){0,12}\n?){0,6}",
        value in any::<String>(),
    ) {
        // The checker refuses control and text-direction characters (the `control` fixture); what
        // it accepts must survive.
        let (title, description, example, block, value) = (
            visible(&title),
            visible(&description),
            example.as_deref().map(visible),
            visible(&block),
            visible(&value),
        );
        prop_assume!(!title.trim().is_empty() && !value.is_empty());
        let spec = spec::Spec {
            method: "alipay.trade.query".to_owned(),
            title,
            description: description.clone(),
            version: "1.0".to_owned(),
            doc_url: None,
            provenance: Default::default(),
            call_style: None,
            note: Some(block.clone()),
            request: vec![spec::Field {
                values: vec![spec::AllowedValue { value, description: block.clone() }],
                ..field("out_trade_no", description, example)
            }],
            response: Vec::new(),
            models: Default::default(),
            errors: vec![spec::ErrorCode {
                code: error_code,
                description: String::new(),
                solution: String::new(),
                note: None,
                source: Some(block.clone()),
            }],
            examples: spec::Examples { request: None, response: Some(block), error: None },
            notification: None,
            route: None,
            at_least_one_of: Vec::new(),
        };
        let text = spec::to_yaml(&spec).unwrap();
        let again = spec::load_str("alipay.trade.query.yaml", &text);
        prop_assert_eq!(again, Ok(spec), "{}", text);
    }
}
