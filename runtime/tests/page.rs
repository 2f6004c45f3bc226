//! Client-side requests through the typed client: `page_form`, `page_url` and
//! `app_order_string`, in utf-8 and GBK, against the official SDKs' `page_execute` vectors
//! (`shared/vectors/modes_py.json`), re-verified with the rule Alipay's gateway applies to a
//! request (every parameter but `sign`, sorted, in the request charset, verified with the app
//! public key); values holding `&`, `<`, `"`, `'`, `+` and Chinese; the call-style checks and
//! the per-request public parameters.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::protocol::param;
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::{
    CallStyle, Charset, Client, DynBizCode, Error, Method, PrivateKey, PublicKey, RequestOptions,
    RequestParts, SignType, ValidationError,
};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

/// The instant the vectors' SDK clocks were frozen at: 2024-07-30 10:21:33 Beijing time.
fn vector_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_722_306_093)
}

fn client(charset: Charset) -> Client {
    Client::builder()
        // Nothing listens there: nothing here may be sent.
        .gateway("https://openapi.alipay.com/gateway.do")
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(format!("{DIR}keys/app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(PublicKey::from_file(format!("{DIR}keys/alipay_public.pem")).unwrap())
        .charset(charset)
        .notify_url("https://m.example/n")
        .clock(vector_clock)
        .build()
        .expect("client")
}

fn app_public_key() -> PublicKey {
    PublicKey::from_file(format!("{DIR}keys/app_public.pem")).unwrap()
}

/// A request of any method, any call style.
struct Req<const STYLE: u8> {
    biz_content: String,
    form: Vec<(&'static str, String)>,
}

const SERVER: u8 = 0;
const PAGE: u8 = 1;
const APP: u8 = 2;

impl<const STYLE: u8> Method for Req<STYLE> {
    const METHOD: &'static str = "alipay.test.style";
    const RESPONSE_NODE: &'static str = "alipay_test_style_response";
    type Response = Value;
    type BizError = DynBizCode;
    const CALL_STYLE: CallStyle = match STYLE {
        PAGE => CallStyle::Page,
        APP => CallStyle::App,
        _ => CallStyle::Server,
    };
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        Ok(RequestParts {
            biz_content: Some(self.biz_content.clone()),
            form: self.form.clone(),
            ..RequestParts::default()
        })
    }
}

fn req<const STYLE: u8>(biz_content: &str) -> Req<STYLE> {
    Req {
        biz_content: biz_content.to_owned(),
        form: Vec::new(),
    }
}

/// The pairs of a query, percent-decoded once and decoded from `charset`, in order.
fn pairs(query: &str, charset: Charset) -> Vec<(String, String)> {
    crate::server::decoded(query.as_bytes(), charset)
}

fn value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What Alipay's gateway does with a request: every parameter but `sign`, empty ones left
/// out, sorted, joined, encoded in the request charset, verified with the app public key.
fn gateway_verifies(params: &[(String, String)], charset: Charset) -> bool {
    let Some(sign) = value(params, param::SIGN) else {
        return false;
    };
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let bytes = charset.encode(&content).expect("encodable");
    app_public_key()
        .verify(SignType::Rsa2, &bytes, sign)
        .is_ok()
}

/// A form's action and hidden inputs, attribute values decoded as a browser decodes them.
fn form_fields(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| -> String {
        let start = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
        let end = tag[start..].find('"').expect("closing quote") + start;
        html_escape::decode_html_entities(&tag[start..end]).into_owned()
    };
    let form = &html[html.find("<form").expect("a form")..];
    let form = &form[..form.find('>').expect("form tag end")];
    let inputs = html
        .split("<input ")
        .skip(1)
        .filter(|tag| tag.contains("type=\"hidden\""))
        .map(|tag| (attr(tag, "name"), attr(tag, "value")))
        .collect();
    (attr(form, "action"), inputs)
}

/// Everything a form submits: the action's query, then the hidden inputs.
fn submitted(html: &str, charset: Charset) -> Vec<(String, String)> {
    let (action, inputs) = form_fields(html);
    let mut params = pairs(action.split_once('?').expect("query").1, charset);
    params.extend(inputs);
    params
}

/// The PY vector's biz_content (its keys sorted, as PY writes them).
const PY_BIZ: &str = r#"{"out_trade_no":"T1","product_code":"FAST_INSTANT_TRADE_PAY","subject":"中文 \"q\" & <b> a+b","total_amount":"0.01"}"#;
const PY_APP_BIZ: &str = r#"{"out_trade_no":"T1","subject":"中文 a+b","total_amount":"0.01"}"#;

fn py_vector(charset: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}modes_py.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["page_execute_py"]["results"][charset].clone()
}

/// The PY vector's parameters, as this client sends them: `format` is `JSON` here (PY sends
/// `json`), `method` the test's.
fn expected_params(query: &str, charset: Charset) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = pairs(query, charset)
        .into_iter()
        .filter(|(k, _)| k != param::SIGN)
        .map(|(k, v)| match k.as_str() {
            param::FORMAT => (k, "JSON".to_owned()),
            param::METHOD => (k, "alipay.test.style".to_owned()),
            _ => (k, v),
        })
        .collect();
    params.sort();
    params
}

