//! What the verification targets share: the test vectors' Alipay public key.

use std::sync::OnceLock;

use alipay_runtime::keys::PublicKey;

/// The vectors' Alipay public key, parsed once.
pub fn alipay_key() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PublicKey::parse(include_str!(
            "../../../../shared/vectors/keys/alipay_public.pem"
        ))
        .expect("the vectors' Alipay public key")
    })
}
