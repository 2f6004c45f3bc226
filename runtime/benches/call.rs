//! One complete call without the network (validate, build, sign, encode, then parse and verify
//! a signed answer prepared once) against a bare RSA-2048 sign with the same backend.
//!
//! `cargo bench -p alipay-runtime --bench call` (add `-- --quick` for a short run; add
//! `--no-default-features --features rsa` for the pure-Rust backend). After criterion's own
//! report, the bench prints both medians and their ratio from an interleaved run of its own,
//! so drift on a busy machine hits both sides alike. Target: ratio <= 1.10.
//!
//! The same for a v3 call (`prepare_v3`, then `parse_response_v3` of an answer signed in its
//! headers) against a bare sign of a v3 sign string of the same size.
//!
//! `prepare_without_rsa` times what a call adds to the cryptography on its own: `prepare` with a
//! signer that does no RSA (it returns 256 bytes derived from the content), so the figure is
//! not a small difference of two large noisy ones.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{BACKEND, SignError, SignType, Signer, sign_base64};
use alipay_runtime::v3::{AnswerHeaders, HttpMethod, Route, RouteBody};
use alipay_runtime::validate::{self, ValidationError};
use alipay_runtime::{Client, Method, RequestParts, UndocumentedBizError};
use criterion::Criterion;

const KEYS: &str = "../../shared/vectors/keys";
const METHOD: &str = "alipay.test.agreement.confirm";
const NODE: &str = "alipay_test_agreement_confirm_response";

