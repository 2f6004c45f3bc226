// Over 500 lines because: the trade book and the business rules of its operations, with their
// unit tests (expiry and face-to-face operations are the submodules').
//! The trades a gateway keeps: opened when the cashier shows an order (page, WAP and app
//! pay) or by a face-to-face or server-side order (`alipay.trade.precreate`, `.pay`,
//! `.create`), paid, refunded, cancelled and closed, and what `alipay.trade.query`,
//! `alipay.trade.refund`, `alipay.trade.close`, `alipay.trade.cancel` and
//! `alipay.trade.fastpay.refund.query` answer about them.
//!
//! The business errors are the ones Alipay documents for these situations:
//!
//! | situation | `sub_code` |
//! | --- | --- |
//! | no trade with this `out_trade_no` / `trade_no` | `ACQ.TRADE_NOT_EXIST` |
//! | an `out_trade_no` sent again with another amount or subject | `ACQ.CONTEXT_INCONSISTENT` |
//! | an `out_trade_no` already paid / closed sent to the cashier again | `ACQ.TRADE_HAS_SUCCESS` / `ACQ.TRADE_HAS_CLOSE` |
//! | refunding more than was paid (all refunds added up) | `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` |
//! | a refund without `out_request_no` for less than the whole amount | `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` |
//! | a refund of an amount that is not positive | `ACQ.REASON_TRADE_REFUND_FEE_ERR` |
//! | refunding an unpaid trade, closing a paid or closed one | `ACQ.TRADE_STATUS_ERROR` |
//! | an `out_trade_no` already paid / closed sent to `precreate`, `pay` or `create` again | `ACQ.TRADE_HAS_SUCCESS` / `ACQ.TRADE_HAS_CLOSE` |
//! | cancelling a trade already refunded in part (or refunded in full by `refund`) | `ACQ.REASON_TRADE_REFUND_FEE_ERR` |
//! | a refund query for a trade the gateway does not hold | `ACQ.TRADE_NOT_EXIST` |
//!
//! `alipay.trade.cancel` of a trade the gateway does not hold is no error: it answers `10000`
//! without `action`, as Alipay does when the payment never reached it.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::SystemTime;

use alipay_runtime::Price;

mod expiry;
mod f2f;

pub(crate) use expiry::{DEFAULT_CHECKOUT_TIMEOUT, DEFAULT_FACE_TO_FACE_TIMEOUT, deadlines};

/// A trade's state, as `trade_status` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TradeStatus {
    /// `WAIT_BUYER_PAY`: shown at the cashier, not paid yet.
    WaitBuyerPay,
    /// `TRADE_SUCCESS`: paid (refunds may have been made since, not of the whole amount).
    TradeSuccess,
    /// `TRADE_CLOSED`: closed unpaid, or refunded in full.
    TradeClosed,
}

impl TradeStatus {
    /// The wire spelling (`TRADE_SUCCESS`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            TradeStatus::TradeSuccess => "TRADE_SUCCESS",
            TradeStatus::TradeClosed => "TRADE_CLOSED",
        }
    }
}

impl std::fmt::Display for TradeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refund of a trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The request's `out_request_no` (the `out_trade_no` for a whole refund sent without one).
    pub out_request_no: String,
    /// The amount of this refund.
    pub refund_amount: Price,
    /// When it was made, Beijing time (`yyyy-MM-dd HH:mm:ss`).
    pub gmt_refund: String,
}

