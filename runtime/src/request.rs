//! Building the signed request: public parameters, sign content, signature, and the
//! query + form encoding in the request charset.
//!
//! Nothing here touches the network, so the same bytes can be checked by tests, benchmarks
//! and the local gateway.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::charset::Charset;
use crate::client::RequestOptions;
use crate::method::RequestParts;
use crate::page::PageForm;
use crate::protocol::{self, param};
use crate::redact;
use crate::sign::{SignError, SignType, sign_base64};
use crate::sign_content::sign_content;
use crate::upload::FileUpload;
use crate::validate::{Rule, ValidationError};

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox gateway.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// The `format` public parameter: the only one the gateway answers in a form this client reads.
const FORMAT: &str = "JSON";
/// The `version` public parameter.
const VERSION: &str = "1.0";

/// A signed request ready to be POSTed, without any transport attached.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The gateway URL with the public parameters (including `sign`) in its query,
    /// percent-encoded in the request charset.
    pub url: String,
    /// The `application/x-www-form-urlencoded` body: `biz_content` and the method's other
    /// form fields, percent-encoded in the request charset.
    pub body: Vec<u8>,
    /// The `Content-Type` header value, for example
    /// `application/x-www-form-urlencoded;charset=utf-8`; `multipart/form-data` for an upload
    /// (the boundary is chosen when it is sent).
    pub content_type: String,
    /// For a request with files (`File` fields): the `multipart/form-data` body, whose text
    /// parts are what `body` holds otherwise (then empty).
    pub multipart: Option<MultipartBody>,
}

/// The body of an upload: text parts (signed) and file parts (never signed), in this order.
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartBody {
    /// Each text field (`biz_content`, the method's form fields) and its value encoded in the
    /// request charset; each part says `Content-Type: text/plain; charset=<charset>` (the
    /// charset name in lower case, as the media-type parser writes it).
    pub text: Vec<(String, Vec<u8>)>,
    /// The files, each a file part with its file name and content type.
    pub files: Vec<(String, FileUpload)>,
    /// The request charset.
    pub charset: Charset,
}

impl MultipartBody {
    /// The `reqwest` form: text parts, then file parts. Files are opened (readers taken)
    /// here, so a file that cannot be read fails before anything is sent.
    pub(crate) async fn form(&self) -> Result<reqwest::multipart::Form, ValidationError> {
        let text_type = format!("text/plain; charset={}", self.charset.as_str());
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.text {
            let part = reqwest::multipart::Part::bytes(value.clone())
                .mime_str(&text_type)
                .map_err(|_| {
                    ValidationError::new(name.clone(), Rule::Unsupported("has no media type"))
                })?;
            form = form.part(name.clone(), part);
        }
        for (name, file) in &self.files {
            form = form.part(name.clone(), file.to_part(name).await?);
        }
        Ok(form)
    }

    /// Whether the body can be built again for a retry (no file comes from a reader).
    pub(crate) fn can_resend(&self) -> bool {
        self.files.iter().all(|(_, f)| f.can_resend())
    }
}

impl std::fmt::Debug for MultipartBody {
    // Text parts hold biz_content: names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: Vec<&str> = self.text.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("MultipartBody")
            .field("text", &text)
            .field("files", &self.files)
            .field("charset", &self.charset)
            .finish()
    }
}

impl std::fmt::Debug for PreparedRequest {
    // The query holds the signature and app_auth_token and the body holds biz_content: none
    // of them belongs in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gateway = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("PreparedRequest")
            .field("gateway", &gateway)
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("multipart", &self.multipart)
            .finish_non_exhaustive()
    }
}

