//! Any bytes as a gateway answer: verification never panics, and never accepts an answer
//! that is not signed by the test vectors' Alipay key (the fuzzer cannot forge RSA).
#![no_main]

mod common;

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::verify::verify_response;
use common::alipay_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Utf8, Charset::Gbk] {
        for method in ["alipay.trade.query", "alipay.user.agreement.auth.confirm"] {
            let _ = verify_response(data, method, charset, SignType::Rsa2, alipay_key());
        }
    }
});