/// A trade, as the gateway holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    /// The gateway's trade number (28 digits, as Alipay's).
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The method the order came with (`alipay.trade.page.pay`, `alipay.trade.wap.pay`,
    /// `alipay.trade.app.pay`).
    pub method: String,
    /// The app that sent the order.
    pub app_id: String,
    /// The order's `subject`.
    pub subject: String,
    /// The order's `total_amount`.
    pub total_amount: Price,
    /// Everything refunded so far, all refunds added up.
    pub refunded_amount: Price,
    /// The state.
    pub status: TradeStatus,
    /// The refunds, oldest first.
    pub refunds: Vec<Refund>,
    /// Where notifications about this trade go (the order's `notify_url`), if anywhere.
    pub notify_url: Option<String>,
    /// Where the buyer's browser goes after paying (the order's `return_url`), if anywhere.
    pub return_url: Option<String>,
    /// The `qr_code` of a precreated trade (`alipay.trade.precreate`): a URL on the gateway
    /// that [`LocalGateway::scan_and_pay`](crate::LocalGateway::scan_and_pay) pays.
    pub qr_code: Option<String>,
    /// The order's `passback_params`, given back in notifications.
    pub passback_params: Option<String>,
    /// The order's charset (`utf-8`, `GBK`, `GB2312`): notifications and returns use it.
    pub charset: String,
    /// The order's `sign_type`: notifications and returns are signed with it.
    pub sign_type: String,
    /// When the trade was opened, Beijing time.
    pub gmt_create: String,
    /// When it was paid, Beijing time.
    pub gmt_payment: Option<String>,
    /// When it was closed, Beijing time.
    pub gmt_close: Option<String>,
    /// When it closes if it is still unpaid, Beijing time: the order's `time_expire`, else
    /// its `timeout_express` from when it was opened, else the method's default (15 days for
    /// page, WAP and app pay; 3 hours for `precreate`, `pay` and `create`, as Alipay documents
    /// for face-to-face pay); a precreate's `qr_code_timeout_express` closes it sooner. On the
    /// gateway's clock ([`LocalGateway::advance_clock`](crate::LocalGateway::advance_clock)):
    /// once that time has come, the trade is `TRADE_CLOSED` (its `gmt_close` this time; a WAP or
    /// app pay trade's close notified, as Alipay notifies those products), and paying it is
    /// refused (`ACQ.TRADE_HAS_CLOSE`).
    pub time_expire: Option<String>,
    /// The token the cashier page's buttons carry (32 hex digits from the OS's random
    /// source): a `POST /cashier/pay` or `/cashier/cancel` without this trade's token is
    /// refused, so no other page open in the tester's browser can pay or cancel the trade
    /// cross-site. [`LocalGateway::pay`](crate::LocalGateway::pay) needs none.
    pub cashier_token: String,
}

/// The buyer every trade of the local gateway is paid by (sandbox-like ids).
pub const BUYER_ID: &str = "2088102177846880";
/// The buyer's masked logon id.
pub const BUYER_LOGON_ID: &str = "159****5620";
/// The seller every trade is paid to.
pub const SELLER_ID: &str = "2088102177846875";

/// A refused trade operation: the `sub_code` and `sub_msg` of the business error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sub_code}: {sub_msg}")]
pub struct TradeError {
    /// The documented `sub_code`, for example `ACQ.TRADE_NOT_EXIST`.
    pub sub_code: String,
    /// The `sub_msg`.
    pub sub_msg: String,
}

impl TradeError {
    pub(crate) fn new(sub_code: &str, sub_msg: impl Into<String>) -> Self {
        Self {
            sub_code: sub_code.to_owned(),
            sub_msg: sub_msg.into(),
        }
    }

    pub(crate) fn not_exist() -> Self {
        Self::new("ACQ.TRADE_NOT_EXIST", "交易不存在")
    }

    pub(crate) fn invalid(field: &str, why: &str) -> Self {
        Self::new("ACQ.INVALID_PARAMETER", format!("参数无效: {field} {why}"))
    }
}

/// An order as the cashier reads it from a verified request.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub out_trade_no: String,
    pub subject: String,
    pub total_amount: Price,
    pub method: String,
    pub app_id: String,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub passback_params: Option<String>,
    pub charset: String,
    pub sign_type: String,
    /// When the trade closes unpaid (whole seconds).
    pub expires_at: SystemTime,
    /// When a precreated trade's `qr_code` can no longer be scanned (whole seconds).
    pub qr_expires_at: Option<SystemTime>,
}

/// How a trade is named in a query, refund or close: `trade_no` wins when both are given.
#[derive(Debug, Clone)]
pub(crate) struct TradeKey {
    pub trade_no: Option<String>,
    pub out_trade_no: Option<String>,
}

