//! End-to-end tests of `alipay_codegen::import`: the seed pages give the hand-checked specs in
//! `specs/`, fixture pages in other layouts give the facts they hold, what cannot be placed is
//! warned about with its page line, and no input makes the importer panic.

use std::path::{Path, PathBuf};

use alipay_codegen::import::{Imported, import_page, spec_file};
use alipay_codegen::spec::{Field, Location, Spec, load_file, load_str, to_yaml};
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed(method: &str) -> String {
    let path = repo().join("../shared/seeds").join(format!("{method}.txt"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pages")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The spec in `specs/` as its doc page gives it: without the facts another source added
/// (those with a `source:`, from `alipay-codegen import-openapi`) and without the v3 route.
fn hand_checked(method: &str) -> Spec {
    let path = repo().join("specs").join(format!("{method}.yaml"));
    let mut spec =
        load_file(&path).unwrap_or_else(|d| panic!("{} does not load: {d:?}", path.display()));
    spec.request.retain(|f| f.source.is_none());
    spec.response.retain(|f| f.source.is_none());
    spec.errors.retain(|e| e.source.is_none());
    spec.models
        .retain(|_, fields| fields.iter().any(|f| f.source.is_none()));
    spec.route = None;
    spec
}

fn without_notes(fields: &[Field]) -> Vec<Field> {
    fields
        .iter()
        .cloned()
        .map(|f| Field { note: None, ..f })
        .collect()
}

/// Compares every fact but the notes (the importer writes its own), part by part so a failure
/// names the part.
fn assert_same_facts(imported: &Spec, expected: &Spec) {
    assert_eq!(imported.method, expected.method, "method");
    assert_eq!(imported.title, expected.title, "title");
    assert_eq!(imported.description, expected.description, "description");
    assert_eq!(imported.version, expected.version, "version");
    assert_eq!(imported.doc_url, expected.doc_url, "doc_url");
    assert_eq!(
        imported.request.len(),
        expected.request.len(),
        "number of request fields"
    );
    for (got, want) in without_notes(&imported.request)
        .iter()
        .zip(without_notes(&expected.request))
    {
        assert_eq!(got, &want, "request field {}", want.name);
    }
    assert_eq!(
        without_notes(&imported.response),
        without_notes(&expected.response),
        "response"
    );
    let models = |s: &Spec| {
        s.models
            .iter()
            .map(|(k, v)| (k.clone(), without_notes(v)))
            .collect::<Vec<_>>()
    };
    assert_eq!(models(imported), models(expected), "models");
    assert_eq!(
        imported.errors.len(),
        expected.errors.len(),
        "number of errors"
    );
    for (got, want) in imported.errors.iter().zip(&expected.errors) {
        assert_eq!(
            (&got.code, &got.description, &got.solution),
            (&want.code, &want.description, &want.solution)
        );
    }
    assert_eq!(imported.examples, expected.examples, "examples");
}

/// The imported spec, written as YAML, loads and passes `check` as it is.
fn assert_passes_check(imported: &Imported) {
    let yaml = spec_file(&imported.spec).expect("spec_file");
    assert!(yaml.starts_with("# yaml-language-server: $schema=./schema.json\n"));
    let name = format!("{}.yaml", imported.spec.method);
    let loaded = load_str(&name, &yaml)
        .unwrap_or_else(|d| panic!("imported spec fails check: {d:?}\n{yaml}"));
    assert_eq!(loaded, imported.spec, "YAML round trip changed the spec");
}

fn warning_lines(imported: &Imported) -> Vec<usize> {
    imported.warnings.iter().map(|w| w.line).collect()
}

#[test]
fn seed_user_agreement_auth_confirm_matches_the_hand_checked_spec() {
    let method = "alipay.user.agreement.auth.confirm";
    let imported = import_page(&seed(method));
    assert_same_facts(&imported.spec, &hand_checked(method));
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_passes_check(&imported);
}

#[test]
fn seed_ebpp_pdeduct_sign_validate_matches_the_hand_checked_spec() {
    let method = "alipay.ebpp.pdeduct.sign.validate";
    let imported = import_page(&seed(method));
    assert_same_facts(&imported.spec, &hand_checked(method));
    // The one oddity the importer must report: business errors printed under 公共错误码 (line 118).
    assert_eq!(
        warning_lines(&imported),
        vec![118],
        "{:?}",
        imported.warnings
    );
    assert!(
        imported
            .spec
            .note
            .as_deref()
            .is_some_and(|n| n.contains("公共错误码"))
    );
    assert_passes_check(&imported);
}

#[test]
fn crlf_and_full_width_copies_of_the_seeds_import_the_same() {
    for method in [
        "alipay.user.agreement.auth.confirm",
        "alipay.ebpp.pdeduct.sign.validate",
    ] {
        let page = seed(method);
        let lf = import_page(&page);
        let crlf = import_page(&page.replace('\n', "\r\n"));
        assert_eq!(crlf, lf, "{method}: CRLF");
        // Full-width brackets in the title and colons in value lists read the same; the
        // descriptions keep the page's own characters.
        let wide = page
            .replacen('(', "（", 1)
            .replacen(')', "）", 1)
            .replace("JF:", "JF：");
        let wide = import_page(&wide);
        assert_eq!(wide.spec.title, lf.spec.title, "{method}: title");
        assert_eq!(wide.spec.request.len(), lf.spec.request.len());
        for (w, l) in wide.spec.request.iter().zip(&lf.spec.request) {
            let values = |f: &Field| {
                f.values
                    .iter()
                    .map(|v| (v.value.clone(), v.description.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(values(w), values(l), "{method}: values of {}", l.name);
        }
    }
}

#[test]
fn reordered_sections_tabs_nesting_and_value_lists() {
    // Long because: one page with every layout quirk, and what the import made of each.
    let imported = import_page(&fixture("nested_tabs.txt"));
    let spec = &imported.spec;
    assert_eq!(spec.method, "alipay.trade.query");
    assert_eq!(spec.title, "统一收单线下交易查询");
    assert_eq!(
        spec.description,
        "该接口提供所有支付宝支付订单的查询，商户可以通过该接口主动查询订单状态。"
    );

    let names = |fields: &[Field]| fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&spec.response),
        [
            "trade_no",
            "trade_status",
            "total_amount",
            "fund_bill_list",
            "send_pay_date"
        ]
    );
    assert_eq!(names(&spec.request), ["out_trade_no", "query_options"]);

    let status = &spec.response[1];
    assert_eq!(
        status.description,
        "交易状态：\nWAIT_BUYER_PAY：交易创建，等待买家付款\nTRADE_SUCCESS：交易支付成功"
    );
    assert_eq!(status.example.as_deref(), Some("TRADE_SUCCESS"));
    let values: Vec<(&str, &str)> = status
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.description.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("WAIT_BUYER_PAY", "交易创建，等待买家付款"),
            ("TRADE_SUCCESS", "交易支付成功")
        ]
    );

    assert_eq!(spec.response[2].ty, "Price");
    assert_eq!(spec.response[2].example.as_deref(), Some("88.88"));
    assert_eq!(spec.response[3].ty, "TradeFundBill[]");
    assert_eq!(spec.response[3].max_length, None);
    assert_eq!(spec.response[3].example, None, "missing last column");
    assert_eq!(spec.response[4].ty, "Date");
    assert_eq!(
        spec.response[4].example.as_deref(),
        Some("2014-11-27 15:45:57")
    );

    assert_eq!(
        names(&spec.models["TradeFundBill"]),
        ["fund_channel", "amount", "detail"]
    );
    assert_eq!(spec.models["TradeFundBill"][2].ty, "FundDetail");
    assert_eq!(names(&spec.models["FundDetail"]), ["bank_code"]);
    assert_eq!(spec.models["FundDetail"][0].example.as_deref(), Some("CEB"));

    assert_eq!(spec.request[1].ty, "String[]");
    assert_eq!(spec.request[1].example, None);
    assert_eq!(spec.errors.len(), 2);
    assert_eq!(spec.errors[1].solution, "检查请求参数，修改后重新发起请求");
    assert!(
        spec.examples
            .response
            .as_deref()
            .is_some_and(|e| e.starts_with("{\n    \"alipay_trade_query_response\""))
    );
    assert_eq!(spec.examples.request, None);

    // 特殊可选 is read as optional, and said so.
    assert!(!spec.request[0].required);
    assert_eq!(
        warning_lines(&imported),
        vec![34],
        "{:?}",
        imported.warnings
    );
    assert!(
        spec.request[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("特殊可选"))
    );
    assert_passes_check(&imported);
}

#[test]
fn crlf_wide_spaces_and_indentation() {
    let page = fixture("crlf_indent.txt");
    assert!(
        page.contains("\r\n"),
        "the fixture must keep its CRLF line ends"
    );
    let imported = import_page(&page);
    let spec = &imported.spec;
    assert_eq!(spec.method, "alipay.user.info.share");
    assert_eq!(
        spec.description,
        "外部应用上架到支付宝钱包，当支付宝用户从钱包访问外部应用时，会跳转到外部应用并带上用户的授权码。\n外部应用用授权码调用接口获取用户信息。"
    );
    assert!(spec.request.is_empty());
    assert_eq!(
        spec.response.len(),
        3,
        "the public response parameters are not copied"
    );
    assert_eq!(
        spec.response[0].example.as_deref(),
        Some("2088102104794936")
    );
    assert_eq!(spec.response[1].ty, "DeliverAddress");
    let address = &spec.models["DeliverAddress"];
    assert_eq!(address[0].example.as_deref(), Some("新港中路397号"));
    assert_eq!(address[1].max_length, Some(6));
    let gender = &spec.response[2];
    assert_eq!(gender.description, "性别\nF：女性\nM：男性");
    assert_eq!(gender.example.as_deref(), Some("F"));
    assert_eq!(gender.values.len(), 2);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_passes_check(&imported);
}

#[test]
fn what_cannot_be_placed_is_warned_about_and_noted() {
    let imported = import_page(&fixture("odd.txt"));
    let spec = &imported.spec;
    assert_eq!(
        warning_lines(&imported),
        vec![1, 2, 11, 17, 23, 24, 25, 26, 27, 33, 40, 42, 44],
        "{:#?}",
        imported.warnings
    );
    assert_eq!(spec.title, "账单查询");
    let note = spec.note.as_deref().unwrap_or_default();
    for line in [1, 2, 11, 33, 42, 44] {
        assert!(
            note.contains(&format!("page line {line}:")),
            "spec note lacks line {line}: {note}"
        );
    }
    let field = |name: &str| {
        spec.request
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    };
    assert_eq!(field("notify_url").location, Location::Form);
    assert_eq!(field("amount").ty, "Number");
    assert_eq!(field("shop").ty, "Shop");
    assert_eq!(spec.models["Shop"], Vec::<Field>::new());
    assert_eq!(field("extra").ty, "String");
    assert_eq!(field("memo").example.as_deref(), Some("hello world"));
    assert_eq!(
        field("bill_type").description,
        "账单类型",
        "the first of two rows is kept"
    );
    for name in ["notify_url", "amount", "shop", "extra", "memo", "bill_type"] {
        assert!(field(name).note.is_some(), "{name} has no note");
    }
    assert_eq!(
        spec.examples.request.as_deref(),
        Some("{\"bill_type\":\"trade\"}\n")
    );
    let codes: Vec<&str> = spec.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["BILL_NOT_EXIST", "BILL_DATE_ERROR"]);
    assert!(spec.errors[0].note.is_some());
    assert_passes_check(&imported);
}

#[test]
fn warnings_display_with_their_line() {
    let imported = import_page("alipay.a.b (名) 多余\n");
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(
        imported.warnings[0].to_string(),
        "1: warning: text after the title, not placed: 多余"
    );
}

#[test]
fn large_pages_import_in_linear_time() {
    let rows = 40_000;
    let mut page = String::from("alipay.big.page (大页面)\n\n请求参数\n\n");
    for i in 0..rows {
        page.push_str(&format!("field_{i} String 必选 8 说明{i} v{i}\n"));
    }
    page.push_str("long String 必选 8 ");
    page.push_str(&"词 \"a ".repeat(50_000));
    page.push_str("\n\n业务错误码\n\n");
    for i in 0..rows {
        page.push_str(&format!("CODE_{i} 描述 甲 乙 丙 丁 方案\n"));
    }
    let started = std::time::Instant::now();
    let imported = import_page(&page);
    let took = started.elapsed();
    assert_eq!(imported.spec.request.len(), rows + 1);
    assert_eq!(imported.spec.errors.len(), rows);
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

/// Lines that reach the importer's table, error and example paths.
fn page_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("参数 类型 是否必填 最大长度 描述 示例值".to_owned()),
        Just("错误码 错误描述 解决方案".to_owned()),
        Just("请求参数".to_owned()),
        Just("响应参数：".to_owned()),
        Just("公共错误码".to_owned()),
        Just("业务错误码".to_owned()),
        Just("请求示例".to_owned()),
        Just("  • JSON示例".to_owned()),
        Just("└".to_owned()),
        Just("\t".to_owned()),
        Just("String".to_owned()),
        Just("Object[]".to_owned()),
        Just("Price".to_owned()),
        Just("必选".to_owned()),
        Just("特殊可选".to_owned()),
        Just("-".to_owned()),
        Just("\"".to_owned()),
        Just("（".to_owned()),
        Just("JF:缴费".to_owned()),
        Just("类型有:A;B".to_owned()),
        Just("alipay.x.y (名)".to_owned()),
        "[a-z_]{1,8}",
        "[0-9]{1,25}",
        "[\\u4e00-\\u4e10]{1,4}",
        " {1,6}",
    ];
    prop::collection::vec(word, 0..8).prop_map(|words| words.join(" "))
}

