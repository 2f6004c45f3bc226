//! The run-time validation through a method's IR (`alipay_codegen::validate`, what the
//! `alipay` command and its gateway use for every method of the catalog) agrees with the
//! generated code (`validate_request`: `request_from_json`, then `Check::check`) on the same
//! inputs, for every method compiled into this test: field by field, the valid value, each
//! way of breaking it, nested models included.
//!
//! By default that is every doc-page spec (feature `curated`); `cargo test --test integration
//! --features trade ir_agrees::` (any group, or several) runs it over the SDK-model specs of
//! those groups as well.

use std::collections::BTreeSet;
use std::path::Path;

use alipay_codegen::ir::{DateFormat, FieldIr, MethodIr, StructIr, TypeIr};
use alipay_codegen::spec::Location;
use alipay_codegen::validate;
use serde_json::{Map, Value, json};

/// A value of `ty` that passes every rule of `f`.
fn valid(m: &MethodIr, f: &FieldIr, ty: &TypeIr, depth: usize) -> Value {
    match ty {
        TypeIr::String => {
            let n = f.max_length.map_or(3, |n| n.min(3)) as usize;
            Value::String("x".repeat(n.max(1)))
        }
        TypeIr::Enum(e) => {
            let first = m.enums.get(e).and_then(|e| e.variants.first());
            Value::String(first.map_or("x".to_owned(), |v| v.value.clone()))
        }
        TypeIr::Number => match f.values.first() {
            Some(v) => v.value.parse::<i64>().map_or(json!(1), Value::from),
            None => json!(1),
        },
        TypeIr::Boolean => json!(f.values.first().is_none_or(|v| v.value == "true")),
        TypeIr::Price => Value::String(
            f.values
                .first()
                .map_or("0.01".to_owned(), |v| v.value.clone()),
        ),
        TypeIr::Date(DateFormat::DateTime) => json!("2024-01-02 03:04:05"),
        TypeIr::Date(DateFormat::Date) => json!("2024-01-02"),
        TypeIr::File => Value::Null,
        TypeIr::Model(model) => match m.models.get(model) {
            Some(s) if depth < 4 => Value::Object(object(m, s, depth + 1, true)),
            _ => json!({}),
        },
        TypeIr::List(inner) => json!([valid(m, f, inner, depth)]),
    }
}

/// Every field of `s` with a valid value (or only the required ones).
fn object(m: &MethodIr, s: &StructIr, depth: usize, all: bool) -> Map<String, Value> {
    s.fields
        .iter()
        .filter(|f| f.ty.element() != &TypeIr::File && (all || f.required))
        .map(|f| (f.wire.clone(), valid(m, f, &f.ty, depth)))
        .collect()
}

/// Ways of breaking a field's value (and some that are fine).
fn variants(f: &FieldIr) -> Vec<Option<Value>> {
    let long = f.max_length.map_or(5, |n| n as usize + 1);
    let mut out = vec![
        None,
        Some(Value::Null),
        Some(json!(5)),
        Some(json!(-3)),
        Some(json!(1.5)),
        Some(json!(2.0)),
        Some(json!(18446744073709551615u64)),
        Some(json!("12")),
        Some(json!(" 7 ")),
        Some(json!("")),
        Some(json!("  ")),
        Some(json!("Y")),
        Some(json!("true")),
        Some(json!(true)),
        Some(json!("0.015")),
        Some(json!("abc")),
        Some(json!("2024-13-01 00:00:00")),
        Some(json!("2024-02-30")),
        Some(json!("NOT_A_LISTED_VALUE")),
        Some(Value::String("a".repeat(long))),
        Some(Value::String("中".repeat(long))),
        Some(json!([])),
        Some(json!([1, "x"])),
        Some(json!(["x", "a".repeat(long)])),
        Some(json!({})),
        Some(json!({"x": 1})),
    ];
    for v in &f.values {
        out.push(Some(Value::String(v.value.clone())));
    }
    out
}

fn same(
    m: &MethodIr,
    descriptor: &alipay_openapi::MethodDescriptor,
    biz: Option<&Value>,
    form: &[(String, String)],
    what: &str,
) -> usize {
    let generated = (descriptor.validate_request)(biz, form);
    let from_ir = validate::validate(m, biz, form, true).map(|_| ());
    assert_eq!(
        from_ir, generated,
        "{}: {what}: the IR and the generated code disagree on biz_content {biz:?}, form {form:?}",
        m.method
    );
    1
}

/// One step from a request to a nested model: a field, then the first item when a list.
type Step = (String, bool);

/// The object at `path` inside `value`.
fn at<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Map<String, Value>> {
    let mut here = value;
    for (field, list) in path {
        here = here.as_object_mut()?.get_mut(field)?;
        if *list {
            here = here.get_mut(0)?;
        }
    }
    here.as_object_mut()
}

