// Over 500 lines because: 430 lines of the agreement book, then its unit tests.
//! Agreements for periodic deduction (周期扣款 / 商户代扣), played from the gateway's state.
//!
//! | method | what the gateway does |
//! | --- | --- |
//! | `alipay.user.agreement.page.sign` | a page method: a valid signed request (a GET URL or a POSTed form) gets the sign page and opens a `TEMP` agreement (its `agreement_no`, the request's `external_agreement_no`, `personal_product_code`, `sign_scene` and `notify_url`); the same `external_agreement_no` again shows the same agreement |
//! | `alipay.user.agreement.query` | answers the agreement named by `agreement_no` or `external_agreement_no` (`status` `TEMP` or `NORMAL`, `agreement_no`, `principal_id`, `sign_time`, `valid_time`, `invalid_time`, ...); one the gateway never opened is `USER_AGREEMENT_NOT_EXIST`, one unsigned is `AGREEMENT_HAS_UNSIGNED` |
//! | `alipay.user.agreement.unsign` | ends a signed agreement (`10000`) and notifies `dut_user_unsign`; one the gateway never opened is `AGREEMENT_NOT_EXIST`, one not `NORMAL` (not signed yet, or unsigned already) `USER_AGREEMENT_STATUS_NOT_NORMAL` |
//!
//! | `alipay.user.agreement.auth.apply` | sends the user a six-digit code (read it with a control call) and answers its `apply_token` |
//! | `alipay.user.agreement.auth.confirm` | checks `auth_confirm_no` against the code of `apply_token`: right once (`10000`; the code is then used up: `VALIDATECODE_IS_NOT_EXIST`), [`CODE_LIFETIME`] after it was sent on the gateway's clock ([`LocalGateway::advance_clock`](crate::LocalGateway::advance_clock)) `VALIDATECODE_EXPIRED`, wrong `VALIDATECODE_ANSWER_ERROR`, and after [`MAX_CODE_ATTEMPTS`] wrong codes `VALIDATECODE_TIMES_LIMIT`; a token not answered for this agreement is `AUTH_TOKEN_IS_NOT_EXIST`, an agreement the gateway does not hold `AGREEMENT_NOT_EXIST`, one not `NORMAL` `USER_AGREEMENT_STATUS_NOT_NORMAL` |
//!
//! A confirm naming neither an agreement the gateway opened nor a token it answered is left to
//! the method's scenario (the spec's example for the default success, as before these flows).
//!
//! A query or unsign naming neither `agreement_no` nor `external_agreement_no` is
//! `INVALID_PARAMETER`. Every code is one the method's spec lists.
//!
//! The user signs with a control call, in place of the Alipay app (the sign page's button makes
//! the same call). Signing makes the agreement `NORMAL` and POSTs the signed `dut_user_sign`
//! notification to the page request's `notify_url`, on the gateway's
//! [`NotifySchedule`](crate::NotifySchedule), as trade notifications go
//! ([`LocalGateway::notifications`](crate::LocalGateway::notifications): its `trade_no` is the
//! `agreement_no`, its `out_trade_no` the `external_agreement_no`, its `trade_status` the
//! agreement's `status`).
//!
//! | Rust | HTTP | what it does |
//! | --- | --- | --- |
//! | [`LocalGateway::sign_agreement`](crate::LocalGateway::sign_agreement) | `POST` [`SIGN_PATH`] `{"external_agreement_no": "…"}` (or `"agreement_no"`) | the user signs the `TEMP` agreement: it becomes `NORMAL` and is notified |
//! | [`LocalGateway::agreements`](crate::LocalGateway::agreements) | `POST` [`AGREEMENTS_PATH`] `{}`, or `GET` | answers `{"agreements": [...]}`, oldest first (a `GET` is not recorded, as the dashboard's reads) |
//! | [`LocalGateway::sms_code`](crate::LocalGateway::sms_code) | `POST` [`SMS_CODE_PATH`] `{"apply_token": "…"}` | answers the code sent for it: `{"apply_token", "agreement_no", "auth_confirm_no", "wrong_attempts", "used", "sent_at"}` (404 `AUTH_TOKEN_IS_NOT_EXIST` for a token never answered) |
//!
//! The sign call answers the agreement as JSON (`agreement_no`, `external_agreement_no`,
//! `status`, `sign_time`, ...), or `{"sub_code": …, "sub_msg": …}` with status 404 (no such
//! agreement: `USER_AGREEMENT_NOT_EXIST`), 409 (signed or unsigned already:
//! `USER_AGREEMENT_STATUS_NOT_NORMAL`), 400 (a body naming none) or 415 (not JSON).

