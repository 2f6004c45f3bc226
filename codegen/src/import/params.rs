//! Parameter tables (参数 / 类型 / 是否必填 / 最大长度 / 描述 / 示例值): rows separated by tabs or
//! by spaces, descriptions running over several lines, nesting by `└` or indentation, object
//! types turned into `models`.

use std::collections::{BTreeMap, HashMap};

use heck::ToUpperCamelCase;

use crate::spec::{Field, Location, is_model_name};

use super::notes::Notes;
use super::page::{Line, fold, has_cjk, indent_width, is_blank, is_chrome, tokens};
use super::split::{Confidence, split};
use super::values;

/// Deeper nesting than any page uses; deeper rows are kept at this depth (and noted).
const MAX_DEPTH: usize = 32;

/// Which kind of table the rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// 请求参数: a missing 是否必填 is noted.
    Request,
    /// 响应参数.
    Response,
    /// 公共请求参数 / 公共响应参数: read to consume their rows; the caller decides what to keep.
    Public,
}

/// The 是否必填 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Required {
    Yes,
    No,
    /// 特殊可选, 条件必填, ...: required only sometimes.
    Conditional(String),
    Missing,
}

/// The 最大长度 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Length {
    Given(u64),
    /// `-`: no limit given.
    Dash,
    Missing,
    /// Digits that do not fit a length.
    Bad(String),
}

/// A row's first line after its name and type (and required and length cells).
#[derive(Debug, Clone)]
enum Rest {
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
struct Row<'a> {
    line: usize,
    indent: usize,
    marks: usize,
    name: String,
    ty: String,
    required: Required,
    length: Length,
    rest: Rest,
    cont: Vec<Line<'a>>,
}

/// A row read into a field, before its type is resolved against its children.
#[derive(Debug, Clone)]
struct Item {
    line: usize,
    level: usize,
    raw_type: String,
    field: Field,
    /// Notes that need the resolved field (level clamped, orphan).
    pending: Vec<String>,
}

fn is_param_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Lower-case and Java spellings of the notation's types.
fn alias(base: &str) -> Option<&'static str> {
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

fn is_type_token(s: &str) -> bool {
    let base = s.strip_suffix("[]").unwrap_or(s);
    base.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && base.chars().all(|c| c.is_ascii_alphanumeric())
        || alias(base).is_some()
}

fn required_marker(s: &str) -> Option<Required> {
    match s {
        "必须" | "必选" | "必填" | "是" => Some(Required::Yes),
        "可选" | "否" | "非必填" | "非必须" | "非必选" => Some(Required::No),
        "特殊可选" | "条件必填" | "条件可选" | "条件必须" | "特殊必填" => {
            Some(Required::Conditional(s.to_owned()))
        }
        _ => None,
    }
}

fn length_token(s: &str) -> Option<Length> {
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
fn wide_cells(text: &str) -> Vec<String> {
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

fn has_wide_gap(text: &str) -> bool {
    let spans = tokens(text);
    spans
        .windows(2)
        .any(|w| text[w[0].1..w[1].0].chars().count() >= 2)
}

/// Parses a line as the first line of a row: `[indent][└ ...] name type [required] [length] rest`.
fn row_start<'a>(line: &Line<'a>) -> Option<Row<'a>> {
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

fn is_header(line: &str) -> bool {
    let folded = fold(line);
    let squeezed: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.starts_with("参数") && squeezed.contains("类型")
}

/// What the tables of one page share.
#[derive(Debug)]
pub(crate) struct Context<'k> {
    /// The values the request example sends, by parameter name.
    pub known: &'k HashMap<String, String>,
    /// The models found so far.
    pub models: BTreeMap<String, Vec<Field>>,
    /// For each model a field names, the page line of the first such field.
    pub references: BTreeMap<String, usize>,
}

/// A field with the page line of its row.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    /// The page line of the row's first line.
    pub line: usize,
    /// The field.
    pub field: Field,
}

