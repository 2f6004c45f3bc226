//! The Rust block of `docs/gateway.md`, run as written: the code between the markers is the
//! page's block (`tests/docs.rs` checks that). It needs the root crate's `gateway` feature, as
//! the page says; CI runs it in its `trade,gateway` step.
#![cfg(feature = "gateway")]

// README-BEGIN
// Cargo.toml: [dev-dependencies] alipay-openapi = { version = "0.1", features = ["gateway"] }
use alipay_openapi::gateway::{self, Scenario};
use alipay_openapi::user::agreement_auth_confirm as auth_confirm;

#[tokio::test]
async fn expired_code_is_handled() {
    let gw = gateway::start().await.unwrap(); // 127.0.0.1, free port, throwaway keys
    let client = gw.client().unwrap(); // configured for it (RSA2, utf-8)
    gw.set_scenario(
        "alipay.user.agreement.auth.confirm",
        Scenario::business_error("VALIDATECODE_EXPIRED"),
    )
    .unwrap();
    let req = auth_confirm::Request::new("20170502000610755993", "MDEDUCT0068", "423979");
    match client.execute(&req).await {
        Err(alipay_openapi::runtime::Error::Business(e)) => {
            assert_eq!(e.sub_code(), &auth_confirm::BizError::ValidatecodeExpired)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(gw.request_count(), 1);
}
// README-END
