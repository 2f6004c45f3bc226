//! The checks themselves, one function per step of the module's list.

use alipay_runtime::gateway_code::unlisted_sub_code;
use alipay_runtime::protocol::{self, param};
use alipay_runtime::sign::SignType;
use alipay_runtime::{MethodDescriptor, PublicSubCode};

use crate::crypto;
use crate::state::Shared;

use super::{Accepted, Decoded, INVALID, MISSING, NodeName, Refusal, refuse, shown_sn};

/// The checks in their order; `verified` and `decrypted` say how far the request got.
pub(super) fn run(
    shared: &Shared,
    request: &Decoded,
    verified: &mut bool,
    decrypted: &mut Option<String>,
) -> Result<Accepted, Refusal> {
    sent_once(request)?;
    let present = Present::read(request)?;
    let (descriptor, sign_type) = validity(shared, request, &present)?;
    configured_certs(shared, request)?;
    verify_signature(shared, request, descriptor, sign_type, present.sign)?;
    *verified = true;
    let encrypted = encrypted(request)?;
    if encrypted {
        *decrypted = decrypt(shared, request)?;
    }
    method_params(shared, request, descriptor, decrypted.as_deref())?;
    Ok(Accepted {
        descriptor,
        sign_type,
        encrypted,
    })
}

/// Step 1: each parameter once: when a name is sent twice, which one was signed is ambiguous.
fn sent_once(request: &Decoded) -> Result<(), Refusal> {
    let error = NodeName::Error;
    let mut names = std::collections::HashSet::with_capacity(request.params.len());
    let file_names = request.files.iter().map(|f| &f.name);
    for key in request.params.iter().map(|(k, _)| k).chain(file_names) {
        if !names.insert(key.as_str()) {
            return Err(refuse(
                error,
                INVALID,
                PublicSubCode::InvalidParameter,
                format!("参数无效: parameter `{key}` is sent more than once"),
            ));
        }
    }

    Ok(())
}

/// Step 2: the public parameters every request carries.
struct Present<'a> {
    method: &'a str,
    app_id: &'a str,
    timestamp: &'a str,
    version: &'a str,
    sign_type: &'a str,
    sign: &'a str,
}

impl<'a> Present<'a> {
    fn read(request: &'a Decoded) -> Result<Self, Refusal> {
        let error = NodeName::Error;
        let method = request.get(param::METHOD).ok_or_else(|| {
            refuse(
                error,
                MISSING,
                PublicSubCode::MissingMethod,
                "缺少方法名参数",
            )
        })?;
        let app_id = request
            .get(param::APP_ID)
            .ok_or_else(|| refuse(error, MISSING, PublicSubCode::MissingAppId, "缺少appId参数"))?;
        let timestamp = request.get(param::TIMESTAMP).ok_or_else(|| {
            refuse(
                error,
                MISSING,
                PublicSubCode::MissingTimestamp,
                "缺少时间戳参数",
            )
        })?;
        let version = request.get(param::VERSION).ok_or_else(|| {
            refuse(
                error,
                MISSING,
                PublicSubCode::MissingVersion,
                "缺少版本参数",
            )
        })?;
        let sign_type = request.get(param::SIGN_TYPE).ok_or_else(|| {
            refuse(
                error,
                MISSING,
                PublicSubCode::MissingSignatureType,
                "缺少签名类型参数",
            )
        })?;
        let sign = request.get(param::SIGN).ok_or_else(|| {
            refuse(
                error,
                MISSING,
                PublicSubCode::MissingSignature,
                "缺少签名参数",
            )
        })?;
        Ok(Present {
            method,
            app_id,
            timestamp,
            version,
            sign_type,
            sign,
        })
    }
}

