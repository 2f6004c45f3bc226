//! The blocks of `docs/gateway.md`, run: its scenario files (TOML and JSON), given to a gateway,
//! which checks their methods, codes and fields when it takes them, and its `curl` commands,
//! sent as written to a gateway holding the trades they name (its Rust block is
//! `tests/docs_gateway_page.rs`).

use alipay_gateway::{GatewayCertMode, LocalGateway, ScenarioFile, TestGateway, ThrowawayCerts};

use crate::docs::{Block, blocks};
use crate::support::{http, refusal};

/// The fenced blocks of the page, in order.
fn page_blocks() -> Vec<Block> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/gateway.md"))
        .expect("docs/gateway.md");
    blocks("docs/gateway.md", &page)
}

/// The `toml` and `json` blocks of the page, in order.
fn scenario_blocks() -> Vec<(String, String)> {
    page_blocks()
        .into_iter()
        .filter(|b| b.lang == "toml" || b.lang == "json")
        .map(|b| (b.lang, b.body))
        .collect()
}

#[tokio::test]
async fn the_page_s_scenario_files_are_taken_by_a_gateway() {
    let blocks = scenario_blocks();
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    for (lang, text) in &blocks {
        let file = match lang.as_str() {
            "toml" => ScenarioFile::from_toml(text),
            _ => ScenarioFile::from_json(text),
        }
        .unwrap_or_else(|e| panic!("docs/gateway.md: {lang} block: {e}\n{text}"));
        let rotation = text.contains("[rotate_alipay_cert]");
        let taken = gw.set_scenarios(file);
        if rotation {
            // A rotation is for certificate mode only: refused here, taken below.
            assert!(taken.is_err(), "a rotation without certificate mode");
        } else {
            taken.unwrap_or_else(|e| panic!("docs/gateway.md: {lang} block: {e}\n{text}"));
        }
    }

    // The rotation, by a gateway in certificate mode, as `alipay gateway --cert-mode` runs.
    let (_, rotation) = blocks
        .iter()
        .find(|(_, t)| t.contains("[rotate_alipay_cert]"))
        .expect("the rotation block");
    let certs = ThrowawayCerts::generate().unwrap();
    let keys = alipay_gateway::ThrowawayKeys {
        app: certs.app.key.clone(),
        alipay: certs.alipay.key.clone(),
    };
    let mut file = ScenarioFile::from_toml(rotation).unwrap();
    file.issue_rotation_cert(Some(&certs)).unwrap();
    let gw = LocalGateway::builder(alipay_openapi::METHODS, keys.gateway_keys().unwrap())
        .cert_mode(GatewayCertMode::from_throwaway(&certs).unwrap())
        .scenarios(file)
        .start()
        .await;
    assert!(gw.is_ok(), "{:?}", gw.err());
}

/// One `curl` command line of the guide as the request it sends: method, URL, headers, body.
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// The `curl` commands of the guide's `sh` blocks (`\` continuations joined).
fn curl_commands() -> Vec<Curl> {
    let mut commands = Vec::new();
    let mut line = String::new();
    for block in page_blocks().into_iter().filter(|b| b.lang == "sh") {
        for raw in block.body.lines() {
            if raw.trim_start().starts_with('#') {
                continue;
            }
            match raw.trim().strip_suffix('\\') {
                Some(part) => line.push_str(part),
                None => {
                    line.push_str(raw.trim());
                    let words = shlex::split(&std::mem::take(&mut line)).expect("a shell line");
                    assert_eq!(words[0], "curl", "docs/gateway.md: only curl is run here");
                    commands.push(curl(&words[1..]));
                }
            }
        }
    }
    commands
}