/// The trades, at most `max` of them: past that the oldest is forgotten.
pub(crate) struct TradeBook {
    // Boxed: at its bound the map takes an insert and a removal per trade, and a std
    // `HashMap` under that churn doubles its table once (its tombstones fill the spare room
    // and the bound is more than half the capacity); with the trades inline in the buckets
    // that one step cost several MiB of a soak's memory, boxed it is 8 bytes a bucket.
    by_out_trade_no: HashMap<String, Box<Trade>>,
    out_trade_no_of: HashMap<String, String>,
    order: VecDeque<String>,
    max: usize,
    dropped: u64,
    /// When each trade closes unpaid, soonest first (with its `out_trade_no`); entries of
    /// trades paid or closed since are skipped when due.
    deadlines: BTreeSet<(SystemTime, String)>,
    /// When a precreated trade's `qr_code` expires, by `out_trade_no`.
    qr_deadlines: HashMap<String, SystemTime>,
    /// Trades closed by expiry whose `TRADE_CLOSED` notification is still to be sent (at
    /// most `max`; `expiry::notifies_when_closed` says which).
    expired: Vec<Trade>,
}

impl TradeBook {
    pub fn new(max: usize) -> Self {
        Self {
            by_out_trade_no: HashMap::new(),
            out_trade_no_of: HashMap::new(),
            order: VecDeque::new(),
            max: max.max(1),
            dropped: 0,
            deadlines: BTreeSet::new(),
            qr_deadlines: HashMap::new(),
            expired: Vec::new(),
        }
    }

    /// Forgets every trade, as a fresh book (its bound stays).
    pub fn clear(&mut self) {
        *self = Self::new(self.max);
    }

