//! The blocks of `specs/README.md` (the spec format's guide): each YAML fragment, placed in a
//! small spec (or, for `gateway_codes`, in `common.yaml`), loads and lints clean; the block
//! listing the top-level keys names the format's keys; the page table shown imports as the
//! spec the guide says; the `check` output shown is what `check` prints. (Its command lines
//! are parsed by `src/bin/alipay-codegen/docs_check.rs`.)

use alipay_codegen::import::import_page;
use alipay_codegen::spec::{load_common_str, load_str};

use crate::diff::{codegen, manifest_dir, stderr, stdout};

/// The `lang` blocks of `specs/README.md` (fences may be indented, as in a list).
fn fenced_blocks(lang: &str) -> Vec<String> {
    let page = std::fs::read_to_string(manifest_dir().join("../specs/README.md")).unwrap();
    let fence = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.trim_end() == fence {
            let indent = line.len() - trimmed.len();
            let body: Vec<String> = lines
                .by_ref()
                .take_while(|l| l.trim() != "```")
                .map(|l| l.get(indent..).unwrap_or("").to_owned())
                .collect();
            blocks.push(body.join("\n") + "\n");
        }
    }
    blocks
}

/// The `lang` block of `specs/README.md` that contains `needle`; `what` names it when none does.
fn block_with(lang: &str, needle: &str, what: &str) -> String {
    fenced_blocks(lang)
        .into_iter()
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("{what}"))
}

/// A spec around `fragment`: the method's name and title, and (unless the fragment brings
/// its own) the request fields the fragment names: the route's, or the 特殊可选 pair.
fn spec_around(fragment: &str) -> String {
    let mut spec = "method: alipay.readme.example\ntitle: 示例\n".to_owned();
    if fragment.starts_with("  - name:") {
        spec.push_str("request:\n");
    } else if !fragment.contains("\nrequest:") && !fragment.starts_with("request:") {
        spec.push_str("request:\n");
        let names: &[&str] = if fragment.starts_with("route:") {
            &["activity_id", "merchant_id", "merchant_access_mode"]
        } else {
            &["out_trade_no", "trade_no"]
        };
        for name in names {
            spec.push_str(&format!(
                "  - name: {name}\n    type: String\n    max_length: 64\n    description: d\n"
            ));
        }
    }
    spec.push_str(fragment);
    spec
}

#[test]
fn every_fragment_of_the_format_guide_loads() {
    let blocks = fenced_blocks("yaml");
    assert!(blocks.len() >= 10, "only {} yaml blocks", blocks.len());
    let mut loaded = 0;
    for block in &blocks {
        if block.contains("request: [...]") {
            continue; // the list of top-level keys, checked below
        }
        if block.starts_with("gateway_codes:") {
            // A fragment of common.yaml: in the repository's own, instead of its codes.
            let common =
                std::fs::read_to_string(manifest_dir().join("../specs/common.yaml")).unwrap();
            let at = common
                .find("\ngateway_codes:")
                .expect("common.yaml's gateway_codes")
                + 1;
            let text = format!("{}{block}", &common[..at]);
            if let Err(problems) = load_common_str("common.yaml", &text) {
                panic!("specs/README.md: this block does not load:\n{block}\n{problems:#?}");
            }
        } else {
            let spec = spec_around(block);
            if let Err(problems) = load_str("alipay.readme.example.yaml", &spec) {
                panic!("specs/README.md: this block does not load:\n{block}\n{problems:#?}");
            }
        }
        loaded += 1;
    }
    assert_eq!(loaded, blocks.len() - 1);
}

#[test]
fn the_top_level_keys_listed_are_the_format_s() {
    let block = block_with("yaml", "request: [...]", "the top-level keys block");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("../specs/schema.json")).unwrap(),
    )
    .unwrap();
    let known = schema["properties"].as_object().expect("the schema's keys");
    let listed: Vec<&str> = block
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .collect();
    assert!(listed.len() >= 10, "{listed:?}");
    for key in &listed {
        assert!(known.contains_key(*key), "specs/README.md lists `{key}`");
    }
    // Every key of the format is listed, but for `provenance` (the table after it says when).
    for key in known.keys() {
        assert!(
            key == "provenance" || listed.contains(&key.as_str()),
            "specs/README.md does not list `{key}`"
        );
    }
}

#[test]
fn a_fragment_the_format_refuses_fails() {
    let spec = spec_around("errors:\n  - description: no code\n");
    assert!(load_str("alipay.readme.example.yaml", &spec).is_err());
}

#[test]
fn the_check_output_shown_is_what_check_prints() {
    let shown = block_with("text", ".yaml:", "the check output example");
    // The spec the example names, with line 15 (request[0]'s max_length) set to 0.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    let name = "alipay.user.agreement.auth.confirm.yaml";
    let spec = std::fs::read_to_string(manifest_dir().join("../specs").join(name)).unwrap();
    let mut lines: Vec<&str> = spec.lines().collect();
    assert_eq!(lines[14], "    max_length: 64");
    lines[14] = "    max_length: 0";
    std::fs::write(dir.path().join("specs").join(name), lines.join("\n") + "\n").unwrap();
    let out = codegen(dir.path(), &["check", &format!("specs/{name}")]);
    assert_eq!(out.status.code(), Some(1));
    let printed = format!("{}{}", stdout(&out), stderr(&out));
    for line in shown.lines() {
        assert!(
            printed.lines().any(|p| p == line),
            "specs/README.md shows `{line}`; check printed:\n{printed}"
        );
    }
}

#[test]
fn the_nested_table_shown_imports_as_a_model() {
    let table = block_with("text", "GoodsDetail[]", "the nested table example");
    let page = format!(
        "alipay.readme.example(示例)\n\n请求参数\n\n参数 类型 是否必填 最大长度 描述 示例值\n{table}"
    );
    let imported = import_page(&page);
    let field = imported
        .spec
        .request
        .iter()
        .find(|f| f.name == "goods_detail")
        .unwrap_or_else(|| panic!("{:#?}", imported.spec.request));
    assert_eq!(field.ty, "GoodsDetail[]");
    let model = &imported.spec.models["GoodsDetail"];
    let names: Vec<&str> = model.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["goods_id", "price"]);
    assert_eq!(model[0].max_length, Some(32));
}