/// What the client contributes to every request.
pub(crate) struct PublicParams<'a> {
    pub gateway: &'a str,
    pub app_id: &'a str,
    pub sign_type: SignType,
    pub charset: Charset,
    /// The client's `app_auth_token`, `notify_url` and `return_url`.
    pub app_auth_token: Option<&'a str>,
    pub notify_url: Option<&'a str>,
    pub return_url: Option<&'a str>,
    /// This request's own values of those (and of `auth_token`), over the client's.
    pub options: &'a RequestOptions,
    /// Certificate mode: `app_cert_sn` and `alipay_root_cert_sn`, sent and signed.
    pub cert_sns: Option<(&'a str, &'a str)>,
    /// AES content encryption of `biz_content`.
    pub encrypt_key: Option<&'a crate::encrypt::EncryptKey>,
    pub signer: &'a dyn crate::sign::Signer,
}

/// Why a request could not be prepared.
#[derive(Debug)]
pub(crate) enum PrepareError {
    Invalid(ValidationError),
    Sign(SignError),
}

/// A signed request, each value beside its bytes in the request charset: the public
/// parameters (a POST's query, a form's action URL), `sign`, and the rest (`biz_content` and
/// the method's form fields). Every way of sending a request is a rendering of this.
pub(crate) struct Signed<'a> {
    pub gateway: &'a str,
    pub charset: Charset,
    pub query: &'a [(&'a str, &'a str)],
    pub query_bytes: &'a [Cow<'a, [u8]>],
    pub form: &'a [(&'a str, &'a str)],
    pub form_bytes: &'a [Cow<'a, [u8]>],
    /// The signature, standard base64.
    pub sign: &'a str,
    /// The file parts (never signed): an upload goes out as `multipart/form-data`.
    pub files: &'a [(&'static str, FileUpload)],
}

impl Signed<'_> {
    /// Appends the public parameters and `sign`, percent-encoded: the query of a POST.
    fn push_public(&self, out: &mut String) {
        let mut first = true;
        for ((key, _), bytes) in self.query.iter().zip(self.query_bytes) {
            push_pair(out, &mut first, key, bytes);
        }
        push_pair(out, &mut first, param::SIGN, self.sign.as_bytes());
    }

    /// Appends the other parameters, percent-encoded (the body of a POST), after `&` when
    /// `out` is not empty.
    fn push_form(&self, out: &mut String) {
        let mut first = out.is_empty();
        for ((key, _), bytes) in self.form.iter().zip(self.form_bytes) {
            push_pair(out, &mut first, key, bytes);
        }
    }

    /// The length the encoded parameters may take, to allocate once.
    fn capacity(&self) -> usize {
        let values: usize = self
            .query
            .iter()
            .chain(self.form)
            .map(|(k, v)| k.len() + v.len() * 3 + 2)
            .sum();
        self.gateway.len() + values + self.sign.len() * 2 + 8
    }

    /// The gateway URL and the separator its query starts with.
    fn gateway_url(&self) -> String {
        let mut url = String::with_capacity(self.capacity());
        url.push_str(self.gateway);
        url.push(if self.gateway.contains('?') { '&' } else { '?' });
        url
    }

    /// Every parameter, `sign` included, percent-encoded in one query string.
    pub fn all_params(&self) -> String {
        let mut all = String::with_capacity(self.capacity());
        self.push_public(&mut all);
        self.push_form(&mut all);
        all
    }

    /// The server call: POSTed, the public parameters in the URL, the rest in the body.
    pub fn post(&self) -> PreparedRequest {
        let mut url = self.gateway_url();
        self.push_public(&mut url);
        if !self.files.is_empty() {
            // Files go out as multipart/form-data, as the SDKs send them: the query as it is,
            // the text fields (signed) as text parts, the files (never signed) as file parts.
            let text = self
                .form
                .iter()
                .zip(self.form_bytes)
                .map(|((key, _), bytes)| ((*key).to_owned(), bytes.to_vec()))
                .collect();
            let files = self
                .files
                .iter()
                .map(|(key, file)| ((*key).to_owned(), file.clone()))
                .collect();
            return PreparedRequest {
                url,
                body: Vec::new(),
                content_type: "multipart/form-data".to_owned(),
                multipart: Some(MultipartBody {
                    text,
                    files,
                    charset: self.charset,
                }),
            };
        }
        let body_len: usize = self
            .form
            .iter()
            .map(|(k, v)| k.len() + v.len() * 3 + 2)
            .sum();
        let mut body = String::with_capacity(body_len);
        self.push_form(&mut body);
        PreparedRequest {
            url,
            body: body.into_bytes(),
            content_type: format!(
                "application/x-www-form-urlencoded;charset={}",
                self.charset.as_str()
            ),
            multipart: None,
        }
    }

    /// The whole request as one GET URL.
    pub fn page_url(&self) -> String {
        let mut url = self.gateway_url();
        self.push_public(&mut url);
        self.push_form(&mut url);
        url
    }

    /// The auto-submitting form: the public parameters in the action URL, the rest as
    /// hidden inputs with their values as signed.
    pub fn page_form(&self) -> Result<PageForm, PrepareError> {
        let mut action = self.gateway_url();
        self.push_public(&mut action);
        PageForm::new(&action, self.form, self.charset).map_err(|_| {
            PrepareError::Invalid(ValidationError::new(
                "page_form",
                Rule::Unsupported(unencodable_rule(self.charset)),
            ))
        })
    }
}

