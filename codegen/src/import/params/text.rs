//! A row's text into a field: description and example told apart, the required and length
//! cells read, doubts noted.

use std::collections::HashMap;

use crate::import::notes::{Notes, add_note};
use crate::import::page::{has_cjk, tokens};
use crate::import::split::{Confidence, split};
use crate::import::values;
use crate::spec::{Field, Location};

use super::Table;
use super::row::{Length, Required, Rest, Row};

/// A row read into a field, before its type is resolved against its children.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) line: usize,
    pub(super) level: usize,
    pub(super) raw_type: String,
    pub(super) field: Field,
    /// Notes that need the resolved field (level clamped, orphan).
    pub(super) pending: Vec<String>,
}

/// Turns a row into a field (type not yet resolved), with its indentation and `└` count.
pub(super) fn finish_row(
    row: Row<'_>,
    table: Table,
    known: &HashMap<String, String>,
    notes: &mut Notes,
) -> (Item, usize, usize) {
    // Long because: one pass over a row's cells, each step reading what the earlier ones found (type, length, required, values, note).
    let mut note: Option<String> = None;
    let known_value = known.get(&row.name).map(String::as_str);
    let mut guess: Option<String> = None;
    let (lines, example, extra) = match row.rest {
        Rest::Cells {
            description,
            example,
            extra,
        } if row.cont.is_empty() => (vec![description], example, extra),
        Rest::Text(text) if row.cont.is_empty() => {
            let got = split(&text, known_value);
            if got.confidence == Confidence::Guess {
                guess = Some(match &got.example {
                    Some(e) => format!("description and example are separated by a single space; took `{e}` as the example"),
                    None => "description and example are separated by a single space; could not find the example".to_owned(),
                });
            }
            (vec![got.description], got.example, Vec::new())
        }
        rest => {
            let (first, first_example, extra) = match rest {
                Rest::Cells {
                    description,
                    example,
                    extra,
                } => (description, example, extra),
                Rest::Text(text) => (text, None, Vec::new()),
            };
            let mut lines = vec![first];
            lines.extend(row.cont.iter().map(|l| l.text.trim().to_owned()));
            if first_example.is_some() {
                (lines, first_example, extra)
            } else {
                let last = lines.pop().unwrap_or_default();
                let example = if let Some(tab) = last.rfind('\t') {
                    lines.push(last[..tab].trim_end().to_owned());
                    Some(last[tab + 1..].trim().to_owned()).filter(|e| !e.is_empty())
                } else if tokens(&last).len() == 1 {
                    let listed = values::from_description(&lines.join("\n"));
                    if known_value == Some(last.as_str()) || listed.iter().any(|v| v.value == last)
                    {
                        Some(last)
                    } else if !has_cjk(&last) && values::value_item(&last).is_none() {
                        guess = Some(format!(
                            "took the last line `{last}` as the example (neither the request example nor the value list confirms it)"
                        ));
                        Some(last)
                    } else {
                        if values::value_item(&last).is_none() {
                            guess = Some(format!(
                                "could not tell whether the last line `{last}` is the example; kept it in the description"
                            ));
                        }
                        lines.push(last);
                        None
                    }
                } else {
                    let got = split(&last, known_value);
                    if got.confidence == Confidence::Guess {
                        guess = Some(match &got.example {
                            Some(e) => format!("description and example are separated by a single space; took `{e}` as the example"),
                            None => "description and example are separated by a single space; could not find the example".to_owned(),
                        });
                    }
                    lines.push(got.description);
                    got.example
                };
                (lines, example, extra)
            }
        }
    };
    let description = lines
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned();
    let description = description.trim().to_owned();
    // Rows of the public tables are mostly dropped: their doubts are only noted on the field,
    // and become a warning if the caller keeps the field.
    let mut flag = |note: &mut Option<String>, line: usize, message: String| {
        if table == Table::Public {
            add_note(note, line, &message);
        } else {
            notes.on(note, line, message);
        }
    };
    if let Some(g) = guess {
        flag(&mut note, row.line, g);
    }
    if !extra.is_empty() {
        flag(
            &mut note,
            row.line,
            format!("extra column(s) not placed: {}", extra.join(" | ")),
        );
    }
    let required = match row.required {
        Required::Yes => true,
        Required::No => false,
        Required::Conditional(marker) => {
            flag(
                &mut note,
                row.line,
                format!(
                    "the page marks it `{marker}` (required only in some cases); set required: false"
                ),
            );
            false
        }
        Required::Missing => {
            if table == Table::Request {
                flag(
                    &mut note,
                    row.line,
                    "the page gives no 是否必填 (required) for it; set required: false".to_owned(),
                );
            }
            false
        }
    };
    let max_length = match row.length {
        Length::Given(0) => {
            flag(
                &mut note,
                row.line,
                "the page gives a maximum length of 0; left out".to_owned(),
            );
            None
        }
        Length::Given(n) => Some(n),
        Length::Dash | Length::Missing => None,
        Length::Bad(text) => {
            flag(
                &mut note,
                row.line,
                format!("the maximum length `{text}` is not a usable number; left out"),
            );
            None
        }
    };
    let field = Field {
        name: row.name,
        rust_name: None,
        ty: row.ty.clone(),
        required,
        max_length,
        format: None,
        description,
        example,
        values: Vec::new(),
        location: Location::BizContent,
        note,
        source: None,
    };
    let item = Item {
        line: row.line,
        level: 0,
        raw_type: row.ty,
        field,
        pending: Vec::new(),
    };
    (item, row.indent, row.marks)
}
