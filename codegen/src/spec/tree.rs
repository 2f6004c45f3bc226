//! A YAML document as a tree of nodes that remember where they are, so every problem can be
//! reported at its line and column. Built by [`super::yaml::parse_tree`].

use std::borrow::Cow;

use super::diagnostic::{FieldPath, Pos, Seg};

/// One YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    pub pos: Pos,
    pub value: Value<'a>,
}

/// The content of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    /// A scalar, with its text exactly as written (after YAML unescaping).
    Scalar {
        text: Cow<'a, str>,
        /// Plain (unquoted, no block style): its meaning depends on its text (`true`, `12`, `~`).
        plain: bool,
        /// The tag suffix for `!!str` and friends (`str`, `int`, ...), or the whole tag otherwise.
        tag: Option<String>,
    },
    Seq(Vec<Node<'a>>),
    /// Entries in source order (duplicates kept: the checker reports them).
    Map(Vec<(Node<'a>, Node<'a>)>),
    /// An alias (`*name`): specs do not use them, the checker rejects them.
    Alias,
}

/// What a scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    /// An integer, as written.
    Int(&'a str),
    /// A float, as written.
    Float(&'a str),
    Str(&'a str),
}

impl Scalar<'_> {
    /// How the checker names this kind of value in messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) => "an integer",
            Scalar::Float(_) => "a number",
            Scalar::Str(_) => "a string",
        }
    }
}

impl<'a> Node<'a> {
    /// A plain scalar (for asking how YAML would read a text).
    pub fn plain(text: &'a str) -> Self {
        Node {
            pos: Pos::START,
            value: Value::Scalar {
                text: Cow::Borrowed(text),
                plain: true,
                tag: None,
            },
        }
    }

    /// The scalar's meaning, or `None` for collections and aliases.
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        let Value::Scalar { text, plain, tag } = &self.value else {
            return None;
        };
        let text: &str = text;
        if let Some(tag) = tag {
            return Some(match tag.as_str() {
                "null" => Scalar::Null,
                "bool" => match text {
                    "true" | "True" | "TRUE" => Scalar::Bool(true),
                    "false" | "False" | "FALSE" => Scalar::Bool(false),
                    _ => Scalar::Str(text),
                },
                "int" => Scalar::Int(text),
                "float" => Scalar::Float(text),
                _ => Scalar::Str(text),
            });
        }
        if !plain {
            return Some(Scalar::Str(text));
        }
        Some(resolve_plain(text))
    }

    /// How the checker names this node's kind in messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } => self.scalar().map_or("a scalar", |s| s.kind()),
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Alias => "an alias",
        }
    }

    /// The value under `key` in a mapping (the first, if the key is duplicated).
    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The key node and value node under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node<'a>, &Node<'a>)> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == key))
            .map(|(k, v)| (k, v))
    }

    /// Where `path` is: the deepest node on it that exists (so a missing key points at its
    /// mapping). With `at_key`, a final key segment points at the key rather than its value.
    pub fn locate(&self, path: &FieldPath<'_>, at_key: bool) -> Pos {
        self.locate_segs(path.segs(), at_key)
    }

    /// [`locate`](Self::locate) for the segments of a path below this node.
    pub fn locate_segs(&self, segs: &[Seg<'_>], at_key: bool) -> Pos {
        let mut node = self;
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            match seg {
                Seg::Key(key) => match node.entry(key) {
                    Some((k, _)) if last && at_key => return k.pos,
                    Some((_, v)) => node = v,
                    None => return node.pos,
                },
                Seg::Index(index) => match &node.value {
                    Value::Seq(items) if *index < items.len() => node = &items[*index],
                    _ => return node.pos,
                },
            }
        }
        node.pos
    }
}

/// The YAML 1.2 core schema's resolution of a plain scalar.
fn resolve_plain(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Scalar::Float(text),
        _ => {}
    }
    // Everything below starts with a digit, a sign or a dot; most text does not.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
        return Scalar::Str(text);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let is_digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if is_digits(unsigned, 10)
        || text.strip_prefix("0x").is_some_and(|s| is_digits(s, 16))
        || text.strip_prefix("0o").is_some_and(|s| is_digits(s, 8))
    {
        return Scalar::Int(text);
    }
    if is_float(unsigned) {
        return Scalar::Float(text);
    }
    Scalar::Str(text)
}

/// `( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` with at least one of `.` or exponent.
fn is_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty()),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = match exponent {
        Some(exp) => {
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            !exp.is_empty() && digits(exp)
        }
        None => mantissa.contains('.'),
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_core_schema() {
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("True"), Scalar::Bool(true));
        assert_eq!(resolve_plain("yes"), Scalar::Str("yes"));
        assert_eq!(resolve_plain("-12"), Scalar::Int("-12"));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int("0x1F"));
        assert_eq!(resolve_plain("0.01"), Scalar::Float("0.01"));
        assert_eq!(resolve_plain("1e5"), Scalar::Float("1e5"));
        assert_eq!(resolve_plain(".5"), Scalar::Float(".5"));
        assert_eq!(resolve_plain("."), Scalar::Str("."));
        assert_eq!(resolve_plain("1.0.0"), Scalar::Str("1.0.0"));
        assert_eq!(resolve_plain("JF"), Scalar::Str("JF"));
        assert_eq!(resolve_plain("e5"), Scalar::Str("e5"));
    }
}
