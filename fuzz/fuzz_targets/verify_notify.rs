//! Any bytes as a notification body: verification never panics.
#![no_main]

use std::sync::OnceLock;

use alipay_runtime::keys::PublicKey;
use alipay_runtime::notify::verify_notify;
use libfuzzer_sys::fuzz_target;

fn key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PublicKey::parse(include_str!("../../../shared/vectors/keys/alipay_public.pem"))
            .expect("the vectors' Alipay public key")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = verify_notify(data, key());
});
