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
#[derive(Debug, thiserror::Error)]
#[error("cannot write spec as YAML: {0}")]
pub struct ToYamlError(#[from] serde_yaml::Error);

/// Writes a spec as YAML in the canonical key order of the model (the order of `specs/README.md`).
pub fn to_yaml(spec: &Spec) -> Result<String, ToYamlError> {
    Ok(serde_yaml::to_string(spec)?)
}

fn pos(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// One open collection while the tree is built.
enum Frame<'a> {
    Seq(Pos, Vec<Node<'a>>),
    Map(Pos, Vec<(Node<'a>, Node<'a>)>, Option<Node<'a>>),
}

/// Parses one YAML document into a position-carrying tree. An empty text (or one holding only
/// comments) gives `Ok(None)`.
pub(crate) fn parse_tree(text: &str) -> Result<Option<Node<'_>>, SyntaxError> {
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
