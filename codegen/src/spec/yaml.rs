//! The only module that touches a YAML library, so it can be swapped in one change:
//! reading goes through `saphyr-parser` (an event parser that reports positions), writing
//! through `serde_yaml`.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::diagnostic::Pos;
use super::model::Spec;
use super::tree::{Node, Value};

/// Deeper nesting than any spec needs; the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

/// A YAML text that could not be read as one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Could not write a spec as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write spec as YAML: {0}")]
pub struct ToYamlError(String);

/// Writes a spec as YAML, keys in the order of the model (the order of `specs/README.md`).
///
/// Strings are written plain where YAML reads them back as the same string, as a literal
/// block (`|`) where they span lines, and double-quoted with escapes otherwise, so that every
/// string survives the trip back through [`load_str`](super::load_str) unchanged, whatever
/// characters a page holds (line separators, control characters, leading spaces, `: `).
pub fn to_yaml(spec: &Spec) -> Result<String, ToYamlError> {
    let value = serde_yaml::to_value(spec).map_err(|e| ToYamlError(e.to_string()))?;
    let mut out = String::new();
    match &value {
        serde_yaml::Value::Mapping(map) if !map.is_empty() => write_mapping(&mut out, map, 0)?,
        other => {
            write_inline(&mut out, other)?;
            out.push('\n');
        }
    }
    Ok(out)
}

type YamlValue = serde_yaml::Value;

/// Writes the entries of a mapping, each on its own line at `indent`.
fn write_mapping(
    out: &mut String,
    map: &serde_yaml::Mapping,
    indent: usize,
) -> Result<(), ToYamlError> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            push_indent(out, indent);
        }
        let YamlValue::String(key) = key else {
            return Err(ToYamlError(format!("mapping key {key:?} is not a string")));
        };
        write_string(out, key, indent)?;
        out.push(':');
        write_value_after_key(out, value, indent)?;
    }
    Ok(())
}

/// Writes the value of `key:` (the key and colon are written), ending the line.
fn write_value_after_key(
    out: &mut String,
    value: &YamlValue,
    indent: usize,
) -> Result<(), ToYamlError> {
    match value {
        YamlValue::Mapping(map) if !map.is_empty() => {
            out.push('\n');
            push_indent(out, indent + 2);
            write_mapping(out, map, indent + 2)
        }
        YamlValue::Sequence(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, indent + 2)
        }
        YamlValue::String(text) => {
            out.push(' ');
            write_string(out, text, indent + 2)?;
            out.push('\n');
            Ok(())
        }
        other => {
            out.push(' ');
            write_inline(out, other)?;
            out.push('\n');
            Ok(())
        }
    }
}

