//! Face-to-face pay (当面付) and server-created trades, played from the gateway's trades
//! ([`crate::trades`]), with the control calls a test uses in place of the buyer's phone.
//!
//! | method | what the gateway does |
//! | --- | --- |
//! | `alipay.trade.precreate` | opens a `WAIT_BUYER_PAY` trade and answers `out_trade_no` and a `qr_code`, a URL on the gateway (`http://HOST:PORT/qr/<token>`); the same order sent again gets the same code |
//! | `alipay.trade.pay` (`scene` `bar_code` or `wave_code`) | opens the trade and pays it at once (`10000`, `trade_no`, `buyer_user_id`, amounts, `gmt_payment`); for an auth code that asks for the buyer's password ([`AUTH_CODE_ASKS_PASSWORD`]), answers [`PAY_IN_PROCESS_CODE`] (over v3: HTTP 200, the same fields and `trade_status` `WAIT_BUYER_PAY`) and leaves the trade `WAIT_BUYER_PAY` until a control call pays it |
//! | `alipay.trade.create` | opens a `WAIT_BUYER_PAY` trade and answers its `trade_no` (the mini program or JSAPI then pays it: here a control call) |
//! | `alipay.trade.cancel` | closes an unpaid trade (`action` `close`), refunds a paid one in full (`action` `refund`, notified); a trade the gateway does not hold answers `10000` without `action` |
//! | `alipay.trade.fastpay.refund.query` | answers the refund of `out_request_no` (`refund_amount`, `total_amount`, `refund_status` `REFUND_SUCCESS`), or `10000` without `refund_status` when the trade has no such refund |
//!
//! The auth code (付款码) decides how the buyer behaves, so that a test picks the path:
//!
//! - it must look like Alipay's: 16 to 24 digits starting with `25` to `30`; anything else is
//!   `ACQ.PAYMENT_AUTH_CODE_INVALID`;
//! - one starting with [`PASSWORD_PREFIX`] (`26`) asks for the buyer's password: the answer is
//!   `10003`, the trade waits, and the merchant polls `alipay.trade.query` or cancels, as
//!   Alipay's guide says;
//! - any other pays at once ([`AUTH_CODE_PAYS`] is the spec's example).
//!
//! The control calls (the Rust methods are the same operations as the HTTP endpoints, which
//! take and answer JSON on the gateway's port; they take `application/json` bodies only, so a
//! web page open in the tester's browser cannot drive them):
//!
//! | Rust | HTTP | what it does |
//! | --- | --- | --- |
//! | [`LocalGateway::scan_and_pay`](crate::LocalGateway::scan_and_pay) | `POST` [`SCAN_PATH`] `{"qr_code": "…"}` | the buyer scans a precreated trade's code and pays |
//! | [`LocalGateway::pay`](crate::LocalGateway::pay) | `POST` [`PAY_PATH`] `{"out_trade_no": "…"}` (or `"trade_no"`) | the buyer pays a waiting trade (a bar-code payment waiting for the password, a created or precreated trade) |
//!
//! Each answers the trade (`trade_no`, `out_trade_no`, `trade_status`, `total_amount`, ...),
//! or an error as `{"sub_code": …, "sub_msg": …}` with status 404 (no such trade), 409 (the
//! trade is paid or closed already), 400 (a body without the field) or 415 (not JSON). A
//! `GET` of a `qr_code` URL shows the trade's page, with a button that scans and pays it.

/// An auth code the buyer pays with at once (the spec's example).
pub const AUTH_CODE_PAYS: &str = "28763443825664394";

/// An auth code for which the buyer must enter a password: `alipay.trade.pay` answers
/// [`PAY_IN_PROCESS_CODE`] and the trade waits until a control call pays it.
pub const AUTH_CODE_ASKS_PASSWORD: &str = "26763443825664394";

/// Auth codes starting with this ask for the buyer's password.
pub const PASSWORD_PREFIX: &str = "26";

/// The `code` of a bar-code payment waiting for the buyer (业务处理中, "pay in process").
/// `specs/common.yaml` does not list it: the public error code page as read stops before it.
pub const PAY_IN_PROCESS_CODE: &str = "10003";

/// The `msg` Alipay answers with [`PAY_IN_PROCESS_CODE`], spelled as its gateway spells it
/// (the leading space included).
pub const PAY_IN_PROCESS_MSG: &str = " order success pay inprocess";

/// The control endpoint that scans a precreated trade's `qr_code` and pays it.
pub const SCAN_PATH: &str = "/control/scan";

/// The control endpoint that pays a waiting trade, named by `out_trade_no` or `trade_no`.
pub const PAY_PATH: &str = "/control/pay";

/// The path under which `qr_code` URLs live (`/qr/<token>`).
pub const QR_PATH_PREFIX: &str = "/qr/";

/// What the buyer does with an auth code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthCode {
    /// Not an Alipay auth code.
    Invalid,
    /// Pays at once.
    Pays,
    /// Asks for the buyer's password first.
    AsksPassword,
}

/// How the gateway's buyer treats `auth_code` (see the module's documentation).
pub(crate) fn auth_code(auth_code: &str) -> AuthCode {
    let digits = auth_code.bytes().all(|b| b.is_ascii_digit());
    let prefix_ok = auth_code
        .get(..2)
        .and_then(|p| p.parse::<u8>().ok())
        .is_some_and(|p| (25..=30).contains(&p));
    if !digits || !(16..=24).contains(&auth_code.len()) || !prefix_ok {
        AuthCode::Invalid
    } else if auth_code.starts_with(PASSWORD_PREFIX) {
        AuthCode::AsksPassword
    } else {
        AuthCode::Pays
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_codes_decide_the_buyer() {
        assert_eq!(auth_code(AUTH_CODE_PAYS), AuthCode::Pays);
        assert_eq!(auth_code(AUTH_CODE_ASKS_PASSWORD), AuthCode::AsksPassword);
        assert_eq!(auth_code("300000000000000000000000"), AuthCode::Pays);
        assert_eq!(auth_code("2500000000000000"), AuthCode::Pays);
        for bad in [
            "",
            "123",
            "24763443825664394",
            "31763443825664394",
            "2876344382566439x",
            "287634438256643",
            "2876344382566439412345678",
        ] {
            assert_eq!(auth_code(bad), AuthCode::Invalid, "{bad}");
        }
    }
}
