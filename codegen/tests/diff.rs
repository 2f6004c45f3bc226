//! `alipay-codegen diff`: one fixture pair per rule (`tests/fixtures/diff/old` and `new`, one
//! method per rule, named after it), the exit codes, the JSON contract, the examples of docs/spec-diffs.md
//! (its CI script run as written), and the whole catalog against itself and a mutated copy.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alipay_codegen::diff::{Kind, Severity};
use serde_json::Value;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    manifest_dir().join("tests/fixtures/diff")
}

pub fn codegen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alipay-codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run alipay-codegen")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr")
}

/// The report on the fixtures, as printed from inside `tests/fixtures/diff`: every rule's
/// method with its lines.
const EXPECTED: &[&str] = &[
    "alipay.diff.becomeoptional: request.body: required → optional: no longer an argument of `Request::new`; the field becomes an `Option` with a setter (breaking)",
    "alipay.diff.becomerequired: request.body: optional → required: now an argument of `Request::new`, and no longer an `Option` (breaking)",
    "alipay.diff.callstyle: alipay.diff.callstyle: call style changed from `server` to `page`: `client.execute` refuses it now; it is signed for the browser with `page_form` or `page_url` (breaking)",
    "alipay.diff.callstylewritten: alipay.diff.callstylewritten: call_style `server` written out (the style the method name gives: the same calls) (patch)",
    "alipay.diff.docs: alipay.diff.docs: title changed (patch)",
    "alipay.diff.docs: alipay.diff.docs: description changed (patch)",
    "alipay.diff.docs: alipay.diff.docs: doc_url changed (patch)",
    "alipay.diff.docs: alipay.diff.docs: note changed (patch)",
    "alipay.diff.docs: alipay.diff.docs: the response example changed (patch)",
    "alipay.diff.docs: request.biz_type.values.JF: description changed (patch)",
    "alipay.diff.docs: request.biz_type: description changed (patch)",
    "alipay.diff.docs: request.biz_type: example changed (patch)",
    "alipay.diff.docs: request.biz_type: note added (patch)",
    "alipay.diff.docs: errors.USER_NOT_EXIST: description changed (patch)",
    "alipay.diff.docs: errors.USER_NOT_EXIST: solution changed (patch)",
    "alipay.diff.erroradded: errors.SYSTEM_ERROR: documented error code added (`BizError::Unknown` held it before) (minor)",
    "alipay.diff.errorremoved: errors.SYSTEM_ERROR: documented error code removed: `BizError::SystemError` is gone (breaking)",
    "alipay.diff.fieldrenamed: request.out_trade_no: field removed (was `String`) (breaking)",
    "alipay.diff.fieldrenamed: request.out_order_no: required field added (`String`): a new argument of `Request::new` (breaking)",
    "alipay.diff.formatchanged: request.sign_date: date format changed from `yyyy-MM-dd HH:mm:ss` to `yyyy-MM-dd`: the client now refuses dates in the old format (breaking)",
    "alipay.diff.formatchanged: request.expire_time: format `yyyy-MM-dd HH:mm:ss` written out (the default: the same check) (patch)",
    "alipay.diff.locationchanged: request.auth_token: now sent as its own form field instead of inside biz_content: `validate_request` and the local gateway expect it there (breaking)",
    "alipay.diff.maxlowered: request.out_trade_no: max_length lowered from 64 to 32: the client now refuses longer values (breaking)",
    "alipay.diff.maxlowered: request.subject: max_length 256 set where there was no limit: the client now refuses longer values (breaking)",
    "alipay.diff.maxnumber: request.quantity: max_length lowered from 10 to 5 (documentation only: the client measures only text and dates) (patch)",
    "alipay.diff.maxraised: request.out_trade_no: max_length raised from 32 to 64 (minor)",
    "alipay.diff.maxraised: request.subject: max_length 256 removed (minor)",
    "alipay.diff.methodadded: alipay.diff.methodadded: method added (minor)",
    "alipay.diff.methodremoved: alipay.diff.methodremoved: method removed: its module `diff::methodremoved` is gone (breaking)",
    "alipay.diff.modelchanged: request.goods.price: type changed from `Price` to `String` (model `Goods`, used at request.goods, request.gift, response.goods) (breaking)",
    "alipay.diff.modelfields: request.goods.category: field removed (was `String`) (model `Goods`, used at request.goods, request.gift, response.goods) (breaking)",
    "alipay.diff.modelfields: request.goods.quantity: required field added (`Number`): a new argument of `Goods::new` (model `Goods`, used at request.goods, request.gift, response.goods) (breaking)",
    "alipay.diff.modelrenamed: request.goods: model renamed from `Goods` to `GoodsInfo` (same fields): the Rust type is named differently (breaking)",
    "alipay.diff.modelusage: request.item: optional field added (`Item`) (minor)",
    "alipay.diff.modelusage: request.item: model `Item` now sent in requests: `Item` gains `Item::new`, setters, checks and `Serialize` (minor)",
    "alipay.diff.notificationadded: notification: typed notification added: `Notification` (2 field(s)) (minor)",
    "alipay.diff.notificationchanged: notification: notification sources changed (patch)",
    "alipay.diff.notificationchanged: notification.buyer_id: field removed (was `String`) (breaking)",
    "alipay.diff.notificationchanged: notification.total_amount: type changed from `Price` to `String` (breaking)",
    "alipay.diff.notificationchanged: notification.notify_id: optional → required: no longer an `Option`, and a notification without it no longer decodes (breaking)",
    "alipay.diff.notificationchanged: notification.gmt_payment: field added (`Date`) (minor)",
    "alipay.diff.notificationremoved: notification: typed notification removed: the `Notification` type is gone (breaking)",
    "alipay.diff.oneofadded: at_least_one_of.[out_trade_no, trade_no]: at least one of out_trade_no, trade_no must be given now: a request with none of them is refused before it is sent (breaking)",
    "alipay.diff.oneofremoved: at_least_one_of.[trade_no, out_trade_no]: the rule that at least one of trade_no, out_trade_no is given is gone (more requests are accepted) (minor)",
    "alipay.diff.optionaladded: request.body: optional field added (`String`) (minor)",
    "alipay.diff.requestremoved: request.body: field removed (was `String`) (breaking)",
    "alipay.diff.requiredadded: request.total_amount: required field added (`Price`): a new argument of `Request::new` (breaking)",
    "alipay.diff.responseadded: response.buyer_id: field added (`String`) (minor)",
    "alipay.diff.responsedocs: response.trade_no: optional → required (documentation only: fields read from answers are all optional) (patch)",
    "alipay.diff.responsedocs: response.trade_no: max_length lowered from 64 to 32 (documentation only: answers are not checked) (patch)",
    "alipay.diff.responsedocs: response.paid_at: date format changed from `yyyy-MM-dd HH:mm:ss` to `yyyy-MM-dd` (documentation only: answers are not checked) (patch)",
    "alipay.diff.responseremoved: response.buyer_id: field removed (was `String`) (breaking)",
    "alipay.diff.responsetype: response.trade_no: type changed from `String` to `Number` (breaking)",
    "alipay.diff.routeadded: route: v3 route added: POST /v3/alipay/diff/routeadded (the v3 protocol can call the method) (minor)",
    "alipay.diff.routechanged: route: v3 route changed: v3 sends the request another way now (GET /v3/alipay/diff/routechanged/{order_id}, body none, query []; was POST /v3/alipay/diff/routechanged, body json, query []) (breaking)",
    "alipay.diff.routeremoved: route: v3 route removed: the v3 protocol can no longer call the method (breaking)",
    "alipay.diff.rustname: request.orderStr: the Rust field and its setter are renamed from `order_str` to `order_string` (breaking)",
    "alipay.diff.source: route: v3 route's source or note changed (the same calls) (patch)",
    "alipay.diff.source: request.out_trade_no: source added (patch)",
    "alipay.diff.source: errors.ACQ.SYSTEM_ERROR: source changed (patch)",
    "alipay.diff.twin: response.item: the generated Rust type changes from `Item` to `ItemInResponse` (answers now read it through a copy of `Item` whose fields are all optional) (breaking)",
    "alipay.diff.twin: request.item.id: optional → required: now an argument of `Item::new`, and no longer an `Option` (model `Item`, used at request.item, response.item) (breaking)",
    "alipay.diff.typechanged: request.total_amount: type changed from `String` to `Price` (breaking)",
    "alipay.diff.valueadded: request.biz_type.values.WUYE: listed value `WUYE` added (enums are open: `Other` held it before) (minor)",
    "alipay.diff.valueremoved: request.biz_type.values.WUYE: listed value `WUYE` removed: `BizType::Wuye` is gone and strict validation (`validate_request`, the local gateway) refuses it (breaking)",
    "alipay.diff.valueremoved: response.status.values.FAIL: listed value `FAIL` removed: `Status::Fail` is gone (breaking)",
    "alipay.diff.valueslisted: request.biz_type: the generated Rust type changes from `String` to `BizType` (its values are listed now) (breaking)",
    "alipay.diff.valueslisted: request.biz_type.values.JF: listed value `JF` added (enums are open: `Other` held it before) (minor)",
    "alipay.diff.valueslisted: request.biz_type.values.WUYE: listed value `WUYE` added (enums are open: `Other` held it before) (minor)",
    "alipay.diff.version: alipay.diff.version: version changed from 1.0 to 2.0 (documentation only: the client sends the public `version` parameter, 1.0, for every method) (patch)",
];