/// Writes the items of a non-empty sequence as `- ` lines at `indent`.
fn write_sequence(out: &mut String, items: &[YamlValue], indent: usize) -> Result<(), ToYamlError> {
    for item in items {
        push_indent(out, indent);
        out.push_str("- ");
        match item {
            YamlValue::Mapping(map) if !map.is_empty() => write_mapping(out, map, indent + 2)?,
            YamlValue::Sequence(inner) if !inner.is_empty() => {
                out.push('\n');
                write_sequence(out, inner, indent + 2)?;
            }
            YamlValue::String(text) => {
                write_string(out, text, indent + 2)?;
                out.push('\n');
            }
            other => {
                write_inline(out, other)?;
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// Null, booleans, numbers and empty collections.
fn write_inline(out: &mut String, value: &YamlValue) -> Result<(), ToYamlError> {
    match value {
        YamlValue::Null => out.push_str("null"),
        YamlValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        YamlValue::Number(n) => out.push_str(&n.to_string()),
        YamlValue::String(text) => write_string(out, text, 0)?,
        YamlValue::Sequence(items) if items.is_empty() => out.push_str("[]"),
        YamlValue::Mapping(map) if map.is_empty() => out.push_str("{}"),
        other => return Err(ToYamlError(format!("cannot write {other:?} inline"))),
    }
    Ok(())
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Characters that YAML parsers may take as line breaks or that cannot appear raw.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Writes a string in the plainest style that reads back as the same string.
/// `indent` is the indentation of a literal block's lines.
fn write_string(out: &mut String, text: &str, indent: usize) -> Result<(), ToYamlError> {
    if is_plain_safe(text) {
        out.push_str(text);
    } else if is_block_safe(text) {
        let chomp = if !text.ends_with('\n') {
            "-"
        } else if text.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        out.push('|');
        out.push_str(chomp);
        let body = text.strip_suffix('\n').unwrap_or(text);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                push_indent(out, indent);
                out.push_str(line);
            }
        }
    } else {
        write_double_quoted(out, text);
    }
    Ok(())
}

/// A plain scalar that the loader reads back as this same string.
fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let last = text.chars().next_back().unwrap_or(first);
    !"-?:,[]{}#&*!|>'\"%@` \t".contains(first)
        && !matches!(last, ' ' | '\t' | ':')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains(['\n', '\t'])
        && !text.chars().any(needs_escape)
        && matches!(
            Node::plain(text).scalar(),
            Some(super::tree::Scalar::Str(_))
        )
}

/// A multi-line string a literal block keeps exactly.
fn is_block_safe(text: &str) -> bool {
    text.contains('\n')
        && !text.starts_with([' ', '\t', '\n'])
        && !text.chars().any(needs_escape)
        // Trailing spaces and tabs survive a literal block, but editors strip them; quote instead.
        && !text.split('\n').any(|line| line.ends_with([' ', '\t']))
        && !text.contains('\r')
}

fn write_double_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn pos(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// A YAML (or JSON, which is YAML) document as JSON, scalars read by the YAML 1.2 core schema
/// (an unquoted `2026-09-23` stays a string): how other documents than specs (Alipay's
/// OpenAPI document) are read. Aliases and duplicate keys are refused, with their position.
pub(crate) fn to_json(text: &str) -> Result<serde_json::Value, SyntaxError> {
    match parse_tree(text)? {
        None => Ok(serde_json::Value::Null),
        Some(node) => node_to_json(&node),
    }
}

fn node_to_json(node: &Node<'_>) -> Result<serde_json::Value, SyntaxError> {
    use super::tree::Scalar;
    use serde_json::Value as Json;
    let refuse = |message: String| SyntaxError {
        pos: node.pos,
        message,
    };
    Ok(match &node.value {
        Value::Alias => return Err(refuse("aliases are not supported".to_owned())),
        Value::Seq(items) => Json::Array(items.iter().map(node_to_json).collect::<Result<_, _>>()?),
        Value::Map(entries) => {
            let mut map = serde_json::Map::with_capacity(entries.len());
            for (key, value) in entries {
                let key = match key.scalar() {
                    Some(Scalar::Str(k) | Scalar::Int(k) | Scalar::Float(k)) => k.to_owned(),
                    Some(Scalar::Bool(b)) => b.to_string(),
                    _ => return Err(refuse(format!("a {} as a mapping key", key.kind()))),
                };
                if map.insert(key.clone(), node_to_json(value)?).is_some() {
                    return Err(SyntaxError {
                        pos: key_pos(entries, &key),
                        message: format!("duplicate key `{key}`"),
                    });
                }
            }
            Json::Object(map)
        }
        Value::Scalar { .. } => match node.scalar() {
            None | Some(Scalar::Null) => Json::Null,
            Some(Scalar::Bool(b)) => Json::Bool(b),
            Some(Scalar::Int(text)) => text
                .parse::<i64>()
                .map(Json::from)
                .unwrap_or_else(|_| Json::String(text.to_owned())),
            Some(Scalar::Float(text)) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| Json::String(text.to_owned()), Json::Number),
            Some(Scalar::Str(text)) => Json::String(text.to_owned()),
        },
    })
}

/// Where the last entry keyed `key` starts (for the duplicate-key error).
fn key_pos(entries: &[(Node<'_>, Node<'_>)], key: &str) -> Pos {
    entries
        .iter()
        .rev()
        .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == key))
        .map_or(Pos::START, |(k, _)| k.pos)
}

