//! Failures of the HTTP exchange: what part failed, and how that reads.

use std::fmt;

/// What part of the exchange with the gateway failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be opened (refused, unreachable, DNS).
    Connect,
    /// The connect or the total timeout elapsed.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke while the answer's body was being read (for example fewer bytes
    /// than its `Content-Length`).
    ResponseBody,
    /// Anything else the HTTP client reported.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Tls => "tls",
            TransportKind::ResponseBody => "response body",
            TransportKind::Other => "other",
        })
    }
}

fn root_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur
}

pub(super) fn transport_message(
    kind: TransportKind,
    reached: bool,
    source: &(dyn std::error::Error + Send + Sync + 'static),
) -> String {
    let what = match kind {
        TransportKind::Connect => "could not connect to the gateway",
        TransportKind::Timeout => "the call to the gateway timed out",
        TransportKind::Tls => "the TLS handshake with the gateway failed",
        TransportKind::ResponseBody => "the gateway's answer was cut off",
        TransportKind::Other => "the HTTP exchange with the gateway failed",
    };
    let reach = if reached {
        "the request may have reached the gateway: query its outcome before resending"
    } else {
        "the request did not reach the gateway"
    };
    let source: &(dyn std::error::Error + 'static) = source;
    format!("{what} ({reach}): {}", root_cause(source))
}
