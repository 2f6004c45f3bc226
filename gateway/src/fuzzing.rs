//! The request parser as a plain function, for the `gateway_request` fuzz target (feature
//! `fuzzing`; not part of the public API).

use std::sync::OnceLock;

use alipay_runtime::MethodDescriptor;
use alipay_runtime::charset::Charset;

use crate::scenario::ScenarioFile;
use crate::server::Limits;
use crate::state::Shared;
use alipay_runtime::form;

use crate::{crypto, protocol};

static METHODS: &[MethodDescriptor] = &[MethodDescriptor {
    method: "alipay.user.agreement.auth.confirm",
    title: "fuzz",
    group: "user",
    response_node: "alipay_user_agreement_auth_confirm_response",
    call_style: alipay_runtime::CallStyle::Server,
    errors: &[],
    example_response: None,
    route: None,
    validate_request: |_, _| Ok(()),
}];

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let keys = crate::ThrowawayKeys::generate()
            .ok()
            .and_then(|k| k.gateway_keys().ok())
            .expect("throwaway keys");
        Shared::new(
            METHODS,
            keys,
            None,
            ScenarioFile::default(),
            None,
            None,
            Limits::default(),
        )
    })
}

/// Reads a request as the server does (query string and form body, charset from the
/// `charset` parameter), decodes it and runs every check; whether it was accepted.
pub fn check_request(query: &[u8], body: &[u8]) -> bool {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = form::decode(query)
        .into_iter()
        .chain(form::decode(body))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let charset = pairs
        .iter()
        .find(|(k, _)| k == b"charset")
        .and_then(|(_, v)| crypto::parse_charset(&String::from_utf8_lossy(v)))
        .unwrap_or(Charset::Utf8);
    let Ok(params) = protocol::decode(&pairs, charset) else {
        return false;
    };
    let decoded = protocol::Decoded {
        params,
        charset,
        files: Vec::new(),
    };
    protocol::check(shared(), &decoded).verdict.is_ok()
}
