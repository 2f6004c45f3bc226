//! Failures of the HTTP exchange: what part failed, whether the request reached the gateway,
//! and how that reads.

use std::fmt;

/// Whether a request reached the gateway, and so may have taken effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSent {
    /// The request certainly did not reach the gateway (nothing was sent, or no connection
    /// could be opened): resending it cannot repeat an effect.
    NotSent,
    /// The request may have reached the gateway (for example a timeout after it was written):
    /// query its outcome before resending it.
    MaybeSent,
    /// The request reached the gateway (an answer, or part of one, came back): it may have
    /// taken effect.
    Sent,
}

impl RequestSent {
    /// Whether the request may have taken effect (`MaybeSent` or `Sent`).
    pub fn may_have_taken_effect(self) -> bool {
        self != RequestSent::NotSent
    }
}

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

/// The request could not be sent, or the answer could not be received.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What failed.
    pub(crate) kind: TransportKind,
    /// Whether the request reached the gateway. Unless [`RequestSent::NotSent`], resending it
    /// may repeat its effect: query the outcome first.
    pub(crate) sent: RequestSent,
    /// The underlying error (its text never carries the request URL).
    pub(crate) source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl TransportError {
    /// A transport failure of `kind`, caused by `source`.
    pub fn new(
        kind: TransportKind,
        sent: RequestSent,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            kind,
            sent,
            source: source.into(),
        }
    }

    /// What failed.
    pub fn kind(&self) -> TransportKind {
        self.kind
    }

    /// Whether the request reached the gateway. Unless [`RequestSent::NotSent`], resending it
    /// may repeat its effect: query the outcome first.
    pub fn sent(&self) -> RequestSent {
        self.sent
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::Connect => "could not connect to the gateway",
            TransportKind::Timeout => "the call to the gateway timed out",
            TransportKind::Tls => "the TLS handshake with the gateway failed",
            TransportKind::ResponseBody => "the gateway's answer was cut off",
            TransportKind::Other => "the HTTP exchange with the gateway failed",
        };
        let reach = match self.sent {
            RequestSent::NotSent => "the request did not reach the gateway",
            RequestSent::MaybeSent => {
                "the request may have reached the gateway: query its outcome before resending"
            }
            RequestSent::Sent => {
                "the request reached the gateway: query its outcome before resending"
            }
        };
        let source: &(dyn std::error::Error + 'static) = self.source.as_ref();
        write!(f, "{what} ({reach}): {}", root_cause(source))
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
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