fn key_text(name: &str) -> String {
    let path = format!("{}/{KEYS}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Confirm {
    agreement_no: String,
    auth_code: String,
    remark: String,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct ConfirmResponse {
    // Optional, as generated: a v3 answer has no `code` or `msg`.
    code: Option<String>,
    msg: Option<String>,
    agreement_no: Option<String>,
    alipay_user_id: Option<String>,
    sign_time: Option<String>,
}

impl Method for Confirm {
    const METHOD: &'static str = METHOD;
    const RESPONSE_NODE: &'static str = NODE;
    type Response = ConfirmResponse;
    type BizError = UndocumentedBizError;
    const ROUTE: Option<Route> = Some(Route {
        http_method: HttpMethod::Post,
        path: "/v3/alipay/test/agreement/confirm",
        query: &[],
        body: RouteBody::Json,
        v2: true,
    });

    fn validate(&self) -> Result<(), ValidationError> {
        validate::non_empty("agreement_no", &self.agreement_no)?;
        validate::max_length("agreement_no", &self.agreement_no, 64)?;
        validate::non_empty("auth_code", &self.auth_code)?;
        validate::max_length("auth_code", &self.auth_code, 32)?;
        validate::max_length("remark", &self.remark, 256)
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        #[derive(serde::Serialize)]
        struct Biz<'a> {
            agreement_no: &'a str,
            auth_code: &'a str,
            remark: &'a str,
        }
        let biz = serde_json::to_string(&Biz {
            agreement_no: &self.agreement_no,
            auth_code: &self.auth_code,
            remark: &self.remark,
        })
        .map_err(|_| {
            ValidationError::new("biz_content", validate::Rule::Type { expected: "JSON" })
        })?;
        Ok(RequestParts {
            biz_content: Some(biz),
            form: Vec::new(),
            files: Vec::new(),
        })
    }
}

/// A signer without RSA: 256 bytes that depend on every content byte (so nothing is optimised
/// away), for timing what a call costs besides its signature.
#[derive(Debug)]
struct NoRsa;

impl Signer for NoRsa {
    fn sign(&self, _: SignType, content: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut out = vec![0u8; 256];
        for (i, b) in content.iter().enumerate() {
            out[i % 256] ^= *b;
        }
        Ok(out)
    }
}

struct Setup {
    client: Client,
    /// The same client with the [`NoRsa`] signer.
    client_no_rsa: Client,
    request: Confirm,
    response_body: Vec<u8>,
    app_key: PrivateKey,
    sign_content: Vec<u8>,
    /// A v3 answer: its body and (timestamp, nonce, signature).
    v3_body: Vec<u8>,
    v3_headers: (String, String, String),
    /// A v3 sign string as the call signs it (the auth line's nonce aside).
    v3_sign_string: Vec<u8>,
}

fn setup() -> Setup {
    let app_key = PrivateKey::parse(&key_text("app_private_pkcs1.pem")).expect("app key");
    let alipay_key = PrivateKey::parse(&key_text("alipay_private_pkcs1.pem")).expect("alipay key");
    let alipay_public = PublicKey::parse(&key_text("alipay_public.pem")).expect("alipay public");
    let builder = || {
        Client::builder()
            .gateway("http://127.0.0.1:9/gateway.do")
            .app_id("2014072300007148")
            .alipay_public_key(alipay_public.clone())
            .notify_url("https://merchant.example/notify")
            .clock(|| UNIX_EPOCH + Duration::from_secs(1_406_142_470))
    };
    let client = builder()
        .private_key(PrivateKey::parse(&key_text("app_private_pkcs1.pem")).expect("app key"))
        .build()
        .expect("client");
    let no_rsa: Arc<dyn Signer> = Arc::new(NoRsa);
    let client_no_rsa = builder().private_key(no_rsa).build().expect("client");
    let request = Confirm {
        agreement_no: "20170322450983769228".into(),
        auth_code: "123456".into(),
        remark: "月度代扣协议确认 monthly deduction agreement".into(),
    };
    let node = r#"{"code":"10000","msg":"Success","agreement_no":"20170322450983769228","alipay_user_id":"2088101122675263","sign_time":"2017-03-22 15:40:12"}"#;
    let sign = sign_base64(&alipay_key, SignType::Rsa2, node.as_bytes()).expect("sign");
    let response_body = format!("{{\"{NODE}\":{node},\"sign\":\"{sign}\"}}").into_bytes();

    // The bare sign covers the same bytes the call signs.
    let content = alipay_runtime::sign_content::sign_content([
        ("app_id", "2014072300007148"),
        ("method", METHOD),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", "2014-07-24 03:07:50"),
        ("version", "1.0"),
        ("notify_url", "https://merchant.example/notify"),
        (
            "biz_content",
            r#"{"agreement_no":"20170322450983769228","auth_code":"123456","remark":"月度代扣协议确认 monthly deduction agreement"}"#,
        ),
    ]);
    let sign_content = Charset::Utf8.encode(&content).expect("utf-8").into_owned();
    let v3_body = r#"{"agreement_no":"20170322450983769228","alipay_user_id":"2088101122675263","sign_time":"2017-03-22 15:40:12"}"#;
    let (timestamp, nonce) = ("1406142470000", "5f1e2d3c-4b5a-4697-8877-000000000015");
    let v3_signature = sign_base64(
        &alipay_key,
        SignType::Rsa2,
        format!("{timestamp}\n{nonce}\n{v3_body}\n").as_bytes(),
    )
    .expect("sign");
    let v3_sign_string = alipay_runtime::v3::sign_string(
        "app_id=2014072300007148,nonce=0b9e4c1a-6f2d-4e8b-9a37-2c5d8e1f4a60,timestamp=1406142470000",
        "POST",
        "/v3/alipay/test/agreement/confirm",
        r#"{"agreement_no":"20170322450983769228","auth_code":"123456","notify_url":"https://merchant.example/notify","remark":"月度代扣协议确认 monthly deduction agreement"}"#.as_bytes(),
        None,
    );
    Setup {
        client,
        client_no_rsa,
        request,
        response_body,
        app_key,
        sign_content,
        v3_body: v3_body.as_bytes().to_vec(),
        v3_headers: (timestamp.to_owned(), nonce.to_owned(), v3_signature),
        v3_sign_string,
    }
}

fn full_call(s: &Setup) {
    let prepared = s.client.prepare(black_box(&s.request)).expect("prepare");
    black_box(&prepared);
    let response = s
        .client
        .parse_response::<Confirm>(200, black_box(&s.response_body))
        .expect("verified");
    black_box(response);
}

fn full_call_v3(s: &Setup) {
    let prepared = s.client.prepare_v3(black_box(&s.request)).expect("prepare");
    black_box(&prepared);
    let (timestamp, nonce, signature) = &s.v3_headers;
    let headers = AnswerHeaders {
        timestamp: Some(timestamp),
        nonce: Some(nonce),
        signature: Some(signature),
        ..AnswerHeaders::default()
    };
    let response = s
        .client
        .parse_response_v3::<Confirm>(200, &headers, black_box(&s.v3_body), false)
        .expect("verified");
    black_box(response);
}

/// A bare RSA2 sign of `content` (the v2 sign content or the v3 sign string).
fn bare_sign(s: &Setup, content: &[u8]) {
    let sig = s
        .app_key
        .sign(SignType::Rsa2, black_box(content))
        .expect("sign");
    black_box(sig);
}

/// Runs `f` once, its time pushed to `times`.
fn timed(times: &mut Vec<Duration>, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    times.push(t.elapsed());
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

// Long because: criterion's runs, then one loop of interleaved rounds whose medians make the three report lines.
fn main() {
    let s = setup();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = c.benchmark_group(format!("call-{BACKEND}"));
    group.bench_function("full_call_no_network", |b| b.iter(|| full_call(&s)));
    group.bench_function("bare_rsa2048_sign", |b| {
        b.iter(|| bare_sign(&s, &s.sign_content))
    });
    group.bench_function("prepare_without_rsa", |b| {
        b.iter(|| {
            black_box(
                s.client_no_rsa
                    .prepare(black_box(&s.request))
                    .expect("prepare"),
            )
        })
    });
    group.bench_function("full_v3_call_no_network", |b| b.iter(|| full_call_v3(&s)));
    group.bench_function("bare_rsa2048_sign_v3_string", |b| {
        b.iter(|| bare_sign(&s, &s.v3_sign_string))
    });
    group.finish();
    c.final_summary();

    // Interleaved medians: each round times one full call, one bare sign and, for the
    // breakdown, the two halves of the call and the bare response verification.
    let started = Instant::now();
    let node_text = {
        let text = std::str::from_utf8(&s.response_body).expect("utf-8");
        let start = text.find(':').map_or(0, |i| i + 1);
        let end = text.rfind(",\"sign\"").unwrap_or(text.len());
        text[start..end].to_owned()
    };
    let sign_b64 = {
        let text = std::str::from_utf8(&s.response_body).expect("utf-8");
        let start = text.rfind(":\"").map_or(0, |i| i + 2);
        text[start..text.len() - 2].to_owned()
    };
    let alipay_public = s.client.config().alipay_public_key().clone();
    let (mut calls, mut signs, mut prepares, mut parses, mut verifies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut v3_calls, mut v3_signs) = (Vec::new(), Vec::new());
    while calls.len() < 100 || (started.elapsed() < Duration::from_secs(4) && calls.len() < 5000) {
        timed(&mut calls, || full_call(&s));
        timed(&mut signs, || bare_sign(&s, &s.sign_content));
        timed(&mut prepares, || {
            black_box(s.client.prepare(black_box(&s.request)).expect("prepare"));
        });
        timed(&mut parses, || {
            black_box(
                s.client
                    .parse_response::<Confirm>(200, black_box(&s.response_body))
                    .expect("verified"),
            );
        });
        timed(&mut verifies, || {
            alipay_public
                .verify(SignType::Rsa2, black_box(node_text.as_bytes()), &sign_b64)
                .expect("bare verify");
        });
        timed(&mut v3_calls, || full_call_v3(&s));
        timed(&mut v3_signs, || bare_sign(&s, &s.v3_sign_string));
    }
    let rounds = calls.len();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    // The ratio line of the v2 calls (`protocol` empty) or of the v3 ones.
    let ratio_line = |protocol: &str, calls: Vec<Duration>, signs: Vec<Duration>| {
        let (call, sign) = (median(calls), median(signs));
        println!(
            "backend {BACKEND}: {protocol}median full call {:.1} us, median bare RSA-2048 sign {:.1} us, ratio {:.3} ({rounds} interleaved rounds)",
            us(call),
            us(sign),
            call.as_secs_f64() / sign.as_secs_f64(),
        );
    };
    ratio_line("", calls, signs);
    println!(
        "  breakdown: prepare (validate, build, sign, encode) {:.1} us; parse_response (verify, type) {:.1} us, of which bare RSA-2048 verify {:.1} us",
        us(median(prepares)),
        us(median(parses)),
        us(median(verifies)),
    );
    ratio_line("v3: ", v3_calls, v3_signs);
}