/// Builds and signs one request, and renders it with `render`.
pub(crate) fn sign_request<R>(
    public: &PublicParams<'_>,
    method: &str,
    parts: &RequestParts,
    now: SystemTime,
    render: impl FnOnce(&Signed<'_>) -> R,
) -> Result<R, PrepareError> {
    let timestamp = beijing_timestamp(now);
    let charset_name = public.charset.as_str();
    let sign_type_name = public.sign_type.as_str();

    // Empty values are never sent, so they are never signed either.
    let (app_cert_sn, alipay_root_cert_sn) = public.cert_sns.unzip();
    let biz_content = parts.biz_content.as_deref().filter(|v| !v.is_empty());
    // encrypt, then sign: the signature covers the ciphertext and encrypt_type. The plaintext
    // is encrypted as encoded in the request charset, as the Java SDK does.
    let encrypted: Option<String> = match (public.encrypt_key, biz_content) {
        (Some(key), Some(biz)) => match public.charset.encode(biz) {
            Ok(bytes) => Some(key.encrypt_bytes(&bytes)),
            Err(_) => {
                return Err(PrepareError::Invalid(ValidationError::new(
                    param::BIZ_CONTENT,
                    Rule::Unsupported(unencodable_rule(public.charset)),
                )));
            }
        },
        _ => None,
    };
    let encrypt_type = encrypted.as_ref().map(|_| crate::encrypt::ENCRYPT_TYPE);

    // The public parameters one request may set (protocol::PER_REQUEST_PARAMS): from its
    // RequestOptions, or from a form field of the method named like one.
    let options = public.options;
    let mut app_auth_token = options.app_auth_token.as_deref();
    let mut auth_token = options.auth_token.as_deref();
    let mut notify_url = options.notify_url.as_deref();
    let mut return_url = options.return_url.as_deref();

    let mut form: Vec<(&str, &str)> = Vec::with_capacity(1 + parts.form.len());
    if let Some(biz) = encrypted.as_deref().or(biz_content) {
        form.push((param::BIZ_CONTENT, biz));
    }
    for (i, (key, value)) in parts.form.iter().enumerate() {
        let own = match *key {
            param::APP_AUTH_TOKEN => Some(&mut app_auth_token),
            param::AUTH_TOKEN => Some(&mut auth_token),
            param::NOTIFY_URL => Some(&mut notify_url),
            param::RETURN_URL => Some(&mut return_url),
            _ => None,
        };
        if let Some(own) = own {
            if value.is_empty() {
                continue;
            }
            if own.is_some() {
                return Err(PrepareError::Invalid(ValidationError::new(
                    *key,
                    Rule::Unsupported(
                        "is set twice (as a field of the request and in its RequestOptions, or \
                         twice as a field)",
                    ),
                )));
            }
            *own = Some(value.as_str());
            continue;
        }
        if protocol::is_sent_by_client(key) || parts.form[..i].iter().any(|(k, _)| k == key) {
            return Err(PrepareError::Invalid(ValidationError::new(
                *key,
                Rule::Unsupported("is sent twice (it repeats a public or another form parameter)"),
            )));
        }
        if !value.is_empty() {
            form.push((key, value));
        }
    }
    for (i, (key, _)) in parts.files.iter().enumerate() {
        if protocol::is_sent_by_client(key)
            || parts.form.iter().any(|(k, _)| k == key)
            || parts.files[..i].iter().any(|(k, _)| k == key)
        {
            return Err(PrepareError::Invalid(ValidationError::new(
                *key,
                Rule::Unsupported(
                    "is sent twice (it repeats a public parameter, a form field or another file)",
                ),
            )));
        }
    }

    let mut query: Vec<(&str, &str)> = Vec::with_capacity(16);
    for (key, value) in [
        (param::APP_ID, Some(public.app_id)),
        (param::METHOD, Some(method)),
        (param::FORMAT, Some(FORMAT)),
        (param::CHARSET, Some(charset_name)),
        (param::SIGN_TYPE, Some(sign_type_name)),
        (param::TIMESTAMP, Some(timestamp.as_str())),
        (param::VERSION, Some(VERSION)),
        (
            param::APP_AUTH_TOKEN,
            app_auth_token.or(public.app_auth_token),
        ),
        (param::AUTH_TOKEN, auth_token),
        (param::NOTIFY_URL, notify_url.or(public.notify_url)),
        (param::RETURN_URL, return_url.or(public.return_url)),
        (param::APP_CERT_SN, app_cert_sn),
        (param::ALIPAY_ROOT_CERT_SN, alipay_root_cert_sn),
        (param::ENCRYPT_TYPE, encrypt_type),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            query.push((key, value));
        }
    }

    // Every value must survive the request charset: a lossy encoding would sign and send
    // something other than what the caller asked for.
    let mut encoded: Vec<Cow<'_, [u8]>> = Vec::with_capacity(query.len() + form.len());
    for (key, value) in query.iter().chain(form.iter()) {
        match public.charset.encode(value) {
            Ok(bytes) => encoded.push(bytes),
            Err(_) => {
                return Err(PrepareError::Invalid(ValidationError::new(
                    *key,
                    Rule::Unsupported(unencodable_rule(public.charset)),
                )));
            }
        }
    }

    let content = sign_content(query.iter().chain(form.iter()).copied());
    tracing::trace!(
        method,
        sign_type = sign_type_name,
        charset = charset_name,
        content = %redact::sign_content_text(query.iter().chain(form.iter()).copied()),
        "signing the request's sign content (secret values redacted)"
    );
    let content_bytes = public.charset.encode(&content).map_err(|_| {
        PrepareError::Invalid(ValidationError::new(
            "sign_content",
            Rule::Unsupported(unencodable_rule(public.charset)),
        ))
    })?;
    let sign =
        sign_base64(public.signer, public.sign_type, &content_bytes).map_err(PrepareError::Sign)?;

    let (query_bytes, form_bytes) = encoded.split_at(query.len());
    Ok(render(&Signed {
        gateway: public.gateway,
        charset: public.charset,
        query: &query,
        query_bytes,
        form: &form,
        form_bytes,
        sign: &sign,
        files: &parts.files,
    }))
}

