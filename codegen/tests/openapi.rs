//! `alipay-codegen import-openapi`: Alipay's OpenAPI document (YAML and JSON alike) into the
//! specs: routes, error codes and the fields a spec lacks, added with their source, nothing
//! a spec says changed, comments kept; importing again changes nothing; and the committed
//! specs hold everything the shared document (747 operations) says.

use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_codegen::import::openapi::{SpecChange, import_openapi, source};
use alipay_codegen::spec::{self, Body, HttpMethod, Provenance};

use crate::common::scratch;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi")
}

/// A copy of the fixture specs folder, to import into.
fn specs_copy() -> tempfile::TempDir {
    let dir = scratch();
    for rel in [
        "alipay.demo.order.query.yaml",
        "sdk/alipay.demo.image.upload.yaml",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join("specs").join(rel), to).unwrap();
    }
    dir
}

fn import(doc: &str, specs: &Path) -> alipay_codegen::import::openapi::OpenapiImport {
    let path = fixtures().join(doc);
    let text = std::fs::read_to_string(&path).unwrap();
    import_openapi(&path, &text, specs).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn yaml_and_json_forms_import_the_same() {
    let (a, b) = (specs_copy(), specs_copy());
    let yaml = import("openapi.yaml", a.path());
    let json = import("openapi.json", b.path());
    // An unquoted date is the version, as text.
    assert_eq!(yaml.version, "2026-09-23");
    assert_eq!(yaml, json);
    let changes: Vec<(&str, SpecChange)> = yaml
        .specs
        .iter()
        .map(|s| (s.method.as_str(), s.change))
        .collect();
    assert_eq!(
        changes,
        [
            ("alipay.demo.image.upload", SpecChange::Updated),
            ("alipay.demo.order.query", SpecChange::Updated),
            ("ant.demo.expand.order.query", SpecChange::New),
        ]
    );
}

#[test]
fn facts_are_added_with_their_source_and_nothing_is_changed() {
    // Long because: one import into one folder, then each kind of fact it adds (and keeps) checked in turn.
    let dir = specs_copy();
    let curated_path = dir.path().join("alipay.demo.order.query.yaml");
    let before = std::fs::read_to_string(&curated_path).unwrap();
    let plan = import("openapi.yaml", dir.path());
    plan.write(dir.path()).unwrap();
    let src = source("2026-09-23");

    // The doc-page spec: its text is kept line for line (its comments too); the route and the
    // codes and fields it lacked are added after it.
    let after = std::fs::read_to_string(&curated_path).unwrap();
    let kept: Vec<&str> = before.lines().collect();
    let now: Vec<&str> = after.lines().collect();
    let mut at = 0;
    for line in &kept {
        let found = now[at..].iter().position(|l| l == line);
        at += found.unwrap_or_else(|| panic!("line {line:?} lost:\n{after}")) + 1;
    }
    let spec = spec::load_file(&curated_path).unwrap();
    let out_trade_no = &spec.request[0];
    assert!(out_trade_no.required && out_trade_no.max_length == Some(64));
    assert_eq!(out_trade_no.description, "商户订单号,由商家自定义");
    assert_eq!(out_trade_no.source, None);
    let goods = spec.request.iter().find(|f| f.name == "goods").unwrap();
    assert_eq!(
        (goods.ty.as_str(), goods.source.as_deref()),
        ("GoodsDetail[]", Some(src.as_str()))
    );
    let model = &spec.models["GoodsDetail"];
    assert_eq!(
        model.iter().map(|f| f.ty.as_str()).collect::<Vec<_>>(),
        ["String", "Number"]
    );
    assert!(
        model
            .iter()
            .all(|f| f.source.as_deref() == Some(src.as_str()))
    );
    // The response field the page has keeps its description; the one it lacks is added.
    assert_eq!(spec.response[0].description, "交易状态:WAIT_BUYER_PAY");
    assert_eq!(spec.response[1].name, "paid");
    // The page's code keeps its texts; the document's other code is added, the common
    // (gateway) codes are not.
    let codes: Vec<(&str, Option<&str>)> = spec
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e.source.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            ("ACQ.TRADE_NOT_EXIST", None),
            ("ACQ.SYSTEM_ERROR", Some(src.as_str()))
        ]
    );
    assert_eq!(spec.errors[0].solution, "检查传入的交易号是否正确");
    let route = spec.route.as_ref().unwrap();
    assert_eq!(
        (route.http_method, route.path.as_str(), route.body, route.v2),
        (
            HttpMethod::Post,
            "/v3/alipay/demo/order/query",
            Body::Json,
            true
        )
    );
    assert_eq!(route.source.as_deref(), Some(src.as_str()));

    // The SDK-layer spec: a multipart body whose file is a part of its own.
    let sdk = spec::load_file(dir.path().join("sdk/alipay.demo.image.upload.yaml")).unwrap();
    assert_eq!(sdk.route.as_ref().unwrap().body, Body::Multipart);
    let file = sdk
        .request
        .iter()
        .find(|f| f.name == "image_content")
        .unwrap();
    assert_eq!(file.ty, "File");

    // A method only the document has: a spec of its own, the path not spelling its name,
    // the path parameter a required field, `auth_token` only in the query (the public
    // parameter), an empty answer.
    let new = spec::load_file(dir.path().join("ant.demo.expand.order.query.yaml")).unwrap();
    assert_eq!(new.provenance, Provenance::Openapi);
    let route = new.route.as_ref().unwrap();
    assert_eq!(
        (route.http_method, route.path.as_str(), route.body, route.v2),
        (
            HttpMethod::Get,
            "/v3/ant/demo/order/{order_id}",
            Body::None,
            false
        )
    );
    assert_eq!(route.query, ["auth_token", "page_size"]);
    let names: Vec<(&str, &str, bool)> = new
        .request
        .iter()
        .map(|f| (f.name.as_str(), f.ty.as_str(), f.required))
        .collect();
    assert_eq!(
        names,
        [("order_id", "String", true), ("page_size", "Number", false)]
    );
    assert_eq!(new.request[1].example.as_deref(), Some("20"));
    assert!(new.response.is_empty() && new.errors.is_empty());
    assert!(
        new.request.iter().all(|f| f.source.is_none()),
        "its own source"
    );

    // Everything imported generates.
    let loaded = spec::load_dir(dir.path());
    assert!(loaded.is_clean(), "{:#?}", loaded.diagnostics);
    alipay_codegen::generate::generate_files(loaded.specs.iter().map(|(_, s)| s)).unwrap();

    // Importing again changes nothing.
    let again = import("openapi.yaml", dir.path());
    assert!(
        again
            .specs
            .iter()
            .all(|s| s.change == SpecChange::Unchanged)
    );
}

