//! Nesting: each row's level (from `└` marks or indentation) and the tree of fields built
//! from the levels.

use std::collections::HashMap;

use crate::import::notes::Notes;
use crate::spec::Field;

use super::resolve::resolve;
use super::text::Item;
use super::{Context, Located};

/// Deeper nesting than any page uses; deeper rows are kept at this depth (and noted).
pub(super) const MAX_DEPTH: usize = 32;

/// Assigns each row its nesting level (from `└` marks, else from indentation), each at most one
/// deeper than the row before and at most [`MAX_DEPTH`].
pub(super) fn levels(mut rows: Vec<(Item, usize, usize)>) -> Vec<Item> {
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

/// Builds the fields at `level` from `items[*i..]`, recursing into children.
pub(super) fn build(
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