/// Breaks each field of `s` in every way (in place in `base` at `path`), recursing into
/// models; returns how many inputs were compared.
fn each_field(
    m: &MethodIr,
    descriptor: &alipay_openapi::MethodDescriptor,
    s: &StructIr,
    base: &Value,
    path: &[Step],
) -> usize {
    let mut n = 0;
    for f in &s.fields {
        for variant in variants(f) {
            let mut input = base.clone();
            let Some(object) = at(&mut input, path) else {
                continue;
            };
            match variant {
                None => {
                    object.remove(&f.wire);
                }
                Some(v) => {
                    object.insert(f.wire.clone(), v);
                }
            }
            n += same(
                m,
                descriptor,
                Some(&input),
                &[],
                &format!("field {}", f.wire),
            );
        }
        if f.location == Location::Form && path.is_empty() {
            for text in ["", "x", "5", "{}", "[]", "{\"a\":1}", "not json"] {
                let form = [(f.wire.clone(), text.to_owned())];
                n += same(
                    m,
                    descriptor,
                    Some(base),
                    &form,
                    &format!("form {}", f.wire),
                );
            }
        }
        if let (TypeIr::Model(model), true) = (f.ty.element(), path.len() < 2)
            && let Some(inner) = m.models.get(model)
        {
            let list = matches!(f.ty, TypeIr::List(_));
            let mut deeper = path.to_vec();
            deeper.push((f.wire.clone(), list));
            n += each_field(m, descriptor, inner, base, &deeper);
            // The model given as an array of its fields' values, as serde also reads it.
            let values: Vec<Value> = inner
                .fields
                .iter()
                .filter(|f| f.ty.element() != &TypeIr::File)
                .map(|f| valid(m, f, &f.ty, path.len() + 1))
                .collect();
            for cut in [0, values.len() / 2, values.len()] {
                let mut input = base.clone();
                let Some(object) = at(&mut input, path) else {
                    continue;
                };
                let array = Value::Array(values[..cut].to_vec());
                let value = if list { json!([array]) } else { array };
                object.insert(f.wire.clone(), value);
                n += same(m, descriptor, Some(&input), &[], "model as an array");
            }
        }
    }
    n
}

#[test]
fn ir_validation_agrees_with_the_generated_code() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let compiled: BTreeSet<&str> = alipay_openapi::METHODS.iter().map(|d| d.method).collect();
    // Only the files of the compiled methods are read (the catalog is large in debug builds).
    let report = alipay_codegen::spec::load_dir_where(&specs, |p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| compiled.contains(s))
    });
    assert!(report.is_clean(), "{:?}", report.diagnostics);
    let mut inputs = 0;
    let mut methods = 0;
    for (_, spec) in &report.specs {
        let Some(descriptor) = alipay_openapi::find_method(&spec.method) else {
            continue;
        };
        let m = alipay_codegen::ir::lower_one(spec).unwrap();
        methods += 1;
        let full = Value::Object(object(&m, &m.request, 0, true));
        let required = Value::Object(object(&m, &m.request, 0, false));
        inputs += same(&m, descriptor, Some(&full), &[], "every field valid");
        inputs += same(&m, descriptor, Some(&required), &[], "the required fields");
        inputs += same(&m, descriptor, None, &[], "no biz_content");
        for odd in [json!([]), json!("x"), json!(1), Value::Null] {
            inputs += same(&m, descriptor, Some(&odd), &[], "biz_content not an object");
        }
        let mut unknown = full.clone();
        if let Some(o) = unknown.as_object_mut() {
            o.insert("not_a_field_of_any_spec".into(), json!(1));
        }
        inputs += same(&m, descriptor, Some(&unknown), &[], "an unknown key");
        inputs += each_field(&m, descriptor, &m.request, &full, &[]);
        inputs += each_field(&m, descriptor, &m.request, &required, &[]);
    }
    assert_eq!(
        methods,
        compiled.len(),
        "every compiled method has its spec"
    );
    assert!(
        inputs > methods * 10,
        "{inputs} inputs for {methods} methods"
    );
    eprintln!("{methods} methods, {inputs} inputs: the IR and the generated code agree");
}

#[test]
fn unknown_fields_are_named_with_the_closest_known_one() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let spec =
        alipay_codegen::spec::load_file(specs.join("alipay.user.agreement.auth.confirm.yaml"))
            .unwrap();
    let m = alipay_codegen::ir::lower_one(&spec).unwrap();
    let err = validate::unknown_fields(&m, Some(&json!({"agreement_num": "1"}))).unwrap_err();
    assert_eq!(err.field, "agreement_num");
    assert_eq!(
        err.to_string(),
        "field `agreement_num` is not a field of this method (did you mean `agreement_no`?)"
    );
    let far = validate::unknown_fields(&m, Some(&json!({"zzz": "1"}))).unwrap_err();
    assert_eq!(far.to_string(), "field `zzz` is not a field of this method");
    assert!(validate::unknown_fields(&m, Some(&json!({"agreement_no": "1"}))).is_ok());
}