use std::time::{Duration, SystemTime};

use crate::trades::TradeError;

/// The control endpoint where the user signs an agreement.
pub const SIGN_PATH: &str = "/control/sign-agreement";

/// The control endpoint that lists the agreements.
pub const AGREEMENTS_PATH: &str = "/control/agreements";

/// The control endpoint that reads the SMS code sent for an `apply_token`.
pub const SMS_CODE_PATH: &str = "/control/sms-code";

/// The `notify_type` of the notification that an agreement was signed.
pub const NOTIFY_SIGN: &str = "dut_user_sign";

/// The `notify_type` of the notification that an agreement was unsigned.
pub const NOTIFY_UNSIGN: &str = "dut_user_unsign";

/// Where an agreement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementStatus {
    /// Opened by the sign page, not signed yet (`TEMP`).
    Temp,
    /// Signed (`NORMAL`).
    Normal,
    /// Unsigned (`UNSIGN`; the query answers `AGREEMENT_HAS_UNSIGNED`).
    Unsigned,
}

impl AgreementStatus {
    /// The status as Alipay writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Temp => "TEMP",
            Self::Normal => "NORMAL",
            Self::Unsigned => "UNSIGN",
        }
    }
}

/// An agreement the gateway opened at its sign page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Alipay's `agreement_no`.
    pub agreement_no: String,
    /// The merchant's `external_agreement_no`, if the request gave one.
    pub external_agreement_no: Option<String>,
    /// The `personal_product_code` (for example `GENERAL_WITHHOLDING_P`).
    pub personal_product_code: String,
    /// The `sign_scene`, if the request gave one.
    pub sign_scene: Option<String>,
    /// Where it stands.
    pub status: AgreementStatus,
    /// The request's `app_id`.
    pub app_id: String,
    /// Where its notifications go.
    pub notify_url: Option<String>,
    /// The charset its notifications are encoded in.
    pub charset: String,
    /// How its notifications are signed.
    pub sign_type: String,
    /// When the sign page opened it (Beijing time).
    pub gmt_create: String,
    /// When it was signed.
    pub sign_time: Option<String>,
    /// When it takes effect (the signing time).
    pub valid_time: Option<String>,
    /// When it ends (`2115-02-01 00:00:00`, as Alipay answers an agreement without end).
    pub invalid_time: String,
    /// When it was unsigned.
    pub unsign_time: Option<String>,
}

/// The end of an agreement without end, as Alipay writes it.
pub(crate) const NO_END: &str = "2115-02-01 00:00:00";

/// How an agreement is named.
#[derive(Debug, Clone, Default)]
pub(crate) struct AgreementKey {
    pub agreement_no: Option<String>,
    pub external_agreement_no: Option<String>,
}

impl AgreementKey {
    pub fn is_empty(&self) -> bool {
        self.agreement_no.is_none() && self.external_agreement_no.is_none()
    }
}

/// What a sign page request asks for.
#[derive(Debug, Clone)]
pub(crate) struct SignOrder {
    pub external_agreement_no: Option<String>,
    pub personal_product_code: String,
    pub sign_scene: Option<String>,
    pub app_id: String,
    pub notify_url: Option<String>,
    pub charset: String,
    pub sign_type: String,
}

/// How many wrong codes an `apply_token` takes before `VALIDATECODE_TIMES_LIMIT`.
pub const MAX_CODE_ATTEMPTS: u32 = 3;

/// How long a code is valid on the gateway's clock before `VALIDATECODE_EXPIRED`: five
/// minutes (the gateway's choice: the specs give no figure).
pub const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// A verification code sent to the user (by SMS) for `alipay.user.agreement.auth.apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsCode {
    /// The `apply_token` the apply answered.
    pub apply_token: String,
    /// The agreement it confirms (the apply's `agreement_no`, if it gave one).
    pub agreement_no: Option<String>,
    /// The code the user reads (`auth_confirm_no`): six digits.
    pub code: String,
    /// Wrong codes tried so far.
    pub wrong_attempts: u32,
    /// Whether a confirm used it (it cannot be used again).
    pub used: bool,
    /// When it was sent (Beijing time, on the gateway's clock).
    pub sent_at: String,
    /// When it expires ([`CODE_LIFETIME`] after it was sent; Beijing time).
    pub expires_at: String,
    /// The same, as a time on the gateway's clock.
    pub expires: SystemTime,
}

