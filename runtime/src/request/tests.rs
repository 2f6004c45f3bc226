//! The request path against fixed vectors: what is sent and signed, and the official SDKs'
//! own page and order strings rendered byte for byte.

use super::*;
use std::time::{Duration, UNIX_EPOCH};

use crate::protocol::param;
use crate::sign::sign_base64;
use crate::sign_content::sign_content;
use crate::validate::Rule;

/// Builds, signs and encodes one request as a POST.
fn prepare(
    public: &PublicParams<'_>,
    method: &str,
    parts: &RequestParts,
    now: SystemTime,
) -> Result<PreparedRequest, PrepareError> {
    sign_request(public, method, parts, now, |s| s.post())
}

/// The public parameters every request sends first, in the order it sends them.
const LEADING_PARAMS: [&str; 7] = [
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "timestamp",
    "version",
];

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
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
        [&LEADING_PARAMS[..], &["return_url", "sign"]].concat()
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
    crate::form::decode_text(query.as_bytes(), charset).expect("text in the charset")
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
    let public_params = encoding::encode(&public, charset).expect("encodable");
    let rest_params = encoding::encode(&rest, charset).expect("encodable");
    let rendered = render(&Signed {
        gateway,
        charset,
        query: &public_params,
        form: &rest_params,
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
            &LEADING_PARAMS[..],
            &[
                "app_auth_token",
                "auth_token",
                "notify_url",
                "return_url",
                "sign",
                "biz_content"
            ]
        ]
        .concat()
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
    let err =
        sign_request(&public, "m.a.b", &parts, UNIX_EPOCH, |s| s.page_url()).expect_err("refused");
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
