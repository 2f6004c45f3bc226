//! When trades close unpaid: `time_expire`, `timeout_express` and `qr_code_timeout_express`
//! read from an order, and the trades whose time has come closed on the gateway's clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{Trade, TradeBook, TradeError, TradeStatus};
use crate::clock::{next_beijing_midnight, parse_beijing, parse_timeout_express};

/// How long a page, WAP or app pay trade waits for its buyer without `timeout_express` or
/// `time_expire`: 15 days ("默认值为15d").
pub(crate) const DEFAULT_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(15 * 86_400);

/// How long a face-to-face trade (`precreate`, `pay`, `create`) waits without
/// `timeout_express` or `time_expire`: 3 hours ("当面付场景默认值为3h").
pub(crate) const DEFAULT_FACE_TO_FACE_TIMEOUT: Duration = Duration::from_secs(3 * 3_600);

/// How long a `qr_code` can be scanned at most, whatever `qr_code_timeout_express` says
/// ("二维码最长有效期是2小时").
pub(crate) const QR_CODE_MAX: Duration = Duration::from_secs(2 * 3_600);

/// `t` cut to whole seconds (Alipay's times have no finer part).
fn whole_seconds(t: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

fn text<'a>(biz: &'a Value, name: &str) -> Option<&'a str> {
    biz.get(name)?.as_str().filter(|s| !s.is_empty())
}

/// `now` plus a relative timeout as Alipay writes it, read from `field` of `biz` (`Ok(None)`
/// when absent).
fn relative(biz: &Value, field: &str, now: SystemTime) -> Result<Option<SystemTime>, TradeError> {
    let Some(value) = text(biz, field) else {
        return Ok(None);
    };
    match parse_timeout_express(value) {
        Ok(Some(wait)) => Ok(Some(now + wait)),
        Ok(None) => Ok(Some(next_beijing_midnight(now))),
        Err(why) => Err(TradeError::invalid(field, why)),
    }
}

/// When the trade of an order made `now` closes unpaid, and when its `qr_code` expires (for
/// a precreate, `qr_code`): `time_expire` (Beijing time) wins, then `timeout_express`, then
/// `default`; `qr_code_timeout_express` closes the trade sooner, and a code can be scanned for
/// [`QR_CODE_MAX`] at most. A `time_expire` not after now is
/// `ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR`; a malformed one, or a `timeout_express` outside
/// 1m to 15d, `ACQ.INVALID_PARAMETER`.
pub(crate) fn deadlines(
    biz: &Value,
    now: SystemTime,
    default: Duration,
    qr_code: bool,
) -> Result<(SystemTime, Option<SystemTime>), TradeError> {
    let mut expires = match text(biz, "time_expire") {
        Some(at) => {
            let at = parse_beijing(at).ok_or_else(|| {
                TradeError::invalid("time_expire", "is not yyyy-MM-dd HH:mm:ss (Beijing time)")
            })?;
            if at <= now {
                return Err(TradeError::new(
                    "ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR",
                    "当前时间已超过允许支付的时间: time_expire is not after now",
                ));
            }
            at
        }
        None => relative(biz, "timeout_express", now)?.unwrap_or(now + default),
    };
    let qr = if qr_code {
        let qr = relative(biz, "qr_code_timeout_express", now)?;
        if let Some(qr) = qr {
            expires = expires.min(qr);
        }
        Some(qr.unwrap_or(expires).min(now + QR_CODE_MAX).min(expires))
    } else {
        None
    };
    Ok((whole_seconds(expires), qr.map(whole_seconds)))
}

/// Whether Alipay notifies `TRADE_CLOSED` by default when an unpaid trade of `method` closes
/// at its time: for app pay and WAP pay, whose notifications go out on `TRADE_SUCCESS`,
/// `TRADE_CLOSED` (and `TRADE_FINISHED`); not for page pay nor face-to-face pay
/// (`precreate`, `pay`, `create`), notified on `TRADE_SUCCESS` only. Alipay's support pages
/// on 异步通知触发条件 say so per product (the open platform's own table was not at hand).
pub(crate) fn notifies_when_closed(method: &str) -> bool {
    matches!(method, "alipay.trade.app.pay" | "alipay.trade.wap.pay")
}

impl TradeBook {
    /// When the next unpaid trade (or a paid one whose deadline is still listed) closes.
    pub fn next_deadline(&self) -> Option<SystemTime> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Whether trades closed by expiry wait for their notification.
    pub fn has_expired_to_notify(&self) -> bool {
        !self.expired.is_empty()
    }

