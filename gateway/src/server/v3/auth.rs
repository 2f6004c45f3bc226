//! The `Authorization` header of a v3 request, and the checks it must pass before anything of
//! the request is used: the app id, the freshness of its timestamp, the certificates named
//! (certificate mode), and the signature over
//! `auth\nMETHOD\ntarget\nbody\n[app_auth_token\n]`.

use std::time::Duration;

use alipay_runtime::sign::SignType;
use alipay_runtime::v3::{AUTH_SCHEME, sign_string};

use super::answer::V3Error;
use crate::crypto;
use crate::state::Shared;

/// How far a request's `timestamp` may be from the gateway's clock, either way, by default:
/// 15 minutes, the tolerance Alipay gives the v2 protocol's `timestamp`.
pub const DEFAULT_TIMESTAMP_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The parts of an `Authorization` header (`Debug` leaves the signature out).
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Authorization<'h> {
    /// The authentication string exactly as sent (the first line of the signed string).
    pub auth: &'h str,
    pub app_id: &'h str,
    pub app_cert_sn: Option<&'h str>,
    pub timestamp_ms: u64,
    /// The signature, base64.
    pub sign: &'h str,
}

impl std::fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("auth", &self.auth)
            .field("sign", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn unauthorized(code: &str, message: impl Into<String>) -> V3Error {
    V3Error::new(401, code, message)
}

/// Reads `ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…,sign=…`. Members
/// the gateway does not know (the Node SDK's `additionalAuthInfo`) are signed and accepted.
pub(super) fn parse(header: Option<&str>) -> Result<Authorization<'_>, V3Error> {
    let header = header.ok_or_else(|| {
        unauthorized("missing-signature", "缺少签名参数: no Authorization header")
    })?;
    let rest = header
        .strip_prefix(AUTH_SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| {
            unauthorized(
                "invalid-signature-type",
                format!(
                    "无效的签名类型: the Authorization header must start with `{AUTH_SCHEME} `"
                ),
            )
        })?;
    let (auth, sign) = rest.rsplit_once(",sign=").ok_or_else(|| {
        unauthorized(
            "missing-signature",
            "缺少签名参数: no sign= in the Authorization header",
        )
    })?;
    if sign.is_empty() {
        return Err(unauthorized(
            "missing-signature",
            "缺少签名参数: sign= is empty",
        ));
    }
    let mut app_id = None;
    let mut app_cert_sn = None;
    let mut nonce = None;
    let mut timestamp = None;
    for member in auth.split(',') {
        let (name, value) = member.split_once('=').unwrap_or((member, ""));
        let slot = match name {
            "app_id" => &mut app_id,
            "app_cert_sn" => &mut app_cert_sn,
            "nonce" => &mut nonce,
            "timestamp" => &mut timestamp,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(unauthorized(
                "invalid-signature",
                format!("验签出错: `{name}` is sent more than once in the Authorization header"),
            ));
        }
    }
    let app_id = app_id
        .filter(|v| !v.is_empty())
        .ok_or_else(|| unauthorized("missing-app-id", "缺少appId参数"))?;
    nonce
        .filter(|v| !v.is_empty())
        .ok_or_else(|| unauthorized("missing-nonce", "缺少nonce参数"))?;
    let timestamp = timestamp
        .filter(|v| !v.is_empty())
        .ok_or_else(|| unauthorized("missing-timestamp", "缺少时间戳参数"))?;
    let timestamp_ms = timestamp
        .parse::<u64>()
        .ok()
        .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            unauthorized(
                "invalid-timestamp",
                format!("非法的时间戳参数: timestamp `{timestamp}` is not milliseconds since 1970"),
            )
        })?;
    Ok(Authorization {
        auth,
        app_id,
        app_cert_sn,
        timestamp_ms,
        sign,
    })
}

/// The app id, when the gateway serves one app only.
pub(super) fn check_app(shared: &Shared, auth: &Authorization<'_>) -> Result<(), V3Error> {
    match shared.app_id.as_deref() {
        Some(expected) if expected != auth.app_id => Err(unauthorized(
            "invalid-app-id",
            format!("无效的appId参数: {}", auth.app_id),
        )),
        _ => Ok(()),
    }
}

/// The timestamp is within `window` of `now_ms`, either way.
pub(super) fn check_fresh(
    auth: &Authorization<'_>,
    now_ms: u64,
    window: Duration,
) -> Result<(), V3Error> {
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
    let off = now_ms.abs_diff(auth.timestamp_ms);
    if off > window_ms {
        let direction = if auth.timestamp_ms > now_ms {
            "in the future"
        } else {
            "old"
        };
        return Err(unauthorized(
            "invalid-timestamp",
            format!(
                "非法的时间戳参数: timestamp {} is {} s {direction} (this gateway allows {} s either way)",
                auth.timestamp_ms,
                off / 1000,
                window.as_secs()
            ),
        ));
    }
    Ok(())
}