fn without_sign(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != param::SIGN)
        .cloned()
        .collect();
    params.sort();
    params
}

#[test]
fn page_url_form_and_order_string_carry_the_vectors_parameters_and_verify() {
    for (name, charset) in [("utf-8", Charset::Utf8), ("GBK", Charset::Gbk)] {
        let v = py_vector(name);
        let client = client(charset);
        let options = RequestOptions::new().return_url("https://m.example/r?x=1&y=2");

        let url = client
            .page_url_with(&req::<PAGE>(PY_BIZ), &options)
            .expect("page_url");
        let (gateway, query) = url.split_once('?').expect("query");
        assert_eq!(gateway, "https://openapi.alipay.com/gateway.do");
        let params = pairs(query, charset);
        let py_query = v["get_url"].as_str().unwrap().split_once('?').unwrap().1;
        assert_eq!(
            without_sign(&params),
            expected_params(py_query, charset),
            "{name}"
        );
        assert!(gateway_verifies(&params, charset), "{name}: URL");

        let form = client
            .page_form_with(&req::<PAGE>(PY_BIZ), &options)
            .expect("page_form");
        assert_eq!(form.charset(), charset);
        assert_eq!(form.content_type(), format!("text/html;charset={name}"));
        assert!(form.html().contains(&format!("accept-charset=\"{name}\"")));
        assert_eq!(
            charset.decode(form.to_bytes()).expect("served in charset"),
            form.html()
        );
        let sent = submitted(form.html(), charset);
        assert_eq!(without_sign(&sent), without_sign(&params), "{name}: form");
        assert!(gateway_verifies(&sent, charset), "{name}: form");
        // The public parameters in the action, the rest as inputs.
        let (action, inputs) = form_fields(form.html());
        assert!(action.contains("&sign="), "{action}");
        assert!(!action.contains("biz_content"), "{action}");
        assert_eq!(
            inputs,
            [(param::BIZ_CONTENT.to_owned(), PY_BIZ.to_owned())],
            "{name}"
        );

        let order = client
            .app_order_string(&req::<APP>(PY_APP_BIZ))
            .expect("order string");
        let params = pairs(&order, charset);
        let py_order = v["sdk_execute"].as_str().unwrap();
        assert_eq!(
            without_sign(&params),
            expected_params(py_order, charset),
            "{name}"
        );
        assert!(gateway_verifies(&params, charset), "{name}: order string");
    }
}

