//! The gateway's public answer codes (`code`) and public error codes (`sub_code`), shared by
//! every method.
//!
//! Both enums are open: a code Alipay adds later lands in `Unknown` with its exact spelling
//! instead of failing the call.

use std::fmt;

/// The public `code` of a gateway answer that is neither a success (`10000`) nor a business
/// failure (`40004`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GatewayCode {
    /// `10003` the call is still being processed (业务处理中): `alipay.trade.pay` answers it
    /// while the buyer confirms a bar-code payment with a password. The trade is neither paid
    /// nor failed: the answer's node (verified, read with `GatewayError::decode_answer`) holds
    /// its `trade_no`; query the trade until it is paid, or cancel it. Not on the 公共错误码
    /// page as read (its copies list 10000, 20000 to 40006); named by Alipay's face-to-face pay
    /// demo (`PAYING = "10003"`, 用户支付中), which polls or cancels on it.
    InProcess,
    /// `20000` Service Currently Unavailable (服务不可用).
    ServiceUnavailable,
    /// `20001` Insufficient Token Permissions (授权权限不足).
    InsufficientTokenPermissions,
    /// `40001` Missing Required Arguments (缺少必选参数).
    MissingRequiredArguments,
    /// `40002` Invalid Arguments (非法的参数).
    InvalidArguments,
    /// `40003` Insufficient Conditions (条件异常).
    InsufficientConditions,
    /// `40005` Call Limited (调用频次超限).
    CallLimited,
    /// `40006` Insufficient Permissions (权限不足).
    InsufficientPermissions,
    /// A code this client does not know, spelled as received.
    Unknown(String),
}

/// `code` of a successful call.
pub const SUCCESS_CODE: &str = "10000";
/// `msg` of a successful call.
pub const SUCCESS_MSG: &str = "Success";
/// `code` of a business failure, whose `sub_code` is the method's own error code.
pub const BUSINESS_FAILED_CODE: &str = "40004";
/// `msg` of a business failure.
pub const BUSINESS_FAILED_MSG: &str = "Business Failed";

/// Public `sub_code`s that the 公共错误码 page, as read through its copies, does not list
/// (`specs/common.yaml` holds only what the page shows), but that the certificate and AES
/// modes answer with. [`PublicSubCode::from_code`] keeps each as `Unknown` with this exact
/// spelling; the local gateway answers with these constants, so the names live here once.
pub mod unlisted_sub_code {
    /// Certificate mode: `app_cert_sn` is not the SN of the app's certificate (40002). Named by
    /// the project's issue 16 as what users debug; not on the page as read.
    pub const INVALID_APP_CERT_SN: &str = "isv.invalid-app-cert-sn";
    /// Certificate mode: `alipay_root_cert_sn` is not the SN of Alipay's root bundle (40002).
    /// Named by the project's issue 16; not on the page as read.
    pub const INVALID_ALIPAY_ROOT_CERT_SN: &str = "isv.invalid-alipay-root-cert-sn";
    /// AES: the request is encrypted but the app has no AES key configured (40002). The page's
    /// copies end before the rows that would hold it; the local gateway's own name.
    pub const DECRYPTION_ERROR_MISSING_ENCRYPT_KEY: &str =
        "isv.decryption-error-missing-encrypt-key";
    /// All of them, for tests that check none is also in `specs/common.yaml`.
    pub const ALL: &[&str] = &[
        INVALID_APP_CERT_SN,
        INVALID_ALIPAY_ROOT_CERT_SN,
        DECRYPTION_ERROR_MISSING_ENCRYPT_KEY,
    ];
}

