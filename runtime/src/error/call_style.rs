//! A method called in a way it is not meant to be called.

use std::fmt;

use crate::method::CallStyle;

/// A method called in a way its spec's `call_style` rules out: `execute` on a page method
/// (the gateway would answer with an HTML page, not a signed answer), `page_form` on a server
/// call, and the like. Nothing was signed or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStyleError {
    /// The method's wire name.
    pub method: String,
    /// How the method is meant to be called.
    pub call_style: CallStyle,
    /// The client function that was called: `execute`, `page_form`, `page_url` or
    /// `app_order_string`.
    pub called: &'static str,
}

impl CallStyleError {
    /// What to call instead.
    fn instead(&self) -> &'static str {
        match self.call_style {
            CallStyle::Server => "call it with `execute`",
            CallStyle::Page => {
                "sign it with `page_form` or `page_url` and let the user's browser open it"
            }
            CallStyle::App => "sign it with `app_order_string` and hand that to the Alipay app SDK",
        }
    }
}

impl fmt::Display for CallStyleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let style = match self.call_style {
            CallStyle::Server => "a server call",
            CallStyle::Page => "a page method",
            CallStyle::App => "an app method",
        };
        write!(
            f,
            "{} is {style}, not one for `{}`: {}; nothing was signed or sent",
            self.method,
            self.called,
            self.instead()
        )
    }
}

impl std::error::Error for CallStyleError {}

/// A method sent over a protocol it does not have: v3 for a method without a v3 route, or v2
/// for a method only the v3 protocol has. Nothing was signed or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The method's wire name.
    pub method: String,
    /// The protocol asked for.
    pub protocol: crate::method::Protocol,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            crate::method::Protocol::V3 => write!(
                f,
                "`{}` has no v3 route (its spec has no `route`): send it over v2, nothing was sent",
                self.method
            ),
            crate::method::Protocol::V2 => write!(
                f,
                "`{}` exists only under the v3 protocol: send it over v3, nothing was sent",
                self.method
            ),
        }
    }
}

impl std::error::Error for ProtocolError {}
