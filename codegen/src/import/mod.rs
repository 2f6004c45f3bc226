//! Import a doc page copied as text into a spec: `alipay-codegen import page.txt`.
//!
//! The page layout is that of the open platform's method pages (`../shared/seeds/`): a title
//! line `method (中文名)`, the introduction, then sections under the headings 公共参数 (请求地址,
//! 公共请求参数), 请求参数, 公共响应参数, 响应参数, 请求示例, 响应示例, 异常示例, 业务错误码 and
//! 公共错误码, in any order, some missing. Lines may end in LF, CRLF or CR; punctuation may be
//! full- or half-width. Table cells may be separated by tabs, by runs of spaces, or (as pages
//! copied from a browser are) by single spaces.
//!
//! The importer never guesses silently: whatever it cannot place, or places by a guess, becomes
//! an [`ImportWarning`] naming the page line and the same text in the spec as a `note:`. The
//! public parameters and public error codes of a page are not copied: `specs/common.yaml` holds
//! them once; anything the page lists there that `common.yaml` does not know is noted.
//!
//! ```
//! let page = "alipay.trade.close (统一收单交易关闭接口)\n\n用于交易关闭。\n\n请求参数\n\n\
//!             参数 类型 是否必填 最大长度 描述 示例值\n\
//!             trade_no String 可选 64 支付宝交易号 2013112611001004680073956707\n";
//! let imported = alipay_codegen::import::import_page(page);
//! assert_eq!(imported.spec.method, "alipay.trade.close");
//! assert_eq!(imported.spec.request[0].example.as_deref(), Some("2013112611001004680073956707"));
//! assert!(imported.warnings.is_empty());
//! ```

mod errors;
mod examples;
mod notes;
pub mod openapi;
mod page;
mod params;
mod sections;
mod split;
mod title;
mod values;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::spec::{Field, Location, Spec, ToYamlError, TypeRef, to_yaml};

use notes::Notes;
use page::{Line, fold, is_blank, is_chrome};
use params::Table;
use sections::{Heading, Section};

/// Something on the page the importer could not place, or placed by a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// The 1-based page line it concerns.
    pub line: usize,
    /// What happened, in words (the same text is in the spec's `note:`).
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.line, self.message)
    }
}

/// The result of importing a page: the spec, and the warnings in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The spec read from the page (write it with [`crate::spec::to_yaml`]).
    pub spec: Spec,
    /// What could not be placed or was placed by a guess, each also in a `note:` of the spec.
    pub warnings: Vec<ImportWarning>,
}

/// The first line of every spec file: it points editors at `specs/schema.json`.
pub const SCHEMA_LINE: &str = "# yaml-language-server: $schema=./schema.json";

/// The text of a spec file for `spec`: [`SCHEMA_LINE`], then the spec as YAML.
pub fn spec_file(spec: &Spec) -> Result<String, ToYamlError> {
    Ok(format!("{SCHEMA_LINE}\n{}", to_yaml(spec)?))
}

/// Public request parameters `common.yaml` holds.
const PUBLIC_REQUEST: &[&str] = crate::protocol::PUBLIC_REQUEST_PARAMS;
/// Public response parameters `common.yaml` holds.
const PUBLIC_RESPONSE: &[&str] = crate::protocol::PUBLIC_RESPONSE_FIELDS;

