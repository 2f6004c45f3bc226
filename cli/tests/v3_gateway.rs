//! `alipay gateway` speaks the v3 protocol on its port: a compiled method's route, and one
//! found only through the catalog's route table (its spec parsed when first called), each
//! signed with the runtime's v3 functions and its answer verified.
#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::v3::{self, AnswerError, AnswerHeaders, Auth};

use crate::common::{BIN, gateway_base, lines_until_ready_async, spawn_with_lines};

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn call(base: &str, key: &PrivateKey, method: &str, target: &str, body: &str) -> Answer {
    let timestamp_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let auth = Auth {
        app_id: "2014072300007148",
        app_cert_sn: None,
        nonce: "5f1e2d3c-4b5a-4697-8877-000000000001",
        timestamp_ms,
    }
    .text();
    let signed = v3::sign_string(&auth, method, target, body.as_bytes(), None);
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{base}{target}"),
        )
        .header(
            "authorization",
            v3::authorization(key, &auth, &signed).unwrap(),
        )
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send");
    Answer {
        status: resp.status().as_u16(),
        headers: resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

impl Answer {
    fn verified(&self, key: &PublicKey) -> Result<serde_json::Value, AnswerError> {
        let headers =
            AnswerHeaders::from_pairs(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        v3::verify_answer(self.status, &headers, &self.body, key, None)
            .map(|b| serde_json::from_slice(b).unwrap())
    }
}

#[tokio::test]
async fn the_gateway_command_serves_v3_routes_of_the_whole_catalog() {
    let (mut child, rx) = spawn_with_lines(Command::new(BIN).args(["gateway", "--port", "0"]));
    let (lines, _rx) = lines_until_ready_async(rx, Duration::from_secs(60)).await;
    let base = gateway_base(&lines);
    assert!(
        lines.iter().any(|l| l.contains("v3 route(s) under")),
        "{lines:#?}"
    );
    let dir = lines
        .iter()
        .find_map(|l| l.strip_prefix("throwaway keys (TEST ONLY) written to "))
        .map(|d| std::path::PathBuf::from(d.trim_end_matches(':')))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    let app_key = PrivateKey::from_file(dir.join("app_private.pem")).unwrap();
    let alipay_key = PublicKey::from_file(dir.join("alipay_public.pem")).unwrap();

    // A compiled method's route: the trades answer it.
    let a = call(
        &base,
        &app_key,
        "POST",
        "/v3/alipay/trade/query",
        r#"{"out_trade_no":"NONE"}"#,
    )
    .await;
    match a.verified(&alipay_key) {
        Err(AnswerError::Api(e)) => {
            assert!(e.verified());
            assert_eq!(
                (e.status(), e.code_str()),
                (400, Some("ACQ.TRADE_NOT_EXIST"))
            );
        }
        other => panic!("{other:?}"),
    }
    // A route of the catalog's table (the SDK layer's spec, parsed when first called), a GET
    // with its query parameter.
    let a = call(
        &base,
        &app_key,
        "GET",
        "/v3/alipay/open/auth/token/app/query?app_auth_token=202407BBa1b2",
        "",
    )
    .await;
    a.verified(&alipay_key).expect("a verified success");
    // Its route takes GET only.
    let a = call(
        &base,
        &app_key,
        "POST",
        "/v3/alipay/open/auth/token/app/query",
        "",
    )
    .await;
    assert_eq!(a.status, 405);
    // SIGTERM, so the gateway removes its throwaway keys folder as it stops.
    let _ = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    let _ = child.0.wait();
}
