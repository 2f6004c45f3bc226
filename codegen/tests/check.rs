//! The spec checker: the seed specs pass, every lint rule fails its fixture with its exact
//! message, the CLI keeps its exit codes, and no input makes the loader panic.

use std::path::PathBuf;

use alipay_codegen::spec::{self, Diagnostic};

use crate::common::scratch;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bad_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures/bad")
}

pub fn seeds_dir() -> PathBuf {
    manifest_dir().join("../specs")
}

/// Every problem of every bad fixture, as `alipay-codegen check` prints it from inside
/// `tests/fixtures/bad` (one fixture per rule; see the file names).
pub const EXPECTED: &[&str] = &[
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
    "alipay.bad.oneof.yaml:11:5: at_least_one_of[0]: a group names at least two fields (one field alone is `required: true`)",
    "alipay.bad.oneof.yaml:12:20: at_least_one_of[1][1]: `trade_no` is `required: true`, so the group always holds: make it `required: false` or drop the group",
    "alipay.bad.oneof.yaml:13:20: at_least_one_of[2][1]: `order_no` is not a top-level request field",
    "alipay.bad.oneof.yaml:13:30: at_least_one_of[2][2]: `out_trade_no` appears twice in the group",
    "alipay.bad.recursive.yaml:16:13: models.Node[0].type: model `Node` holds itself (Node → Node): a model cannot contain itself; make this field a list (`Node[]`) or break the cycle",
    "alipay.bad.recursive.yaml:19:13: models.Right[0].type: model `Left` holds itself (Left → Right → Left): a model cannot contain itself; make this field a list (`Left[]`) or break the cycle",
    "alipay.bad.route.yaml:6:13: request[2].name: `shop_id` has no place in the v3 request: the route has no body (`body: none`), so every request field is a path or query parameter",
    "alipay.bad.route.yaml:9:9: route.path: path parameter `goods_id` is not a request field: add it to `request`",
    "alipay.bad.route.yaml:14:7: route.query[2]: `activity_id` is already a path or query parameter",
    "alipay.bad.route.yaml:15:7: route.query[3]: query parameter `page_size` is not a request field (only `auth_token`, a public parameter, may be named without one): add it to `request`",
    "alipay.bad.route.yaml:16:11: route.source: empty source: name the document the route comes from, or leave the key out",
    "alipay.bad.routemethod.yaml:4:16: route.http_method: `FETCH` is not one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`",
    "alipay.bad.routemethod.yaml:6:9: route.body: `xml` is not one of `json`, `multipart`, `none`",
    "alipay.bad.routepath.yaml:7:9: route.path: path `/v3/alipay/bad/x{order_id}`: segment `x{order_id}` is not a whole `{name}` parameter",
    "alipay.bad.routeplain.yaml:7:9: route.path: path `/v3/alipay/bad/routeplain?order_id=1` holds `?`: a path is written plain, its query in `query`",
    "alipay.bad.rustname.yaml:5:16: request[0].rust_name: `OrderStr` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.rustname.yaml:8:16: request[1].rust_name: `type` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.rustname.yaml:11:16: request[2].rust_name: `3d` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, starting with a letter or `_`, and not a Rust keyword",
    "alipay.bad.syntax.yaml:6:1: YAML syntax error: while parsing a flow sequence, expected ',' or ']'",
    "alipay.bad.twodocs.yaml:3:1: a spec file holds exactly one YAML document (found a second `---`)",
    "alipay.bad.unknownkey.yaml:3:1: colour: unknown key `colour`; expected one of `method`, `title`, `description`, `version`, `doc_url`, `provenance`, `call_style`, `note`, `request`, `at_least_one_of`, `response`, `models`, `errors`, `examples`, `notification`, `route`",
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