const SUMMARY: &str =
    "70 change(s) in 42 method(s): 33 breaking, 15 minor, 22 patch; semver: major";

/// Each rule's fixture method (`alipay.diff.<rule>`) and the severities its lines carry.
const RULES: &[(&str, &[Severity])] = &[
    ("becomeoptional", &[Severity::Breaking]),
    ("becomerequired", &[Severity::Breaking]),
    ("callstyle", &[Severity::Breaking]),
    ("callstylewritten", &[Severity::Patch]),
    ("docs", &[Severity::Patch]),
    ("erroradded", &[Severity::Minor]),
    ("errorremoved", &[Severity::Breaking]),
    ("fieldrenamed", &[Severity::Breaking]),
    ("formatchanged", &[Severity::Breaking, Severity::Patch]),
    ("locationchanged", &[Severity::Breaking]),
    ("maxlowered", &[Severity::Breaking]),
    ("maxnumber", &[Severity::Patch]),
    ("maxraised", &[Severity::Minor]),
    ("methodadded", &[Severity::Minor]),
    ("methodremoved", &[Severity::Breaking]),
    ("modelchanged", &[Severity::Breaking]),
    ("modelfields", &[Severity::Breaking]),
    ("modelrenamed", &[Severity::Breaking]),
    ("modelusage", &[Severity::Minor]),
    ("notificationadded", &[Severity::Minor]),
    (
        "notificationchanged",
        &[Severity::Patch, Severity::Breaking, Severity::Minor],
    ),
    ("notificationremoved", &[Severity::Breaking]),
    ("optionaladded", &[Severity::Minor]),
    ("requestremoved", &[Severity::Breaking]),
    ("requiredadded", &[Severity::Breaking]),
    ("responseadded", &[Severity::Minor]),
    ("responsedocs", &[Severity::Patch]),
    ("responseremoved", &[Severity::Breaking]),
    ("responsetype", &[Severity::Breaking]),
    ("rustname", &[Severity::Breaking]),
    ("twin", &[Severity::Breaking]),
    ("typechanged", &[Severity::Breaking]),
    ("unchanged", &[]),
    ("valueadded", &[Severity::Minor]),
    ("valueremoved", &[Severity::Breaking]),
    ("valueslisted", &[Severity::Breaking, Severity::Minor]),
    ("version", &[Severity::Patch]),
    ("oneofadded", &[Severity::Breaking]),
    ("oneofremoved", &[Severity::Minor]),
    ("routeadded", &[Severity::Minor]),
    ("routechanged", &[Severity::Breaking]),
    ("routeremoved", &[Severity::Breaking]),
    (
        "source",
        &[Severity::Patch, Severity::Patch, Severity::Patch],
    ),
];

