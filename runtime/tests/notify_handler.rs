//! The notification handler of the `notify` module's documentation, served on 127.0.0.1 by
//! hyper and sent real notifications over HTTP: a signed one is acknowledged with exactly
//! `success`, a changed or unsigned one is refused (and would be delivered again), a body
//! over `MAX_NOTIFY_BYTES` is refused with 413 without being read further.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{self, ACK, notify_sign_content};
use alipay_runtime::sign::{self, SignType};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");

/// The documented handler, plus a record of the orders it acted on.
async fn notify_url(
    request: Request<Incoming>,
    alipay_key: &PublicKey,
    handled: &Mutex<Vec<String>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let answer = |status: StatusCode, body: &'static str| {
        let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
        *response.status_mut() = status;
        Ok(response)
    };
    let body = Limited::new(request.into_body(), notify::MAX_NOTIFY_BYTES);
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "fail");
    };
    let verified = match notify::verify_notify(&body, alipay_key) {
        Ok(verified) => verified,
        Err(_) => return answer(StatusCode::BAD_REQUEST, "fail"),
    };
    if let Some(order) = verified.get("out_trade_no") {
        handled.lock().unwrap().push(order.to_owned());
    }
    answer(StatusCode::OK, ACK)
}

fn signed_body(total_amount: &str) -> String {
    let fields = [
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "T-1"),
        ("subject", "电费 & <\"+"),
        ("total_amount", total_amount),
        ("trade_status", "TRADE_SUCCESS"),
        ("charset", "utf-8"),
    ];
    let key = PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap();
    let content = notify_sign_content(fields);
    let signature = sign::sign_base64(
        &key,
        SignType::Rsa2,
        &Charset::Utf8.encode(&content).unwrap(),
    )
    .unwrap();
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(fields);
    body.append_pair("sign_type", "RSA2");
    body.append_pair("sign", &signature);
    body.finish()
}

#[tokio::test]
async fn the_documented_handler_acknowledges_only_what_verifies() {
    let key = Arc::new(PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap());
    let handled = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = {
        let (key, handled) = (key.clone(), handled.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (key, handled) = (key.clone(), handled.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let (key, handled) = (key.clone(), handled.clone());
                        async move { notify_url(request, &key, &handled).await }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        })
    };

    let http = reqwest::Client::new();
    let url = format!("http://{address}/alipay/notify");
    let post = |body: String| {
        http.post(&url)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
            .send()
    };
    let good = post(signed_body("88.88")).await.unwrap();
    assert_eq!(good.status(), 200);
    assert_eq!(good.text().await.unwrap(), "success");

    // Changed on the way, or not signed at all: refused, and nothing acted on.
    let changed = signed_body("88.88").replace("total_amount=88.88", "total_amount=0.01");
    let refused = post(changed).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.text().await.unwrap(), "fail");
    let unsigned = post("out_trade_no=T-2&total_amount=1.00".to_owned())
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);
    // Longer than any notification: the handler stops reading at the bound.
    let padded = format!(
        "{}&padding={}",
        signed_body("88.88"),
        "x".repeat(notify::MAX_NOTIFY_BYTES)
    );
    let too_large = post(padded).await.unwrap();
    assert_eq!(too_large.status(), 413);
    assert_eq!(too_large.text().await.unwrap(), "fail");

    assert_eq!(*handled.lock().unwrap(), vec!["T-1".to_owned()]);
    server.abort();
}
