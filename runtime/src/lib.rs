//! Runtime for generated Alipay OpenAPI clients.
//!
//! This crate knows nothing about any particular Alipay method. Generated code implements
//! [`Method`] for each request type; the [`Client`] signs, sends and verifies. One call, in the
//! order a newcomer reads it (start at [`Client::execute`], `client/call.rs`):
//!
//! 1. **build**: the generated request, checked by [`Method::validate`], becomes
//!    [`RequestParts`] through [`Method::to_parts`];
//! 2. **parameters**: the public parameters, `biz_content` and form fields, each in the request
//!    charset (`request/params.rs`, `request/encoding.rs`);
//! 3. **sign**: the sign content and its signature (`request/signing.rs`, [`sign`]), rendered
//!    as a POST, a page form or URL, or an app order string (`request/render.rs`;
//!    [`Client::prepare`] stops here with a [`PreparedRequest`]);
//! 4. **send**: the HTTP exchange (`client/transport.rs`);
//! 5. **verify**: the answer's signature, fail-closed ([`verify_response`]);
//! 6. **decode**: the verified node into `M::Response`, or a typed [`Error`]
//!    ([`Client::parse_response`] does 5 and 6 for an answer you received yourself).
//!
//! Notifications go the other way: [`verify_notify`], then [`VerifiedNotify::decode`].
//!
//! The modules marked hidden in this documentation (`bounded`, `check`, `de`, `form`,
//! `protocol`, `redact`, `sign_content`, `time`, `validate`) support generated code, the local gateway
//! and the CLI; they are not covered by semver. Everything a user touches is at the crate
//! root or in the modules listed below.

#[doc(hidden)]
pub mod bounded;
pub mod cert;
pub mod charset;
#[doc(hidden)]
pub mod check;
pub mod client;
#[doc(hidden)]
pub mod de;
pub mod encrypt;
pub mod error;
pub mod extra;
#[doc(hidden)]
pub mod form;
pub mod gateway_code;
pub mod keys;
pub mod method;
pub mod notify;
pub mod page;
pub mod price;
/// Support for generated code, the generator and the local gateway; not covered by semver.
#[doc(hidden)]
pub use alipay_protocol as protocol;
#[doc(hidden)]
pub mod redact;
mod request;
pub mod sign;
#[doc(hidden)]
pub mod sign_content;
#[doc(hidden)]
pub mod time;
pub mod upload;
pub mod v3;
#[doc(hidden)]
pub mod validate;
pub mod verify;

pub use charset::Charset;
pub use client::{
    AppSigner, CertStore, Client, ClientBuilder, Config, Gateway, PRODUCTION_GATEWAY, PreparedV3,
    RequestOptions, SANDBOX_GATEWAY,
};
pub use encrypt::EncryptKey;
pub use error::{
    BusinessError, CallStyleError, ConfigError, DynBizCode, Error, GatewayError, HttpStatusError,
    ProtocolError, RequestSent, SignatureError, TransportError, TransportKind, UntrustedCertError,
    UnverifiedAnswer,
};
pub use extra::{MethodExt, WithExtra};
pub use gateway_code::{GatewayCode, PublicSubCode};
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use method::{
    BizErrorCode, CallStyle, ErrorDoc, Method, MethodDescriptor, Protocol, RequestParts,
    UndocumentedBizError,
};
pub use notify::{
    MAX_NOTIFY_BYTES, MAX_NOTIFY_FIELDS, NotifyError, VerifiedNotify, VerifiedReturn,
    verify_notify, verify_notify_pairs, verify_return,
};
pub use page::PageForm;
pub use price::Price;
pub use request::{MultipartBody, PreparedRequest};
pub use sign::{SignError, SignType, Signer, VerifyError};
pub use upload::FileUpload;
pub use v3::ApiError;
pub use validate::{Rule, ValidationError};
pub use verify::{ResponseError, VerifiedResponse, verify_response};