/// The agreements and the codes sent for them.
#[derive(Debug)]
pub(crate) struct AgreementBook {
    agreements: Vec<Agreement>,
    codes: Vec<SmsCode>,
    max: usize,
}

impl Default for AgreementBook {
    fn default() -> Self {
        Self {
            agreements: Vec::new(),
            codes: Vec::new(),
            max: 10_000,
        }
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // See transfers::number: a failing random source only makes values repeat.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    bytes
}

fn not_exist() -> TradeError {
    TradeError::new(
        "USER_AGREEMENT_NOT_EXIST",
        "用户协议不存在: the gateway holds no such agreement",
    )
}

fn not_normal(a: &Agreement) -> TradeError {
    TradeError::new(
        "USER_AGREEMENT_STATUS_NOT_NORMAL",
        format!(
            "用户协议状态非正常: agreement {} is {}",
            a.agreement_no,
            a.status.as_str()
        ),
    )
}

/// A fresh `agreement_no`: `date` (8 digits), `6` and random digits, 20 in all.
fn agreement_no(date: &str) -> String {
    let mut bytes = [0u8; 8];
    // See transfers::number: a failing random source only makes numbers repeat.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    let mut out = format!("{date}6");
    for b in bytes {
        out.push_str(&format!("{:02}", b % 100));
    }
    out.truncate(20);
    out
}

impl AgreementBook {
    /// Every agreement, oldest first.
    pub fn all(&self) -> Vec<Agreement> {
        self.agreements.clone()
    }

    fn position(&self, key: &AgreementKey) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        self.agreements.iter().rposition(|a| {
            key.agreement_no
                .as_ref()
                .is_none_or(|k| *k == a.agreement_no)
                && key
                    .external_agreement_no
                    .as_ref()
                    .is_none_or(|k| a.external_agreement_no.as_ref() == Some(k))
        })
    }

    /// The agreement `key` names.
    pub fn find(&self, key: &AgreementKey) -> Option<Agreement> {
        self.position(key).map(|i| self.agreements[i].clone())
    }

    /// Opens a `TEMP` agreement for `order` at `now`, or gives the one its
    /// `external_agreement_no` opened already (while it is not unsigned).
    pub fn open(&mut self, order: SignOrder, now: &str) -> Agreement {
        if let Some(ext) = &order.external_agreement_no
            && let Some(a) = self.agreements.iter().find(|a| {
                a.external_agreement_no.as_ref() == Some(ext)
                    && a.status != AgreementStatus::Unsigned
            })
        {
            return a.clone();
        }
        let date: String = now.chars().filter(char::is_ascii_digit).take(8).collect();
        let agreement = Agreement {
            agreement_no: agreement_no(&date),
            external_agreement_no: order.external_agreement_no,
            personal_product_code: order.personal_product_code,
            sign_scene: order.sign_scene,
            status: AgreementStatus::Temp,
            app_id: order.app_id,
            notify_url: order.notify_url,
            charset: order.charset,
            sign_type: order.sign_type,
            gmt_create: now.to_owned(),
            sign_time: None,
            valid_time: None,
            invalid_time: NO_END.to_owned(),
            unsign_time: None,
        };
        if self.agreements.len() >= self.max {
            self.agreements.remove(0);
        }
        self.agreements.push(agreement.clone());
        agreement
    }

    /// The user signs the `TEMP` agreement `key` names, at `now`.
    pub fn sign(&mut self, key: &AgreementKey, now: &str) -> Result<Agreement, TradeError> {
        let i = self.position(key).ok_or_else(not_exist)?;
        let a = &mut self.agreements[i];
        if a.status != AgreementStatus::Temp {
            return Err(not_normal(a));
        }
        a.status = AgreementStatus::Normal;
        a.sign_time = Some(now.to_owned());
        a.valid_time = Some(now.to_owned());
        Ok(a.clone())
    }

    /// The merchant ends the `NORMAL` agreement `key` names, at `now`.
    pub fn unsign(&mut self, key: &AgreementKey, now: &str) -> Result<Agreement, TradeError> {
        let i = self.position(key).ok_or_else(|| {
            TradeError::new(
                "AGREEMENT_NOT_EXIST",
                "协议不存在: the gateway holds no such agreement",
            )
        })?;
        let a = &mut self.agreements[i];
        if a.status != AgreementStatus::Normal {
            return Err(not_normal(a));
        }
        a.status = AgreementStatus::Unsigned;
        a.unsign_time = Some(now.to_owned());
        Ok(a.clone())
    }
}