#[test]
fn every_rule_gives_its_lines_and_the_summary() {
    let out = codegen(&fixtures(), &["diff", "old", "new"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut expected: Vec<&str> = EXPECTED.to_vec();
    expected.push(SUMMARY);
    let text = stdout(&out);
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn every_fixture_is_a_rule_and_every_rule_has_its_severities() {
    let mut methods = BTreeSet::new();
    for side in ["old", "new"] {
        for entry in std::fs::read_dir(fixtures().join(side)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let rule = name
                .strip_prefix("alipay.diff.")
                .and_then(|n| n.strip_suffix(".yaml"))
                .unwrap_or_else(|| panic!("{side}/{name}: not alipay.diff.<rule>.yaml"))
                .to_owned();
            methods.insert(rule);
        }
    }
    let rules: BTreeSet<String> = RULES.iter().map(|(r, _)| (*r).to_owned()).collect();
    assert_eq!(methods, rules);
    let report =
        alipay_codegen::diff::diff_paths(&[fixtures().join("old")], &[fixtures().join("new")])
            .expect("the fixtures check");
    for (rule, severities) in RULES {
        let method = format!("alipay.diff.{rule}");
        let got: BTreeSet<Severity> = report
            .changes
            .iter()
            .filter(|c| c.method == method)
            .map(|c| c.severity)
            .collect();
        assert_eq!(got, severities.iter().copied().collect(), "{method}");
    }
}

pub fn pair(rule: &str) -> [String; 2] {
    ["old", "new"].map(|side| format!("{side}/alipay.diff.{rule}.yaml"))
}

#[test]
fn exit_codes() {
    let dir = fixtures();
    // Additions only: 0, with the report.
    let [old, new] = pair("valueadded");
    let out = codegen(&dir, &["diff", &old, &new]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).ends_with("; semver: minor\n"),
        "{}",
        stdout(&out)
    );
    // Docs only: 0.
    let [old, new] = pair("docs");
    let out = codegen(&dir, &["diff", &old, &new]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).ends_with("; semver: patch\n"),
        "{}",
        stdout(&out)
    );
    // Nothing: 0.
    let out = codegen(&dir, &["diff", "old", "old"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "no changes; semver: none\n");
    // A breaking change: 1, in both formats.
    let [old, new] = pair("requestremoved");
    for format in ["text", "json"] {
        let out = codegen(&dir, &["diff", &old, &new, "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
    }
    // A spec with a problem, on either side: 2, the problem as `check` prints it, nothing
    // compared.
    let bad = manifest_dir().join("tests/fixtures/bad/alipay.bad.maxlength.yaml");
    let bad = bad.to_str().unwrap();
    for args in [["diff", "old", bad], ["diff", bad, "new"]] {
        let out = codegen(&dir, &args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains(
                "alipay.bad.maxlength.yaml:6:17: request[0].max_length: must be at least 1, found 0"
            ),
            "{err}"
        );
        assert!(err.contains("both sides must pass `check`"), "{err}");
    }
    // Usage errors: 2.
    let out = codegen(&dir, &["diff", "old", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-folder: no such file or folder"));
    for args in [
        &["diff", "old"][..],
        &["diff", "old", "new", "--format", "yaml"],
        &["diff", "old", "new", "--colour"],
    ] {
        assert_eq!(codegen(&dir, args).status.code(), Some(2), "{args:?}");
    }
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let out = codegen(dir, args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("the output is JSON")
}

#[test]
fn the_json_is_the_documented_contract_and_says_what_the_text_says() {
    // Long because: one report, each documented key of the contract checked against the text in turn.
    let dir = fixtures();
    let doc = json(&dir, &["diff", "old", "new", "--format", "json"]);
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(["changes", "breaking", "minor", "patch", "semver"])
    );
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), EXPECTED.len());
    let change_keys = BTreeSet::from([
        "method", "path", "change", "breaking", "severity", "message", "old", "new", "model",
        "used_by",
    ]);
    let kinds: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    for (c, line) in changes.iter().zip(EXPECTED) {
        let obj = c.as_object().unwrap();
        assert_eq!(
            obj.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            change_keys
        );
        assert!(kinds.contains(c["change"].as_str().unwrap()), "{c}");
        // The text line is `method: path: message (severity)`.
        let text = format!(
            "{}: {}: {} ({})",
            c["method"].as_str().unwrap(),
            c["path"].as_str().unwrap(),
            c["message"].as_str().unwrap(),
            c["severity"].as_str().unwrap()
        );
        assert_eq!(&text, line);
        assert_eq!(c["breaking"], Value::Bool(c["severity"] == "breaking"));
        assert_eq!(
            c["model"].is_null(),
            c["used_by"].as_array().unwrap().is_empty(),
            "{c}"
        );
    }
    let count = |s: &str| changes.iter().filter(|c| c["severity"] == s).count();
    assert_eq!(doc["breaking"], count("breaking"));
    assert_eq!(doc["minor"], count("minor"));
    assert_eq!(doc["patch"], count("patch"));
    assert_eq!(doc["semver"], "major");

    let find = |method: &str, path: &str, kind: &str| -> &Value {
        changes
            .iter()
            .find(|c| c["method"] == method && c["path"] == path && c["change"] == kind)
            .unwrap_or_else(|| panic!("no {kind} at {method} {path}"))
    };
    // Each change's old and new values, by method, path and kind.
    for (method, path, kind, old, new) in [
        (
            "alipay.diff.maxlowered",
            "request.out_trade_no",
            "max_length_lowered",
            Value::from(64),
            Value::from(32),
        ),
        (
            "alipay.diff.maxlowered",
            "request.subject",
            "max_length_lowered",
            Value::Null,
            Value::from(256),
        ),
        (
            "alipay.diff.becomeoptional",
            "request.body",
            "required_changed",
            Value::Bool(true),
            Value::Bool(false),
        ),
        (
            "alipay.diff.twin",
            "response.item",
            "rust_type_changed",
            Value::from("Item"),
            Value::from("ItemInResponse"),
        ),
        (
            "alipay.diff.valueslisted",
            "request.biz_type",
            "rust_type_changed",
            Value::from("String"),
            Value::from("BizType"),
        ),
        (
            "alipay.diff.errorremoved",
            "errors.SYSTEM_ERROR",
            "error_removed",
            Value::from("SYSTEM_ERROR"),
            Value::Null,
        ),
    ] {
        let c = find(method, path, kind);
        assert_eq!(
            (&c["old"], &c["new"]),
            (&old, &new),
            "{kind} at {method} {path}"
        );
    }
    let c = find(
        "alipay.diff.methodadded",
        "alipay.diff.methodadded",
        "method_added",
    );
    assert_eq!(c["new"], "测试");
    // A model change is reported once, with every path that uses the model.
    let in_model: Vec<&Value> = changes
        .iter()
        .filter(|c| c["method"] == "alipay.diff.modelfields")
        .collect();
    assert_eq!(in_model.len(), 2);
    for c in in_model {
        assert_eq!(c["model"], "Goods");
        assert_eq!(
            c["used_by"],
            serde_json::json!(["request.goods", "request.gift", "response.goods"])
        );
    }
}
