//! The bounded, cleaned start of an answer's body that error messages quote.

/// Keeps the start of a body for an error message: bounded, lossily decoded, control
/// characters replaced by spaces and runs of whitespace collapsed.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let head = &body[..body.len().min(MAX_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = false;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && (last_space || out.is_empty()) {
            continue;
        }
        last_space = c == ' ';
        if count == MAX_CHARS {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    if body.len() > head.len() && !out.ends_with('…') {
        out.push('…');
    }
    out
}
