//! The spec checker: the seed specs pass, every lint rule fails its fixture with its exact
//! message, the CLI keeps its exit codes, and no input makes the loader panic.

use std::path::PathBuf;
use std::process::Command;

use alipay_codegen::spec::{self, Diagnostic};
use proptest::prelude::*;
use tempfile::TempDir;

use crate::common::scratch;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bad_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures/bad")
}

fn seeds_dir() -> PathBuf {
    manifest_dir().join("../specs")
}

/// Every problem of every bad fixture, as `alipay-codegen check` prints it from inside
/// `tests/fixtures/bad` (one fixture per rule; see the file names).
const EXPECTED: &[&str] = &[
    "alipay.bad.alias.yaml:7:5: request[1]: aliases (`*name`) are not supported in spec files; write the value out",
    "alipay.bad.collision.yaml:6:11: request[1].name: `order_str` and `orderStr` (request[0]) both become `order_str` in Rust; add an explicit `rust_name:`",
    "alipay.bad.collision.yaml:11:11: request[3].name: `user_id` and `userId` (request[2]) both become `user_id` in Rust; add an explicit `rust_name:`",
    "alipay.bad.control.yaml:2:8: title: a control character (U+001B) at character 1: spec text may not hold control or text-direction characters (a line break is `\\n`); remove it",
    "alipay.bad.control.yaml:6:18: request[0].description: a text-direction control character (U+202E) at character 1: spec text may not hold control or text-direction characters (a line break is `\\n`); remove it",
    "alipay.bad.control.yaml:8:16: request[0].values[0].value: a control character (U+000D) at character 2: spec text may not hold control or text-direction characters (a line break is `\\n`); remove it",
    "alipay.bad.control.yaml:9:16: request[0].values[1].value: a control character (U+000D) at character 2: spec text may not hold control or text-direction characters (a line break is `\\n`); remove it",
    "alipay.bad.duplicateerror.yaml:8:11: errors[2].code: duplicate error code `USER_NOT_EXIST` (first at errors[0], line 4)",
    "alipay.bad.duplicatekey.yaml:6:5: request[0].type: duplicate key `type` (first at line 5)",
    "alipay.bad.duplicatekey.yaml:14:3: models.Info: duplicate name `Info` (first at line 11)",
    "alipay.bad.duplicatename.yaml:8:11: request[2].name: duplicate parameter name `out_trade_no` (first at request[0], line 4)",
    "alipay.bad.empty.yaml:1:1: empty file: a method spec needs the keys method, title",
    "alipay.bad.emptyname.yaml:4:11: request[0].name: empty name",
    "alipay.bad.emptyname.yaml:7:11: errors[0].code: empty error code",
    "alipay.bad.form.yaml:12:9: response[0].in: `in: form` applies only to request parameters, not to a response field",
    "alipay.bad.form.yaml:17:11: models.Info[0].in: `in: form` applies only to request parameters, not to a model field",
    "alipay.bad.format.yaml:6:13: request[0].format: `format` applies only to Date fields, not Price",
    "alipay.bad.format.yaml:9:13: request[1].format: unknown date format `yyyy/MM/dd`: expected `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd`",
    "alipay.bad.kinds.yaml:6:15: request[0].required: expected `true` or `false`, found a string `yes`",
    "alipay.bad.kinds.yaml:7:17: request[0].max_length: expected a whole number from 0 to 2^64-1, found `-1`",
    "alipay.bad.kinds.yaml:8:14: request[0].example: expected a string, found an integer `20170502000610755993`; quote it: \"20170502000610755993\"",
    "alipay.bad.kinds.yaml:11:14: request[1].example: expected a string, found a boolean; quote it",
    "alipay.bad.kinds.yaml:12:18: request[1].description: expected a string, found a list",
    "alipay.bad.location.yaml:6:9: request[0].in: `header` is not one of `biz_content`, `form`",
    "alipay.bad.maxlength.yaml:6:17: request[0].max_length: must be at least 1, found 0 (leave it out where the page gives no length)",
    "alipay.bad.methodname.yaml:1:9: method: malformed method name `Alipay.Bad-Name`: expected at least three dot-separated segments of lowercase letters and digits, each starting with a letter, like `alipay.trade.pay`",
    "alipay.bad.missingkey.yaml:1:1: title: missing required key `title`",
    "alipay.bad.missingkey.yaml:3:5: request[0].type: missing required key `type`",
    "alipay.bad.missingkey.yaml:6:5: errors[0].code: missing required key `code`",
    "alipay.bad.modelname.yaml:9:11: response[2].type: unknown type `goods`: expected String, Number, Price, Boolean, Date, File, a model name (ASCII letters and digits, starting with an uppercase letter) or <Type>[]",
    "alipay.bad.modelname.yaml:14:3: models.GoodsDto: models `GoodsDto` and `GoodsDTO` (line 11) both become `GoodsDto` in Rust; rename one",
    "alipay.bad.modelname.yaml:17:3: models.goods: malformed model name `goods`: use ASCII letters and digits, starting with an uppercase letter",
    "alipay.bad.notamapping.yaml:1:1: expected a mapping with keys `method`, `title`, found a list",
    "alipay.bad.notification.yaml:5:7: notification.sources[0]: empty source: give the address of the page the table was transcribed from",
    "alipay.bad.notification.yaml:8:13: notification.fields[0].type: a notification field cannot be a File: notifications are forms of text",
    "alipay.bad.notification.yaml:11:11: notification.fields[1].in: `in: form` applies only to request parameters, not to a notification field",
    "alipay.bad.recursive.yaml:16:13: models.Node[0].type: model `Node` holds itself (Node → Node): a model cannot contain itself; make this field a list (`Node[]`) or break the cycle",
    "alipay.bad.recursive.yaml:19:13: models.Right[0].type: model `Left` holds itself (Left → Right → Left): a model cannot contain itself; make this field a list (`Left[]`) or break the cycle",
    "alipay.bad.rustname.yaml:5:16: request[0].rust_name: `OrderStr` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.rustname.yaml:8:16: request[1].rust_name: `type` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.rustname.yaml:11:16: request[2].rust_name: `3d` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.syntax.yaml:6:1: YAML syntax error: while parsing a flow sequence, expected ',' or ']'",
    "alipay.bad.twodocs.yaml:3:1: a spec file holds exactly one YAML document (found a second `---`)",
    "alipay.bad.unknownkey.yaml:3:1: colour: unknown key `colour`; expected one of `method`, `title`, `description`, `version`, `doc_url`, `provenance`, `call_style`, `note`, `request`, `response`, `models`, `errors`, `examples`, `notification`",
    "alipay.bad.unknownkey.yaml:7:5: request[0].requried: unknown key `requried`; did you mean `required`?",
    "alipay.bad.unknowntype.yaml:5:11: request[0].type: unknown type `string`: expected String, Number, Price, Boolean, Date, File, a model name (ASCII letters and digits, starting with an uppercase letter) or <Type>[]; did you mean `String`?",
    "alipay.bad.unknowntype.yaml:7:11: request[1].type: unknown model `GoodsDetail`: define it under `models:`",
    "alipay.bad.unknowntype.yaml:9:11: request[2].type: nested list type `String[][]` is not supported; use a model holding a list",
    "alipay.bad.unknowntype.yaml:11:11: request[3].type: empty type",
    "alipay.bad.unknowntype.yaml:13:11: request[4].type: unknown model `Strin`: did you mean `String`?",
    "alipay.bad.unusedmodel.yaml:13:3: models.Orphan: model `Orphan` is not used by any request or response field; remove it or refer to it",
    "alipay.bad.utf8.yaml:3:17: not valid UTF-8 (byte 0xE9); spec files must be UTF-8",
    "alipay.bad.values.yaml:6:5: request[0].values: `values` applies only to String and String[] fields, not Number",
    "alipay.bad.values.yaml:13:18: request[1].values[2].value: duplicate value `JF` (first at values[0])",
    "alipay.bad.values.yaml:14:18: request[1].values[3].value: empty value",
    "alipay.bad.version.yaml:3:10: version: malformed version `v2`: expected digits, a dot and digits, like \"1.0\"",
    "alipay.bad.whitespace.yaml:4:11: request[0].name: `out_trade_no ` contains whitespace; wire names never do",
    "alipay.bad.whitespace.yaml:7:11: errors[0].code: `ACQ.TRADE NOT_EXIST` contains whitespace; error codes never do",
    "wrong.file.name.yaml:1:9: method: file name `wrong.file.name.yaml` does not match the method: rename the file to `alipay.bad.filename.yaml`",
    "common/common.yaml:15:15: gateway_codes[0].sub_codes[1].code: duplicate error code `isv.a` (first at gateway_codes[0].sub_codes[0], line 14)",
    "common/common.yaml:16:11: gateway_codes[1].code: duplicate gateway code `40004` (first at gateway_codes[0], line 11)",
    "common/common.yaml:18:11: gateway_codes[2].code: malformed gateway code `E1`: expected digits, like \"40004\"",
    "common/common.yaml:19:10: gateway_codes[2].msg: empty msg",
];

