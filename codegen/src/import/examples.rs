//! Example sections (请求示例, 响应示例, 异常示例): the text kept verbatim, without the page's tab
//! labels (`• JAVA`, `• JSON示例`) and page chrome around it.

use super::page::{Line, is_blank, is_chrome};

fn is_tab_label(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('•') || t.starts_with('·')
}

/// The example text of a section: its lines between the leading labels and trailing chrome,
/// joined with `\n` and ending in one. `None` when nothing is left.
pub(crate) fn text(body: &[Line<'_>]) -> Option<String> {
    let start = body
        .iter()
        .position(|l| !(is_blank(l.text) || is_tab_label(l.text) || is_chrome(l.text)))?;
    let end = body
        .iter()
        .rposition(|l| !(is_blank(l.text) || is_chrome(l.text)))?;
    if end < start {
        return None;
    }
    let mut out = String::new();
    for line in &body[start..=end] {
        out.push_str(line.text);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::page::lines;

    #[test]
    fn keeps_text_verbatim() {
        let lines = lines("\n  • JSON示例\n{\n\t\"a\": 1\n\n}\n\n返回\n顶部\n");
        assert_eq!(text(&lines).as_deref(), Some("{\n\t\"a\": 1\n\n}\n"));
        assert_eq!(text(&lines[..2]), None);
        assert_eq!(text(&[]), None);
    }
}