fn check_invariants(page: &str) {
    let imported = import_page(page);
    let lines = page.split(['\n', '\r']).count().max(1);
    for w in &imported.warnings {
        assert!(
            w.line <= lines,
            "warning line {} beyond the page's {lines} lines: {}",
            w.line,
            w.message
        );
    }
    assert!(to_yaml(&imported.spec).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(page in any::<String>()) {
        check_invariants(&page);
    }

    #[test]
    fn binary_pages_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_invariants(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn page_shaped_text_never_panics(lines in prop::collection::vec(page_line(), 0..60)) {
        check_invariants(&lines.join("\n"));
        check_invariants(&lines.join("\r\n"));
    }

    #[test]
    fn truncated_and_mangled_seeds_never_panic(cut in 0usize..10_000, drop in 0usize..200, which in 0usize..2) {
        let page = seed(["alipay.user.agreement.auth.confirm", "alipay.ebpp.pdeduct.sign.validate"][which]);
        let chars: Vec<char> = page.chars().collect();
        let cut = cut % (chars.len() + 1);
        let truncated: String = chars[..cut].iter().collect();
        check_invariants(&truncated);
        let mangled: String = chars.iter().enumerate().filter(|(i, _)| drop == 0 || i % (drop + 2) != 0).map(|(_, c)| c).collect();
        check_invariants(&mangled);
    }
}