fn push_pair(out: &mut String, first: &mut bool, key: &str, value: &[u8]) {
    if !*first {
        out.push('&');
    }
    *first = false;
    out.extend(form_urlencoded::byte_serialize(key.as_bytes()));
    out.push('=');
    out.extend(form_urlencoded::byte_serialize(value));
}

fn unencodable_rule(charset: Charset) -> &'static str {
    match charset {
        Charset::Utf8 => "has characters that cannot be encoded in utf-8",
        Charset::Gbk => "has characters that cannot be encoded in GBK",
        Charset::Gb2312 => "has characters that cannot be encoded in GB2312",
    }
}

/// Formats `t` as Beijing time (UTC+8, which has no daylight saving), `yyyy-MM-dd HH:mm:ss`,
/// whatever the machine's time zone.
pub fn beijing_timestamp(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    };
    let local = secs.saturating_add(8 * 3600);
    let days = local.div_euclid(86_400);
    let second_of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Builds, signs and encodes one request as a POST.
    fn prepare(
        public: &PublicParams<'_>,
        method: &str,
        parts: &RequestParts,
        now: SystemTime,
    ) -> Result<PreparedRequest, PrepareError> {
        sign_request(public, method, parts, now, |s| s.post())
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn beijing_timestamp_for_fixed_instants() {
        // 2014-07-24 03:07:50 Beijing = 2014-07-23 19:07:50 UTC = 1406142470.
        assert_eq!(beijing_timestamp(at(1_406_142_470)), "2014-07-24 03:07:50");
        assert_eq!(beijing_timestamp(UNIX_EPOCH), "1970-01-01 08:00:00");
        // 2024-02-28 16:00:00 UTC is midnight of the leap day in Beijing.
        assert_eq!(beijing_timestamp(at(1_709_136_000)), "2024-02-29 00:00:00");
        // 2023-12-31 15:59:59 UTC is the last second of 2023 in Beijing.
        assert_eq!(beijing_timestamp(at(1_704_038_399)), "2023-12-31 23:59:59");
        assert_eq!(beijing_timestamp(at(1_704_038_400)), "2024-01-01 00:00:00");
        // Sub-second parts are cut, not rounded.
        assert_eq!(
            beijing_timestamp(at(1_704_038_399) + Duration::from_millis(999)),
            "2023-12-31 23:59:59"
        );
        assert_eq!(
            beijing_timestamp(UNIX_EPOCH - Duration::from_millis(1)),
            "1970-01-01 07:59:59"
        );
    }

    /// Runs the fixed-instant test again in child processes whose TZ is far from UTC+8
    /// (setting TZ in this process would race with other tests reading the environment).
    #[test]
    fn beijing_timestamp_ignores_the_machine_time_zone() {
        let exe = std::env::current_exe().expect("test binary path");
        for tz in [
            "America/Los_Angeles",
            "Asia/Kathmandu",
            "UTC",
            "Pacific/Kiritimati",
        ] {
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "request::tests::beijing_timestamp_for_fixed_instants",
                ])
                .env("TZ", tz)
                .output()
                .expect("run the test binary");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "TZ={tz}: {stdout}");
            assert!(stdout.contains("1 passed"), "TZ={tz}: {stdout}");
        }
    }

    fn test_key() -> crate::keys::PrivateKey {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/vectors/keys/app_private_pkcs1.pem"
        );
        crate::keys::PrivateKey::from_file(path).expect("test key")
    }

    fn public<'a>(key: &'a crate::keys::PrivateKey, charset: Charset) -> PublicParams<'a> {
        PublicParams {
            gateway: "https://openapi.alipay.com/gateway.do",
            app_id: "2014072300007148",
            sign_type: SignType::Rsa2,
            charset,
            app_auth_token: Some(""),
            notify_url: None,
            return_url: Some("https://m.example/r?x=1"),
            options: &crate::client::NO_OPTIONS,
            cert_sns: None,
            encrypt_key: None,
            signer: key,
        }
    }

    #[test]
    fn prepare_puts_public_params_in_the_query_and_the_rest_in_the_body() {
        let key = test_key();
        let parts = RequestParts {
            biz_content: Some(r#"{"remark":"王龙海 a+b"}"#.into()),
            form: vec![("channel", "APP".into()), ("empty", String::new())],
            files: Vec::new(),
        };
        let p = prepare(
            &public(&key, Charset::Gbk),
            "alipay.a.b",
            &parts,
            at(1_406_142_470),
        )
        .expect("prepared");
        let (gateway, query) = p.url.split_once('?').expect("query");
        assert_eq!(gateway, "https://openapi.alipay.com/gateway.do");
        let names: Vec<&str> = query
            .split('&')
            .map(|kv| kv.split('=').next().unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "app_id",
                "method",
                "format",
                "charset",
                "sign_type",
                "timestamp",
                "version",
                "return_url",
                "sign"
            ]
        );
        assert!(query.contains("&return_url=https%3A%2F%2Fm.example%2Fr%3Fx%3D1&"));
        assert_eq!(
            std::str::from_utf8(&p.body).expect("ascii"),
            "biz_content=%7B%22remark%22%3A%22%CD%F5%C1%FA%BA%A3+a%2Bb%22%7D&channel=APP"
        );
        assert_eq!(
            p.content_type,
            "application/x-www-form-urlencoded;charset=GBK"
        );

        // The signature covers exactly what is sent, in GBK.
        let content = sign_content([
            ("app_id", "2014072300007148"),
            ("method", "alipay.a.b"),
            ("format", "JSON"),
            ("charset", "GBK"),
            ("sign_type", "RSA2"),
            ("timestamp", "2014-07-24 03:07:50"),
            ("version", "1.0"),
            ("return_url", "https://m.example/r?x=1"),
            ("biz_content", r#"{"remark":"王龙海 a+b"}"#),
            ("channel", "APP"),
        ]);
        let bytes = Charset::Gbk.encode(&content).expect("gbk");
        let expected = sign_base64(&key, SignType::Rsa2, &bytes).expect("sign");
        let sent = query.rsplit_once("&sign=").map(|(_, s)| s).expect("sign");
        let sent: String = form_urlencoded::parse(format!("s={sent}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        assert_eq!(sent, expected);
    }

    #[test]
    fn form_fields_may_not_repeat_public_params() {
        let key = test_key();
        for form in [
            vec![("app_id", "x".to_owned())],
            vec![("biz_content", "{}".to_owned())],
            vec![("a", "1".to_owned()), ("a", "2".to_owned())],
        ] {
            let parts = RequestParts {
                biz_content: None,
                form,
                files: Vec::new(),
            };
            let err = prepare(&public(&key, Charset::Utf8), "m", &parts, UNIX_EPOCH).unwrap_err();
            assert!(
                matches!(
                    err,
                    PrepareError::Invalid(ValidationError {
                        rule: Rule::Unsupported(_),
                        ..
                    })
                ),
                "{err:?}"
            );
        }
    }

    /// The pairs of a query, decoded from `charset`, in order.
    fn pairs(query: &str, charset: Charset) -> Vec<(String, String)> {
        crate::form::decode(query.as_bytes())
            .into_iter()
            .map(|(k, v)| {
                let k = charset.decode(&k).expect("key").into_owned();
                let v = charset.decode(&v).expect("value").into_owned();
                (k, v)
            })
            .collect()
    }

    fn vectors(file: &str) -> serde_json::Value {
        let path = format!("{}/../../shared/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("vectors")).expect("JSON")
    }

    /// Renders the official SDK's own parameters, in its order, through `render`: what the
    /// signature and rendering do with exactly its input.
    fn render_as_sdk<R>(
        key: &crate::keys::PrivateKey,
        gateway: &str,
        params: &[(String, String)],
        charset: Charset,
        render: impl FnOnce(&Signed<'_>) -> R,
    ) -> (String, R) {
        let at = params.iter().position(|(k, _)| k == param::SIGN);
        let public: Vec<(&str, &str)> = params[..at.unwrap_or(params.len())]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let rest: Vec<(&str, &str)> = params[at.map_or(params.len(), |i| i + 1)..]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let content = sign_content(public.iter().chain(rest.iter()).copied());
        let bytes = charset.encode(&content).expect("encodable");
        let sign = sign_base64(key, SignType::Rsa2, &bytes).expect("sign");
        let encode = |pairs: &[(&str, &str)]| -> Vec<Cow<'static, [u8]>> {
            pairs
                .iter()
                .map(|(_, v)| Cow::Owned(charset.encode(v).expect("encodable").into_owned()))
                .collect()
        };
        let (public_bytes, rest_bytes) = (encode(public.as_slice()), encode(rest.as_slice()));
        let rendered = render(&Signed {
            gateway,
            charset,
            query: &public,
            query_bytes: &public_bytes,
            form: &rest,
            form_bytes: &rest_bytes,
            sign: &sign,
            files: &[],
        });
        (sign, rendered)
    }

    fn value<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The action and hidden inputs of a form (ours or an SDK's), attribute values decoded
    /// as a browser decodes them.
    fn form_fields(html: &str) -> (String, Vec<(String, String)>) {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            let end = tag[start..].find('"')? + start;
            Some(html_escape::decode_html_entities(&tag[start..end]).into_owned())
        };
        let form_tag = &html[html.find("<form").expect("a form")..];
        let form_tag = &form_tag[..form_tag.find('>').expect("form tag end")];
        let action = attr(form_tag, "action").expect("action");
        let inputs = html
            .split("<input ")
            .skip(1)
            .filter(|tag| tag.contains("type=\"hidden\""))
            .map(|tag| {
                (
                    attr(tag, "name").expect("name"),
                    attr(tag, "value").expect("value"),
                )
            })
            .collect();
        (action, inputs)
    }

    /// PY's `page_execute` (GET and POST) and `sdk_execute`, utf-8 and GBK: the same
    /// parameters give the same signature, the same URL and the same order string, byte for
    /// byte; the form carries the same action and values (PY escapes only `"`, this client
    /// every special character, so the HTML itself differs).
    #[test]
    fn py_page_execute_vectors_byte_for_byte() {
        let key = test_key();
        let doc = vectors("modes_py.json");
        for (name, charset) in [("utf-8", Charset::Utf8), ("GBK", Charset::Gbk)] {
            let v = &doc["page_execute_py"]["results"][name];
            let get_url = v["get_url"].as_str().expect("get_url");
            let (gateway, query) = get_url.split_once('?').expect("query");
            let params = pairs(query, charset);
            assert_eq!(value(&params, param::CHARSET), name);
            let (sign, url) = render_as_sdk(&key, gateway, &params, charset, |s| s.page_url());
            assert_eq!(sign, value(&params, param::SIGN), "{name}: signature");
            assert_eq!(url, get_url, "{name}: GET URL");

            let (_, form) = render_as_sdk(&key, gateway, &params, charset, |s| s.page_form());
            let form = form.expect("form");
            assert_eq!(form.charset(), charset);
            assert_eq!(
                charset.decode(form.to_bytes()).expect("in charset"),
                form.html()
            );
            let ours = form_fields(form.html());
            let theirs = form_fields(v["post_form_html"].as_str().expect("form"));
            assert_eq!(ours, theirs, "{name}: form");

            let order = v["sdk_execute"].as_str().expect("sdk_execute");
            let params = pairs(order, charset);
            let (sign, ours) = render_as_sdk(&key, gateway, &params, charset, |s| s.all_params());
            assert_eq!(sign, value(&params, param::SIGN), "{name}: order signature");
            assert_eq!(ours, order, "{name}: order string");
        }
    }

    /// NODE's `pageExecute` and `sdkExecute` (utf-8): the same parameters give the same
    /// signature, the public part of the URL is the same byte for byte, and what this client
    /// renders of them decodes to the same parameters (NODE percent-encodes the rest with
    /// encodeURIComponent, `%20` for a space where this client writes `+`).
    #[test]
    fn node_page_execute_vectors_sign_the_same() {
        let key = test_key();
        let doc = vectors("modes_node.json");
        let v = &doc["page_execute"];
        let get_url = v["get_url"].as_str().expect("get_url");
        let (gateway, query) = get_url.split_once('?').expect("query");
        let params = pairs(query, Charset::Utf8);
        let (sign, url) = render_as_sdk(&key, gateway, &params, Charset::Utf8, |s| s.page_url());
        assert_eq!(sign, value(&params, param::SIGN));
        let public_end = get_url.find("&alipay_sdk=").expect("NODE's alipay_sdk");
        assert_eq!(url[..public_end], get_url[..public_end]);
        assert_eq!(
            pairs(url.split_once('?').expect("query").1, Charset::Utf8),
            params
        );

        let (_, form) = render_as_sdk(&key, gateway, &params, Charset::Utf8, |s| s.page_form());
        let theirs = form_fields(v["post_form_html"].as_str().expect("form"));
        assert_eq!(form_fields(form.expect("form").html()), theirs);

        let order = v["sdk_execute_order_string"].as_str().expect("order");
        let params = pairs(order, Charset::Utf8);
        let (sign, ours) = render_as_sdk(&key, gateway, &params, Charset::Utf8, |s| s.all_params());
        assert_eq!(sign, value(&params, param::SIGN));
        assert_eq!(pairs(&ours, Charset::Utf8), params);
    }

    #[test]
    fn per_request_params_come_from_options_or_a_form_field_and_never_twice() {
        let key = test_key();
        let options = RequestOptions::new()
            .app_auth_token("token-a")
            .auth_token("token-u")
            .notify_url("https://m.example/n?a=1&b=2");
        let mut public = public(&key, Charset::Utf8);
        public.options = &options;
        let parts = RequestParts {
            biz_content: Some("{}".into()),
            form: vec![(param::RETURN_URL, "https://m.example/own".into())],
            ..RequestParts::default()
        };
        let url = sign_request(&public, "m.a.b", &parts, UNIX_EPOCH, |s| s.page_url()).unwrap();
        let params = pairs(url.split_once('?').unwrap().1, Charset::Utf8);
        let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "app_id",
                "method",
                "format",
                "charset",
                "sign_type",
                "timestamp",
                "version",
                "app_auth_token",
                "auth_token",
                "notify_url",
                "return_url",
                "sign",
                "biz_content"
            ]
        );
        assert_eq!(value(&params, param::RETURN_URL), "https://m.example/own");
        assert_eq!(
            value(&params, param::NOTIFY_URL),
            "https://m.example/n?a=1&b=2"
        );
        assert_eq!(value(&params, param::AUTH_TOKEN), "token-u");

        // Set on the request and in its options: refused, whichever the values.
        let both = RequestOptions::new().return_url("https://m.example/other");
        public.options = &both;
        let err = sign_request(&public, "m.a.b", &parts, UNIX_EPOCH, |s| s.page_url())
            .expect_err("refused");
        assert!(
            matches!(&err, PrepareError::Invalid(e) if e.field == param::RETURN_URL),
            "{err:?}"
        );
        // Without options the client's own value is sent, and an empty field changes nothing.
        public.options = &crate::client::NO_OPTIONS;
        let parts = RequestParts {
            biz_content: None,
            form: vec![(param::RETURN_URL, String::new())],
            ..RequestParts::default()
        };
        let url = sign_request(&public, "m.a.b", &parts, UNIX_EPOCH, |s| s.page_url()).unwrap();
        let params = pairs(url.split_once('?').unwrap().1, Charset::Utf8);
        assert_eq!(value(&params, param::RETURN_URL), "https://m.example/r?x=1");
        assert_eq!(value(&params, param::APP_AUTH_TOKEN), "");
    }

    #[test]
    fn civil_dates_across_centuries() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