/// Certificate mode: the request names the configured app certificate (`app_cert_sn` in the
/// authentication string) and Alipay root certificate (`alipay-root-cert-sn` header).
pub(super) fn check_certs(
    shared: &Shared,
    auth: &Authorization<'_>,
    root_cert_sn: Option<&str>,
) -> Result<(), V3Error> {
    let Some(certs) = &shared.cert_mode else {
        return Ok(());
    };
    let shown = |sn: Option<&str>| sn.map_or_else(|| "missing".to_owned(), |sn| format!("`{sn}`"));
    if auth.app_cert_sn != Some(certs.app_cert_sn()) {
        return Err(unauthorized(
            "invalid-app-cert-sn",
            format!(
                "应用公钥证书序列号无效: app_cert_sn {} (this app's is {})",
                shown(auth.app_cert_sn),
                certs.app_cert_sn()
            ),
        ));
    }
    if root_cert_sn != Some(certs.alipay_root_cert_sn()) {
        return Err(unauthorized(
            "invalid-alipay-root-cert-sn",
            format!(
                "支付宝根证书序列号无效: alipay-root-cert-sn {} (expected {})",
                shown(root_cert_sn),
                certs.alipay_root_cert_sn()
            ),
        ));
    }
    Ok(())
}

/// The signature, with the app public key, over the request as received: `target` exactly as
/// on the request line, `body` the body line (the JSON, the ciphertext, or the `data` part).
pub(super) fn verify(
    shared: &Shared,
    auth: &Authorization<'_>,
    http_method: &str,
    target: &str,
    body: &[u8],
    app_auth_token: Option<&str>,
) -> Result<(), V3Error> {
    let signed = sign_string(auth.auth, http_method, target, body, app_auth_token);
    if crypto::verify(
        &shared.keys.app_public_key,
        SignType::Rsa2,
        &signed,
        auth.sign,
    ) {
        return Ok(());
    }
    // The string the gateway verified, the token (a secret) left out, as Alipay's v2 gateway
    // shows its own: comparing it with the client's finds most mistakes.
    let shown = sign_string(
        auth.auth,
        http_method,
        target,
        body,
        app_auth_token.map(|_| "<alipay-app-auth-token>"),
    );
    Err(unauthorized(
        "invalid-signature",
        format!(
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配, 网关生成的验签字符串为: {}",
            String::from_utf8_lossy(&shown)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_header_and_names_what_is_missing() {
        let header = "ALIPAY-SHA256withRSA app_id=1,app_cert_sn=c,nonce=n,timestamp=1722306094111,extra=x,sign=c2ln";
        let auth = parse(Some(header)).unwrap();
        assert_eq!(
            auth,
            Authorization {
                auth: "app_id=1,app_cert_sn=c,nonce=n,timestamp=1722306094111,extra=x",
                app_id: "1",
                app_cert_sn: Some("c"),
                timestamp_ms: 1722306094111,
                sign: "c2ln",
            }
        );
        let code = |h: Option<&str>| parse(h).unwrap_err().code;
        assert_eq!(code(None), "missing-signature");
        assert_eq!(code(Some("Bearer x")), "invalid-signature-type");
        assert_eq!(
            code(Some("ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1")),
            "missing-signature"
        );
        assert_eq!(
            code(Some(
                "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1,sign="
            )),
            "missing-signature"
        );
        assert_eq!(
            code(Some("ALIPAY-SHA256withRSA nonce=n,timestamp=1,sign=x")),
            "missing-app-id"
        );
        assert_eq!(
            code(Some("ALIPAY-SHA256withRSA app_id=1,timestamp=1,sign=x")),
            "missing-nonce"
        );
        assert_eq!(
            code(Some("ALIPAY-SHA256withRSA app_id=1,nonce=n,sign=x")),
            "missing-timestamp"
        );
        assert_eq!(
            code(Some(
                "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=+1,sign=x"
            )),
            "invalid-timestamp"
        );
        assert_eq!(
            code(Some(
                "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=99999999999999999999999,sign=x"
            )),
            "invalid-timestamp"
        );
        assert_eq!(
            code(Some(
                "ALIPAY-SHA256withRSA app_id=1,app_id=2,nonce=n,timestamp=1,sign=x"
            )),
            "invalid-signature"
        );
    }

    #[test]
    fn freshness_either_way() {
        let auth = parse(Some(
            "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1000000,sign=x",
        ))
        .unwrap();
        let window = Duration::from_secs(60);
        assert!(check_fresh(&auth, 1_000_000 + 60_000, window).is_ok());
        assert!(check_fresh(&auth, 1_000_000 - 60_000, window).is_ok());
        let old = check_fresh(&auth, 1_000_000 + 60_001, window).unwrap_err();
        assert_eq!((old.status, old.code.as_str()), (401, "invalid-timestamp"));
        assert!(old.message.contains("old"), "{}", old.message);
        let future = check_fresh(&auth, 1_000_000 - 60_001, window).unwrap_err();
        assert!(future.message.contains("future"), "{}", future.message);
    }
}