/// Step 3: the public parameters are valid: the method this gateway serves, and how the
/// request is signed.
fn validity(
    shared: &Shared,
    request: &Decoded,
    present: &Present<'_>,
) -> Result<(&'static MethodDescriptor, SignType), Refusal> {
    let error = NodeName::Error;
    let Present {
        method,
        app_id,
        timestamp,
        version,
        sign_type,
        ..
    } = *present;
    if let Some(charset) = request.get(param::CHARSET)
        && crypto::parse_charset(charset) != Some(request.charset)
    {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::InvalidCharset,
            format!(
                "字符集错误: charset `{charset}` (supported: utf-8, GBK, GB2312; it must match the Content-Type charset)"
            ),
        ));
    }
    if let Some(format) = request.get(param::FORMAT)
        && !format.eq_ignore_ascii_case("json")
    {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::InvalidFormat,
            format!("无效的数据格式: format `{format}` (this gateway answers JSON only)"),
        ));
    }
    let sign_type: SignType = sign_type.parse().map_err(|_| {
        refuse(
            error,
            INVALID,
            PublicSubCode::InvalidSignatureType,
            format!("无效的签名类型: sign_type `{sign_type}` (supported: RSA2, RSA)"),
        )
    })?;
    if alipay_runtime::validate::date_time(param::TIMESTAMP, timestamp).is_err() {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::InvalidTimestamp,
            format!("非法的时间戳参数: timestamp `{timestamp}` is not yyyy-MM-dd HH:mm:ss"),
        ));
    }
    if version != "1.0" {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::InvalidParameter,
            format!("参数无效: version `{version}` (only 1.0)"),
        ));
    }
    let descriptor = served_method(shared, method, app_id)?;
    Ok((descriptor, sign_type))
}

/// The method, which this gateway must serve, for the app this gateway is (when it is set).
fn served_method(
    shared: &Shared,
    method: &str,
    app_id: &str,
) -> Result<&'static MethodDescriptor, Refusal> {
    let error = NodeName::Error;
    let descriptor = shared.method(method).ok_or_else(|| {
        refuse(
            error,
            INVALID,
            PublicSubCode::InvalidMethod,
            format!("不存在的方法名: {method}"),
        )
    })?;
    if let Some(expected) = shared.app_id.as_deref()
        && app_id != expected
    {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::InvalidAppId,
            format!("无效的appId参数: {app_id}"),
        ));
    }
    Ok(descriptor)
}

/// Certificate mode: the certificates the request names must be the configured ones (the
/// app certificate's key is the one that verifies the signature).
fn configured_certs(shared: &Shared, request: &Decoded) -> Result<(), Refusal> {
    let Some(certs) = &shared.cert_mode else {
        return Ok(());
    };
    // (parameter, the configured SN, the sub_code, the sub_msg's words and how it names the SN)
    let expected = [
        (
            param::APP_CERT_SN,
            certs.app_cert_sn(),
            unlisted_sub_code::INVALID_APP_CERT_SN,
            "应用公钥证书序列号无效",
            "this app's is",
        ),
        (
            param::ALIPAY_ROOT_CERT_SN,
            certs.alipay_root_cert_sn(),
            unlisted_sub_code::INVALID_ALIPAY_ROOT_CERT_SN,
            "支付宝根证书序列号无效",
            "expected",
        ),
    ];
    for (name, configured, sub_code, words, named) in expected {
        let sent = request.get(name);
        if sent != Some(configured) {
            return Err(refuse(
                NodeName::Error,
                INVALID,
                PublicSubCode::from_code(sub_code),
                format!("{words}: {name} {} ({named} {configured})", shown_sn(sent)),
            ));
        }
    }
    Ok(())
}

