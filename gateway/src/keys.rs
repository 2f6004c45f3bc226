//! The keys a gateway works with.

use alipay_runtime::keys::{KeyError, PrivateKey, PublicKey};

use crate::throwaway::ThrowawayKeys;

/// The gateway's keys: the app public key verifies requests, the Alipay private key signs
/// answers. `Debug` shows only key sizes.
#[derive(Debug)]
pub struct GatewayKeys {
    /// Verifies request signatures (the public half of the client's app private key).
    pub app_public_key: PublicKey,
    /// Signs answers (the client verifies them with its Alipay public key).
    pub alipay_private_key: PrivateKey,
}

impl GatewayKeys {
    /// Keys from already-loaded values.
    pub fn new(app_public_key: PublicKey, alipay_private_key: PrivateKey) -> Self {
        Self {
            app_public_key,
            alipay_private_key,
        }
    }

    /// Keys from text: each PEM or bare base64.
    pub fn parse(app_public_key: &str, alipay_private_key: &str) -> Result<Self, KeyError> {
        Ok(Self::new(
            PublicKey::parse(app_public_key)?,
            PrivateKey::parse(alipay_private_key)?,
        ))
    }
}

impl ThrowawayKeys {
    /// The gateway's half of these keys.
    pub fn gateway_keys(&self) -> Result<GatewayKeys, KeyError> {
        GatewayKeys::parse(&self.app.public_pem, &self.alipay.private_pem)
    }

    /// The client's app private key.
    pub fn app_private_key(&self) -> Result<PrivateKey, KeyError> {
        PrivateKey::parse(&self.app.private_pem)
    }

    /// The client's Alipay public key.
    pub fn alipay_public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::parse(&self.alipay.public_pem)
    }
}
