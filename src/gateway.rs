//! A local gateway for your own tests (Cargo feature `gateway`).
//!
//! It serves every generated method the way Alipay's gateway does: it checks the public
//! parameters, the request signature and the parameters against the spec, and answers with
//! a signed success, a business error from the method's table, a gateway error or a fault,
//! as you choose per method. Enable the feature for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! alipay-openapi = { version = "0.1", features = ["gateway"] }
//! ```
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! # (async || -> Result<(), Box<dyn std::error::Error>> {
//! use alipay_openapi::gateway::{self, Scenario};
//! use alipay_openapi::user::agreement_auth_confirm as auth_confirm;
//!
//! let gw = gateway::start().await?;
//! let client = gw.client()?;
//! gw.set_scenario(
//!     "alipay.user.agreement.auth.confirm",
//!     Scenario::business_error("VALIDATECODE_EXPIRED"),
//! )?;
//! let request = auth_confirm::Request::new("20170502000610755993", "MDEDUCT0068", "423979");
//! match client.execute(&request).await {
//!     Err(alipay_openapi::runtime::Error::Business(e)) => {
//!         assert_eq!(e.sub_code(), &auth_confirm::BizError::ValidatecodeExpired);
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert_eq!(gw.request_count(), 1);
//! # Ok(()) })().await.unwrap() });
//! ```

pub use alipay_gateway::{
    DeliveryAttempt, DeliveryState, Fault, FaultError, FaultRule, GatewayBuilder, GatewayKeys,
    LocalGateway, Notification, NotifySchedule, Payment, RecordedAnswer, RecordedRequest, Refund,
    Scenario, ScenarioError, ScenarioFile, StartError, TEST_APP_ID, TestGateway, ThrowawayKeys,
    Trade, TradeError, TradeStatus,
};

/// Starts a local gateway serving every generated method ([`crate::METHODS`]) on a free
/// port of 127.0.0.1, with throwaway keys; `gw.client()` is a client configured for it.
pub async fn start() -> Result<TestGateway, StartError> {
    TestGateway::start(crate::METHODS).await
}
