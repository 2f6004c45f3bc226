//! What the import adds, written into a spec file as an edit of its text: new items at the end
//! of its lists (`request`, `response`, `errors`) and of `models`, the `route` replaced or
//! appended. Everything else of the file (comments, layout, the order of keys) stays as it
//! was: hand-written specs keep their comments, and a diff shows only what was added. The
//! caller checks the result loads as exactly the merged spec.

use crate::spec::{self, Field, Spec};

/// One top-level key of a spec file and the lines it spans.
struct Block {
    key: String,
    /// The key's line.
    start: usize,
    /// One past its last line (trailing blank and comment lines left to what follows).
    end: usize,
    /// The value is on the key's line (`errors: []`), not in a block below it.
    inline: bool,
}

/// `text` (the file of `before`) edited to hold `after`, which is `before` with items appended
/// to its lists and models and its route set; `None` when the edit cannot express the change
/// (the caller then reports it).
pub(super) fn patch(text: &str, before: &Spec, after: &Spec) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let lists: [(&str, &[Field], &[Field]); 2] = [
        ("request", &before.request, &after.request),
        ("response", &before.response, &after.response),
    ];
    // Edits go from the bottom of the file up, so earlier line numbers stay right.
    let mut edits: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let mut appended: Vec<String> = Vec::new();
    let blocks = blocks(&lines);
    let find = |key: &str| blocks.iter().find(|b| b.key == key);
    // The merged spec as `to_yaml` writes it, once: the new items are taken from it.
    let whole = spec::to_yaml(after).ok()?;
    let whole: Vec<&str> = whole.lines().collect();
    let rendered = |key: &str| rendered(key, &whole);
    for (key, old, new) in lists {
        if new.len() > old.len() {
            let shown = rendered(key)?;
            let n = new.len() - old.len();
            edit_list(find(key), &shown, n, &lines, &mut edits, &mut appended)?;
        }
    }
    if after.models.len() > before.models.len() {
        let shown = rendered("models")?;
        let added: Vec<&String> = after
            .models
            .keys()
            .filter(|k| !before.models.contains_key(*k))
            .collect();
        edit_models(
            find("models"),
            &shown,
            &added,
            &lines,
            &mut edits,
            &mut appended,
        )?;
    }
    if after.errors.len() > before.errors.len() {
        let shown = rendered("errors")?;
        let n = after.errors.len() - before.errors.len();
        edit_list(find("errors"), &shown, n, &lines, &mut edits, &mut appended)?;
    }
    if after.route != before.route {
        let shown = rendered("route")?;
        match find("route") {
            Some(b) => edits.push((b.start, b.end, shown)),
            None => appended.extend(shown),
        }
    }
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    for (start, end, new) in edits {
        lines.splice(start..end, new);
    }
    lines.extend(appended);
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

/// The top-level keys of a file, in order.
fn blocks(lines: &[String]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let top = !line.is_empty()
            && !line.starts_with([' ', '\t', '#', '-'])
            && !line.starts_with("...");
        let Some((key, rest)) = line.split_once(':').filter(|_| top) else {
            continue;
        };
        if let Some(last) = out.last_mut() {
            last.end = i;
        }
        out.push(Block {
            key: key.trim().to_owned(),
            start: i,
            end: lines.len(),
            inline: !rest.trim().is_empty() && !rest.trim().starts_with(['#', '|', '>']),
        });
    }
    // Trailing blank and comment lines belong to what follows.
    for b in &mut out {
        while b.end > b.start + 1 && {
            let t = lines[b.end - 1].trim();
            t.is_empty() || t.starts_with('#')
        } {
            b.end -= 1;
        }
    }
    out
}

/// The lines of top-level `key` in `lines` (a spec as `to_yaml` writes it; the key's line
/// first).
fn rendered(key: &str, lines: &[&str]) -> Option<Vec<String>> {
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("{key}:")))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| !l.is_empty() && !l.starts_with([' ', '-']))
        .map_or(lines.len(), |i| start + 1 + i);
    Some(lines[start..end].iter().map(|l| (*l).to_owned()).collect())
}

/// The last `n` items of a list `to_yaml` rendered (key line first), each item's lines.
fn last_items(shown: &[String], n: usize) -> Option<Vec<String>> {
    let starts: Vec<usize> = shown
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| l.starts_with("  - "))
        .map(|(i, _)| i)
        .collect();
    let first = *starts.get(starts.len().checked_sub(n)?)?;
    Some(shown[first..].to_vec())
}

/// `lines` re-indented from `from` spaces to `to`.
fn reindent(lines: Vec<String>, from: usize, to: usize) -> Vec<String> {
    lines
        .into_iter()
        .map(|l| {
            let body = l
                .get(from.min(l.len() - l.trim_start().len())..)
                .unwrap_or("");
            if body.is_empty() {
                String::new()
            } else {
                format!("{}{body}", " ".repeat(to))
            }
        })
        .collect()
}

/// The indentation of the first line of `block` (after its key) that starts with `- ` or, for
/// a mapping, with anything: how the file indents the block's items.
fn item_indent(lines: &[String], b: &Block, list: bool) -> Option<usize> {
    lines[b.start + 1..b.end].iter().find_map(|l| {
        let t = l.trim_start();
        let indent = l.len() - t.len();
        let item = if list {
            t.starts_with("- ")
        } else {
            !t.is_empty() && !t.starts_with('#')
        };
        item.then_some(indent)
    })
}

/// Appends the last `n` items of `shown` to the list `block` (or writes the whole list where
/// the file has none, or has it inline).
fn edit_list(
    block: Option<&Block>,
    shown: &[String],
    n: usize,
    lines: &[String],
    edits: &mut Vec<(usize, usize, Vec<String>)>,
    appended: &mut Vec<String>,
) -> Option<()> {
    match block {
        None => appended.extend(shown.iter().cloned()),
        Some(b) if b.inline || b.end == b.start + 1 => edits.push((b.start, b.end, shown.to_vec())),
        Some(b) => {
            let indent = item_indent(lines, b, true)?;
            let items = reindent(last_items(shown, n)?, 2, indent);
            edits.push((b.end, b.end, items));
        }
    }
    Some(())
}

/// Appends the models named `added` (as `shown` renders them) to the `models` block.
fn edit_models(
    block: Option<&Block>,
    shown: &[String],
    added: &[&String],
    lines: &[String],
    edits: &mut Vec<(usize, usize, Vec<String>)>,
    appended: &mut Vec<String>,
) -> Option<()> {
    let b = match block {
        None => {
            appended.extend(shown.iter().cloned());
            return Some(());
        }
        Some(b) if b.inline || b.end == b.start + 1 => {
            edits.push((b.start, b.end, shown.to_vec()));
            return Some(());
        }
        Some(b) => b,
    };
    let indent = item_indent(lines, b, false)?;
    let mut items = Vec::new();
    for name in added {
        let head = format!("  {}:", name);
        let start = shown.iter().position(|l| *l == head)?;
        let end = shown[start + 1..]
            .iter()
            .position(|l| l.starts_with("  ") && !l.starts_with("   ") && !l.starts_with("  - "))
            .map_or(shown.len(), |i| start + 1 + i);
        items.extend(shown[start..end].iter().cloned());
    }
    edits.push((b.end, b.end, reindent(items, 2, indent)));
    Some(())
}