    /// The trades closed by expiry that are to be notified, oldest first; taken once.
    pub fn take_expired(&mut self) -> Vec<Trade> {
        std::mem::take(&mut self.expired)
    }

    /// Closes every unpaid trade whose time has come by `now` (its `gmt_close` that time);
    /// those of a method that notifies it, with a `notify_url`, wait in
    /// [`take_expired`](Self::take_expired).
    pub fn expire(&mut self, now: SystemTime) {
        while let Some(first) = self.deadlines.first() {
            if first.0 > now {
                return;
            }
            let Some((at, out_trade_no)) = self.deadlines.pop_first() else {
                return;
            };
            if let Some(trade) = self.by_out_trade_no.get_mut(&out_trade_no)
                && trade.status == TradeStatus::WaitBuyerPay
            {
                trade.status = TradeStatus::TradeClosed;
                trade.gmt_close = Some(alipay_runtime::time::beijing_timestamp(at));
                if notifies_when_closed(&trade.method)
                    && trade.notify_url.is_some()
                    && self.expired.len() < self.max
                {
                    self.expired.push(Trade::clone(trade));
                }
            }
            self.qr_deadlines.remove(&out_trade_no);
        }
    }

    /// Whether the `qr_code` of the precreated trade `out_trade_no` can no longer be scanned.
    pub fn qr_code_expired(&self, out_trade_no: &str, now: SystemTime) -> bool {
        self.qr_deadlines
            .get(out_trade_no)
            .is_some_and(|at| *at <= now)
    }

    /// Forgets the deadlines of a trade the book no longer holds.
    pub(super) fn forget_deadlines(&mut self, gone: &Trade) {
        if let Some(at) = gone.time_expire.as_deref().and_then(parse_beijing) {
            self.deadlines.remove(&(at, gone.out_trade_no.clone()));
        }
        self.qr_deadlines.remove(&gone.out_trade_no);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // 2026-12-02 06:00:00 Beijing.
    fn now() -> SystemTime {
        parse_beijing("2026-12-02 06:00:00").unwrap() + Duration::from_millis(700)
    }

    fn at(text: &str) -> SystemTime {
        parse_beijing(text).unwrap()
    }

    #[test]
    fn time_expire_then_timeout_express_then_the_default() {
        let d = |biz| deadlines(&biz, now(), DEFAULT_CHECKOUT_TIMEOUT, false);
        assert_eq!(d(json!({})).unwrap().0, at("2026-12-17 06:00:00"));
        assert_eq!(
            d(json!({"timeout_express": "90m"})).unwrap().0,
            at("2026-12-02 07:30:00")
        );
        assert_eq!(
            d(json!({"timeout_express": "1c"})).unwrap().0,
            at("2026-12-03 00:00:00")
        );
        assert_eq!(
            d(json!({"timeout_express": "1h", "time_expire": "2026-12-02 06:05:00"}))
                .unwrap()
                .0,
            at("2026-12-02 06:05:00")
        );
        assert_eq!(
            d(json!({"time_expire": "2026-12-02 06:00:00"}))
                .unwrap_err()
                .sub_code,
            "ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR"
        );
        for bad in [
            json!({"time_expire": "2026-12-02T07:00:00"}),
            json!({"timeout_express": "1.5h"}),
            json!({"timeout_express": "16d"}),
        ] {
            assert_eq!(d(bad).unwrap_err().sub_code, "ACQ.INVALID_PARAMETER");
        }
    }

    #[test]
    fn a_qr_code_lasts_two_hours_at_most_and_closes_its_trade_sooner() {
        let d = |biz| deadlines(&biz, now(), DEFAULT_FACE_TO_FACE_TIMEOUT, true).unwrap();
        assert_eq!(
            d(json!({})),
            (at("2026-12-02 09:00:00"), Some(at("2026-12-02 08:00:00")))
        );
        assert_eq!(
            d(json!({"qr_code_timeout_express": "5m"})),
            (at("2026-12-02 06:05:00"), Some(at("2026-12-02 06:05:00")))
        );
        assert_eq!(
            d(json!({"timeout_express": "30m", "qr_code_timeout_express": "1d"})),
            (at("2026-12-02 06:30:00"), Some(at("2026-12-02 06:30:00")))
        );
    }
}