/// Reads a doc page copied as text into a spec. Never panics, whatever the input.
pub fn import_page(text: &str) -> Imported {
    // Long because: the import's steps in order (split, title, sections, tables, errors, examples, notes).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = page::without_invisible_controls(text);
    let lines = page::lines(&text);
    let sections = sections::split(&lines);
    let mut notes = Notes::default();
    let mut spec = Spec::new("", "", crate::spec::Provenance::DocPage);

    // The request example tells which words of a row are its example value.
    let known = sections
        .iter()
        .filter(|s| s.heading == Some(Heading::RequestExample))
        .filter_map(|s| examples::text(&s.body))
        .map(|t| values::sent_values(&t))
        .next()
        .unwrap_or_default();

    let mut ctx = params::Context {
        known: &known,
        models: BTreeMap::new(),
        references: BTreeMap::new(),
    };
    let mut public_errors_noted = false;
    for section in &sections {
        match section.heading {
            None => intro(&section.body, &mut spec, &mut notes),
            Some(Heading::Address) => address(&section.body, &mut notes),
            Some(Heading::PublicParams | Heading::PublicRequest) => {
                public_request(&section.body, &mut ctx, &mut spec, &mut notes);
            }
            Some(Heading::PublicResponse) => {
                public_response(&section.body, &mut ctx, &mut spec, &mut notes)
            }
            Some(Heading::Request) => {
                let fields =
                    params::parse_table(&section.body, Table::Request, &mut ctx, &mut notes);
                append(&mut spec.request, fields, &mut notes);
            }
            Some(Heading::Response) => {
                let fields =
                    params::parse_table(&section.body, Table::Response, &mut ctx, &mut notes);
                append(&mut spec.response, fields, &mut notes);
            }
            Some(Heading::RequestExample) => {
                example(&mut spec.examples.request, section, "请求示例", &mut notes)
            }
            Some(Heading::ResponseExample) => {
                example(&mut spec.examples.response, section, "响应示例", &mut notes)
            }
            Some(Heading::ErrorExample) => {
                example(&mut spec.examples.error, section, "异常示例", &mut notes)
            }
            Some(Heading::BizErrors) => {
                let rows = errors::parse(&section.body, &mut notes);
                push_errors(&mut spec, rows, &mut notes);
            }
            Some(Heading::PublicErrors) => {
                let mut business = Vec::new();
                for row in errors::parse(&section.body, &mut notes) {
                    if errors::is_public_code(&row.error.code) {
                        notes.spec(row.line, format!(
                            "public error code `{}` listed under 公共错误码 is not copied: common.yaml holds the public codes",
                            row.error.code
                        ));
                        continue;
                    }
                    if !public_errors_noted {
                        public_errors_noted = true;
                        notes.spec(section.line, "the page prints business error codes under the 公共错误码 heading; they are this method's business errors (sub_code) and are kept in `errors`");
                    }
                    business.push(row);
                }
                push_errors(&mut spec, business, &mut notes);
            }
        }
    }
    if spec.method.is_empty() {
        notes.spec(
            1,
            "no title line `method (中文名)` found: method and title are empty",
        );
    }
    spec.models = ctx.models;
    define_missing_models(&mut spec, &ctx.references, &mut notes);
    let (warnings, note) = notes.finish();
    spec.note = note;
    Imported { spec, warnings }
}