/// Reads the rows of a table section. Models found on the way go into `ctx.models`.
pub(crate) fn parse_table(
    body: &[Line<'_>],
    table: Table,
    ctx: &mut Context<'_>,
    notes: &mut Notes,
) -> Vec<Located> {
    let known = ctx.known;
    let mut rows: Vec<Row<'_>> = Vec::new();
    for line in body {
        if is_blank(line.text) || is_chrome(line.text) || is_header(line.text) {
            continue;
        }
        if let Some(row) = row_start(line) {
            rows.push(row);
        } else if let Some(row) = rows.last_mut() {
            row.cont.push(*line);
        } else {
            notes.spec(
                line.no,
                format!(
                    "text before the first parameter row, not placed: {}",
                    line.text.trim()
                ),
            );
        }
    }
    let items = levels(
        rows.into_iter()
            .map(|row| finish_row(row, table, known, notes))
            .collect(),
    );
    let mut i = 0;
    let mut out = Vec::new();
    while i < items.len() {
        let level = items[i].level;
        out.extend(build(&items, &mut i, level, ctx, notes));
    }
    out
}

/// Assigns each row its nesting level (from `└` marks, else from indentation), each at most one
/// deeper than the row before and at most [`MAX_DEPTH`].
fn levels(mut rows: Vec<(Item, usize, usize)>) -> Vec<Item> {
    let use_marks = rows.iter().any(|(_, _, marks)| *marks > 0);
    let mut stack: Vec<usize> = Vec::new();
    let mut prev: Option<usize> = None;
    for (item, indent, marks) in &mut rows {
        let raw = if use_marks {
            *marks
        } else {
            match stack.last().copied() {
                None => {
                    stack.push(*indent);
                    0
                }
                Some(top) if *indent > top => {
                    if stack.len() <= MAX_DEPTH {
                        stack.push(*indent);
                    }
                    stack.len() - 1
                }
                Some(_) => {
                    while stack.len() > 1 && stack.last().is_some_and(|&top| *indent < top) {
                        stack.pop();
                    }
                    stack.len() - 1
                }
            }
        };
        let limit = prev.map_or(0, |p| p + 1).min(MAX_DEPTH);
        if raw > limit {
            item.pending.push(if prev.is_none() {
                "the row is marked as nested, but no row above it holds it; kept at the top level".to_owned()
            } else {
                format!("the row is nested {raw} levels deep, deeper than the row above allows; kept at level {limit}")
            });
        }
        item.level = raw.min(limit);
        prev = Some(item.level);
    }
    rows.into_iter().map(|(item, _, _)| item).collect()
}

/// Turns a row into a field (type not yet resolved), with its indentation and `└` count.
fn finish_row(
    row: Row<'_>,
    table: Table,
    known: &HashMap<String, String>,
    notes: &mut Notes,
) -> (Item, usize, usize) {
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
            super::notes::add_note(note, line, &message);
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

/// How a type as printed reads in the notation.
enum Kind {
    Builtin(&'static str),
    Model(String),
    Other,
}

fn kind(base: &str) -> Kind {
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

fn model_name_for(field: &str) -> String {
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

/// Builds the fields at `level` from `items[*i..]`, recursing into children.
fn build(
    items: &[Item],
    i: &mut usize,
    level: usize,
    ctx: &mut Context<'_>,
    notes: &mut Notes,
) -> Vec<Located> {
    let mut out: Vec<Located> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    while let Some(item) = items.get(*i) {
        if item.level < level {
            break;
        }
        *i += 1;
        let has_children = items.get(*i).is_some_and(|next| next.level > item.level);
        let children: Vec<Field> = if has_children {
            build(items, i, item.level + 1, ctx, notes)
                .into_iter()
                .map(|l| l.field)
                .collect()
        } else {
            Vec::new()
        };
        let mut field = item.field.clone();
        for pending in &item.pending {
            notes.on(&mut field.note, item.line, pending.clone());
        }
        resolve(&mut field, item, children, has_children, ctx, notes);
        if let Some(first) = seen.get(&field.name).and_then(|&at| out.get_mut(at)) {
            notes.on(
                &mut first.field.note,
                item.line,
                format!(
                    "`{}` is listed again here; kept the first row only",
                    field.name
                ),
            );
            continue;
        }
        seen.insert(field.name.clone(), out.len());
        out.push(Located {
            line: item.line,
            field,
        });
    }
    out
}

/// Resolves a field's type against the notation and its children, then its values and format.
fn resolve(
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

fn define_model(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::page::lines;

    fn table(text: &str) -> (Vec<Field>, BTreeMap<String, Vec<Field>>, Vec<usize>) {
        let lines = lines(text);
        let known = HashMap::new();
        let mut ctx = Context {
            known: &known,
            models: BTreeMap::new(),
            references: BTreeMap::new(),
        };
        let mut notes = Notes::default();
        let fields = parse_table(&lines, Table::Request, &mut ctx, &mut notes)
            .into_iter()
            .map(|l| l.field)
            .collect();
        let (warnings, _) = notes.finish();
        (
            fields,
            ctx.models,
            warnings.iter().map(|w| w.line).collect(),
        )
    }

    #[test]
    fn tab_separated_with_missing_last_column() {
        let (fields, _, warnings) = table(
            "参数\t类型\t是否必填\t最大长度\t描述\t示例值\na\tString\t必填\t8\t说明 有空格\tx y\nb\tNumber\t否\t\t数量\n",
        );
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].description, "说明 有空格");
        assert_eq!(fields[0].example.as_deref(), Some("x y"));
        assert_eq!(fields[0].max_length, Some(8));
        assert!(fields[0].required);
        assert_eq!(fields[1].ty, "Number");
        assert_eq!(fields[1].example, None);
        assert!(!fields[1].required);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn nested_by_marks_and_arrays() {
        let (fields, models, _) = table(
            "goods String[] 可选 - 列表\ngoods_detail GoodsDetail[] 必填 - 商品\n└ goods_id String 必填 32 编号 a1\n└ sub Sub 可选 - 子\n└└ x Number 可选 - 数 1\n",
        );
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[1].ty, "GoodsDetail[]");
        let detail = &models["GoodsDetail"];
        assert_eq!(detail.len(), 2);
        assert_eq!(detail[1].ty, "Sub");
        assert_eq!(models["Sub"][0].name, "x");
        assert_eq!(models["Sub"][0].example.as_deref(), Some("1"));
    }

    #[test]
    fn nested_by_indentation_and_untyped_objects() {
        let (fields, models, warnings) = table(
            "ext Object 可选 - 扩展\n    k String 可选 8 键 v\n    n Number 可选 - 数 2\ntop String 必填 4 顶 t\n",
        );
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].ty, "Ext");
        assert!(
            fields[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("model `Ext`"))
        );
        assert_eq!(models["Ext"].len(), 2);
        assert_eq!(warnings, vec![1]);
    }

    #[test]
    fn orphans_and_too_deep_rows_are_noted() {
        let (fields, _, warnings) =
            table("└ a String 必填 4 甲 x\nb Sub 必填 - 乙\n└└└ c String 必填 4 丙 y\n");
        assert_eq!(fields.len(), 2);
        assert_eq!(warnings, vec![1, 3]);
    }

    #[test]
    fn a_last_line_example_is_confirmed_or_noted() {
        let (fields, _, warnings) =
            table("t String 必选 8 类型。\nA:甲\nB:乙\nB\nu String 必选 8 说明\n第二行\nXYZ\n");
        assert_eq!(fields[0].example.as_deref(), Some("B"));
        assert_eq!(fields[0].description, "类型。\nA:甲\nB:乙");
        assert_eq!(fields[1].example.as_deref(), Some("XYZ"));
        assert_eq!(
            warnings,
            vec![5],
            "an unconfirmed last-line example is noted"
        );
    }

    #[test]
    fn missing_required_and_conditional() {
        let (fields, _, warnings) = table("a String 32 说明 x\nb String 特殊可选 32 说明 y\n");
        assert!(!fields[0].required && !fields[1].required);
        assert_eq!(warnings, vec![1, 2]);
    }
}
