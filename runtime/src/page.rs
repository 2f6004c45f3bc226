//! Requests the user's browser or the Alipay app sends, not the client: the auto-submitting
//! HTML form of a page method ([`PageForm`]). The URL and the app order string are plain
//! strings (see [`Client::page_url`](crate::Client::page_url) and
//! [`Client::app_order_string`](crate::Client::app_order_string)).
//!
//! Every attribute value is HTML-escaped by the `html-escape` crate (`&`, `<`, `>`, `"` and
//! `'`), so that the browser decodes and submits exactly the values that were signed. The
//! official SDKs escape only `"`, which breaks the signature of any value holding `&amp;`,
//! `&lt;` and the like. The form names the request charset in `accept-charset`, and browsers
//! encode a submission in it, so a GBK form is submitted in GBK even from a UTF-8 page.
//!
//! Line breaks: the HTML standard has a browser submit every line break of a form's names and
//! values as CRLF ("convert to a list of name-value pairs", which replaces each CR not
//! followed by LF and each LF not preceded by CR with CRLF, whatever the input's type). So
//! the client signs what the browser will send: a page form's values have their line breaks
//! made CRLF before signing, and the form writes them as `&#13;&#10;`,
//! which the HTML parser does not touch (it would turn a literal CR or CRLF into LF), so the
//! input's value is the signed value before the browser's own normalisation, which then
//! changes nothing. A NUL character cannot be carried at all (the HTML parser replaces it,
//! literal or as `&#0;`, with U+FFFD): a value holding one is refused, naming the field.

use std::borrow::Cow;
use std::fmt;

use crate::charset::Charset;
use crate::validate::{Rule, ValidationError};

/// The form's `id` and `name`: the script submits it by id.
const FORM_ID: &str = "alipay_submit";

/// Why a page form refuses a NUL character.
const NUL_IN_FORM: &str = "holds a NUL character, which a browser's HTML parser replaces with \
     U+FFFD in a form: the gateway would not receive the value that was signed";

/// `text` with every line break (CR LF, a CR alone, an LF alone) made CRLF: what a browser
/// submits for a form value holding it (the HTML standard's "convert to a list of name-value
/// pairs"). Borrowed when there is none.
pub(crate) fn crlf_line_breaks(text: &str) -> Cow<'_, str> {
    if !text.contains(['\r', '\n']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 2);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Appends `text` as an attribute value: HTML-escaped, and CR and LF as character references,
/// which the HTML parser keeps as they are (a literal CR or CRLF it would read as LF).
fn push_attribute(text: &str, html: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find(['\r', '\n']) {
        html_escape::encode_quoted_attribute_to_string(&rest[..at], html);
        html.push_str(if rest.as_bytes()[at] == b'\r' {
            "&#13;"
        } else {
            "&#10;"
        });
        rest = &rest[at + 1..];
    }
    html_escape::encode_quoted_attribute_to_string(rest, html);
}

/// An auto-submitting HTML form for a page method (`pageExecute` with POST in the official
/// SDKs): its action is the gateway URL with the public parameters and `sign` in the query,
/// `biz_content` and the method's other fields are hidden inputs, and a script submits it as
/// soon as the page loads (a button does, where scripts are off).
///
/// Serve [`PageForm::to_bytes`] with [`PageForm::content_type`], or put [`PageForm::html`]
/// into a page of your own (its `accept-charset` keeps the submission in the request charset).
#[derive(Clone, PartialEq, Eq)]
pub struct PageForm {
    html: String,
    bytes: Vec<u8>,
    charset: Charset,
}

impl PageForm {
    /// The form of `action` with one hidden input per field, values as signed (their line
    /// breaks already CRLF, `crlf_line_breaks`). A NUL in a name or value is refused naming
    /// its field; text the charset cannot encode is refused as the form.
    pub(crate) fn new(
        action: &str,
        fields: &[(&str, &str)],
        charset: Charset,
    ) -> Result<Self, ValidationError> {
        use html_escape::encode_quoted_attribute_to_string as attr;

        let len: usize = fields.iter().map(|(k, v)| k.len() + v.len() * 2 + 48).sum();
        let mut html = String::with_capacity(action.len() + len + 400);
        html.push_str("<form id=\"");
        html.push_str(FORM_ID);
        html.push_str("\" name=\"");
        html.push_str(FORM_ID);
        html.push_str("\" method=\"post\" accept-charset=\"");
        attr(charset.as_str(), &mut html);
        html.push_str("\" action=\"");
        attr(action, &mut html);
        html.push_str("\">\n");
        for (name, value) in fields {
            if name.contains('\0') || value.contains('\0') {
                return Err(ValidationError::new(*name, Rule::Unsupported(NUL_IN_FORM)));
            }
            html.push_str("<input type=\"hidden\" name=\"");
            push_attribute(name, &mut html);
            html.push_str("\" value=\"");
            push_attribute(value, &mut html);
            html.push_str("\">\n");
        }
        html.push_str(
            "<noscript><input type=\"submit\" value=\"Continue to Alipay\"></noscript>\n",
        );
        html.push_str("</form>\n");
        // Through the prototype, so that a field named `submit` cannot shadow the method.
        html.push_str("<script>HTMLFormElement.prototype.submit.call(document.getElementById(\"");
        html.push_str(FORM_ID);
        html.push_str("\"));</script>\n");
        let bytes = charset
            .encode(&html)
            .map_err(|_| {
                ValidationError::new(
                    "page_form",
                    Rule::Unsupported(crate::request::unencodable_rule(charset)),
                )
            })?
            .into_owned();
        Ok(Self {
            html,
            bytes,
            charset,
        })
    }

    /// The form as text: a `<form>` and the `<script>` that submits it.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The form as text, taken.
    pub fn into_html(self) -> String {
        self.html
    }

    /// The form encoded in the request charset: what to serve (with
    /// [`PageForm::content_type`]), since a browser encodes a page's forms in its charset.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The request charset.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The `Content-Type` to serve [`PageForm::to_bytes`] with, for example
    /// `text/html;charset=GBK`.
    pub fn content_type(&self) -> String {
        format!("text/html;charset={}", self.charset.as_str())
    }
}

impl fmt::Debug for PageForm {
    // The form holds the signature and biz_content: neither belongs in a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageForm")
            .field("charset", &self.charset)
            .field("len", &self.html.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_crlf_as_a_browser_submits_them() {
        assert!(matches!(crlf_line_breaks("a b"), Cow::Borrowed("a b")));
        assert_eq!(
            crlf_line_breaks("a\nb\rc\r\nd\n\re"),
            "a\r\nb\r\nc\r\nd\r\n\r\ne"
        );
        assert_eq!(crlf_line_breaks("\r\r\n\n"), "\r\n\r\n\r\n");
        assert_eq!(crlf_line_breaks("\n"), "\r\n");
        assert_eq!(crlf_line_breaks("中\n文"), "中\r\n文");
    }

    #[test]
    fn line_breaks_are_written_as_character_references_and_nul_is_refused() {
        let form = PageForm::new("https://g/?a=1", &[("f", "x\r\n<y>")], Charset::Utf8).unwrap();
        assert!(
            form.html().contains("value=\"x&#13;&#10;&lt;y&gt;\""),
            "{}",
            form.html()
        );
        let refused = PageForm::new("https://g/", &[("f", "a\0b")], Charset::Utf8).unwrap_err();
        assert_eq!(refused.field, "f");
        assert!(refused.to_string().contains("NUL"), "{refused}");
    }
}