    pub fn all(&self) -> Vec<Trade> {
        self.order
            .iter()
            .filter_map(|out| self.by_out_trade_no.get(out))
            .map(|trade| Trade::clone(trade))
            .collect()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn find_mut(&mut self, key: &TradeKey) -> Option<&mut Trade> {
        let out = match (&key.trade_no, &key.out_trade_no) {
            (Some(trade_no), _) => self.out_trade_no_of.get(trade_no)?.clone(),
            (None, Some(out)) => out.clone(),
            (None, None) => return None,
        };
        let trade: &mut Trade = self.by_out_trade_no.get_mut(&out)?;
        // Both given: they must name the same trade.
        match &key.out_trade_no {
            Some(out) if *out != trade.out_trade_no => None,
            _ => Some(trade),
        }
    }

    pub fn find(&mut self, key: &TradeKey) -> Option<Trade> {
        self.find_mut(key).cloned()
    }

    /// Opens a trade for `order` at the cashier, or finds the one already open for it.
    pub fn open(&mut self, order: Order, now: &str) -> Result<Trade, TradeError> {
        if let Some(trade) = self.by_out_trade_no.get_mut(&order.out_trade_no) {
            return match trade.status {
                TradeStatus::TradeSuccess => {
                    Err(TradeError::new("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"))
                }
                TradeStatus::TradeClosed => {
                    Err(TradeError::new("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"))
                }
                TradeStatus::WaitBuyerPay
                    if trade.total_amount.to_cents() != order.total_amount.to_cents()
                        || trade.subject != order.subject =>
                {
                    Err(TradeError::new(
                        "ACQ.CONTEXT_INCONSISTENT",
                        format!(
                            "交易信息被篡改: out_trade_no {} was ordered with total_amount {} and subject `{}`",
                            trade.out_trade_no, trade.total_amount, trade.subject
                        ),
                    ))
                }
                TradeStatus::WaitBuyerPay => {
                    // The same order again (the buyer reloaded the page): the latest URLs count.
                    trade.notify_url = order.notify_url.or(trade.notify_url.take());
                    trade.return_url = order.return_url.or(trade.return_url.take());
                    Ok(Trade::clone(trade))
                }
            };
        }
        let trade_no = self.trade_no(now)?;
        let cashier_token = random_hex::<16>().ok_or_else(no_randomness)?;
        let trade = Trade {
            trade_no: trade_no.clone(),
            out_trade_no: order.out_trade_no.clone(),
            method: order.method,
            app_id: order.app_id,
            subject: order.subject,
            total_amount: order.total_amount,
            refunded_amount: Price::from_cents(0),
            status: TradeStatus::WaitBuyerPay,
            refunds: Vec::new(),
            notify_url: order.notify_url,
            return_url: order.return_url,
            qr_code: None,
            passback_params: order.passback_params,
            charset: order.charset,
            sign_type: order.sign_type,
            gmt_create: now.to_owned(),
            gmt_payment: None,
            gmt_close: None,
            time_expire: Some(alipay_runtime::time::beijing_timestamp(order.expires_at)),
            cashier_token,
        };
        self.deadlines
            .insert((order.expires_at, order.out_trade_no.clone()));
        if let Some(qr) = order.qr_expires_at {
            self.qr_deadlines.insert(order.out_trade_no.clone(), qr);
        }
        self.out_trade_no_of
            .insert(trade_no, order.out_trade_no.clone());
        self.by_out_trade_no
            .insert(order.out_trade_no.clone(), Box::new(trade.clone()));
        self.order.push_back(order.out_trade_no);
        while self.order.len() > self.max {
            if let Some(old) = self.order.pop_front()
                && let Some(gone) = self.by_out_trade_no.remove(&old)
            {
                self.out_trade_no_of.remove(&gone.trade_no);
                self.forget_deadlines(&gone);
                self.dropped += 1;
            }
        }
        Ok(trade)
    }

    /// The buyer pays a trade waiting at the cashier.
    pub fn pay(&mut self, key: &TradeKey, now: &str) -> Result<Trade, TradeError> {
        let trade = self.find_mut(key).ok_or_else(TradeError::not_exist)?;
        match trade.status {
            TradeStatus::WaitBuyerPay => {
                trade.status = TradeStatus::TradeSuccess;
                trade.gmt_payment = Some(now.to_owned());
                Ok(trade.clone())
            }
            TradeStatus::TradeSuccess => {
                Err(TradeError::new("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"))
            }
            TradeStatus::TradeClosed => Err(TradeError::new("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")),
        }
    }

    /// Refunds `amount` of a paid trade. The second value says whether money moved (`false`
    /// for a repeated `out_request_no`, which Alipay answers with the refund already made).
    pub fn refund(
        &mut self,
        key: &TradeKey,
        amount: &Price,
        out_request_no: Option<&str>,
        now: &str,
    ) -> Result<(Trade, bool), TradeError> {
        let trade = self.find_mut(key).ok_or_else(TradeError::not_exist)?;
        let cents = amount
            .to_cents()
            .filter(|c| *c > 0)
            .ok_or_else(|| TradeError::new("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效"))?;
        let request_no = out_request_no.unwrap_or(&trade.out_trade_no).to_owned();
        if trade.refunds.iter().any(|r| r.out_request_no == request_no) {
            return Ok((trade.clone(), false));
        }
        if trade.status != TradeStatus::TradeSuccess {
            return Err(TradeError::new(
                "ACQ.TRADE_STATUS_ERROR",
                format!("交易状态不合法: the trade is {}", trade.status),
            ));
        }
        let total = trade.total_amount.to_cents().unwrap_or(0);
        let refunded = trade.refunded_amount.to_cents().unwrap_or(0);
        if out_request_no.is_none() && cents != total {
            return Err(TradeError::new(
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                "撤销或退款金额与订单金额不一致: a partial refund needs an out_request_no",
            ));
        }
        if refunded.saturating_add(cents) > total {
            return Err(TradeError::new(
                "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                format!(
                    "退款金额超限: {} already refunded of {}, {} more asked for",
                    trade.refunded_amount, trade.total_amount, amount
                ),
            ));
        }
        let refunded = refunded + cents;
        trade.refunded_amount = Price::from_cents(refunded);
        trade.refunds.push(Refund {
            out_request_no: request_no,
            refund_amount: Price::from_cents(cents),
            gmt_refund: now.to_owned(),
        });
        if refunded == total {
            trade.status = TradeStatus::TradeClosed;
            trade.gmt_close = Some(now.to_owned());
        }
        Ok((trade.clone(), true))
    }

