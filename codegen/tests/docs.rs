//! Spec text never forms code in the generated docs: every doc comment of the output for a
//! spec full of hostile text (newlines, indents, backtick and tilde fences, `</code>`, HTML,
//! a lone `\r`, list markers followed by indents, text-direction controls), read with
//! rustdoc's Markdown parser, holds no code block but the generator's own `text` fences
//! (which doctests never run) and no HTML.

use std::path::Path;

use alipay_codegen::generate::generate_files;
use alipay_codegen::spec::load_str;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

/// What an attacker would put in a page: each line tries another way into a code block.
const HOSTILE: &str = "hostile text\n\n    panic!(\"indented block ran\");\n\n```rust\npanic!(\"backtick fence ran\");\n```\n~~~\npanic!(\"tilde fence ran\");\n~~~\n</code></pre><script>alert(1)</script> <b>bold</b> <!-- comment -->\r    panic!(\"after a lone CR\");\r\n-     panic!(\"code in a list item\");\n1.     panic!(\"code in an ordered item\");\n>     panic!(\"code in a quote\");\n\t\tpanic!(\"tabs\");\n`code span` and \u{202e}reversed\u{202c} text";

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The spec, with the hostile text in every place that reaches a doc comment (error codes
/// cannot hold whitespace: theirs holds the rest).
fn hostile_spec(text: &str) -> String {
    let h = yaml_string(text);
    format!(
        r#"method: alipay.hostile.text.query
title: {h}
description: {h}
note: {h}
request:
  - name: mode
    type: String
    required: true
    description: {h}
    example: {h}
    note: {h}
    values:
      - {{ value: {h}, description: {h} }}
      - {{ value: PLAIN, description: {h} }}
  - name: levels
    type: String[]
    required: false
    description: {h}
    values:
      - {{ value: {h}, description: {h} }}
  - name: detail
    type: Detail
    required: false
    description: {h}
response:
  - name: answer
    type: String
    required: false
    description: {h}
models:
  Detail:
    - name: inner
      type: String
      required: false
      description: {h}
errors:
  - code: "HOSTILE`</code><b>x</b>```<script>"
    description: {h}
    solution: {h}
examples:
  request: {h}
  response: {h}
  error: {h}
"#
    )
}

/// Every doc comment of `text` (runs of `///` lines), as rustdoc reads it, with the line
/// it starts on.
fn doc_comments(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match line.trim_start().strip_prefix("///") {
            Some(doc) => {
                let doc = doc.strip_prefix(' ').unwrap_or(doc);
                let (_, buf) = current.get_or_insert_with(|| (i + 1, String::new()));
                buf.push_str(doc);
                buf.push('\n');
            }
            None => docs.extend(current.take()),
        }
    }
    docs.extend(current);
    docs
}

#[test]
fn hostile_spec_text_never_forms_code_or_html_in_docs() {
    // The checker refuses a carriage return and direction controls (the `control` fixture of
    // `tests/fixtures/bad`); the emitter must keep them out of the output all the same, so
    // they are put back into the checked spec.
    let refused = |c: char| matches!(c, '\r' | '\u{202e}' | '\u{202c}');
    let visible: String = HOSTILE.chars().filter(|&c| !refused(c)).collect();
    let spec = load_str("alipay.hostile.text.query.yaml", &hostile_spec(&visible))
        .unwrap_or_else(|e| panic!("the hostile spec must load: {e:?}"));
    let inner = |t: &str| yaml_string(t).trim_matches('"').to_owned();
    let json = serde_json::to_string(&spec)
        .unwrap()
        .replace(&inner(&visible), &inner(HOSTILE));
    let spec: alipay_codegen::spec::Spec = serde_json::from_str(&json).unwrap();
    let files = generate_files([&spec]).unwrap();
    let group = &files[Path::new("hostile.rs")];
    let mut problems = Vec::new();
    let mut text_fences = 0;
    for (path, text) in &files {
        for (n, line) in text.lines().enumerate() {
            if line.contains('\r') || line.contains('\u{202e}') {
                problems.push(format!(
                    "{}:{}: control character in {line:?}",
                    path.display(),
                    n + 1
                ));
            }
        }
        for (line, doc) in doc_comments(text) {
            for event in Parser::new(&doc) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                        if &*info == "text" =>
                    {
                        text_fences += 1;
                    }
                    Event::Start(Tag::CodeBlock(kind)) => problems.push(format!(
                        "{}:{line}: a code block ({kind:?}) rustdoc would run:\n{doc}",
                        path.display()
                    )),
                    Event::Html(html) | Event::InlineHtml(html) => problems.push(format!(
                        "{}:{line}: HTML {html:?} in:\n{doc}",
                        path.display()
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    syn::parse_file(
        group
            .strip_prefix(alipay_codegen::generate::HEADER)
            .unwrap(),
    )
    .expect("the generated file parses");
    // The three examples are the generator's own `text` fences.
    assert_eq!(text_fences, 3);
    // And the text is still there to read.
    assert!(group.contains("/// hostile text"), "{group}");
}
