//! The page's section headings (公共参数, 请求参数, 响应示例, ...) and the split of the page into
//! sections. Headings may come in any order, some missing, with or without a trailing colon.

use super::page::{Line, fold};

/// A section heading the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heading {
    /// 公共参数: the umbrella over 请求地址 and 公共请求参数.
    PublicParams,
    /// 请求地址: the gateway addresses.
    Address,
    /// 公共请求参数.
    PublicRequest,
    /// 请求参数.
    Request,
    /// 公共响应参数.
    PublicResponse,
    /// 响应参数.
    Response,
    /// 请求示例.
    RequestExample,
    /// 响应示例.
    ResponseExample,
    /// 异常示例.
    ErrorExample,
    /// 业务错误码.
    BizErrors,
    /// 公共错误码.
    PublicErrors,
}

const HEADINGS: &[(&str, Heading)] = &[
    ("公共参数", Heading::PublicParams),
    ("请求地址", Heading::Address),
    ("公共请求参数", Heading::PublicRequest),
    ("请求参数", Heading::Request),
    ("公共响应参数", Heading::PublicResponse),
    ("响应参数", Heading::Response),
    ("请求示例", Heading::RequestExample),
    ("响应示例", Heading::ResponseExample),
    ("异常示例", Heading::ErrorExample),
    ("业务错误码", Heading::BizErrors),
    ("公共错误码", Heading::PublicErrors),
];

/// The heading a line is, if it is one: the whole line (trimmed, full-width folded, without a
/// trailing colon) must be the heading's name.
pub(crate) fn heading(line: &str) -> Option<Heading> {
    let folded = fold(line);
    let name = folded.trim().trim_end_matches(':').trim_end();
    HEADINGS
        .iter()
        .find(|(text, _)| *text == name)
        .map(|&(_, h)| h)
}

/// A run of lines under one heading (`heading: None` for the lines before the first heading).
#[derive(Debug, Clone)]
pub(crate) struct Section<'a> {
    /// The heading, or `None` for the introduction.
    pub heading: Option<Heading>,
    /// The heading's line number (0 for the introduction).
    pub line: usize,
    /// The lines under the heading, up to the next heading.
    pub body: Vec<Line<'a>>,
}

/// Splits the page at its headings. The first section is always the introduction.
pub(crate) fn split<'a>(lines: &[Line<'a>]) -> Vec<Section<'a>> {
    let mut out = vec![Section {
        heading: None,
        line: 0,
        body: Vec::new(),
    }];
    for line in lines {
        match heading(line.text) {
            Some(h) => out.push(Section {
                heading: Some(h),
                line: line.no,
                body: Vec::new(),
            }),
            None => {
                if let Some(last) = out.last_mut() {
                    last.body.push(*line);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::page::lines;

    #[test]
    fn headings_with_colons_and_full_width() {
        assert_eq!(heading("公共请求参数:"), Some(Heading::PublicRequest));
        assert_eq!(heading(" 请求参数：\u{3000}"), Some(Heading::Request));
        assert_eq!(heading("请求参数的集合"), None);
        assert_eq!(heading("参数 类型"), None);
    }

    #[test]
    fn splits_in_any_order() {
        let page = "title\n\n响应示例\n{}\n请求参数\na String\n";
        let lines = lines(page);
        let sections = split(&lines);
        let kinds: Vec<Option<Heading>> = sections.iter().map(|s| s.heading).collect();
        assert_eq!(
            kinds,
            vec![None, Some(Heading::ResponseExample), Some(Heading::Request)]
        );
        assert_eq!(sections[1].line, 3);
        assert_eq!(sections[2].body.len(), 1);
    }
}
