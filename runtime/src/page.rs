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

use std::fmt;

use crate::charset::{Charset, CharsetError};

/// The form's `id` and `name`: the script submits it by id.
const FORM_ID: &str = "alipay_submit";

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
    /// The form of `action` with one hidden input per field, values as signed.
    pub(crate) fn new(
        action: &str,
        fields: &[(&str, &str)],
        charset: Charset,
    ) -> Result<Self, CharsetError> {
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
            html.push_str("<input type=\"hidden\" name=\"");
            attr(name, &mut html);
            html.push_str("\" value=\"");
            attr(value, &mut html);
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
        let bytes = charset.encode(&html)?.into_owned();
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