/// Step 4: the signature: every parameter but `sign`, empty values left out, sorted, in the
/// request charset. A signature that does not verify is answered as Alipay answers it: under
/// the method's own node (its name is known by now), signed, the `sub_msg` giving the string
/// the gateway verified (the one clue a developer has).
fn verify_signature(
    shared: &Shared,
    request: &Decoded,
    descriptor: &'static MethodDescriptor,
    sign_type: SignType,
    sign: &str,
) -> Result<(), Refusal> {
    let node = NodeName::Method(descriptor.response_node);
    let content = alipay_runtime::sign_content::sign_content(
        request
            .params
            .iter()
            .filter(|(k, v)| k != param::SIGN && !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let good = crypto::encode(request.charset, &content)
        .is_some_and(|bytes| crypto::verify(&shared.keys.app_public_key, sign_type, &bytes, sign));
    if !good {
        return Err(refuse(
            node,
            INVALID,
            PublicSubCode::InvalidSignature,
            format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{content}"
            ),
        ));
    }
    Ok(())
}

/// Whether the request is AES-encrypted (`encrypt_type`; any other algorithm is refused).
fn encrypted(request: &Decoded) -> Result<bool, Refusal> {
    match request.get(param::ENCRYPT_TYPE) {
        None => Ok(false),
        Some("AES") => Ok(true),
        Some(other) => Err(refuse(
            NodeName::Error,
            INVALID,
            PublicSubCode::DecryptionErrorNotValidEncryptType,
            format!("解密出错, 不支持的加密算法: encrypt_type `{other}` (only AES)"),
        )),
    }
}

/// The plaintext of an encrypted request's `biz_content` (the signature covered the
/// ciphertext; the method's rules apply to the plaintext).
fn decrypt(shared: &Shared, request: &Decoded) -> Result<Option<String>, Refusal> {
    let error = NodeName::Error;
    let Some(ciphertext) = request.get(param::BIZ_CONTENT) else {
        return Ok(None);
    };
    let Some(key) = &shared.encrypt_key else {
        return Err(refuse(
            error,
            INVALID,
            PublicSubCode::from_code(unlisted_sub_code::DECRYPTION_ERROR_MISSING_ENCRYPT_KEY),
            "解密出错, 未配置AES密钥: this gateway has no encrypt_key",
        ));
    };
    key.decrypt_bytes(ciphertext)
        .ok()
        .and_then(|bytes| crypto::decode(request.charset, &bytes))
        .map(Some)
        .ok_or_else(|| {
            refuse(
                error,
                INVALID,
                PublicSubCode::DecryptionErrorNotValidEncryptKey,
                "解密出错, 未配置AES密钥或AES密钥错误: biz_content does not decrypt",
            )
        })
}

/// Step 5: `biz_content` (`decrypted`, when the request was encrypted) and the form fields
/// follow the method's spec.
fn method_params(
    shared: &Shared,
    request: &Decoded,
    descriptor: &'static MethodDescriptor,
    decrypted: Option<&str>,
) -> Result<(), Refusal> {
    let node = NodeName::Method(descriptor.response_node);
    let biz_text = decrypted.or(request.get(param::BIZ_CONTENT));
    let biz = match biz_text {
        None => None,
        Some(text) => Some(super::strict_json::parse(text).map_err(|e| {
            refuse(
                node,
                INVALID,
                PublicSubCode::InvalidParameter,
                format!("参数无效: biz_content is not valid JSON ({e})"),
            )
        })?),
    };
    if let Some(name) = super::non_file_part(shared, descriptor, &request.files) {
        return Err(refuse(
            node,
            INVALID,
            PublicSubCode::InvalidParameter,
            format!(
                "参数无效: the part `{name}` is sent as a file, but `{name}` is no file field of this method (a text field is a text part, and signed)"
            ),
        ));
    }
    // The configured parameters (notify_url, return_url, ...) go with the form: some specs
    // list them as the method's own form fields (alipay.trade.app.pay requires notify_url),
    // and the validation ignores form fields its method does not list.
    // A file part stands in the form as its name and file name, as the validators take it.
    let form: Vec<(String, String)> = request
        .params
        .iter()
        .filter(|(k, _)| !protocol::PUBLIC_REQUEST_PARAMS.contains(&k.as_str()))
        .cloned()
        .chain(
            request
                .files
                .iter()
                .map(|f| (f.name.clone(), f.file_name.clone())),
        )
        .collect();
    shared
        .validate(descriptor, biz.as_ref(), &form)
        .map_err(|e| {
            refuse(
                node,
                INVALID,
                PublicSubCode::InvalidParameter,
                format!("参数无效: {}", super::plain_validation(&e)),
            )
        })?;

    Ok(())
}