/// A diagnostic as printed, with the fixture folder left out of the file name.
fn render(d: &Diagnostic) -> String {
    let shown = d.to_string();
    let prefix = format!("{}/", bad_dir().display());
    shown
        .strip_prefix(&prefix)
        .map(str::to_owned)
        .unwrap_or(shown)
}

fn bad_report() -> Vec<String> {
    let report = spec::load_paths(&[bad_dir(), bad_dir().join("common")]);
    assert!(
        report.specs.is_empty(),
        "a bad fixture passed: {:?}",
        report.specs
    );
    assert!(report.common.is_none(), "the bad common.yaml passed");
    report.diagnostics.iter().map(render).collect()
}

#[test]
fn every_bad_fixture_fails_with_its_exact_messages() {
    let got = bad_report();
    let expected: Vec<String> = EXPECTED.iter().map(|s| (*s).to_owned()).collect();
    if got != expected {
        let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
        let unexpected: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
        panic!("missing: {missing:#?}\nunexpected: {unexpected:#?}\n(or the order differs)");
    }
}

#[test]
fn every_bad_fixture_has_an_expected_message() {
    let mut files: Vec<String> = std::fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    files.push("common/common.yaml".to_owned());
    for file in files {
        let prefix = format!("{file}:");
        assert!(
            EXPECTED.iter().any(|e| e.starts_with(&prefix)),
            "no expected message for {file}"
        );
    }
}

