//! One row's first line: the name, type, 是否必填 and 最大长度 cells, and the rest of the line.

use crate::import::page::{Line, indent_width, tokens};

/// The 是否必填 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Required {
    Yes,
    No,
    /// 特殊可选, 条件必填, ...: required only sometimes.
    Conditional(String),
    Missing,
}

/// The 最大长度 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Length {
    Given(u64),
    /// `-`: no limit given.
    Dash,
    Missing,
    /// Digits that do not fit a length.
    Bad(String),
}

/// A row's first line after its name and type (and required and length cells).
#[derive(Debug, Clone)]
pub(super) enum Rest {
    /// Tab- or wide-space-separated cells.
    Cells {
        description: String,
        example: Option<String>,
        extra: Vec<String>,
    },
    /// Single-space-separated text: description and example still to be told apart.
    Text(String),
}

/// One table row: its first line parsed, its continuation lines collected.
#[derive(Debug, Clone)]
pub(super) struct Row<'a> {
    pub(super) line: usize,
    pub(super) indent: usize,
    pub(super) marks: usize,
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) required: Required,
    pub(super) length: Length,
    pub(super) rest: Rest,
    pub(super) cont: Vec<Line<'a>>,
}

pub(super) fn is_param_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Lower-case and Java spellings of the notation's types.
pub(super) fn alias(base: &str) -> Option<&'static str> {
    Some(match base {
        "string" | "str" => "String",
        "number" | "int" | "integer" | "long" | "short" | "Integer" | "Long" | "Int" | "Short" => {
            "Number"
        }
        "boolean" | "bool" | "Bool" => "Boolean",
        "date" | "datetime" | "Datetime" | "DateTime" => "Date",
        "price" => "Price",
        "file" => "File",
        _ => return None,
    })
}

pub(super) fn is_type_token(s: &str) -> bool {
    let base = s.strip_suffix("[]").unwrap_or(s);
    base.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && base.chars().all(|c| c.is_ascii_alphanumeric())
        || alias(base).is_some()
}

pub(super) fn required_marker(s: &str) -> Option<Required> {
    match s {
        "必须" | "必选" | "必填" | "是" => Some(Required::Yes),
        "可选" | "否" | "非必填" | "非必须" | "非必选" => Some(Required::No),
        "特殊可选" | "条件必填" | "条件可选" | "条件必须" | "特殊必填" => {
            Some(Required::Conditional(s.to_owned()))
        }
        _ => None,
    }
}

pub(super) fn length_token(s: &str) -> Option<Length> {
    match s {
        "-" | "—" | "－" | "--" => Some(Length::Dash),
        _ if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) => Some(
            s.parse()
                .map_or_else(|_| Length::Bad(s.to_owned()), Length::Given),
        ),
        _ => None,
    }
}

/// Splits at runs of two or more whitespace characters.
pub(super) fn wide_cells(text: &str) -> Vec<String> {
    let spans = tokens(text);
    let mut cells: Vec<String> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for &(start, end) in &spans {
        let word = &text[start..end];
        match (prev_end, cells.last_mut()) {
            (Some(prev), Some(cell)) if text[prev..start].chars().count() == 1 => {
                cell.push_str(&text[prev..start]);
                cell.push_str(word);
            }
            _ => cells.push(word.to_owned()),
        }
        prev_end = Some(end);
    }
    cells
}

pub(super) fn has_wide_gap(text: &str) -> bool {
    let spans = tokens(text);
    spans
        .windows(2)
        .any(|w| text[w[0].1..w[1].0].chars().count() >= 2)
}

/// Parses a line as the first line of a row: `[indent][└ ...] name type [required] [length] rest`.
pub(super) fn row_start<'a>(line: &Line<'a>) -> Option<Row<'a>> {
    // Long because: the columns of a row's first line, read left to right.
    let indent = indent_width(line.text);
    let mut rest = line.text.trim();
    let mut marks = 0;
    while let Some(after) = rest.strip_prefix(['└', '├', '┗', '┣']) {
        marks += 1;
        rest = after.trim_start();
    }
    let tabbed = rest.contains('\t');
    let cells: Option<Vec<String>> = if tabbed {
        Some(rest.split('\t').map(|c| c.trim().to_owned()).collect())
    } else if has_wide_gap(rest) {
        Some(wide_cells(rest))
    } else {
        None
    };
    let (name, ty, required, length, rest) = match cells {
        Some(cells) => {
            let name = cells.first()?.clone();
            let ty = cells.get(1)?.clone();
            if !is_param_name(&name) || !is_type_token(&ty) {
                return None;
            }
            let mut i = 2;
            let mut required = Required::Missing;
            let mut length = Length::Missing;
            let cell = |i: usize| cells.get(i).map_or("", String::as_str);
            if let Some(r) = required_marker(cell(i)) {
                required = r;
                i += 1;
            } else if tabbed
                && cell(i).is_empty()
                && i + 1 < cells.len()
                && (cell(i + 1).is_empty() || length_token(cell(i + 1)).is_some())
            {
                i += 1;
            }
            if let Some(l) = length_token(cell(i)) {
                length = l;
                i += 1;
            } else if tabbed && cell(i).is_empty() && i + 1 < cells.len() {
                i += 1;
            }
            let description = cell(i).to_owned();
            let example = Some(cell(i + 1).to_owned()).filter(|e| !e.is_empty());
            let extra = cells
                .iter()
                .skip(i + 2)
                .filter(|c| !c.is_empty())
                .cloned()
                .collect();
            (
                name,
                ty,
                required,
                length,
                Rest::Cells {
                    description,
                    example,
                    extra,
                },
            )
        }
        None => {
            let spans = tokens(rest);
            if spans.len() < 2 {
                return None;
            }
            let word = |i: usize| spans.get(i).map_or("", |&(s, e)| &rest[s..e]);
            let (name, ty) = (word(0), word(1));
            if !is_param_name(name) || !is_type_token(ty) {
                return None;
            }
            let mut i = 2;
            let mut required = Required::Missing;
            let mut length = Length::Missing;
            if let Some(r) = required_marker(word(i)) {
                required = r;
                i += 1;
            }
            if let Some(l) = length_token(word(i)) {
                length = l;
                i += 1;
            }
            let text = spans.get(i).map_or("", |&(s, _)| &rest[s..]);
            (
                name.to_owned(),
                ty.to_owned(),
                required,
                length,
                Rest::Text(text.to_owned()),
            )
        }
    };
    Some(Row {
        line: line.no,
        indent,
        marks,
        name,
        ty,
        required,
        length,
        rest,
        cont: Vec::new(),
    })
}
