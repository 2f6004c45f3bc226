//! A field's type resolved against the notation and its children; models defined.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;

use crate::import::notes::Notes;
use crate::import::page::fold;
use crate::import::values;
use crate::spec::{Field, Location, is_model_name};

use super::Context;
use super::row::alias;
use super::text::Item;

/// How a type as printed reads in the notation.
pub(super) enum Kind {
    Builtin(&'static str),
    Model(String),
    Other,
}

pub(super) fn kind(base: &str) -> Kind {
    match base {
        "String" => Kind::Builtin("String"),
        "Number" => Kind::Builtin("Number"),
        "Price" => Kind::Builtin("Price"),
        "Boolean" => Kind::Builtin("Boolean"),
        "Date" => Kind::Builtin("Date"),
        "File" => Kind::Builtin("File"),
        "Object" | "JSON" | "Json" | "JSONObject" | "Map" | "Array" | "List" => Kind::Other,
        _ => match alias(base) {
            Some(b) => Kind::Builtin(b),
            None if is_model_name(base) => Kind::Model(base.to_owned()),
            None => Kind::Other,
        },
    }
}

pub(super) fn model_name_for(field: &str) -> String {
    let name = field.to_upper_camel_case();
    if is_model_name(&name) {
        name
    } else {
        format!(
            "Model{}",
            name.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        )
    }
}

/// Resolves a field's type against the notation and its children, then its values and format.
pub(super) fn resolve(
    field: &mut Field,
    item: &Item,
    children: Vec<Field>,
    has_children: bool,
    ctx: &mut Context<'_>,
    notes: &mut Notes,
) {
    let models = &mut ctx.models;
    let raw = item.raw_type.as_str();
    let (base, array) = match raw.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (raw, ""),
    };
    let line = item.line;
    let resolved_base = match (kind(base), has_children) {
        (Kind::Model(name), true) => {
            define_model(field, &name, children, models, notes, line);
            name
        }
        (_, true) => {
            let name = model_name_for(&field.name);
            notes.on(
                &mut field.note,
                line,
                format!(
                    "the page types it `{raw}` and lists fields under it; they form model `{name}`"
                ),
            );
            define_model(field, &name, children, models, notes, line);
            name
        }
        (Kind::Builtin(b), false) => {
            if b != base {
                notes.on(
                    &mut field.note,
                    line,
                    format!("the page writes the type as `{base}`; written as `{b}`"),
                );
            }
            b.to_owned()
        }
        (Kind::Model(name), false) => {
            ctx.references.entry(name.clone()).or_insert(line);
            name
        }
        (Kind::Other, false) => {
            notes.on(&mut field.note, line, format!("the page's type `{raw}` is not in the spec notation and no fields are listed under it; set to String"));
            "String".to_owned()
        }
    };
    field.ty = format!("{resolved_base}{array}");
    let listed = values::from_description(&field.description);
    if resolved_base == "String" {
        field.values = listed;
    } else if !listed.is_empty() {
        let list: Vec<&str> = listed.iter().map(|v| v.value.as_str()).collect();
        notes.on(
            &mut field.note,
            line,
            format!(
                "the description lists values ({}) but the type is {}; not kept as `values`",
                list.join(", "),
                field.ty
            ),
        );
    }
    if resolved_base == "Date" {
        let folded = fold(&field.description);
        if folded.contains("yyyy-MM-dd") && !folded.contains("HH") {
            field.format = Some("yyyy-MM-dd".to_owned());
        }
    }
    if resolved_base == "File" {
        field.location = Location::Form;
    }
}

pub(super) fn define_model(
    field: &mut Field,
    name: &str,
    children: Vec<Field>,
    models: &mut BTreeMap<String, Vec<Field>>,
    notes: &mut Notes,
    line: usize,
) {
    match models.get(name) {
        Some(existing) if *existing != children => {
            notes.on(
                &mut field.note,
                line,
                format!(
                    "model `{name}` is listed again here with other fields; kept the first listing"
                ),
            );
        }
        Some(_) => {}
        None => {
            models.insert(name.to_owned(), children);
        }
    }
}