#[test]
fn every_diagnostic_names_file_line_column() {
    let report = spec::load_paths(&[bad_dir(), bad_dir().join("common")]);
    for d in &report.diagnostics {
        let text = std::fs::read(&d.file).unwrap();
        let lines = text.split(|b| *b == b'\n').count();
        assert!(d.line >= 1 && d.line <= lines, "{d}");
        assert!(d.column >= 1, "{d}");
    }
}

#[test]
fn one_file_reports_all_its_problems_in_source_order() {
    let problems = spec::load_file(bad_dir().join("alipay.bad.kinds.yaml")).unwrap_err();
    assert_eq!(problems.len(), 5);
    let positions: Vec<_> = problems.iter().map(|d| (d.line, d.column)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
}

#[test]
fn seed_specs_load_and_pass() {
    let report = spec::load_dir(seeds_dir());
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(report.is_clean(), "{shown:#?}");
    // The two seeds are among the doc-page specs, however many specs there are: a new
    // spec needs no edit here.
    let doc_pages: Vec<&str> = report
        .specs
        .iter()
        .filter(|(_, s)| s.provenance == spec::Provenance::DocPage)
        .map(|(_, s)| s.method.as_str())
        .collect();
    for seed in [
        "alipay.ebpp.pdeduct.sign.validate",
        "alipay.user.agreement.auth.confirm",
    ] {
        assert!(doc_pages.contains(&seed), "{seed} missing: {doc_pages:?}");
    }
    // Every spec of the sdk/ layer says where it comes from, and loses to a doc-page spec.
    for (path, s) in &report.specs {
        let in_layer = path.parent().unwrap().ends_with(spec::SDK_LAYER);
        assert_eq!(
            in_layer,
            s.provenance == spec::Provenance::SdkModels,
            "{path:?}"
        );
        assert!(
            !in_layer || !doc_pages.contains(&s.method.as_str()),
            "{path:?}"
        );
    }
    let (_, common) = report.common.expect("specs/common.yaml");
    let codes: Vec<&str> = common
        .gateway_codes
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    for code in [
        "10000", "20000", "20001", "40001", "40002", "40003", "40004", "40005", "40006",
    ] {
        assert!(
            codes.contains(&code),
            "gateway code {code} missing from common.yaml"
        );
    }
    let confirm = &report
        .specs
        .iter()
        .find(|(_, s)| s.method == "alipay.user.agreement.auth.confirm")
        .unwrap()
        .1;
    assert!(
        confirm
            .request
            .iter()
            .any(|f| f.name == "agreement_no" && f.required)
    );
    // And the whole folder generates (the one generation of all of `specs/` in the suite).
    let files = alipay_codegen::generate::generate_files(report.specs.iter().map(|(_, s)| s))
        .unwrap_or_else(|e| panic!("specs/ does not generate: {e}"));
    assert!(files.contains_key(std::path::Path::new("mod.rs")));
}

#[test]
fn generator_fixture_specs_pass() {
    let report = spec::load_dir(manifest_dir().join("tests/fixtures/specs"));
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(report.is_clean(), "{shown:#?}");
    assert!(!report.specs.is_empty());
}

#[test]
fn to_yaml_round_trips_the_seeds() {
    let specs = spec::load_dir(seeds_dir()).specs;
    // The doc-page specs (the SDK-model layer is thousands of files of one converted shape).
    let doc_pages = specs
        .into_iter()
        .filter(|(_, s)| s.provenance == spec::Provenance::DocPage);
    for (path, spec) in doc_pages {
        let text = spec::to_yaml(&spec).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let again = spec::load_str(name, &text).unwrap_or_else(|d| panic!("{d:#?}\n{text}"));
        assert_eq!(again, spec);
    }
}

#[test]
fn load_str_checks_the_file_name_only_for_yaml_sources() {
    let text = "method: alipay.trade.pay\ntitle: 统一收单\n";
    assert!(spec::load_str("<stdin>", text).is_ok());
    assert!(spec::load_str("alipay.trade.pay.yaml", text).is_ok());
    let problems = spec::load_str("dir/alipay.trade.query.yaml", text).unwrap_err();
    assert_eq!(problems[0].path, "method");
    assert!(
        problems[0]
            .message
            .contains("rename the file to `alipay.trade.pay.yaml`")
    );
}

#[test]
fn a_missing_folder_is_a_problem_not_a_panic() {
    let report = spec::load_dir(manifest_dir().join("tests/fixtures/no-such-folder"));
    assert_eq!(report.diagnostics.len(), 1);
    assert!(report.diagnostics[0].message.starts_with("cannot read"));
}

fn codegen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alipay-codegen"))
}