fn curl(words: &[String]) -> Curl {
    let mut command = Curl {
        method: "GET".to_owned(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
    };
    let mut words = words.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-X" => command.method = words.next().expect("-X METHOD").clone(),
            "-H" => {
                let header = words.next().expect("-H HEADER");
                let (name, value) = header.split_once(':').expect("Name: value");
                command
                    .headers
                    .push((name.trim().to_owned(), value.trim().to_owned()));
            }
            "-d" => command.body = Some(words.next().expect("-d BODY").clone()),
            flag if flag.starts_with('-') => panic!("docs/gateway.md: curl {flag} is not read"),
            url => command.url = url.to_owned(),
        }
    }
    command
}

// Long because: every curl command of the guide sent in order against trades it needs.
#[tokio::test]
async fn the_guide_s_control_calls_pay_its_trades() {
    use alipay_gateway::face_to_face::AUTH_CODE_ASKS_PASSWORD;
    use alipay_openapi::trade::{pay, precreate, query};
    use alipay_openapi::{Error, Price};

    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    let client = gw.client().unwrap();
    // The two trades the commands expect: one precreated, one waiting for the password.
    let amount = || Price::from_cents(500);
    let qr = client
        .execute(&precreate::Request::new("demo-1", amount()).subject("tea"))
        .await
        .unwrap()
        .qr_code
        .expect("a qr_code");
    let waiting = pay::Request::new(
        "demo-2",
        pay::Scene::BarCode,
        AUTH_CODE_ASKS_PASSWORD,
        amount(),
    )
    .subject("tea");
    match client.execute(&waiting).await {
        Err(Error::Gateway(e)) => assert_eq!(e.code().to_string(), "10003"),
        other => panic!("{other:?}"),
    }

    let commands = curl_commands();
    assert_eq!(commands.len(), 19);
    let http = http();
    let base = format!("http://{}", gw.addr());
    let mut paid_then_reset = false;
    for command in commands {
        // The guide's port and example code stand for this gateway's.
        let token = qr.rsplit('/').next().unwrap();
        let url = command.url.replace("http://127.0.0.1:8080", &base);
        let url = url.replace("c6ded9083348aad4220e8f7828bb2821", token);
        let body = command.body.map(|b| {
            b.replace("http://127.0.0.1:8080", &base)
                .replace("c6ded9083348aad4220e8f7828bb2821", token)
        });
        if url.ends_with("/control/reset") {
            // The guide's last command: the trades its commands paid are paid, then forgotten.
            assert!(!paid_then_reset, "one reset");
            paid_then_reset = true;
            for order in ["demo-1", "demo-2"] {
                let trade = client
                    .execute(&query::Request::new().out_trade_no(order))
                    .await
                    .unwrap();
                assert_eq!(
                    trade.trade_status,
                    Some(query::TradeStatus::TradeSuccess),
                    "{order}"
                );
            }
        }
        let mut request = http.request(command.method.parse().unwrap(), &url);
        for (name, value) in &command.headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 200, "{} {url}", command.method);
        let path = url.strip_prefix(&base).unwrap_or(&url);
        let path = path.split('?').next().unwrap_or(path);
        match (command.method.as_str(), path) {
            (_, "/control/trades") => {
                let trades: serde_json::Value = answer.json().await.unwrap();
                let listed = trades.as_array().expect("a list").len();
                assert!(listed >= 2, "{trades}");
            }
            ("GET", "/control/transfers" | "/control/agreements" | "/control/deductions") => {
                let held: serde_json::Value = answer.json().await.unwrap();
                let key = if path.ends_with("transfers") {
                    "transfers"
                } else {
                    "agreements"
                };
                assert!(held[key].is_array(), "{path}: {held}");
            }
            (_, "/control/reset") => {
                let held: serde_json::Value = answer.json().await.unwrap();
                assert_eq!(held["trades"], 0, "{held}");
            }
            _ => {}
        }
    }
    assert!(paid_then_reset, "the guide resets last");
    assert!(gw.trades().is_empty());
    assert_eq!(
        refusal(&client, &query::Request::new().out_trade_no("demo-1")).await,
        "ACQ.TRADE_NOT_EXIST"
    );
}
