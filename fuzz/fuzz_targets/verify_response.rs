//! Any bytes as a gateway answer: verification never panics, and never accepts an answer
//! that is not signed by the test vectors' Alipay key (the fuzzer cannot forge RSA).
#![no_main]

use std::sync::OnceLock;

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::PublicKey;
use alipay_runtime::sign::SignType;
use alipay_runtime::verify::verify_response;
use libfuzzer_sys::fuzz_target;

fn key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PublicKey::parse(include_str!("../../../shared/vectors/keys/alipay_public.pem"))
            .expect("the vectors' Alipay public key")
    })
}

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Utf8, Charset::Gbk] {
        for method in ["alipay.trade.query", "alipay.user.agreement.auth.confirm"] {
            let _ = verify_response(data, method, charset, SignType::Rsa2, key());
        }
    }
});
