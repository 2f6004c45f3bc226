//! Tracing: one span per call, with its facts and without secrets; at TRACE, the exact text
//! signed and verified, secrets redacted.

use std::sync::{Arc, Mutex};

use alipay_runtime::Error;
use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::sign_content::sign_content;

use crate::server::*;

/// A subscriber that writes down every span name, field and event (with its level) as text.
#[derive(Default, Clone)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<std::sync::atomic::AtomicU64>,
}

struct Fields<'a>(&'a mut Vec<String>, String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push(format!("{} {}={value:?}", self.1, field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(format!("{} {}={value}", self.1, field.name()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = 1 + self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut lines = self.lines.lock().expect("lines");
        let name = format!("span#{id}:{}", attrs.metadata().name());
        lines.push(name.clone());
        attrs.record(&mut Fields(&mut lines, name));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut lines = self.lines.lock().expect("lines");
        values.record(&mut Fields(&mut lines, format!("span#{}", span.into_u64())));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut lines = self.lines.lock().expect("lines");
        let prefix = format!("event[{}]", event.metadata().level());
        event.record(&mut Fields(&mut lines, prefix));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

// Long because: one global subscriber per test binary, so every kind of call (v2, v3, a token in the query) runs under this one test.
/// Installs the recorder as the global subscriber (a scoped one races with the callsite
/// interest cache while other tests run in parallel); this test finds its own span by its
/// unique app_id.
#[test]
fn one_span_per_call_with_codes_and_no_secrets() {
    const APP_ID: &str = "2088SPANTEST0001";
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    tracing::subscriber::set_global_default(recorder).expect("the only global subscriber");
    let token = "201510BBspantest0token0000000000000X77";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sign_seen, response_sign, received) = runtime.block_on(async {
        let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时","access_token":"ACCESS-SECRET-1"}"#;
        let body = signed_body(NODE, node, Charset::Utf8, SignType::Rsa2);
        let answer: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let response_sign = answer["sign"].as_str().expect("sign").to_owned();
        let server = Server::start(move |_| json_reply(body.clone(), Charset::Utf8)).await;
        let client = client_for(&server)
            .app_id(APP_ID)
            .app_auth_token(token)
            .build()
            .expect("client");
        let err = client.execute(&Confirm::new("SECRETAUTH")).await.unwrap_err();
        assert!(matches!(err, Error::Business(_)), "{err:?}");
        let received = server.requests().remove(0).params(Charset::Utf8);
        let sign = received
            .iter()
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.clone())
            .expect("sign sent");
        (sign, response_sign, received)
    });
    // A v3 call: its span says the protocol, the route and Alipay's trace id; its TRACE event
    // the sign string with the token redacted.
    let v3_token = "201510BBspantest0v3token00000000000X78";
    runtime.block_on(async {
        let mut v = crate::v3_client::vector("resp_http_400_signed");
        let addr = crate::v3_client::replay(&v).await;
        v["config"]["appId"] = APP_ID_V3.into();
        v["gateway"] = format!("http://{addr}/gateway.do").into();
        let client = crate::v3_client::client_for(&v);
        let options = alipay_runtime::RequestOptions::new()
            .protocol(alipay_runtime::Protocol::V3)
            .app_auth_token(v3_token);
        let request = crate::v3_client::Raw::<{ crate::v3_client::QUERY }>::json(
            r#"{"out_trade_no":"SECRET-V3"}"#,
        );
        let err = client.execute_with(&request, &options).await.unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        // A route that sends the user's auth_token and a field in its query: the DEBUG event
        // of the request showed the whole target, token and field included.
        v["config"]["appId"] = "2088SPANTEST0004".into();
        let client = crate::v3_client::client_for(&v);
        let options = alipay_runtime::RequestOptions::new()
            .protocol(alipay_runtime::Protocol::V3)
            .auth_token(V3_USER_TOKEN);
        let request = crate::v3_client::Raw::<{ crate::v3_client::USER_INFO }>::json(
            r#"{"scope":"SECRET-V3-QUERY"}"#,
        );
        let err = client.execute_with(&request, &options).await.unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
    });
    let lines = lines.lock().expect("lines").clone();
    assert_v3_span(&lines);
    assert_call_span(&lines, APP_ID);
    assert_nothing_above_trace(
        &lines,
        &[
            token,
            "SECRETAUTH",
            "biz_content",
            "ACCESS-SECRET-1",
            "SECRET-V3-QUERY",
        ],
    );
    assert_trace_texts(&lines, APP_ID, &received);
    let pem = std::fs::read_to_string(key_path("app_private_pkcs1.pem")).expect("pem");
    let key_line = pem.lines().nth(3).expect("a base64 line");
    // No secret anywhere, at any level: the token, both signatures, the key.
    assert_no_secret(
        &lines,
        &[
            token,
            v3_token,
            V3_USER_TOKEN,
            sign_seen.as_str(),
            response_sign.as_str(),
            "ACCESS-SECRET-1",
            key_line,
        ],
    );
}

/// The one `alipay.call` span of the call made with `app_id`: a reader of its fields' last
/// recorded values.
fn call_span_fields<'a>(lines: &'a [String], app_id: &str) -> impl Fn(&str) -> Option<String> + 'a {
    let calls: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_suffix(&format!(":alipay.call app_id={app_id}")))
        .collect();
    assert_eq!(calls.len(), 1, "{lines:#?}");
    let id = calls[0].to_owned();
    move |name: &str| {
        lines
            .iter()
            .filter_map(|l| {
                l.strip_prefix(&format!("{id}:alipay.call {name}="))
                    .or_else(|| l.strip_prefix(&format!("{id} {name}=")))
            })
            .map(str::to_owned)
            .next_back()
    }
}