#[test]
fn what_the_browser_submits_is_what_was_signed_whatever_the_value_holds() {
    let tricky = r#"a &amp; b &lt; <i>"q"</i> 'y' +1 %20 中文 &#20013; &not=1"#;
    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = client(charset);
        let biz = serde_json::json!({ "subject": tricky }).to_string();
        let mut request = req::<PAGE>(&biz);
        request.form.push(("extend_params", tricky.to_owned()));
        let options = RequestOptions::new().return_url("https://m.example/r?a=1&b=<2>&c=\"3\"");
        let form = client.page_form_with(&request, &options).expect("form");
        let html = form.html();
        // Nothing of a value can close an attribute or open a tag.
        for (name, value) in &form_fields(html).1 {
            assert!(!value.is_empty(), "{name}");
        }
        assert!(html.contains("&amp;amp;"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert!(!html.contains("'y'"), "{html}");
        let sent = submitted(html, charset);
        assert_eq!(value(&sent, param::BIZ_CONTENT), Some(biz.as_str()));
        assert_eq!(value(&sent, "extend_params"), Some(tricky));
        assert_eq!(
            value(&sent, param::RETURN_URL),
            Some("https://m.example/r?a=1&b=<2>&c=\"3\"")
        );
        assert!(gateway_verifies(&sent, charset), "{charset}");

        let url = client.page_url_with(&request, &options).expect("url");
        let params = pairs(url.split_once('?').unwrap().1, charset);
        assert_eq!(value(&params, "extend_params"), Some(tricky));
        assert!(gateway_verifies(&params, charset), "{charset}");
    }
    // A character GBK cannot hold is refused, naming the field, before anything is signed.
    let err = client(Charset::Gbk)
        .page_form(&req::<PAGE>(r#"{"subject":"😀"}"#))
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(e) if e.field == param::BIZ_CONTENT),
        "{err}"
    );
}

/// Every line break (CRLF, CR, LF) as CRLF: the HTML standard's normalisation of a form's
/// names and values on submission, written here independently of the runtime's.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// What a browser submits from a form, by the HTML standard: its parser reads a literal CR or
/// CRLF in the page as LF (character references are kept as they are), then the submission
/// writes every line break of the inputs' names and values as CRLF. The action's query is a
/// URL, which the browser sends as it is.
fn as_a_browser_submits(html: &str, charset: Charset) -> Vec<(String, String)> {
    let parsed = html.replace("\r\n", "\n").replace('\r', "\n");
    let (action, inputs) = form_fields(&parsed);
    let mut params = pairs(action.split_once('?').expect("query").1, charset);
    params.extend(inputs.iter().map(|(k, v)| (crlf(k), crlf(v))));
    params
}

#[test]
fn a_value_with_line_breaks_is_signed_as_the_browser_submits_it() {
    // Pretty JSON with LF, a CRLF and a lone CR; a form field with each kind.
    let biz = "{\n  \"subject\": \"a\",\r\n  \"body\": \"b\"\r}";
    let field = "line 1\nline 2\rline 3\r\nline 4\n";
    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = client(charset);
        let mut request = req::<PAGE>(biz);
        request.form.push(("extend_params", field.to_owned()));
        let options = RequestOptions::new().return_url("https://m.example/r");
        let typed = client.page_form_with(&request, &options).expect("form");
        let parts = request.to_parts().unwrap();
        let raw = client
            .page_form_raw(Req::<PAGE>::METHOD, &parts, &options)
            .expect("form");
        for form in [typed, raw] {
            let html = form.html();
            // Written as character references: the parser keeps them as they are.
            for tag in html.split("<input ").skip(1) {
                let tag = &tag[..tag.find('>').expect("tag end")];
                assert!(!tag.contains(['\r', '\n']), "{tag}");
            }
            assert!(html.contains("line 1&#13;&#10;line 2"), "{html}");
            let sent = as_a_browser_submits(html, charset);
            assert_eq!(value(&sent, param::BIZ_CONTENT), Some(crlf(biz).as_str()));
            assert_eq!(value(&sent, "extend_params"), Some(crlf(field).as_str()));
            assert!(gateway_verifies(&sent, charset), "{charset}");
            // The form as written, before the browser's normalisation, holds the same values:
            // a browser that did not normalise would submit them too.
            assert_eq!(submitted(html, charset), sent);
        }
        // A URL carries a line break percent-encoded, unchanged: signed as given.
        let url = client.page_url_with(&request, &options).expect("url");
        let params = pairs(url.split_once('?').unwrap().1, charset);
        assert_eq!(value(&params, "extend_params"), Some(field));
        assert!(gateway_verifies(&params, charset), "{charset}");
    }
    // A NUL, which the HTML parser replaces with U+FFFD, is refused naming its field.
    let mut request = req::<PAGE>("{}");
    request.form.push(("extend_params", "a\0b".to_owned()));
    let err = client(Charset::Utf8).page_form(&request).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(e) if e.field == "extend_params"),
        "{err}"
    );
}