    /// Closes a trade that was not paid.
    pub fn close(&mut self, key: &TradeKey, now: &str) -> Result<Trade, TradeError> {
        let trade = self.find_mut(key).ok_or_else(TradeError::not_exist)?;
        if trade.status != TradeStatus::WaitBuyerPay {
            return Err(TradeError::new(
                "ACQ.TRADE_STATUS_ERROR",
                format!(
                    "交易状态不合法: only a WAIT_BUYER_PAY trade can be closed, this one is {}",
                    trade.status
                ),
            ));
        }
        trade.status = TradeStatus::TradeClosed;
        trade.gmt_close = Some(now.to_owned());
        Ok(trade.clone())
    }

    /// A new trade number: the Beijing date, `22001`, and 15 random digits (28 digits, as
    /// Alipay's), none the book holds already. Random, not a serial: a trade number seen (or
    /// guessed from the date) names no other trade.
    fn trade_no(&mut self, now: &str) -> Result<String, TradeError> {
        let date: String = now.chars().filter(char::is_ascii_digit).take(8).collect();
        loop {
            let bytes = random_bytes::<8>().ok_or_else(no_randomness)?;
            let digits = u64::from_le_bytes(bytes) % 1_000_000_000_000_000;
            let trade_no = format!("{date}22001{digits:015}");
            if !self.out_trade_no_of.contains_key(&trade_no) {
                return Ok(trade_no);
            }
        }
    }
}

/// `N` bytes from the OS's random source (aws-lc's), `None` if it failed.
fn random_bytes<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(bytes)
}