const GATEWAY_CODES: &[(GatewayCode, &str, &str, &str)] = &[
    (
        GatewayCode::InProcess,
        "10003",
        "order success pay inprocess",
        "业务处理中",
    ),
    (
        GatewayCode::ServiceUnavailable,
        "20000",
        "Service Currently Unavailable",
        "服务不可用",
    ),
    (
        GatewayCode::InsufficientTokenPermissions,
        "20001",
        "Insufficient Token Permissions",
        "授权权限不足",
    ),
    (
        GatewayCode::MissingRequiredArguments,
        "40001",
        "Missing Required Arguments",
        "缺少必选参数",
    ),
    (
        GatewayCode::InvalidArguments,
        "40002",
        "Invalid Arguments",
        "非法的参数",
    ),
    (
        GatewayCode::InsufficientConditions,
        "40003",
        "Insufficient Conditions",
        "条件异常",
    ),
    (
        GatewayCode::CallLimited,
        "40005",
        "Call Limited",
        "调用频次超限",
    ),
    (
        GatewayCode::InsufficientPermissions,
        "40006",
        "Insufficient Permissions",
        "权限不足",
    ),
];

impl GatewayCode {
    /// The typed code for `code` as the gateway spells it.
    pub fn from_code(code: &str) -> Self {
        GATEWAY_CODES
            .iter()
            .find(|(_, c, _, _)| *c == code)
            .map(|(g, _, _, _)| g.clone())
            .unwrap_or_else(|| GatewayCode::Unknown(code.to_owned()))
    }

    fn entry(&self) -> Option<&'static (GatewayCode, &'static str, &'static str, &'static str)> {
        GATEWAY_CODES.iter().find(|(g, _, _, _)| g == self)
    }

    /// The code as the gateway spells it, for example `40002`.
    pub fn as_str(&self) -> &str {
        match self {
            GatewayCode::Unknown(code) => code,
            known => known.entry().map_or("", |(_, c, _, _)| c),
        }
    }

    /// The gateway's English `msg` for this code, for example `Invalid Arguments`.
    pub fn msg(&self) -> Option<&'static str> {
        self.entry().map(|(_, _, m, _)| *m)
    }

    /// The documented Chinese description, for example `非法的参数`.
    pub fn description(&self) -> Option<&'static str> {
        self.entry().map(|(_, _, _, d)| *d)
    }
}

impl fmt::Display for GatewayCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for GatewayCode {
    fn from(code: &str) -> Self {
        Self::from_code(code)
    }
}

macro_rules! public_sub_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $gateway:literal, $description:literal, $solution:literal; )*) => {
        /// A public error code (`sub_code`) of a gateway answer, shared by every method.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum PublicSubCode {
            $( $(#[$doc])* $variant, )*
            /// A sub_code this client does not know (or none at all: empty), spelled as received.
            Unknown(String),
        }

        impl PublicSubCode {
            /// The typed sub_code for `code` as the gateway spells it.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $code => PublicSubCode::$variant, )*
                    other => PublicSubCode::Unknown(other.to_owned()),
                }
            }

            /// The sub_code as the gateway spells it, for example `isv.invalid-signature`.
            pub fn as_str(&self) -> &str {
                match self {
                    $( PublicSubCode::$variant => $code, )*
                    PublicSubCode::Unknown(code) => code,
                }
            }

            /// The public `code` the table lists this sub_code under, when documented.
            pub fn gateway_code(&self) -> Option<GatewayCode> {
                match self {
                    $( PublicSubCode::$variant => Some(GatewayCode::from_code($gateway)), )*
                    PublicSubCode::Unknown(_) => None,
                }
            }

            /// The documented description (错误描述), when the code is documented.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    $( PublicSubCode::$variant => Some($description), )*
                    PublicSubCode::Unknown(_) => None,
                }
            }

            /// The documented solution (解决方案), when the code is documented.
            pub fn solution(&self) -> Option<&'static str> {
                match self {
                    $( PublicSubCode::$variant => Some($solution), )*
                    PublicSubCode::Unknown(_) => None,
                }
            }

            /// Every documented public sub_code, in table order.
            pub const ALL: &'static [PublicSubCode] = &[ $( PublicSubCode::$variant, )* ];
        }
    };
}