#[tokio::test]
async fn each_call_style_is_refused_where_it_does_not_belong_before_anything_is_signed() {
    // The gateway is 127.0.0.1:1, where nothing listens: a refused call never gets there.
    let client = Client::builder()
        .gateway("http://127.0.0.1:1/gateway.do")
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(format!("{DIR}keys/app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(PublicKey::from_file(format!("{DIR}keys/alipay_public.pem")).unwrap())
        .build()
        .unwrap();
    let style = |e: &Error<DynBizCode>| match e {
        Error::WrongCallStyle(e) => Some((e.call_style, e.called)),
        _ => None,
    };
    let err = client.execute(&req::<PAGE>("{}")).await.unwrap_err();
    assert_eq!(style(&err), Some((CallStyle::Page, "execute")), "{err}");
    assert_eq!(err.request_sent(), alipay_runtime::RequestSent::NotSent);
    assert!(err.to_string().contains("page_form"), "{err}");
    let err = client.execute(&req::<APP>("{}")).await.unwrap_err();
    assert_eq!(style(&err), Some((CallStyle::App, "execute")), "{err}");
    assert!(err.to_string().contains("app_order_string"), "{err}");

    let server = req::<SERVER>("{}");
    let err = client.page_form(&server).unwrap_err();
    assert_eq!(style(&err), Some((CallStyle::Server, "page_form")), "{err}");
    let err = client.page_url(&server).unwrap_err();
    assert_eq!(style(&err), Some((CallStyle::Server, "page_url")), "{err}");
    let err = client.app_order_string(&server).unwrap_err();
    assert_eq!(
        style(&err),
        Some((CallStyle::Server, "app_order_string")),
        "{err}"
    );
    let err = client.page_form(&req::<APP>("{}")).unwrap_err();
    assert_eq!(style(&err), Some((CallStyle::App, "page_form")), "{err}");
    // Apps open some page methods with an order string.
    assert!(client.app_order_string(&req::<PAGE>("{}")).is_ok());
    // And a server call still goes out (and fails to connect here).
    let err = client.execute(&server).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
}

#[test]
fn per_request_public_parameters_win_over_the_clients_and_are_signed() {
    let client = Client::builder()
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(format!("{DIR}keys/app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(PublicKey::from_file(format!("{DIR}keys/alipay_public.pem")).unwrap())
        .app_auth_token("client-merchant-token")
        .notify_url("https://m.example/client-notify")
        .return_url("https://m.example/client-return")
        .build()
        .unwrap();
    let params = |url: &str| pairs(url.split_once('?').unwrap().1, Charset::Utf8);

    let url = client.page_url(&req::<PAGE>("{}")).unwrap();
    let sent = params(&url);
    assert_eq!(
        value(&sent, param::APP_AUTH_TOKEN),
        Some("client-merchant-token")
    );
    assert_eq!(
        value(&sent, param::NOTIFY_URL),
        Some("https://m.example/client-notify")
    );
    assert_eq!(value(&sent, param::AUTH_TOKEN), None);

    let options = RequestOptions::new()
        .app_auth_token("merchant-2-token")
        .auth_token("user-access-token")
        .notify_url("https://m.example/n?order=2")
        .return_url("https://m.example/r?order=2");
    let url = client.page_url_with(&req::<PAGE>("{}"), &options).unwrap();
    let sent = params(&url);
    assert_eq!(
        value(&sent, param::APP_AUTH_TOKEN),
        Some("merchant-2-token")
    );
    assert_eq!(value(&sent, param::AUTH_TOKEN), Some("user-access-token"));
    assert_eq!(
        value(&sent, param::NOTIFY_URL),
        Some("https://m.example/n?order=2")
    );
    assert_eq!(
        value(&sent, param::RETURN_URL),
        Some("https://m.example/r?order=2")
    );
    assert!(gateway_verifies(&sent, Charset::Utf8));
    // In the public part of the URL, never in the form of a page.
    let form = client.page_form_with(&req::<PAGE>("{}"), &options).unwrap();
    let (action, inputs) = form_fields(form.html());
    assert!(action.contains("auth_token=user-access-token"), "{action}");
    assert_eq!(inputs.len(), 1);

    // A method whose spec lists return_url among its fields sends it as the public parameter;
    // set there and in the options too, it is refused.
    let mut request = req::<PAGE>("{}");
    request
        .form
        .push((param::RETURN_URL, "https://m.example/field".to_owned()));
    let sent = params(&client.page_url(&request).unwrap());
    assert_eq!(
        value(&sent, param::RETURN_URL),
        Some("https://m.example/field")
    );
    let err = client.page_url_with(&request, &options).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(e) if e.field == param::RETURN_URL),
        "{err}"
    );
    // Options never show their tokens.
    let shown = format!("{options:?}");
    assert!(!shown.contains("merchant-2-token") && !shown.contains("user-access-token"));
    assert!(!format!("{form:?}").contains("sign"), "{form:?}");
}
