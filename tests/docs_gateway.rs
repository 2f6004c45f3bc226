//! The scenario files (TOML and JSON) of `docs/gateway.md`, given to a gateway, which checks
//! their methods, codes and fields when it takes them (its Rust block is
//! `tests/docs_gateway_page.rs`).

use alipay_gateway::{GatewayCertMode, LocalGateway, ScenarioFile, TestGateway, ThrowawayCerts};

/// The `toml` and `json` blocks of the page, in order.
fn scenario_blocks() -> Vec<(String, String)> {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/gateway.md"))
        .expect("docs/gateway.md");
    let mut blocks = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if let Some(lang @ ("toml" | "json")) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push((lang.to_owned(), body.join("\n")));
        }
    }
    blocks
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
