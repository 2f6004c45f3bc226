//! A local, spec-driven Alipay gateway for tests and demos.
//!
//! [`LocalGateway`] listens on 127.0.0.1 and answers `gateway.do` requests the way Alipay's
//! gateway does, for every method it is given as a [`MethodDescriptor`] (the generated
//! client's `METHODS`):
//!
//! - it reads the public parameters from the query and the form body, in the charset of the
//!   `Content-Type` or of the `charset` parameter (utf-8, GBK, GB2312);
//! - it refuses a request with a missing public parameter (`40001 isv.missing-*`) or an
//!   invalid one (`40002 isv.invalid-*`, for example `isv.invalid-method`) under
//!   `error_response`, and one whose signature does not verify with the app public key
//!   (`40002 isv.invalid-signature`, the `sub_msg` giving the string the gateway verified)
//!   under the method's node, as Alipay does;
//! - it checks `biz_content` against the method's spec (required fields, maximum lengths,
//!   allowed values, formats) and refuses a request that breaks it with `40002
//!   isv.invalid-parameter`, under the method's node, the `sub_msg` naming the field and the
//!   rule (the gateway-level answer Alipay documents for "格式不对、非法值、越界");
//! - otherwise it answers as the method's [`Scenario`] says: a success built from the spec's
//!   example response, a business error from the method's error table, a gateway error, or
//!   a fault (a body altered after signing, a missing `sign`, HTTP 500, a delay).
//!
//! Every JSON answer is signed with the Alipay private key over the node text in the request
//! charset, with the requested `sign_type`. Each request is recorded
//! ([`LocalGateway::requests`]). The server stops when the [`LocalGateway`] is dropped.
//!
//! It also plays Alipay's cashier, and keeps the trades it makes ([`trades`]):
//!
//! - a valid signed `alipay.trade.page.pay` or `alipay.trade.wap.pay` request (a GET URL or a
//!   POSTed form, in any supported charset) gets an HTML cashier page with the order's subject
//!   and amount and pay / cancel buttons, and opens a `WAIT_BUYER_PAY` trade; a bad one gets
//!   an error page naming the code (`isv.invalid-signature`, `ACQ.CONTEXT_INCONSISTENT` for an
//!   `out_trade_no` sent again with another amount, `ACQ.INVALID_PARAMETER` for a
//!   `notify_url` or `return_url` that is not an http or https URL, ...); trade numbers are
//!   random, and the page's buttons carry the trade's unguessable
//!   [`cashier_token`](Trade::cashier_token), without which `/cashier/pay` and
//!   `/cashier/cancel` are refused (HTTP 403);
//! - pay (the button, [`LocalGateway::pay`], or for app pay [`LocalGateway::pay_order_string`]
//!   and its control endpoint) makes the trade `TRADE_SUCCESS`, sends the browser to
//!   `return_url` with signed return parameters, and POSTs a signed notification to
//!   `notify_url`, again on a [`NotifySchedule`] until it is answered `success`
//!   ([`LocalGateway::notifications`]);
//! - `alipay.trade.query`, `alipay.trade.refund` (partial refunds add up; more than was paid
//!   is `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL`) and `alipay.trade.close` answer from the trades
//!   while their scenario is the default success;
//! - face-to-face pay and server-created trades ([`face_to_face`]): `alipay.trade.precreate`
//!   answers a `qr_code` that [`LocalGateway::scan_and_pay`] pays, `alipay.trade.pay` with an
//!   auth code pays at once or waits (`10003`) for the buyer's password, `alipay.trade.create`
//!   opens a trade [`LocalGateway::pay`] pays, `alipay.trade.cancel` closes or refunds, and
//!   `alipay.trade.fastpay.refund.query` answers a refund, each from the same trades;
//! - money out and agreements ([`transfers`], [`agreements`]), and bill-payment deduction
//!   ([`pdeduct`]: `alipay.ebpp.pdeduct.sign.add`, `.pay`, `.bill.pay.status`, `.sign.query`,
//!   `.sign.cancel`, `.sign.validate`) answered from state as well.
//!
//! A test drives time and failure ([`control`]): the gateway's clock is the real time plus
//! what [`LocalGateway::advance_clock`] added (trades expire after their `timeout_express`,
//! notification retries follow their schedule on it), and [`LocalGateway::inject_fault`] makes
//! the next answers or notification deliveries fail as a [`FaultRule`] says (HTTP 5xx, system
//! errors, slow answers, resets, truncated bodies; notifications dropped, delayed, duplicated
//! or out of order), each recorded in the request log ([`faults`]); [`LocalGateway::reset`]
//! takes it back to a fresh gateway's state between tests.
//!
//! The same port speaks Alipay's v3 protocol (`/v3/...`, signed in headers): a request is found
//! by HTTP method and path among the static methods' routes and those given to
//! [`GatewayBuilder::routes`]; its `Authorization` header is checked (app id, a timestamp within
//! [`GatewayBuilder::v3_timestamp_window`], in certificate mode `app_cert_sn` and
//! `alipay-root-cert-sn`, the signature over the target and body as received) before anything
//! runs; its path, query and body fields (a JSON body, the `data` part of an upload, an AES body
//! decrypted) go through the same validation, scenarios and trades as a v2 request. Successes are
//! the response node's fields as a JSON object, errors HTTP status + `{code, message, links}`,
//! each signed in `alipay-*` headers (AES requests get encrypted successes).
//!
//! [`MethodDescriptor`]: alipay_runtime::MethodDescriptor
#![warn(missing_docs)]

pub mod agreements;
pub mod cert_mode;
mod clock;
pub mod control;
mod crypto;
pub mod face_to_face;
pub mod faults;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod keys;
mod log;
pub mod notify;
pub mod pdeduct;
mod protocol;
pub mod resolve;
pub mod scenario;
mod server;
mod state;
mod test_gateway;
pub mod throwaway;
pub mod throwaway_certs;
pub mod trades;
pub mod transfers;

pub use agreements::{Agreement, AgreementStatus, SmsCode};
pub use cert_mode::{CertModeError, GatewayCertMode};
pub use faults::{Fault, FaultError, FaultRule};
pub use keys::GatewayKeys;
pub use log::{RecordedAnswer, RecordedFile, RecordedRequest};
pub use notify::{DeliveryAttempt, DeliveryState, Notification, NotifySchedule};
pub use pdeduct::{DeductAgreement, DeductBill};
pub use resolve::{MethodResolver, ResolvedMethod};
pub use scenario::{Rotation, RotationCert, Scenario, ScenarioError, ScenarioFile};
pub use server::{GATEWAY_PATH, GatewayBuilder, LocalGateway, Payment, StartError};
pub use test_gateway::{TEST_APP_ID, TestGateway};
pub use throwaway::{
    AppKeyFiles, KeyForms, KeyGenError, PemKeyPair, ThrowawayKeys, WrittenKeys, WrittenSdkConfigs,
};
pub use throwaway_certs::{IssuedCert, ThrowawayCerts, WrittenCerts};
pub use trades::{Refund, Trade, TradeError, TradeStatus};
pub use transfers::Transfer;

/// Parses JSON text as the gateway reads `biz_content` and v3 bodies: a key given twice in
/// any object, or a number written with an exponent (`1e2`), is refused (serde_json's own
/// `Value` would keep the last duplicate silently). The error says which key or number, and
/// where. `alipay call` reads `--biz-content` with it, so that what it sends is what was given.
pub fn parse_strict_json(text: &str) -> Result<serde_json::Value, String> {
    protocol::strict_json::parse(text)
}
