//! A generated file is prettyplease's printing of the whole file: the generator prints
//! each method's module on its own (on every core) and joins the texts, which must give
//! the same text as printing the file at once; and the text parses back to itself (after
//! the `@generated` header, a comment prettyplease drops).

use alipay_codegen::generate::HEADER;

/// Where `text` differs from prettyplease's printing of it: `None` when it does not.
pub fn layout_difference(text: &str) -> Option<String> {
    let Some(body) = text.strip_prefix(HEADER) else {
        return Some("no @generated header".to_owned());
    };
    let file = match syn::parse_file(body) {
        Ok(file) => file,
        Err(e) => return Some(format!("does not parse: {e}")),
    };
    let pretty = prettyplease::unparse(&file);
    if pretty == body {
        return None;
    }
    let (ours, theirs): (Vec<&str>, Vec<&str>) = (body.lines().collect(), pretty.lines().collect());
    let at = ours
        .iter()
        .zip(&theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    let show = |lines: &[&str]| {
        lines
            .iter()
            .skip(at.saturating_sub(2))
            .take(6)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    };
    Some(format!(
        "differs from prettyplease at line {}:\n--- generated\n{}\n--- prettyplease\n{}",
        at + 3,
        show(&ours),
        show(&theirs)
    ))
}
