//! Typed, verified Alipay OpenAPI client generated from the specs in `specs/`.
//!
//! Each method has a module under its product group: [`user::agreement_auth_confirm`] is
//! `alipay.user.agreement.auth.confirm`. What is compiled is chosen by Cargo features: `curated`
//! (default) compiles every method transcribed from its doc page (`specs/*.yaml`); a group's
//! feature (`trade`, `user`, `koubei_catering`, ...) compiles all of the group's methods, those
//! converted from the SDK's models (`specs/sdk/`) included; `all-groups` compiles the whole
//! catalog. Each method's documentation says where its spec comes from. A
//! module holds the method's `Request` (required fields are arguments of `Request::new`,
//! optional ones have setters), its `Response`, its models, an enum per field with listed
//! values (unknown values kept in `Other`) and `BizError`, its business error codes (unknown
//! codes kept in `Unknown`). The [`Client`] validates a request before anything is signed or
//! sent, signs it, sends it and verifies the answer's signature before typing it.
//!
//! # Calling `alipay.user.agreement.auth.confirm`
//!
//! The same code as the guide `docs/client.md`, "Calling a method".
//!
//! ```no_run
//! use alipay_openapi::user::agreement_auth_confirm::{BizError, Request};
//! use alipay_openapi::{Client, Error, PrivateKey, PublicKey};
//!
//! # #[cfg(any(feature = "curated", feature = "user", feature = "all-groups"))]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .app_id("2014072300007148")
//!     .private_key(PrivateKey::from_file("app_private_key.pem")?)
//!     .alipay_public_key(PublicKey::from_file("alipay_public_key.pem")?)
//!     .build()?; // names the usual mistakes: e.g. your own public key given as Alipay's
//!
//! let request = Request::new("20170502000610755993", "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f", "423979");
//! match client.execute(&request).await {
//!     Ok(response) => println!("confirmed: {:?}", response.code),
//!     Err(Error::Business(e)) if *e.sub_code() == BizError::ValidatecodeExpired => {
//!         // Display: "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: ...)"
//!         println!("{e}");
//!     }
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Calling `alipay.ebpp.pdeduct.sign.validate`
//!
//! ```no_run
//! # #[cfg(any(feature = "curated", feature = "ebpp", feature = "all-groups"))]
//! # async fn demo(client: &alipay_openapi::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use alipay_openapi::ebpp::pdeduct_sign_validate::{AgentChannel, BizType, Request, SubBizType};
//!
//! let request = Request::new(
//!     "2088111133334134",
//!     BizType::Jf,
//!     SubBizType::Electric,
//!     "02659981",
//!     "2088101118392209",
//!     "HANGZHOU_ELECTRIC",
//!     AgentChannel::Publicplatform,
//!     "1000000",
//! )
//! .owner_name("王龙海");
//! let response = client.execute(&request).await?;
//! println!("{:?} {:?}", response.code, response.msg);
//! # Ok(())
//! # }
//! ```
//!
//! # Page, WAP and app payments
//!
//! The same code as the guide `docs/payments.md`, "Page, WAP and app payments".
//!
//! ```
//! use alipay_openapi::trade::{app_pay, page_pay};
//! use alipay_openapi::{Client, Price, PrivateKey, PublicKey, RequestOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let keys = "../shared/vectors/keys";
//! let client = Client::builder()
//!     .app_id("2014072300007148")
//!     .private_key(PrivateKey::from_file(format!("{keys}/app_private_pkcs1.pem"))?)
//!     .alipay_public_key(PublicKey::from_file(format!("{keys}/alipay_public.pem"))?)
//!     .notify_url("https://shop.example/alipay/notify") // every request's, unless it sets its own
//!     .build()?;
//!
//! // A web checkout: the user's browser opens the page; the client signs it and sends nothing.
//! let request = page_pay::Request::new()
//!     .out_trade_no("T1")
//!     .total_amount(Price::from_cents(1))
//!     .subject("Tea & <biscuits>")
//!     .product_code(page_pay::ProductCode::FastInstantTradePay);
//! // This order's own return_url (per request too: notify_url, app_auth_token, auth_token).
//! let options = RequestOptions::new().return_url("https://shop.example/orders/T1");
//! let form = client.page_form_with(&request, &options)?;
//! // Answer the browser with form.content_type() ("text/html;charset=utf-8") and form.to_bytes().
//! assert!(form.html().contains("Tea &amp; &lt;biscuits&gt;"));
//! // Or send the browser to one signed URL.
//! let url = client.page_url_with(&request, &options)?;
//! assert!(url.starts_with("https://openapi.alipay.com/gateway.do?app_id=2014072300007148&"));
//!
//! // An app checkout: the order string the Alipay app SDK takes.
//! let order = app_pay::Request::new(
//!     "https://shop.example/alipay/notify",
//!     "Tea",
//!     "T2",
//!     "0.01",
//!     "QUICK_MSECURITY_PAY",
//! );
//! let order_string = client.app_order_string(&order)?;
//! assert!(order_string.contains("&method=alipay.trade.app.pay&"));
//! # Ok(())
//! # }
//! ```
//!
//!
//! # Certificate mode and AES content encryption
//!
//! The same code as the guide `docs/certificates-aes-uploads.md`, "Certificate mode".
//!
//! ```no_run
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alipay_openapi::runtime::cert::{AlipayCert, AppCert, RootBundle};
//! use alipay_openapi::runtime::encrypt::EncryptKey;
//! use alipay_openapi::{Client, PrivateKey};
//!
//! let client = Client::builder()
//!     .app_id("2021000000000000")
//!     .private_key(PrivateKey::from_file("app_private_key.pem")?)
//!     // The three files of certificate mode; no Alipay public key is needed.
//!     .app_cert(AppCert::from_file("appCertPublicKey_2021000000000000.crt")?)
//!     .alipay_cert(AlipayCert::from_file("alipayCertPublicKey_RSA2.crt")?)
//!     .alipay_root_cert(RootBundle::from_file("alipayRootCert.crt")?)
//!     // Optional: AES content encryption with the key from the open platform.
//!     .encrypt_key(EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==")?)
//!     .build()?; // refuses an Alipay certificate that does not chain to the roots or has expired
//! println!("app_cert_sn {:?}", client.config().app_cert_sn());
//! # Ok(())
//! # }
//! ```
//!
//! # Notifications and returns
//!
//! The same code as the guide `docs/payments.md`, "Notifications and returns" (`tests/docs.rs`
//! holds them equal).
//!
//! ```no_run
//! use alipay_openapi::Client;
//! use alipay_openapi::runtime::notify::ACK;
//! use alipay_openapi::trade::wap_pay::{Notification, TradeStatus};
//!
//! # fn handle(client: &Client, body: &[u8], query: &str) -> Result<&'static str, Box<dyn std::error::Error>> {
//! // POST notify_url: the raw body, exactly as received (decoded once, in its own charset).
//! let verified = client.verify_notify(body)?; // fails closed: a NotifyError, nothing to read
//! let notification: Notification = verified.decode()?; // only ever from a verified notification
//! if notification.trade_status == Some(TradeStatus::TradeSuccess) {
//!     // Alipay delivers until acknowledged: act once per notify_id, after checking out_trade_no
//!     // and total_amount against your order.
//!     println!("{} paid {:?}", notification.out_trade_no, notification.total_amount);
//! }
//!
//! // GET return_url: the query of the redirect, for the page the buyer sees. The notification,
//! // not the return, settles the payment.
//! let back = client.verify_return(query)?;
//! println!("back from the cashier: {:?}", back.get("out_trade_no"));
//!
//! Ok(ACK) // the answer to the notification: exactly `success`; anything else makes Alipay retry
//! # }
//! ```
//!
//! # File uploads
//!
//! The same code as the guide `docs/certificates-aes-uploads.md`, "File uploads": a `File` field takes a
//! [`runtime::FileUpload`], sent as a `multipart/form-data` file part.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let keys = alipay_gateway::ThrowawayKeys::generate()?;
//! # let client = alipay_openapi::Client::builder()
//! #     .app_id("2021000000000000")
//! #     .private_key(alipay_openapi::PrivateKey::parse(&keys.app.private_pem)?)
//! #     .alipay_public_key(alipay_openapi::PublicKey::parse(&keys.alipay.public_pem)?)
//! #     .build()?;
//! use alipay_openapi::runtime::{FileUpload, RequestParts};
//!
//! // From a path (opened when sent: a missing file fails the call before anything is sent),
//! // from bytes, or from a reader (sent once, with chunked transfer encoding).
//! let from_disk = FileUpload::from_path("photos/门店.jpg");
//! assert_eq!((from_disk.file_name(), from_disk.content_type().as_str()), (Some("门店.jpg"), "image/jpeg"));
//! let in_memory = FileUpload::from_bytes("a.jpg", vec![0xff, 0xd8, 0xff, 0xe0]);
//!
//! // What a generated request's `to_parts` gives for alipay.offline.material.image.upload:
//! let parts = RequestParts {
//!     form: vec![("image_name", "海底捞".to_owned()), ("image_type", "jpg".to_owned())],
//!     files: vec![("image_content", in_memory)],
//!     ..RequestParts::default()
//! };
//! let prepared = client.prepare_raw("alipay.offline.material.image.upload", &parts)?;
//! assert_eq!(prepared.content_type, "multipart/form-data");
//! assert!(prepared.url.contains("&sign=")); // public parameters and the signature: the query
//! let body = prepared.multipart.expect("an upload");
//! assert_eq!(body.text.len(), 2); // signed text parts; the file part is not signed
//! # Ok(())
//! # }
//! ```
//!
//! # Calling a method by name with JSON
//!
//! `call_json` (feature `json`, on by default) goes through the same typed request and
//! validation; [`METHODS`] lists what is generated. Without `json` the typed API is the same
//! and each group compiles in well under half the time.
//!
//! ```no_run
//! # #[cfg(feature = "json")]
//! # async fn demo(client: &alipay_openapi::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let biz_content = serde_json::json!({
//!     "agreement_no": "20170502000610755993",
//!     "apply_token": "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
//!     "auth_confirm_no": "423979",
//! });
//! let answer = alipay_openapi::call_json(client, "alipay.user.agreement.auth.confirm", biz_content, &[]).await?;
//! println!("{answer}");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub use alipay_runtime as runtime;
pub use alipay_runtime::{
    ApiError, BizErrorCode, BusinessError, CallStyle, Client, ClientBuilder, Config, DynBizCode,
    Error, Gateway, GatewayError, Method, MethodDescriptor, PageForm, Price, PrivateKey, Protocol,
    ProtocolError, PublicKey, RequestOptions, Rule, SignType, ValidationError,
};

include!(concat!(env!("OUT_DIR"), "/alipay/mod.rs"));

#[cfg(feature = "gateway")]
pub mod gateway;
