//! Checking and generating cost time linear in the size of the input: each input below is
//! large enough that a quadratic step (a list scanned for every entry) makes its test take
//! minutes, and small enough that the linear code takes well under a second, also in a debug
//! build. The figures themselves are measured in `bench/run.sh`, not here.

use std::fmt::Write as _;

use alipay_codegen::generate::generate_files;
use alipay_codegen::spec::load_str;

const N: usize = 10_000;
const FILE: &str = "alipay.scale.big.query.yaml";

fn header() -> String {
    "method: alipay.scale.big.query\ntitle: t\nversion: \"1.0\"\n".to_owned()
}

/// Appends models `M0` to `M{count - 1}`, each with one field `f` of the next model's type,
/// the last one's a `String`.
fn push_model_chain(yaml: &mut String, count: usize) {
    for i in 0..count {
        let ty = if i + 1 < count {
            format!("M{}", i + 1)
        } else {
            "String".to_owned()
        };
        writeln!(yaml, "  M{i}:\n    - name: f\n      type: {ty}").unwrap();
    }
}

#[test]
fn unknown_keys_are_each_reported_in_linear_time() {
    let mut yaml = header();
    yaml.push_str("request:\n  - name: a\n    type: String\n");
    for i in 0..N {
        writeln!(yaml, "    k{i}: x").unwrap();
    }
    let problems = load_str(FILE, &yaml).expect_err("unknown keys");
    assert_eq!(problems.len(), N);
    assert_eq!(
        problems[N - 1].message,
        format!(
            "unknown key `k{}`; expected one of `name`, `rust_name`, `type`, `required`, `max_length`, `format`, `description`, `example`, `values`, `in`, `note`, `source`",
            N - 1
        )
    );
}

#[test]
fn many_models_check_in_linear_time() {
    let mut yaml = header();
    yaml.push_str("request:\n  - name: a\n    type: M0\nmodels:\n");
    push_model_chain(&mut yaml, N);
    let spec = load_str(FILE, &yaml).expect("a chain of models is clean");
    assert_eq!(spec.models.len(), N);
}

#[test]
fn many_unused_models_are_reported_in_linear_time() {
    let mut yaml = header();
    yaml.push_str("request:\n  - name: a\n    type: String\nmodels:\n");
    for i in 0..N {
        writeln!(yaml, "  M{i}:\n    - name: f\n      type: String").unwrap();
    }
    let problems = load_str(FILE, &yaml).expect_err("unused models");
    assert_eq!(problems.len(), N);
    assert_eq!(problems[N - 1].line, 8 + 3 * (N - 1));
    assert_eq!(problems[N - 1].path, format!("models.M{}", N - 1));
}

#[test]
fn many_unknown_types_among_many_models_are_reported_in_linear_time() {
    let mut yaml = header();
    yaml.push_str("request:\n");
    for i in 0..N {
        writeln!(yaml, "  - name: f{i}\n    type: Q{i}x").unwrap();
    }
    yaml.push_str("  - name: m\n    type: M0\nmodels:\n");
    push_model_chain(&mut yaml, 2_000);
    let problems = load_str(FILE, &yaml).expect_err("unknown types");
    assert_eq!(problems.len(), N);
    assert!(
        problems
            .iter()
            .all(|p| p.message.starts_with("unknown model `Q")),
        "{}",
        problems[0]
    );
}

#[test]
fn many_fields_lower_in_linear_time() {
    const FIELDS: usize = 30_000;
    let mut yaml = header();
    yaml.push_str("request:\n");
    for i in 0..FIELDS {
        writeln!(yaml, "  - name: f{i}\n    type: String").unwrap();
    }
    let spec = load_str(FILE, &yaml).expect("clean");
    let ir = alipay_codegen::ir::lower([&spec]).expect("lowers");
    let request = &ir.methods["alipay.scale.big.query"].request;
    assert_eq!(request.fields.len(), FIELDS);
    assert_eq!(request.fields[FIELDS - 1].ident, format!("f{}", FIELDS - 1));
}

#[test]
fn many_fields_with_values_generate() {
    const FIELDS: usize = 1_000;
    let mut yaml = header();
    yaml.push_str("request:\n");
    for i in 0..FIELDS {
        writeln!(
            yaml,
            "  - name: f{i}\n    type: String\n    required: true\n    values:\n      - value: v{i}"
        )
        .unwrap();
    }
    let spec = load_str(FILE, &yaml).expect("clean");
    let files = generate_files([&spec]).expect("generates");
    let text: String = files.values().cloned().collect();
    assert!(
        text.contains(&format!("pub f{}: F{}", FIELDS - 1, FIELDS - 1)),
        "the last field"
    );
}

#[test]
fn a_deep_chain_of_shared_models_lowers_in_linear_time() {
    // Every model is used by the request and the response, and only the deepest requires a
    // field: each one needs a response-side twin, found through the whole chain.
    const DEPTH: usize = 5_000;
    let mut yaml = header();
    yaml.push_str(
        "request:\n  - name: a\n    type: M0\nresponse:\n  - name: b\n    type: M0\nmodels:\n",
    );
    for i in 0..DEPTH {
        let (ty, required) = if i + 1 < DEPTH {
            (format!("M{}", i + 1), false)
        } else {
            ("String".to_owned(), true)
        };
        writeln!(
            yaml,
            "  M{i}:\n    - name: f\n      type: {ty}\n      required: {required}"
        )
        .unwrap();
    }
    let spec = load_str(FILE, &yaml).expect("clean");
    let ir = alipay_codegen::ir::lower([&spec]).expect("lowers");
    let method = &ir.methods["alipay.scale.big.query"];
    assert_eq!(method.models.len(), 2 * DEPTH, "each model and its twin");
}