// Generated from specs/common.yaml (`gateway_codes[].sub_codes`), which cites its sources:
// Alipay's public error code page (公共错误码, opendocs.alipay.com/common/02km9f) read through
// copies. A test keeps the two in step.
public_sub_codes! {
    /// `isp.unknow-error` (20000): 服务暂不可用（业务系统不可用）
    IspUnknowError = "isp.unknow-error", "20000", "服务暂不可用（业务系统不可用）", "稍后重试";
    /// `aop.unknow-error` (20000): 服务暂不可用（网关自身的未知错误）
    AopUnknowError = "aop.unknow-error", "20000", "服务暂不可用（网关自身的未知错误）", "稍后重试";
    /// `aop.invalid-auth-token` (20001): 无效的访问令牌
    InvalidAuthToken = "aop.invalid-auth-token", "20001", "无效的访问令牌", "请刷新授权令牌或重新授权获取新的令牌";
    /// `aop.auth-token-time-out` (20001): 访问令牌已过期
    AuthTokenTimeOut = "aop.auth-token-time-out", "20001", "访问令牌已过期", "请刷新授权令牌或重新授权获取新的令牌";
    /// `aop.invalid-app-auth-token` (20001): 无效的应用授权令牌
    InvalidAppAuthToken = "aop.invalid-app-auth-token", "20001", "无效的应用授权令牌", "请刷新应用授权令牌或重新授权获取新的令牌";
    /// `aop.invalid-app-auth-token-no-api` (20001): 商户未授权当前接口
    InvalidAppAuthTokenNoApi = "aop.invalid-app-auth-token-no-api", "20001", "商户未授权当前接口", "请重新授权获取新的应用授权令牌";
    /// `aop.app-auth-token-time-out` (20001): 应用授权令牌已过期
    AppAuthTokenTimeOut = "aop.app-auth-token-time-out", "20001", "应用授权令牌已过期", "请刷新应用授权令牌或重新授权获取新的令牌";
    /// `aop.no-product-reg-by-partner` (20001): 商户未签约任何产品
    NoProductRegByPartner = "aop.no-product-reg-by-partner", "20001", "商户未签约任何产品", "ISV代理调用的场景，请上线商户的服务窗";
    /// `isv.missing-method` (40001): 缺少方法名参数
    MissingMethod = "isv.missing-method", "40001", "缺少方法名参数", "请求参数里面必须要有method参数";
    /// `isv.missing-signature` (40001): 缺少签名参数
    MissingSignature = "isv.missing-signature", "40001", "缺少签名参数", "检查请求参数，缺少sign参数";
    /// `isv.missing-signature-type` (40001): 缺少签名类型参数
    MissingSignatureType = "isv.missing-signature-type", "40001", "缺少签名类型参数", "检查请求参数，缺少sign_type参数";
    /// `isv.missing-signature-key` (40001): 缺少签名配置
    MissingSignatureKey = "isv.missing-signature-key", "40001", "缺少签名配置", "未上传公钥配置";
    /// `isv.missing-app-id` (40001): 缺少appId参数
    MissingAppId = "isv.missing-app-id", "40001", "缺少appId参数", "检查请求参数，缺少app_id参数";
    /// `isv.missing-timestamp` (40001): 缺少时间戳参数
    MissingTimestamp = "isv.missing-timestamp", "40001", "缺少时间戳参数", "检查请求参数，缺少timestamp参数";
    /// `isv.missing-version` (40001): 缺少版本参数
    MissingVersion = "isv.missing-version", "40001", "缺少版本参数", "检查请求参数，缺少version参数";
    /// `isv.decryption-error-missing-encrypt-type` (40001): 解密出错, 未指定加密算法
    DecryptionErrorMissingEncryptType = "isv.decryption-error-missing-encrypt-type", "40001", "解密出错, 未指定加密算法", "检查参数，缺少encrypt_type参数";
    /// `isv.invalid-parameter` (40002): 参数无效
    InvalidParameter = "isv.invalid-parameter", "40002", "参数无效", "检查参数，格式不对、非法值、越界等";
    /// `isv.upload-fail` (40002): 文件上传失败
    UploadFail = "isv.upload-fail", "40002", "文件上传失败", "文件写入失败，重试";
    /// `isv.invalid-file-extension` (40002): 文件扩展名无效
    InvalidFileExtension = "isv.invalid-file-extension", "40002", "文件扩展名无效", "检查传入的文件扩展名称，目前支持格式：csv,txt,zip,rar,gz,doc,docx,xls,xlsx,pdf,bmp,gif,jpg,jpeg,png";
    /// `isv.invalid-file-size` (40002): 文件大小无效
    InvalidFileSize = "isv.invalid-file-size", "40002", "文件大小无效", "检查文件大小，目前支持最大为：50MB";
    /// `isv.invalid-method` (40002): 不存在的方法名
    InvalidMethod = "isv.invalid-method", "40002", "不存在的方法名", "检查入参method是否正确";
    /// `isv.invalid-format` (40002): 无效的数据格式
    InvalidFormat = "isv.invalid-format", "40002", "无效的数据格式", "检查入参format，目前只支持json和xml 2种格式";
    /// `isv.invalid-signature-type` (40002): 无效的签名类型
    InvalidSignatureType = "isv.invalid-signature-type", "40002", "无效的签名类型", "检查入参sign_type,目前只支持RSA,RSA2,HMAC_SHA1";
    /// `isv.invalid-signature` (40002): 无效签名
    InvalidSignature = "isv.invalid-signature", "40002", "无效签名", "1.公私钥是否是一对; 2.检查公钥上传是否与私钥匹配; 3.存在中文需要做urlencode; 4.签名算法是否无误";
    /// `isv.invalid-encrypt-type` (40002): 无效的加密类型
    InvalidEncryptType = "isv.invalid-encrypt-type", "40002", "无效的加密类型", "检查入参encrypt_type，目前只支持AES";
    /// `isv.invalid-encrypt` (40002): 解密异常
    InvalidEncrypt = "isv.invalid-encrypt", "40002", "解密异常", "重试";
    /// `isv.invalid-app-id` (40002): 无效的appId参数
    InvalidAppId = "isv.invalid-app-id", "40002", "无效的appId参数", "检查入参app_id，app_id不存在，或者未上线";
    /// `isv.invalid-timestamp` (40002): 非法的时间戳参数
    InvalidTimestamp = "isv.invalid-timestamp", "40002", "非法的时间戳参数", "时间戳参数timestamp非法，请检查格式需要为\"yyyy-MM-dd HH:mm:ss\"";
    /// `isv.invalid-charset` (40002): 字符集错误
    InvalidCharset = "isv.invalid-charset", "40002", "字符集错误", "请求参数charset错误，目前支持格式：GBK,UTF-8";
    /// `isv.invalid-digest` (40002): 摘要错误
    InvalidDigest = "isv.invalid-digest", "40002", "摘要错误", "检查请求参数，文件摘要参数必填";
    /// `isv.decryption-error-not-valid-encrypt-type` (40002): 解密出错，不支持的加密算法
    DecryptionErrorNotValidEncryptType = "isv.decryption-error-not-valid-encrypt-type", "40002", "解密出错，不支持的加密算法", "检查入参encrypt_type，目前只支持AES";
    /// `isv.decryption-error-not-valid-encrypt-key` (40002): 解密出错, 未配置加密密钥或加密密钥格式错误
    DecryptionErrorNotValidEncryptKey = "isv.decryption-error-not-valid-encrypt-key", "40002", "解密出错, 未配置加密密钥或加密密钥格式错误", "没有配置加密密钥";
    /// `isv.decryption-error-unknown` (40002): 解密出错，未知异常
    DecryptionErrorUnknown = "isv.decryption-error-unknown", "40002", "解密出错，未知异常", "重试";
    /// `isv.missing-signature-config` (40002): 验签出错, 未配置对应签名算法的公钥或者证书
    MissingSignatureConfig = "isv.missing-signature-config", "40002", "验签出错, 未配置对应签名算法的公钥或者证书", "没有配置应用公钥";
    /// `isv.not-support-app-auth` (40002): 本接口不支持第三方代理调用
    NotSupportAppAuth = "isv.not-support-app-auth", "40002", "本接口不支持第三方代理调用", "本接口不支持第三方代理调用";
    /// `isv.suspected-attack` (40002): 可疑的攻击请求
    SuspectedAttack = "isv.suspected-attack", "40002", "可疑的攻击请求", "参考 https://opendocs.alipay.com/open/59/103663 特殊说明第3点，商户的请求参数中，所有的 key（支付宝关键 key 或者商户自己的 key），其对应的 value 中都不应该出现支付宝关键key，如 body、subject、service、out_trade_no、seller_id、total_fee 等，否则该类请求将可能被支付宝拦截，请更换相应参数名称。";
    /// `isv.forbidden-api` (40002): 接口被禁用
    ForbiddenApi = "isv.forbidden-api", "40002", "接口被禁用", "接口已被禁用，请查看接口说明";
    /// `isv.app-call-limited` (40005): 应用调用次数超限，包含调用频率超限
    AppCallLimited = "isv.app-call-limited", "40005", "应用调用次数超限，包含调用频率超限", "降低请求并发量";
    /// `isv.method-call-limited` (40005): API调用次数超限，包含调用频率超限
    MethodCallLimited = "isv.method-call-limited", "40005", "API调用次数超限，包含调用频率超限", "降低请求并发量";
    /// `isv.insufficient-isv-permissions` (40006): ISV权限不足
    InsufficientIsvPermissions = "isv.insufficient-isv-permissions", "40006", "ISV权限不足", "请检查配置的账户是否有当前接口权限";
    /// `isv.insufficient-user-permissions` (40006): 用户权限不足
    InsufficientUserPermissions = "isv.insufficient-user-permissions", "40006", "用户权限不足", "代理的商户没有当前接口权限";
}