#[test]
fn cli_check_exit_codes() {
    let ok = codegen().arg("check").arg(seeds_dir()).output().unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let bad = codegen()
        .current_dir(bad_dir())
        .args(["check", ".", "common"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    let printed: Vec<&str> = stderr
        .lines()
        .map(|l| l.strip_prefix("./").unwrap_or(l))
        .collect();
    for line in EXPECTED {
        assert!(printed.contains(line), "not printed: {line}\n{stderr}");
    }
    assert!(
        stderr.ends_with(&format!("{} problem(s) in 31 file(s)\n", EXPECTED.len())),
        "{stderr}"
    );

    let one = codegen()
        .arg("check")
        .arg(bad_dir().join("alipay.bad.maxlength.yaml"))
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(1));

    for usage in [
        &["check"][..],
        &["frobnicate"],
        &["generate", "--specs", "x"],
        &[],
        &["check", "no/such/folder"],
        &["generate", "--specs", "no/such/folder", "--out", "x"],
    ] {
        let out = codegen().args(usage).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{usage:?}");
    }
}

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

/// A copy of the doc-page layer of `specs/` (without the SDK-model layer, thousands of
/// specs that debug builds of the generator take long over).
fn doc_page_specs() -> TempDir {
    let dir = scratch();
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

#[test]
fn cli_generate_writes_then_checks() {
    let out_dir = scratch();
    let out = out_dir.path();
    let specs = doc_page_specs();
    let specs = specs.path();
    let run = |extra: &[&str]| {
        let mut cmd = codegen();
        cmd.arg("generate")
            .arg("--specs")
            .arg(specs)
            .arg("--out")
            .arg(out)
            .args(extra);
        cmd.output().unwrap()
    };
    let typo = run(&["--methods", "alipay.usr.*"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr)
            .contains("--methods `alipay.usr.*` matches no method")
    );
    assert!(
        !out.join("mod.rs").exists(),
        "nothing generated on a usage error"
    );
    let first = run(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(run(&["--check"]).status.code(), Some(0));

    let generated = out.join("mod.rs");
    let text = std::fs::read_to_string(&generated).unwrap();
    std::fs::write(&generated, format!("{text}// edited by hand\n")).unwrap();
    let stale = run(&["--check"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("mod.rs: out of date"));

    let bad = codegen()
        .arg("generate")
        .arg("--specs")
        .arg(bad_dir())
        .arg("--out")
        .arg(scratch().path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(EXPECTED[0]));
}

#[test]
fn cli_import_writes_a_spec_that_passes_check() {
    let out_dir = scratch();
    let out = out_dir.path();
    let page = manifest_dir().join("../../shared/seeds/alipay.ebpp.pdeduct.sign.validate.txt");
    // The seed pages live in ../shared, which the tests need beside the checkout.
    assert!(page.exists(), "{} is missing", page.display());
    let run = codegen()
        .arg("import")
        .arg(&page)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    for line in stderr.lines() {
        let rest = line
            .strip_prefix(&format!("{}:", page.display()))
            .unwrap_or_else(|| panic!("{line}"));
        let (number, message) = rest
            .split_once(": warning: ")
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            number.parse::<usize>().is_ok() && !message.is_empty(),
            "{line}"
        );
    }
    let written = out.join("alipay.ebpp.pdeduct.sign.validate.yaml");
    let spec = spec::load_file(&written).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(spec.method, "alipay.ebpp.pdeduct.sign.validate");

    let missing = codegen()
        .arg("import")
        .arg(out.join("no-such-page.txt"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let not_utf8 = out.join("latin1.txt");
    std::fs::write(&not_utf8, b"caf\xe9\n").unwrap();
    let bad_page = codegen().arg("import").arg(&not_utf8).output().unwrap();
    assert_eq!(bad_page.status.code(), Some(1));
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
            }],
            examples: spec::Examples { request: None, response: Some(block), error: None },
            notification: None,
        };
        let text = spec::to_yaml(&spec).unwrap();
        let again = spec::load_str("alipay.trade.query.yaml", &text);
        prop_assert_eq!(again, Ok(spec), "{}", text);
    }
}

#[test]
fn a_method_defined_twice_is_reported_once_loaded_once() {
    let seed = seeds_dir().join("alipay.user.agreement.auth.confirm.yaml");
    let report = spec::load_paths(&[seed.clone(), seeds_dir()]);
    let loaded = |method: &str| {
        report
            .specs
            .iter()
            .filter(|(_, s)| s.method == method)
            .count()
    };
    assert_eq!(
        loaded("alipay.user.agreement.auth.confirm"),
        1,
        "each method once"
    );
    assert_eq!(
        loaded("alipay.ebpp.pdeduct.sign.validate"),
        1,
        "each method once"
    );
    assert_eq!(report.diagnostics.len(), 1);
    let d = &report.diagnostics[0];
    assert_eq!(d.path, "method");
    assert_eq!(
        d.message,
        format!(
            "method `alipay.user.agreement.auth.confirm` is also defined in {}",
            seed.display()
        )
    );
}

#[test]
fn the_doc_page_spec_wins_over_the_sdk_layer() {
    let tmp = scratch();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("sdk")).unwrap();
    let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).unwrap();
    write(
        "alipay.user.info.share.yaml",
        "method: alipay.user.info.share\ntitle: 页面\n",
    );
    write(
        "sdk/alipay.user.info.share.yaml",
        "method: alipay.user.info.share\ntitle: SDK\nprovenance: sdk_models\n",
    );
    write(
        "sdk/alipay.trade.query.yaml",
        "method: alipay.trade.query\ntitle: SDK\nprovenance: sdk_models\n",
    );
    let report = spec::load_dir(dir);
    assert!(report.is_clean(), "{:?}", report.diagnostics);
    let titles: Vec<(&str, &str, spec::Provenance)> = report
        .specs
        .iter()
        .map(|(_, s)| (s.method.as_str(), s.title.as_str(), s.provenance))
        .collect();
    assert_eq!(
        titles,
        [
            ("alipay.user.info.share", "页面", spec::Provenance::DocPage),
            ("alipay.trade.query", "SDK", spec::Provenance::SdkModels),
        ]
    );

    // A spec in sdk/ that does not say it comes from the SDK is refused, naming the key.
    write(
        "sdk/alipay.trade.pay.yaml",
        "method: alipay.trade.pay\ntitle: SDK\n",
    );
    let report = spec::load_dir(dir);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    assert_eq!(report.diagnostics[0].path, "provenance");
    assert!(
        report.diagnostics[0]
            .message
            .contains("provenance: sdk_models")
    );
    // A value outside the two is refused by the shape check.
    write(
        "sdk/alipay.trade.pay.yaml",
        "method: alipay.trade.pay\ntitle: SDK\nprovenance: guessed\n",
    );
    let report = spec::load_dir(dir);
    assert_eq!(report.diagnostics[0].path, "provenance");
}

