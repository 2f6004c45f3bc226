//! Error tables (错误码 / 错误描述 / 解决方案), under 业务错误码 or 公共错误码.

use crate::spec::ErrorCode;

use super::notes::Notes;
use super::page::{Line, fold, is_blank, is_chrome, tokens};

/// One error row, with the page line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorRow {
    /// The page line of the row's first line.
    pub line: usize,
    /// The code, description, solution and any note.
    pub error: ErrorCode,
}

fn is_code(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Whether a code is one of the gateway's public codes (`isv.*`, `isp.*`, `aop.*`, or digits),
/// which `common.yaml` holds, rather than a method's business code.
pub(crate) fn is_public_code(code: &str) -> bool {
    ["isv.", "isp.", "aop."].iter().any(|p| code.starts_with(p))
        || code.chars().all(|c| c.is_ascii_digit())
}

fn is_header(line: &str) -> bool {
    let squeezed: String = fold(line).chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.starts_with("错误码") && (squeezed.contains("描述") || squeezed.contains("解决方案"))
}

/// Splits a row into cells: by tabs, else by runs of two or more spaces, else by single spaces.
/// The flag says whether a single-space split was a guess.
fn cells(text: &str) -> (Vec<String>, bool) {
    if text.contains('\t') {
        return (
            text.split('\t').map(|c| c.trim().to_owned()).collect(),
            false,
        );
    }
    let spans = tokens(text);
    let wide = spans
        .windows(2)
        .any(|w| text[w[0].1..w[1].0].chars().count() >= 2);
    if wide {
        let mut cells: Vec<String> = Vec::new();
        let mut prev_end: Option<usize> = None;
        for &(start, end) in &spans {
            match (prev_end, cells.last_mut()) {
                (Some(prev), Some(cell)) if text[prev..start].chars().count() == 1 => {
                    cell.push_str(&text[prev..end])
                }
                _ => cells.push(text[start..end].to_owned()),
            }
            prev_end = Some(end);
        }
        return (cells, false);
    }
    let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
    match words.len() {
        0..=3 => (words.iter().map(|w| (*w).to_owned()).collect(), false),
        n => {
            // Pages often repeat the description as the solution: a split where both halves match.
            for k in 2..n {
                let description = &text[spans[1].0..spans[k - 1].1];
                let solution = &text[spans[k].0..];
                if description.len() == solution.len() && description == solution {
                    return (
                        vec![
                            words[0].to_owned(),
                            description.to_owned(),
                            solution.to_owned(),
                        ],
                        false,
                    );
                }
            }
            (
                vec![
                    words[0].to_owned(),
                    words[1].to_owned(),
                    text[spans[2].0..].to_owned(),
                ],
                true,
            )
        }
    }
}

/// Reads an error table. Lines that are neither a row nor the continuation of one are noted.
pub(crate) fn parse(body: &[Line<'_>], notes: &mut Notes) -> Vec<ErrorRow> {
    let mut rows: Vec<ErrorRow> = Vec::new();
    for line in body {
        let text = line.text.trim();
        if is_blank(text) || is_chrome(text) || is_header(text) {
            continue;
        }
        let first = tokens(text).first().map_or("", |&(s, e)| &text[s..e]);
        let single = tokens(text).len() == 1;
        let code_like = is_code(first)
            && (!single
                || first.contains(['_', '.'])
                || first.chars().all(|c| !c.is_ascii_lowercase()));
        if code_like {
            let (cells, guessed) = cells(text);
            let cell = |i: usize| cells.get(i).cloned().unwrap_or_default();
            let mut error = ErrorCode {
                code: cell(0),
                description: cell(1),
                solution: cell(2),
                note: None,
                source: None,
            };
            if guessed {
                notes.on(&mut error.note, line.no, format!(
                    "description and solution are separated by single spaces; took `{}` as the description",
                    error.description
                ));
            }
            if cells.len() > 3 {
                let extra: Vec<String> = cells[3..]
                    .iter()
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .collect();
                if !extra.is_empty() {
                    notes.on(
                        &mut error.note,
                        line.no,
                        format!("extra column(s) not placed: {}", extra.join(" | ")),
                    );
                }
            }
            rows.push(ErrorRow {
                line: line.no,
                error,
            });
        } else if let Some(row) = rows.last_mut() {
            // A cell running over several lines: the text continues the row's last filled cell.
            let target = if row.error.solution.is_empty() {
                &mut row.error.description
            } else {
                &mut row.error.solution
            };
            if !target.is_empty() {
                target.push('\n');
            }
            target.push_str(text);
        } else {
            notes.spec(
                line.no,
                format!("text in an error table before its first row, not placed: {text}"),
            );
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::page::lines;

    fn parse_text(text: &str) -> (Vec<ErrorCode>, usize) {
        let lines = lines(text);
        let mut notes = Notes::default();
        let rows = parse(&lines, &mut notes);
        (
            rows.into_iter().map(|r| r.error).collect(),
            notes.finish().0.len(),
        )
    }

    #[test]
    fn layouts() {
        let (errors, warnings) = parse_text(
            "错误码错误描述解决方案\nA_B 描述 方案\nC_D\t描 述\t方 案\nE_F  描 述  方 案\nG_H 只有描述\nI_J 同 样 同 样\n返回\n",
        );
        let got: Vec<(&str, &str, &str)> = errors
            .iter()
            .map(|e| (e.code.as_str(), e.description.as_str(), e.solution.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A_B", "描述", "方案"),
                ("C_D", "描 述", "方 案"),
                ("E_F", "描 述", "方 案"),
                ("G_H", "只有描述", ""),
                ("I_J", "同 样", "同 样"),
            ]
        );
        assert_eq!(warnings, 0);
    }

    #[test]
    fn guesses_and_continuations() {
        let (errors, warnings) = parse_text("X_Y 一 二 三\n续行\n");
        assert_eq!(errors[0].description, "一");
        assert_eq!(errors[0].solution, "二 三\n续行");
        assert_eq!(warnings, 1);
        let (errors, warnings) = parse_text("前言\nisv.invalid-signature 无效签名 检查\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(warnings, 1);
        assert!(is_public_code(&errors[0].code));
        assert!(!is_public_code("USER_IS_NOT_EXITS"));
    }
}