/// `N` random bytes as lowercase hex.
fn random_hex<const N: usize>() -> Option<String> {
    let bytes = random_bytes::<N>()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn no_randomness() -> TradeError {
    TradeError::new(
        "ACQ.SYSTEM_ERROR",
        "系统错误: the OS's random source failed",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The time of the tests' trades (here and in `f2f.rs`).
    pub(super) const NOW: &str = "2026-12-02 06:00:00";

    /// A page pay order for `amount`, numbered `out`.
    pub(super) fn order(out: &str, amount: &str) -> Order {
        Order {
            out_trade_no: out.into(),
            subject: "Iphone6 16G".into(),
            total_amount: amount.parse().unwrap(),
            method: "alipay.trade.page.pay".into(),
            app_id: "2021000000000000".into(),
            notify_url: None,
            return_url: None,
            passback_params: None,
            charset: "utf-8".into(),
            sign_type: "RSA2".into(),
            expires_at: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(4_102_444_800),
            qr_expires_at: None,
        }
    }

    /// The key of the trade numbered `out` by the merchant.
    pub(super) fn by_out(out: &str) -> TradeKey {
        TradeKey {
            trade_no: None,
            out_trade_no: Some(out.into()),
        }
    }

    #[test]
    fn trade_numbers_and_cashier_tokens_are_not_guessable() {
        let mut book = TradeBook::new(100);
        let trades: Vec<Trade> = (0..50)
            .map(|i| book.open(order(&format!("o{i}"), "1.00"), NOW).unwrap())
            .collect();
        let numbers: std::collections::HashSet<&str> =
            trades.iter().map(|t| t.trade_no.as_str()).collect();
        let tokens: std::collections::HashSet<&str> =
            trades.iter().map(|t| t.cashier_token.as_str()).collect();
        assert_eq!((numbers.len(), tokens.len()), (50, 50));
        // Not a serial: consecutive trades are not consecutive numbers.
        let serial = trades.windows(2).all(|w| {
            let n = |t: &Trade| t.trade_no[13..].parse::<u64>().unwrap();
            n(&w[1]) == n(&w[0]) + 1
        });
        assert!(!serial);
    }

    #[test]
    fn open_pay_refund_in_parts_then_over_refund() {
        let mut book = TradeBook::new(10);
        let trade = book.open(order("o1", "88.88"), NOW).unwrap();
        assert_eq!(trade.trade_no.len(), 28);
        assert!(trade.trade_no.starts_with("2026120222001"));
        assert!(trade.trade_no.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(trade.cashier_token.len(), 32);
        assert_eq!(trade.trade_no.len(), 28);
        assert_eq!(trade.status, TradeStatus::WaitBuyerPay);
        // The same order again finds the same trade; another amount is refused.
        assert_eq!(
            book.open(order("o1", "88.88"), NOW).unwrap().trade_no,
            trade.trade_no
        );
        assert_eq!(
            book.open(order("o1", "1.00"), NOW).unwrap_err().sub_code,
            "ACQ.CONTEXT_INCONSISTENT"
        );
        let key = by_out("o1");
        let ten: Price = "10.00".parse().unwrap();
        assert_eq!(
            book.refund(&key, &ten, Some("r1"), NOW)
                .unwrap_err()
                .sub_code,
            "ACQ.TRADE_STATUS_ERROR"
        );
        assert_eq!(
            book.pay(&key, NOW).unwrap().status,
            TradeStatus::TradeSuccess
        );
        assert_eq!(
            book.pay(&key, NOW).unwrap_err().sub_code,
            "ACQ.TRADE_HAS_SUCCESS"
        );
        let (t, moved) = book.refund(&key, &ten, Some("r1"), NOW).unwrap();
        assert!(moved);
        assert_eq!(t.refunded_amount.as_str(), "10.00");
        // The same out_request_no again moves nothing.
        let (t, moved) = book.refund(&key, &ten, Some("r1"), NOW).unwrap();
        assert!(!moved);
        assert_eq!(t.refunded_amount.as_str(), "10.00");
        let (t, _) = book
            .refund(&key, &"70.00".parse().unwrap(), Some("r2"), NOW)
            .unwrap();
        assert_eq!(t.refunded_amount.as_str(), "80.00");
        assert_eq!(t.status, TradeStatus::TradeSuccess);
        let over = book
            .refund(&key, &"8.89".parse().unwrap(), Some("r3"), NOW)
            .unwrap_err();
        assert_eq!(over.sub_code, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
        let (t, _) = book
            .refund(&key, &"8.88".parse().unwrap(), Some("r3"), NOW)
            .unwrap();
        assert_eq!(t.status, TradeStatus::TradeClosed);
        assert_eq!(t.refunds.len(), 3);
        assert_eq!(
            book.open(order("o1", "88.88"), NOW).unwrap_err().sub_code,
            "ACQ.TRADE_HAS_CLOSE"
        );
    }

    #[test]
    fn close_only_unpaid_and_the_book_is_bounded() {
        let mut book = TradeBook::new(2);
        book.open(order("a", "1.00"), NOW).unwrap();
        book.open(order("b", "1.00"), NOW).unwrap();
        assert_eq!(
            book.close(&by_out("a"), NOW).unwrap().status,
            TradeStatus::TradeClosed
        );
        assert_eq!(
            book.close(&by_out("a"), NOW).unwrap_err().sub_code,
            "ACQ.TRADE_STATUS_ERROR"
        );
        assert_eq!(
            book.close(&by_out("zz"), NOW).unwrap_err().sub_code,
            "ACQ.TRADE_NOT_EXIST"
        );
        book.open(order("c", "1.00"), NOW).unwrap();
        assert_eq!(book.dropped(), 1);
        let held: Vec<String> = book.all().into_iter().map(|t| t.out_trade_no).collect();
        assert_eq!(held, ["b", "c"]);
        // A whole refund without out_request_no must be the whole amount.
        book.pay(&by_out("b"), NOW).unwrap();
        assert_eq!(
            book.refund(&by_out("b"), &"0.50".parse().unwrap(), None, NOW)
                .unwrap_err()
                .sub_code,
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
        );
        assert!(
            book.refund(&by_out("b"), &"1.00".parse().unwrap(), None, NOW)
                .is_ok()
        );
    }
}