/// The lines before the first heading: the title line, then the introduction.
fn intro(body: &[Line<'_>], spec: &mut Spec, notes: &mut Notes) {
    let mut description: Vec<&str> = Vec::new();
    let mut found = false;
    for line in body {
        if is_chrome(line.text) {
            continue;
        }
        if !found {
            if let Some(t) = title::parse(line.text) {
                found = true;
                spec.method = t.method;
                spec.title = t.title;
                if spec.title.is_empty() {
                    notes.spec(
                        line.no,
                        "the title line gives no Chinese name in brackets: title is empty",
                    );
                }
                if !t.rest.is_empty() {
                    notes.spec(
                        line.no,
                        format!("text after the title, not placed: {}", t.rest),
                    );
                }
            } else if !is_blank(line.text) {
                notes.spec(
                    line.no,
                    format!(
                        "text before the title line, not placed: {}",
                        line.text.trim()
                    ),
                );
            }
            continue;
        }
        description.push(line.text.trim_end());
    }
    while description.first().is_some_and(|l| is_blank(l)) {
        description.remove(0);
    }
    while description.last().is_some_and(|l| is_blank(l)) {
        description.pop();
    }
    spec.description = description.join("\n");
}

/// 请求地址: the gateway addresses are common facts; anything else is noted.
fn address(body: &[Line<'_>], notes: &mut Notes) {
    for line in body {
        let folded = fold(line.text);
        let t = folded.trim();
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty()
            || is_chrome(t)
            || squeezed.starts_with("环境") && squeezed.contains("请求地址")
        {
            continue;
        }
        if t.split_whitespace()
            .last()
            .is_some_and(|url| url.starts_with("https://") && url.ends_with("/gateway.do"))
        {
            continue;
        }
        notes.spec(
            line.no,
            format!("text under 请求地址, not placed: {}", line.text.trim()),
        );
    }
}

/// 公共请求参数: the ones `common.yaml` holds are dropped; others are kept as form fields.
fn public_request(
    body: &[Line<'_>],
    ctx: &mut params::Context<'_>,
    spec: &mut Spec,
    notes: &mut Notes,
) {
    let mut kept = Vec::new();
    for params::Located { line, mut field } in params::parse_table(body, Table::Public, ctx, notes)
    {
        if PUBLIC_REQUEST.contains(&field.name.as_str()) {
            if field.name == crate::protocol::param::METHOD
                && let Some(example) = field.example.as_deref()
                && !spec.method.is_empty()
                && example != spec.method
            {
                notes.spec(
                    line,
                    format!(
                        "the public parameters give the method as `{example}`, the title as `{}`",
                        spec.method
                    ),
                );
            }
            if field.name == crate::protocol::param::VERSION
                && let Some(version) = field.example.filter(|v| !v.is_empty())
            {
                spec.version = version;
            }
            continue;
        }
        field.location = Location::Form;
        note_kept(
            &mut field,
            line,
            "公共请求参数",
            "`request` as a form field",
            notes,
        );
        kept.push(params::Located { line, field });
    }
    append(&mut spec.request, kept, notes);
}

/// 公共响应参数: the ones `common.yaml` holds are dropped; others are kept in `response`.
fn public_response(
    body: &[Line<'_>],
    ctx: &mut params::Context<'_>,
    spec: &mut Spec,
    notes: &mut Notes,
) {
    let mut kept = Vec::new();
    for params::Located { line, mut field } in params::parse_table(body, Table::Public, ctx, notes)
    {
        if PUBLIC_RESPONSE.contains(&field.name.as_str()) {
            continue;
        }
        note_kept(&mut field, line, "公共响应参数", "`response`", notes);
        kept.push(params::Located { line, field });
    }
    append(&mut spec.response, kept, notes);
}

/// Notes on a field of a public table that `common.yaml` does not hold where it is kept
/// instead (`kept_in`).
fn note_kept(field: &mut Field, line: usize, table: &str, kept_in: &str, notes: &mut Notes) {
    let see = if field.note.is_some() {
        " (see its other notes)"
    } else {
        ""
    };
    notes.on(
        &mut field.note,
        line,
        format!(
            "`{}` is listed under {table} but common.yaml does not hold it; kept in {kept_in}{see}",
            field.name
        ),
    );
}

/// Appends a table's fields, noting names the list already holds (a second table of the same kind).
fn append(list: &mut Vec<Field>, fields: Vec<params::Located>, notes: &mut Notes) {
    let mut index: HashMap<String, usize> = list
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    for params::Located { line, field } in fields {
        if let Some(first) = index.get(&field.name).and_then(|&at| list.get_mut(at)) {
            notes.on(
                &mut first.note,
                line,
                format!(
                    "`{}` is listed again here; kept the first row only",
                    field.name
                ),
            );
            continue;
        }
        index.insert(field.name.clone(), list.len());
        list.push(field);
    }
}

/// Appends error rows, noting codes the list already holds.
fn push_errors(spec: &mut Spec, rows: Vec<errors::ErrorRow>, notes: &mut Notes) {
    let mut seen: HashSet<String> = spec.errors.iter().map(|e| e.code.clone()).collect();
    for row in rows {
        if !seen.insert(row.error.code.clone()) {
            notes.spec(
                row.line,
                format!(
                    "error code `{}` is listed twice; kept the first",
                    row.error.code
                ),
            );
            continue;
        }
        spec.errors.push(row.error);
    }
}

fn example(target: &mut Option<String>, section: &Section<'_>, heading: &str, notes: &mut Notes) {
    let Some(text) = examples::text(&section.body) else {
        return;
    };
    if target.is_some() {
        notes.spec(
            section.line,
            format!("a second {heading} section; kept the first"),
        );
        return;
    }
    *target = Some(text);
}

/// Defines, empty, every model a field names but the page never lists, noting each.
fn define_missing_models(spec: &mut Spec, references: &BTreeMap<String, usize>, notes: &mut Notes) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let all = spec
        .request
        .iter()
        .chain(&spec.response)
        .chain(spec.models.values().flatten());
    for field in all {
        if let Ok(ty) = TypeRef::parse(&field.ty)
            && let Some(name) = ty.model_name()
        {
            used.insert(name.to_owned());
        }
    }
    for name in used {
        if spec.models.contains_key(&name) {
            continue;
        }
        let line = references.get(&name).copied().unwrap_or(0);
        let message = format!(
            "the page lists no fields for model `{name}`; it is defined empty, fill it in from the model's page"
        );
        let mut placed = false;
        for field in spec
            .request
            .iter_mut()
            .chain(spec.response.iter_mut())
            .chain(spec.models.values_mut().flatten())
        {
            let names_it = TypeRef::parse(&field.ty)
                .ok()
                .is_some_and(|t| t.model_name() == Some(name.as_str()));
            if names_it {
                notes.on(&mut field.note, line, message.clone());
                placed = true;
                break;
            }
        }
        if !placed {
            notes.spec(line, message);
        }
        spec.models.insert(name, Vec::new());
    }
}
