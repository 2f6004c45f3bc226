//! The log of requests a gateway received, for tests to inspect.

/// One request as the gateway received it, with what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method (`POST` or `GET`; for a v3 request also `PUT`, `PATCH`, `DELETE`).
    pub http_method: String,
    /// The path: `/gateway.do`, or one of the cashier's (`/cashier/pay`, `/cashier/cancel`)
    /// or control endpoints (`/control/pay-order-string`), or a v3 route's (`/v3/...`).
    pub path: String,
    /// The `method` parameter, when there was one.
    pub method: Option<String>,
    /// Every parameter (query first, then form body), decoded in the request charset, in
    /// arrival order, `sign` included. For a v3 request: its path parameters, then its query
    /// parameters, then `biz_content`, the body line as signed (the JSON, the AES ciphertext,
    /// or the `data` part); the `Authorization` and `alipay-app-auth-token` headers are not
    /// kept.
    pub params: Vec<(String, String)>,
    /// The charset the parameters were decoded with (`utf-8`, `GBK` or `GB2312`).
    pub charset: String,
    /// Whether the request signature verified with the app public key (for the control
    /// endpoint `/control/pay-order-string`: the order string's). `false` when the request was
    /// refused before the signature was checked, and for the cashier's buttons, which carry
    /// no signature (a token instead: see `verdict`).
    pub signature_verified: bool,
    /// What the gateway concluded about the request's authenticity, in words, as the
    /// `alipay gateway` console shows it: `signature ok` or `signature not verified` (a
    /// gateway or v3 request), `order string signature ok` or `order string signature not
    /// verified` (`/control/pay-order-string`), `cashier token ok` or `cashier token
    /// refused` (the cashier's buttons, `/cashier/...`, each carrying its trade's
    /// [`cashier_token`](crate::Trade::cashier_token)), `control call (no signature)` (the
    /// face-to-face control calls, `/control/scan` and `/control/pay`, JSON from the test, see
    /// [`crate::face_to_face`]), or `refused before any check` (a
    /// request outside the protocol: another path or HTTP method, a body too large, too
    /// slow, of another media type or malformed, logged with its HTTP status).
    pub verdict: String,
    /// The plaintext `biz_content` of an `encrypt_type=AES` request, as the gateway decrypted
    /// it (`params` keep the ciphertext as sent).
    pub decrypted_biz_content: Option<String>,
    /// The files of a `multipart/form-data` request (uploads), in arrival order; their
    /// contents are not kept. Its text parts are in `params`.
    pub files: Vec<RecordedFile>,
    /// What the gateway answered.
    pub answer: RecordedAnswer,
    /// The fault injected into this exchange ([`crate::faults`]), as
    /// [`Fault::label`](crate::Fault::label) names it (`http_status 503`, `reset`, `slow
    /// 1500ms`, ...); `None` when none was. For a `reset`, `truncated` or `slow` fault, `answer`
    /// is what the gateway made of the request, lost or late on the way back.
    pub fault: Option<String>,
}

/// One file part of an upload, as the gateway received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFile {
    /// The part's name: the method's `File` field.
    pub name: String,
    /// The `filename` the part carried.
    pub file_name: String,
    /// The part's `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// The content's length in bytes.
    pub size: u64,
    /// The content's SHA-256, lowercase hex.
    pub sha256: String,
}

impl RecordedRequest {
    /// About how many bytes this entry holds (its texts), for the log's byte bound.
    pub(crate) fn held_bytes(&self) -> usize {
        let texts: usize = self.params.iter().map(|(k, v)| k.len() + v.len()).sum();
        let answer = [&self.answer.code, &self.answer.sub_code, &self.answer.node]
            .iter()
            .map(|t| t.as_ref().map_or(0, String::len))
            .sum::<usize>();
        texts
            + answer
            + self.http_method.len()
            + self.path.len()
            + self.charset.len()
            + self.verdict.len()
            + self.fault.as_ref().map_or(0, String::len)
            + self.method.as_ref().map_or(0, String::len)
            + self.decrypted_biz_content.as_ref().map_or(0, String::len)
            + self
                .files
                .iter()
                .map(|f| {
                    f.name.len()
                        + f.file_name.len()
                        + f.content_type.as_ref().map_or(0, String::len)
                        + f.sha256.len()
                        + std::mem::size_of::<RecordedFile>()
                })
                .sum::<usize>()
            + std::mem::size_of::<Self>()
            + self.params.len() * std::mem::size_of::<(String, String)>()
    }

    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        first_value(&self.params, name)
    }

    /// The file part named `name`, if one arrived.
    pub fn file(&self, name: &str) -> Option<&RecordedFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// `biz_content` parsed as JSON (decrypted first when the request was encrypted), when
    /// present and valid.
    pub fn biz_content(&self) -> Option<serde_json::Value> {
        self.decrypted_biz_content
            .as_deref()
            .or(self.param(alipay_runtime::protocol::param::BIZ_CONTENT))
            .and_then(|text| serde_json::from_str(text).ok())
    }
}

/// The verdict of a gateway or v3 request whose signature did (`true`) or did not verify.
pub(crate) fn signature_verdict(verified: bool) -> String {
    if verified {
        "signature ok".to_owned()
    } else {
        "signature not verified".to_owned()
    }
}

/// What the gateway answered to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The response node's `code` (`10000`, `40004`, `40002`, ...), or `None` for an answer
    /// without one (HTTP 500, 404, ...). For a v3 request (`/v3/...`): the `code` of its error
    /// answer (`invalid-signature`, a business error's code, ...), `None` for a success.
    pub code: Option<String>,
    /// The response node's `sub_code`, if any.
    pub sub_code: Option<String>,
    /// The node the answer was written under (`error_response` or `<method>_response`).
    pub node: Option<String>,
}

/// The first value of parameter `name` among `params` (a request's, a notification's).
pub(crate) fn first_value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