/// One open collection while the tree is built.
enum Frame<'a> {
    Seq(Pos, Vec<Node<'a>>),
    Map(Pos, Vec<(Node<'a>, Node<'a>)>, Option<Node<'a>>),
}

/// Parses one YAML document into a position-carrying tree. An empty text (or one holding only
/// comments) gives `Ok(None)`.
pub(crate) fn parse_tree(text: &str) -> Result<Option<Node<'_>>, SyntaxError> {
    // Long because: one arm per parser event of a single-pass tree builder.
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            },
            message: format!("YAML syntax error: {}", e.info()),
        })?;
        let at = pos(&span);
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        pos: at,
                        message:
                            "a spec file holds exactly one YAML document (found a second `---`)"
                                .to_owned(),
                    });
                }
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        pos: at,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(at, Vec::new())
                } else {
                    Frame::Map(at, Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(at, items)) => Node {
                    pos: at,
                    value: Value::Seq(items),
                },
                Some(Frame::Map(at, entries, _)) => Node {
                    pos: at,
                    value: Value::Map(entries),
                },
                None => {
                    return Err(SyntaxError {
                        pos: at,
                        message: "unbalanced YAML events".to_owned(),
                    });
                }
            },
            Event::Alias(_) => Node {
                pos: at,
                value: Value::Alias,
            },
            Event::Scalar(text, style, _, tag) => Node {
                pos: at,
                value: Value::Scalar {
                    plain: style == ScalarStyle::Plain,
                    tag: tag.map(|tag| {
                        if tag.is_yaml_core_schema() {
                            tag.suffix.clone()
                        } else {
                            format!("{}{}", tag.handle, tag.suffix)
                        }
                    }),
                    text,
                },
            },
        };
        match stack.last_mut() {
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(node),
            },
            None => root = Some(node),
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, text, 2).unwrap();
        let doc = format!("k: {out}\n");
        let tree = parse_tree(&doc).unwrap().unwrap();
        match &tree.get("k").unwrap().value {
            Value::Scalar { text, .. } => text.to_string(),
            other => panic!("{other:?} from {doc:?}"),
        }
    }

    #[test]
    fn string_styles() {
        let style = |text: &str| {
            let mut out = String::new();
            write_string(&mut out, text, 2).unwrap();
            out
        };
        assert_eq!(style("支付宝交易号"), "支付宝交易号");
        assert_eq!(style("a: b"), "\"a: b\"");
        assert_eq!(style("20170502"), "\"20170502\"");
        assert_eq!(style("true"), "\"true\"");
        assert_eq!(style(""), "\"\"");
        assert_eq!(style("{\n  \"a\": 1\n}"), "|-\n  {\n    \"a\": 1\n  }");
        assert_eq!(style("line\u{2028}sep"), "\"line\\u2028sep\"");
        for text in [
            "a\n",
            "a\n\n",
            "a\n\nb",
            " lead",
            "trail ",
            "x\r\ny",
            "tab\there",
            "# not a comment",
            "- item",
            "'q'",
            "\"dq\"",
            "back\\slash",
            "\u{85}",
            "\u{feff}bom",
            "a\n  b\n",
            "...",
            "---",
            "~",
            "null",
            "0o17",
            ".inf",
            "é\u{7f}",
            "k: v\nk2: v2",
        ] {
            assert_eq!(
                round_trip(text),
                text,
                "{text:?} written as {:?}",
                style(text)
            );
        }
    }

    #[test]
    fn positions_are_one_based() {
        let tree = parse_tree("a: 1\nlist:\n  - x: \"y\"\n").unwrap().unwrap();
        let list = tree.get("list").unwrap();
        let Value::Seq(items) = &list.value else {
            panic!("not a list: {list:?}")
        };
        let x = items[0].get("x").unwrap();
        assert_eq!(x.pos, Pos { line: 3, column: 8 });
        assert_eq!(tree.get("a").unwrap().pos, Pos { line: 1, column: 4 });
    }

    #[test]
    fn empty_and_errors() {
        assert_eq!(parse_tree("").unwrap(), None);
        assert_eq!(parse_tree("# only a comment\n").unwrap(), None);
        let err = parse_tree("a: [1, 2\n").unwrap_err();
        assert!(err.message.starts_with("YAML syntax error"), "{err:?}");
        let err = parse_tree("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        let deep = "[".repeat(1000);
        assert!(parse_tree(&deep).is_err());
    }
}