fn codegen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_alipay-codegen"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_cli_writes_checks_and_refuses() {
    let dir = specs_copy();
    let specs = dir.path().to_str().unwrap();
    let doc = fixtures().join("openapi.yaml");
    let doc = doc.to_str().unwrap();
    let check = codegen(&["import-openapi", doc, "--specs", specs, "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("ant.demo.expand.order.query.yaml: new"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 operation(s) of document 2026-09-23: 1 new, 2 updated, 0 unchanged")
    );
    let write = codegen(&["import-openapi", doc, "--specs", specs]);
    assert_eq!(
        write.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&write.stderr)
    );
    assert_eq!(
        codegen(&["import-openapi", doc, "--specs", specs, "--check"])
            .status
            .code(),
        Some(0)
    );
    // Missing inputs are usage errors; a document that is not one is a problem, with its
    // position, and nothing is written.
    assert_eq!(
        codegen(&["import-openapi", "/nonexistent.yaml", "--specs", specs])
            .status
            .code(),
        Some(2)
    );
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "openapi: 3.0.3\ninfo: {version: 1}\npaths:\n  /v3/x:\n    get: {operationId: Not A Name}\n").unwrap();
    let out = codegen(&["import-openapi", bad.to_str().unwrap(), "--specs", specs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("operationId `Not A Name` is not a method name")
    );
    std::fs::write(&bad, "openapi: [\n").unwrap();
    let out = codegen(&["import-openapi", bad.to_str().unwrap(), "--specs", specs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("{}:", bad.display())));
}

/// Every one of the 747 operations of the shared document is in the committed specs: importing
/// it again changes nothing (and so every operation imports and passes the checker).
#[test]
fn the_committed_specs_hold_the_shared_document() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/openapi-v3/openapi.json");
    let text = std::fs::read_to_string(&doc).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the tests need ../shared beside the repository)",
            doc.display()
        )
    });
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let import = import_openapi(&doc, &text, &specs).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(import.specs.len(), 747);
    let changed: Vec<&str> = import
        .specs
        .iter()
        .filter(|s| s.change != SpecChange::Unchanged)
        .map(|s| s.method.as_str())
        .collect();
    assert!(
        changed.is_empty(),
        "run `alipay-codegen import-openapi`: {changed:?}"
    );
    let with_errors = import
        .specs
        .iter()
        .filter(|s| {
            spec::load_str(&s.file.display().to_string(), &s.text)
                .is_ok_and(|spec| !spec.errors.is_empty())
        })
        .count();
    assert!(with_errors >= 730, "{with_errors} methods with error codes");
}
