//! Runtime for generated Alipay OpenAPI clients.
//!
//! This crate knows nothing about any particular Alipay method. Generated code implements
//! [`Method`] for each request type; the [`Client`] signs, sends and verifies.

pub mod cert;
pub mod charset;
pub mod check;
pub mod client;
pub mod de;
pub mod encrypt;
pub mod error;
pub mod extra;
pub mod form;
pub mod gateway_code;
pub mod keys;
pub mod method;
pub mod notify;
pub mod page;
pub mod price;
pub mod protocol;
mod redact;
pub mod request;
pub mod sign;
pub mod sign_content;
pub mod upload;
pub mod validate;
pub mod verify;

pub use charset::Charset;
pub use client::{AppSigner, CertStore, Client, ClientBuilder, Config, Gateway, RequestOptions};
pub use error::{
    BusinessError, CallStyleError, ConfigError, DynBizCode, Error, GatewayError, HttpStatusError,
    RequestSent, SignatureError, TransportError, TransportKind, UntrustedCertError,
    UnverifiedAnswer,
};
pub use extra::{MethodExt, WithExtra};
pub use gateway_code::{GatewayCode, PublicSubCode};
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use method::{
    BizErrorCode, CallStyle, ErrorDoc, Method, MethodDescriptor, RequestParts, UndocumentedBizError,
};
pub use notify::{
    NotifyError, VerifiedNotify, VerifiedReturn, verify_notify, verify_notify_pairs, verify_return,
};
pub use page::PageForm;
pub use price::Price;
pub use request::PreparedRequest;
pub use sign::{SignError, SignType, Signer, VerifyError};
pub use upload::FileUpload;
pub use validate::{Rule, ValidationError};
pub use verify::{ResponseError, VerifiedResponse, verify_response};
