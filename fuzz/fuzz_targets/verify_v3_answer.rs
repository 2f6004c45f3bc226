//! Any bytes as a v3 answer (status, the `alipay-*` headers, the body): verification never
//! panics, and what it accepts is a 2xx JSON object (the fuzzer cannot forge RSA: only the
//! vectors' signed answers, seeded from `v3_node.json`, verify).
#![no_main]

mod common;

use std::sync::OnceLock;

use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::v3::{AnswerHeaders, verify_answer, verify_encrypted_answer};
use common::alipay_key;
use libfuzzer_sys::fuzz_target;

fn aes() -> &'static EncryptKey {
    static KEY: OnceLock<EncryptKey> = OnceLock::new();
    KEY.get_or_init(|| EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").expect("aes.json key"))
}

// Input: the status (two bytes), then lines `timestamp`, `nonce`, `signature`, `sn`,
// `trace id`, then the body (the rest). An empty line is a header left out.
fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = u16::from_be_bytes(*status) % 600;
    let mut parts = rest.splitn(6, |b| *b == b'\n');
    let mut line = || {
        parts
            .next()
            .and_then(|l| std::str::from_utf8(l).ok())
            .filter(|l| !l.is_empty())
    };
    let headers = AnswerHeaders {
        timestamp: line(),
        nonce: line(),
        signature: line(),
        sn: line(),
        trace_id: line(),
    };
    let body = parts.next().unwrap_or_default();
    for sn in [None, Some("e936b6ada25d55675100f055cc555013")] {
        if let Ok(accepted) = verify_answer(status, &headers, body, alipay_key(), sn) {
            assert!(status < 400);
            assert!(serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(accepted).is_ok());
        }
        if let Ok(plain) = verify_encrypted_answer(status, &headers, body, alipay_key(), sn, aes()) {
            assert!(status < 400);
            assert!(serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&plain).is_ok());
        }
    }
});