impl AgreementBook {
    /// Sends a code for `agreement_no` at `now`: the new `apply_token`'s record.
    pub fn apply(&mut self, agreement_no: Option<String>, now: SystemTime) -> SmsCode {
        let token: String = random_bytes::<16>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let digits: String = random_bytes::<6>()
            .iter()
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        let code = SmsCode {
            apply_token: format!("MDEDUCT{token}"),
            agreement_no,
            code: digits,
            wrong_attempts: 0,
            used: false,
            sent_at: alipay_runtime::time::beijing_timestamp(now),
            expires_at: alipay_runtime::time::beijing_timestamp(now + CODE_LIFETIME),
            expires: now + CODE_LIFETIME,
        };
        if self.codes.len() >= self.max {
            self.codes.remove(0);
        }
        self.codes.push(code.clone());
        code
    }

    /// The code sent for `apply_token`.
    pub fn code(&self, apply_token: &str) -> Option<SmsCode> {
        self.codes
            .iter()
            .find(|c| c.apply_token == apply_token)
            .cloned()
    }

    /// Every code sent, oldest first.
    pub fn codes(&self) -> Vec<SmsCode> {
        self.codes.clone()
    }

    /// Confirms `agreement_no` with the code `answer` of `apply_token` at `now`: the
    /// documented errors follow from the agreement, the code's age and the attempts (a wrong
    /// code counts one).
    pub fn confirm(
        &mut self,
        agreement_no: &str,
        apply_token: &str,
        answer: &str,
        now: SystemTime,
    ) -> Result<(), TradeError> {
        let key = AgreementKey {
            agreement_no: Some(agreement_no.to_owned()),
            external_agreement_no: None,
        };
        let a = self.find(&key).ok_or_else(|| {
            TradeError::new(
                "AGREEMENT_NOT_EXIST",
                "协议不存在: the gateway holds no such agreement",
            )
        })?;
        if a.status != AgreementStatus::Normal {
            return Err(not_normal(&a));
        }
        let code = self
            .codes
            .iter_mut()
            .find(|c| {
                c.apply_token == apply_token && c.agreement_no.as_deref() == Some(agreement_no)
            })
            .ok_or_else(|| {
                TradeError::new(
                    "AUTH_TOKEN_IS_NOT_EXIST",
                    "鉴权token不存在: no auth.apply of this agreement answered this apply_token",
                )
            })?;
        if code.used {
            return Err(TradeError::new(
                "VALIDATECODE_IS_NOT_EXIST",
                "校验码不存在: this apply_token's code was used already",
            ));
        }
        if now >= code.expires {
            return Err(TradeError::new(
                "VALIDATECODE_EXPIRED",
                format!("校验码超时: the code expired at {}", code.expires_at),
            ));
        }
        if code.wrong_attempts >= MAX_CODE_ATTEMPTS {
            return Err(TradeError::new(
                "VALIDATECODE_TIMES_LIMIT",
                format!("校验码验证超过次数限制: {MAX_CODE_ATTEMPTS} wrong codes were tried"),
            ));
        }
        if code.code != answer {
            code.wrong_attempts += 1;
            return Err(TradeError::new("VALIDATECODE_ANSWER_ERROR", "校验码错误"));
        }
        code.used = true;
        Ok(())
    }
}

/// The error of a query for an agreement that is no longer in force.
pub(crate) fn has_unsigned(a: &Agreement) -> TradeError {
    TradeError::new(
        "AGREEMENT_HAS_UNSIGNED",
        format!("协议已解约: agreement {} was unsigned", a.agreement_no),
    )
}