/// The app id of the v3 call.
const APP_ID_V3: &str = "2088SPANTEST0003";

/// The user's auth_token of the second v3 call, sent in its route's query.
const V3_USER_TOKEN: &str = "authusrBspantestv3usertoken00000X79";

/// The v3 call's `alipay.call` span: protocol, route, trace id, the error's code; its TRACE
/// sign string with the token redacted.
fn assert_v3_span(lines: &[String]) {
    let field = call_span_fields(lines, APP_ID_V3);
    assert_eq!(field("protocol").as_deref(), Some("v3"));
    assert_eq!(field("route").as_deref(), Some("/v3/alipay/trade/query"));
    assert_eq!(
        field("trace_id").as_deref(),
        Some("0b1f2e3d1722306093000031")
    );
    assert_eq!(field("sub_code").as_deref(), Some("invalid-parameter"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event[TRACE] app_auth_token=") && l.ends_with("<redacted>")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event[TRACE] body=") && l.contains("SECRET-V3")),
        "the v3 sign string's body at TRACE: {lines:#?}"
    );
}

/// The call's one `alipay.call` span (found by its app_id) with its method, codes and latency.
fn assert_call_span(lines: &[String], app_id: &str) {
    let field = call_span_fields(lines, app_id);
    assert_eq!(field("method").as_deref(), Some(METHOD));
    assert_eq!(field("code").as_deref(), Some("40004"));
    assert_eq!(field("sub_code").as_deref(), Some("VALIDATECODE_EXPIRED"));
    assert!(
        field("latency_ms").is_some_and(|v| v.parse::<u64>().is_ok()),
        "{lines:#?}"
    );
}

/// Above TRACE: nothing of the request's content.
fn assert_nothing_above_trace(lines: &[String], secrets: &[&str]) {
    let above_trace = lines
        .iter()
        .filter(|l| !l.starts_with("event[TRACE]"))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    for secret in secrets {
        assert!(
            !above_trace.contains(secret),
            "{secret} leaked into tracing above TRACE:\n{above_trace}"
        );
    }
}

/// At TRACE: exactly the text that was signed, with the app_auth_token redacted, and exactly
/// the node text that was verified, with its secret member redacted. Other tests run in
/// parallel, so this call's event is the one carrying its app_id.
fn assert_trace_texts(lines: &[String], app_id: &str, received: &[(String, String)]) {
    let trace_field = |name: &str, containing: &str| {
        let prefix = format!("event[TRACE] {name}=");
        let found: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix(prefix.as_str()))
            .filter(|v| v.contains(containing))
            .collect();
        assert_eq!(found.len(), 1, "{name} containing {containing}: {lines:#?}");
        found[0].to_owned()
    };
    let expected_content = sign_content(received.iter().map(|(k, v)| {
        let v = if k == "app_auth_token" {
            "<redacted>"
        } else {
            v.as_str()
        };
        (k.as_str(), v)
    }));
    assert!(
        expected_content.contains("SECRETAUTH"),
        "{expected_content}"
    );
    assert_eq!(
        trace_field("content", &format!("app_id={app_id}&")),
        expected_content
    );
    // And exactly the node text that was verified, with its secret member redacted (found by
    // what only this call's node holds: other tests verify nodes with an `access_token` too,
    // and the recorder is global).
    assert_eq!(
        trace_field("text", "\"sub_msg\":\"校验码超时\",\"access_token\""),
        r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时","access_token":"<redacted>"}"#
    );
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("event[TRACE] node={NODE}")),
        "{lines:#?}"
    );
}

/// None of `secrets` in any line, at any level.
fn assert_no_secret(lines: &[String], secrets: &[&str]) {
    let all = lines.join("\n");
    for secret in secrets {
        assert!(
            !all.contains(secret),
            "{secret} leaked into tracing:\n{all}"
        );
    }
}