/// The generated features section of the crate's manifest lists only groups that have
/// methods, sorted, and is what `features --write --crates catalog` writes, with the
/// dependencies section and the packages under `catalog/`. A group that has no feature yet is
/// not a failure here: it builds under `all-groups` and the build warns (a new spec in a new
/// group needs no other edit).
#[test]
fn the_manifest_lists_a_feature_per_group() {
    use alipay_codegen::catalog::Catalog;
    use alipay_codegen::features;
    let root = manifest_dir().join("..");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(features::has_section(&manifest));
    let listed = features::section_features(&manifest);
    let files = spec::spec_files(seeds_dir()).unwrap();
    let mut groups: std::collections::BTreeMap<String, usize> = Default::default();
    let methods: std::collections::BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str()?.strip_suffix(".yaml"))
        .filter(|m| *m != "common")
        .collect();
    for m in methods {
        *groups.entry(alipay_codegen::group_of(m)).or_default() += 1;
    }
    let stale: Vec<&String> = listed.iter().filter(|g| !groups.contains_key(*g)).collect();
    assert!(
        stale.is_empty(),
        "features of groups without methods: {stale:?}"
    );
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    // What is listed is exactly what the generator writes for those groups (their sizes set
    // their parts), and so are the packages.
    let listed_groups: std::collections::BTreeMap<String, usize> = groups
        .iter()
        .filter(|(g, _)| listed.contains(g))
        .map(|(g, n)| (g.clone(), *n))
        .collect();
    let catalog = Catalog::alipay_openapi();
    let rewritten = features::replace_section(
        &manifest,
        &features::crates_section(&listed_groups, &catalog),
    )
    .and_then(|m| {
        features::replace_dependencies_section(
            &m,
            &features::dependencies_section(&listed_groups, &catalog),
        )
    })
    .unwrap();
    assert_eq!(
        rewritten, manifest,
        "run `alipay-codegen features --write Cargo.toml --crates catalog`"
    );
    for (rel, content) in catalog.files(&listed_groups) {
        let on_disk = std::fs::read_to_string(root.join(&rel)).unwrap_or_default();
        assert_eq!(
            on_disk,
            content,
            "{} differs: run `alipay-codegen features --write Cargo.toml --crates catalog`",
            rel.display()
        );
    }
    let report = features::check(&manifest, groups.keys().map(String::as_str)).unwrap();
    assert!(report.clashing.is_empty(), "{report:?}");
    for group in &report.missing {
        eprintln!(
            "warning: group `{group}` has no feature of its own yet (builds under all-groups)"
        );
    }
}