impl fmt::Display for PublicSubCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for PublicSubCode {
    fn from(code: &str) -> Self {
        Self::from_code(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_codes_round_trip_and_keep_unknown_ones() {
        for (code, text) in [
            (GatewayCode::ServiceUnavailable, "20000"),
            (GatewayCode::InsufficientTokenPermissions, "20001"),
            (GatewayCode::MissingRequiredArguments, "40001"),
            (GatewayCode::InvalidArguments, "40002"),
            (GatewayCode::InsufficientConditions, "40003"),
            (GatewayCode::CallLimited, "40005"),
            (GatewayCode::InsufficientPermissions, "40006"),
        ] {
            assert_eq!(GatewayCode::from_code(text), code);
            assert_eq!(code.as_str(), text);
            assert!(code.msg().is_some() && code.description().is_some());
        }
        let unknown = GatewayCode::from_code("40009");
        assert_eq!(unknown, GatewayCode::Unknown("40009".into()));
        assert_eq!(unknown.as_str(), "40009");
        assert_eq!(unknown.msg(), None);
    }

    fn common_yaml() -> serde_yaml::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/common.yaml");
        let text = std::fs::read_to_string(path).expect("specs/common.yaml");
        serde_yaml::from_str(&text).expect("YAML")
    }

    /// The names of a list of fields in specs/common.yaml, in its order.
    fn names(list: &serde_yaml::Value) -> Vec<&str> {
        list.as_sequence()
            .expect("a list")
            .iter()
            .map(|f| f["name"].as_str().expect("name"))
            .collect()
    }

    /// `crate::protocol` holds exactly the public parameters and response fields of
    /// specs/common.yaml, in its order.
    #[test]
    fn public_params_and_fields_match_specs_common_yaml() {
        let doc = common_yaml();
        assert_eq!(
            names(&doc["request"]),
            crate::protocol::PUBLIC_REQUEST_PARAMS
        );
        assert_eq!(
            names(&doc["response"]),
            crate::protocol::PUBLIC_RESPONSE_FIELDS
        );
        for name in crate::protocol::CONFIGURED_PARAMS {
            assert!(!names(&doc["request"]).contains(name), "{name}");
        }
    }

    /// Every gateway code of specs/common.yaml is here with its msg, and nothing else is.
    #[test]
    fn gateway_codes_match_specs_common_yaml() {
        let doc = common_yaml();
        let groups = doc["gateway_codes"].as_sequence().expect("gateway_codes");
        let mut listed = Vec::new();
        for group in groups {
            let code = group["code"].as_str().expect("code");
            let msg = group["msg"].as_str().expect("msg");
            let ours = match code {
                SUCCESS_CODE => Some(SUCCESS_MSG),
                BUSINESS_FAILED_CODE => Some(BUSINESS_FAILED_MSG),
                other => GatewayCode::from_code(other).msg(),
            };
            assert_eq!(ours, Some(msg), "{code}");
            listed.push(code);
        }
        // 10003 (`InProcess`) is not on the page as read: see its doc.
        let mut ours: Vec<&str> = GATEWAY_CODES
            .iter()
            .filter(|(g, _, _, _)| *g != GatewayCode::InProcess)
            .map(|(_, c, _, _)| *c)
            .collect();
        ours.extend([SUCCESS_CODE, BUSINESS_FAILED_CODE]);
        ours.sort_unstable();
        listed.sort_unstable();
        assert_eq!(ours, listed);
    }

    /// Every row of specs/common.yaml is here, with the same texts, and nothing else is.
    #[test]
    fn public_sub_codes_match_specs_common_yaml() {
        let doc = common_yaml();
        let mut rows = 0;
        for group in doc["gateway_codes"].as_sequence().expect("gateway_codes") {
            let gateway = group["code"].as_str().expect("code");
            for row in group["sub_codes"].as_sequence().expect("sub_codes") {
                let code = row["code"].as_str().expect("sub_code");
                let typed = PublicSubCode::from_code(code);
                assert!(
                    !matches!(typed, PublicSubCode::Unknown(_)),
                    "{code} missing"
                );
                assert_eq!(typed.gateway_code(), Some(GatewayCode::from_code(gateway)));
                assert_eq!(typed.description(), row["description"].as_str(), "{code}");
                assert_eq!(typed.solution(), row["solution"].as_str(), "{code}");
                rows += 1;
            }
        }
        assert_eq!(rows, PublicSubCode::ALL.len());
    }

    /// The unlisted codes are not rows of specs/common.yaml (so they are not typed variants).
    #[test]
    fn unlisted_sub_codes_are_not_in_specs_common_yaml() {
        let doc = common_yaml();
        for group in doc["gateway_codes"].as_sequence().expect("gateway_codes") {
            for row in group["sub_codes"].as_sequence().expect("sub_codes") {
                let code = row["code"].as_str().expect("sub_code");
                assert!(!unlisted_sub_code::ALL.contains(&code), "{code}");
            }
        }
        for code in unlisted_sub_code::ALL {
            assert_eq!(
                PublicSubCode::from_code(code),
                PublicSubCode::Unknown((*code).to_owned())
            );
        }
    }

    #[test]
    fn every_public_sub_code_round_trips_with_docs() {
        for code in PublicSubCode::ALL {
            assert_eq!(&PublicSubCode::from_code(code.as_str()), code);
            assert!(!code.description().unwrap_or_default().is_empty());
            assert!(!code.solution().unwrap_or_default().is_empty());
        }
        assert_eq!(
            PublicSubCode::from_code("isv.invalid-signature"),
            PublicSubCode::InvalidSignature
        );
        let unknown = PublicSubCode::from_code("isv.something-new");
        assert_eq!(unknown.as_str(), "isv.something-new");
        assert_eq!(unknown.solution(), None);
    }
}
