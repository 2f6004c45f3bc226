//! Parameter tables (参数 / 类型 / 是否必填 / 最大长度 / 描述 / 示例值): rows separated by tabs or
//! by spaces, descriptions running over several lines, nesting by `└` or indentation, object
//! types turned into `models`.
//!
//! `row` reads a row's first line, `text` turns a row's text into a field, `nesting` gives each
//! row its level and builds the tree, `resolve` resolves the types and defines the models.

mod nesting;
mod resolve;
mod row;
mod text;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use crate::spec::Field;

use super::notes::Notes;
use super::page::{Line, fold, is_blank, is_chrome};
use nesting::{build, levels};
use row::{Row, row_start};
use text::finish_row;

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