/// The error of a query for an agreement the gateway does not hold.
pub(crate) fn query_not_exist() -> TradeError {
    not_exist()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-07 10:00:00";
    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    fn order(ext: &str) -> SignOrder {
        SignOrder {
            external_agreement_no: Some(ext.to_owned()),
            personal_product_code: "GENERAL_WITHHOLDING_P".to_owned(),
            sign_scene: Some("INDUSTRY|DIGITAL_MEDIA".to_owned()),
            app_id: "2014072300007148".to_owned(),
            notify_url: None,
            charset: "utf-8".to_owned(),
            sign_type: "RSA2".to_owned(),
        }
    }

    fn by_ext(ext: &str) -> AgreementKey {
        AgreementKey {
            external_agreement_no: Some(ext.to_owned()),
            ..AgreementKey::default()
        }
    }

    // Long because: one agreement through every state the book allows, and each refusal on the way.
    #[test]
    fn an_agreement_is_opened_signed_and_unsigned_once() {
        let mut book = AgreementBook::default();
        let a = book.open(order("ext-1"), NOW);
        assert_eq!(a.status, AgreementStatus::Temp);
        assert_eq!(a.agreement_no.len(), 20);
        assert!(a.agreement_no.starts_with("20261207"));
        assert_eq!(book.open(order("ext-1"), NOW), a);
        let e = book.unsign(&by_ext("ext-1"), NOW).unwrap_err();
        assert_eq!(e.sub_code, "USER_AGREEMENT_STATUS_NOT_NORMAL");
        let signed = book.sign(&by_ext("ext-1"), NOW).expect("signed");
        assert_eq!(signed.status, AgreementStatus::Normal);
        assert_eq!(signed.sign_time.as_deref(), Some(NOW));
        let e = book.sign(&by_ext("ext-1"), NOW).unwrap_err();
        assert_eq!(e.sub_code, "USER_AGREEMENT_STATUS_NOT_NORMAL");
        let key = AgreementKey {
            agreement_no: Some(a.agreement_no.clone()),
            ..AgreementKey::default()
        };
        let gone = book.unsign(&key, NOW).expect("unsigned");
        assert_eq!(gone.status, AgreementStatus::Unsigned);
        assert_eq!(
            book.unsign(&key, NOW).unwrap_err().sub_code,
            "USER_AGREEMENT_STATUS_NOT_NORMAL"
        );
        assert_eq!(
            book.unsign(&by_ext("ext-2"), NOW).unwrap_err().sub_code,
            "AGREEMENT_NOT_EXIST"
        );
        assert_eq!(
            book.sign(&by_ext("ext-2"), NOW).unwrap_err().sub_code,
            "USER_AGREEMENT_NOT_EXIST"
        );
        assert!(book.find(&AgreementKey::default()).is_none());
        // An SMS code for the signed agreement: wrong codes count, the limit holds.
        let signed_no = book.open(order("ext-3"), NOW).agreement_no;
        book.sign(&by_ext("ext-3"), NOW).expect("signed");
        let sms = book.apply(Some(signed_no.clone()), T0);
        assert_eq!(sms.code.len(), 6);
        assert_eq!(book.code(&sms.apply_token), Some(sms.clone()));
        let e = book
            .confirm(&signed_no, "other", &sms.code, T0)
            .unwrap_err();
        assert_eq!(e.sub_code, "AUTH_TOKEN_IS_NOT_EXIST");
        let e = book
            .confirm("0", &sms.apply_token, &sms.code, T0)
            .unwrap_err();
        assert_eq!(e.sub_code, "AGREEMENT_NOT_EXIST");
        book.confirm(&signed_no, &sms.apply_token, &sms.code, T0)
            .expect("confirmed");
        let e = book
            .confirm(&signed_no, &sms.apply_token, &sms.code, T0)
            .unwrap_err();
        assert_eq!(e.sub_code, "VALIDATECODE_IS_NOT_EXIST");
        let sms = book.apply(Some(signed_no.clone()), T0);
        let wrong = if sms.code == "000000" {
            "111111"
        } else {
            "000000"
        };
        for _ in 0..MAX_CODE_ATTEMPTS {
            let e = book
                .confirm(&signed_no, &sms.apply_token, wrong, T0)
                .unwrap_err();
            assert_eq!(e.sub_code, "VALIDATECODE_ANSWER_ERROR");
        }
        let e = book
            .confirm(&signed_no, &sms.apply_token, &sms.code, T0)
            .unwrap_err();
        assert_eq!(e.sub_code, "VALIDATECODE_TIMES_LIMIT");
        // A fresh code, too late.
        let sms = book.apply(Some(signed_no.clone()), T0);
        let late = T0 + CODE_LIFETIME;
        let e = book
            .confirm(&signed_no, &sms.apply_token, &sms.code, late)
            .unwrap_err();
        assert_eq!(e.sub_code, "VALIDATECODE_EXPIRED");
        book.confirm(
            &signed_no,
            &sms.apply_token,
            &sms.code,
            late - Duration::from_secs(1),
        )
        .expect("just in time");
        assert_eq!(book.codes().len(), 3);

        // Signing again after an unsign opens a new agreement.
        let b = book.open(order("ext-1"), NOW);
        assert_ne!(b.agreement_no, a.agreement_no);
        assert_eq!(book.all().len(), 3);
    }
}
