//! The trade book's face-to-face side: a precreated trade's `qr_code`, a bar-code payment
//! (paid at once, or waiting for the buyer's password), and `alipay.trade.cancel` (close an
//! unpaid trade, refund a paid one in full).

use alipay_runtime::Price;

use super::{Order, Refund, Trade, TradeBook, TradeError, TradeKey, TradeStatus};

/// What `alipay.trade.cancel` did to a trade (its `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelAction {
    /// `close`: the trade was not paid; it is closed, no money moves.
    Close,
    /// `refund`: the trade was paid; the whole amount goes back to the buyer.
    Refund,
}

impl CancelAction {
    /// The wire spelling of `action`.
    pub fn as_str(self) -> &'static str {
        match self {
            CancelAction::Close => "close",
            CancelAction::Refund => "refund",
        }
    }
}

/// A cancelled trade: what was done, and the refund made now (none when nothing moved, as for
/// a cancel sent again).
#[derive(Debug, Clone)]
pub(crate) struct Cancelled {
    pub trade: Trade,
    pub action: CancelAction,
    pub refund: Option<Refund>,
}

fn refund_fee_error(why: &str) -> TradeError {
    TradeError::new(
        "ACQ.REASON_TRADE_REFUND_FEE_ERR",
        format!("退款金额无效: {why}; a trade refunded already cannot be cancelled"),
    )
}

impl TradeBook {
    /// The trade whose `qr_code` is `qr_code` (the whole URL, or its last path segment).
    pub fn find_by_qr_code(&self, qr_code: &str) -> Option<Trade> {
        let token = qr_token(qr_code);
        if token.is_empty() {
            return None;
        }
        self.by_out_trade_no
            .values()
            .find(|t| t.qr_code.as_deref().map(qr_token) == Some(token))
            .map(|t| Trade::clone(t))
    }

    /// Opens (or finds again) the trade of a precreate `order`, with a `qr_code` made by
    /// `make_qr_code` the first time: the same order sent again gets the same code.
    pub fn precreate(
        &mut self,
        order: Order,
        now: &str,
        make_qr_code: impl FnOnce() -> String,
    ) -> Result<Trade, TradeError> {
        let out_trade_no = order.out_trade_no.clone();
        self.open(order, now)?;
        let key = TradeKey {
            trade_no: None,
            out_trade_no: Some(out_trade_no),
        };
        let trade = self.find_mut(&key).ok_or_else(TradeError::not_exist)?;
        if trade.qr_code.is_none() {
            trade.qr_code = Some(make_qr_code());
        }
        Ok(trade.clone())
    }

    /// A bar-code payment (`alipay.trade.pay`): opens the trade of `order` (or finds it again)
    /// and pays it at once, unless `needs_password`, when it stays `WAIT_BUYER_PAY` until the
    /// buyer's confirmation ([`TradeBook::pay`]). The second value says whether it was paid
    /// now.
    pub fn pay_by_code(
        &mut self,
        order: Order,
        needs_password: bool,
        now: &str,
    ) -> Result<(Trade, bool), TradeError> {
        let key = TradeKey {
            trade_no: None,
            out_trade_no: Some(order.out_trade_no.clone()),
        };
        let trade = self.open(order, now)?;
        if needs_password {
            return Ok((trade, false));
        }
        Ok((self.pay(&key, now)?, true))
    }

    /// `alipay.trade.cancel`: closes an unpaid trade, refunds a paid one in full. A trade
    /// cancelled before answers the same action again and moves nothing; `Ok(None)` when no
    /// trade has this key (Alipay answers that with success and no `action`).
    pub fn cancel(&mut self, key: &TradeKey, now: &str) -> Result<Option<Cancelled>, TradeError> {
        let Some(trade) = self.find_mut(key) else {
            return Ok(None);
        };
        let total = trade.total_amount.to_cents().unwrap_or(0);
        let paid = trade.gmt_payment.is_some();
        match trade.status {
            TradeStatus::WaitBuyerPay => {
                trade.status = TradeStatus::TradeClosed;
                trade.gmt_close = Some(now.to_owned());
                Ok(Some(Cancelled {
                    trade: trade.clone(),
                    action: CancelAction::Close,
                    refund: None,
                }))
            }
            // Closed unpaid (cancelled or closed before): closing again does nothing.
            TradeStatus::TradeClosed if !paid => Ok(Some(Cancelled {
                trade: trade.clone(),
                action: CancelAction::Close,
                refund: None,
            })),
            // Refunded in full by one refund (a cancel sent again): nothing more moves.
            TradeStatus::TradeClosed => match trade.refunds.as_slice() {
                [whole] if whole.refund_amount.to_cents() == Some(total) => Ok(Some(Cancelled {
                    trade: trade.clone(),
                    action: CancelAction::Refund,
                    refund: None,
                })),
                _ => Err(refund_fee_error("the trade was refunded in parts")),
            },
            TradeStatus::TradeSuccess if !trade.refunds.is_empty() => Err(refund_fee_error(
                &format!("{} of it was refunded already", trade.refunded_amount),
            )),
            TradeStatus::TradeSuccess => {
                let whole = Price::from_cents(total);
                let (trade, _) = self.refund(key, &whole, None, now)?;
                let refund = trade.refunds.last().cloned();
                Ok(Some(Cancelled {
                    trade,
                    action: CancelAction::Refund,
                    refund,
                }))
            }
        }
    }
}

/// The token of a `qr_code` URL: its last path segment.
fn qr_token(qr_code: &str) -> &str {
    qr_code.trim().rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trades::tests::{NOW, by_out};

    /// A face-to-face (`alipay.trade.pay`) order: trades.rs's test order under that method.
    fn order(out: &str, amount: &str) -> Order {
        Order {
            method: "alipay.trade.pay".into(),
            ..crate::trades::tests::order(out, amount)
        }
    }

    #[test]
    fn a_precreated_trade_keeps_its_qr_code_and_is_found_by_it() {
        let mut book = TradeBook::new(10);
        let first = book
            .precreate(order("q1", "9.90"), NOW, || "http://h/qr/abc".into())
            .unwrap();
        assert_eq!(first.status, TradeStatus::WaitBuyerPay);
        assert_eq!(first.qr_code.as_deref(), Some("http://h/qr/abc"));
        let again = book
            .precreate(order("q1", "9.90"), NOW, || "http://h/qr/other".into())
            .unwrap();
        assert_eq!(again.qr_code.as_deref(), Some("http://h/qr/abc"));
        assert_eq!(again.trade_no, first.trade_no);
        assert_eq!(
            book.precreate(order("q1", "1.00"), NOW, String::new)
                .unwrap_err()
                .sub_code,
            "ACQ.CONTEXT_INCONSISTENT"
        );
        assert_eq!(book.find_by_qr_code("abc").unwrap().out_trade_no, "q1");
        assert_eq!(
            book.find_by_qr_code("http://elsewhere:1/qr/abc")
                .unwrap()
                .out_trade_no,
            "q1"
        );
        assert!(book.find_by_qr_code("abd").is_none());
        assert!(book.find_by_qr_code("").is_none());
        book.pay(&by_out("q1"), NOW).unwrap();
        assert_eq!(
            book.precreate(order("q1", "9.90"), NOW, String::new)
                .unwrap_err()
                .sub_code,
            "ACQ.TRADE_HAS_SUCCESS"
        );
    }

    #[test]
    fn a_bar_code_payment_pays_at_once_or_waits_for_the_password() {
        let mut book = TradeBook::new(10);
        let (paid, now) = book.pay_by_code(order("p1", "5.00"), false, NOW).unwrap();
        assert!(now);
        assert_eq!(paid.status, TradeStatus::TradeSuccess);
        assert_eq!(paid.gmt_payment.as_deref(), Some(NOW));
        assert_eq!(
            book.pay_by_code(order("p1", "5.00"), false, NOW)
                .unwrap_err()
                .sub_code,
            "ACQ.TRADE_HAS_SUCCESS"
        );
        let (waiting, now) = book.pay_by_code(order("p2", "5.00"), true, NOW).unwrap();
        assert!(!now);
        assert_eq!(waiting.status, TradeStatus::WaitBuyerPay);
        // Sent again while the buyer types: still waiting, the same trade.
        let (again, _) = book.pay_by_code(order("p2", "5.00"), true, NOW).unwrap();
        assert_eq!(again.trade_no, waiting.trade_no);
        assert_eq!(
            book.pay_by_code(order("p2", "6.00"), true, NOW)
                .unwrap_err()
                .sub_code,
            "ACQ.CONTEXT_INCONSISTENT"
        );
    }

    #[test]
    fn cancel_closes_unpaid_refunds_paid_and_repeats_itself() {
        let mut book = TradeBook::new(10);
        assert!(book.cancel(&by_out("nowhere"), NOW).unwrap().is_none());

        book.pay_by_code(order("w", "3.00"), true, NOW).unwrap();
        let c = book.cancel(&by_out("w"), NOW).unwrap().unwrap();
        assert_eq!(c.action, CancelAction::Close);
        assert_eq!(c.trade.status, TradeStatus::TradeClosed);
        assert!(c.refund.is_none());
        let again = book.cancel(&by_out("w"), NOW).unwrap().unwrap();
        assert_eq!(again.action, CancelAction::Close);
        assert_eq!(
            book.pay(&by_out("w"), NOW).unwrap_err().sub_code,
            "ACQ.TRADE_HAS_CLOSE"
        );

        book.pay_by_code(order("p", "3.00"), false, NOW).unwrap();
        let c = book.cancel(&by_out("p"), NOW).unwrap().unwrap();
        assert_eq!(c.action, CancelAction::Refund);
        assert_eq!(c.trade.status, TradeStatus::TradeClosed);
        assert_eq!(c.trade.refunded_amount.as_str(), "3.00");
        let refund = c.refund.unwrap();
        assert_eq!(refund.refund_amount.as_str(), "3.00");
        assert_eq!(refund.out_request_no, "p");
        let again = book.cancel(&by_out("p"), NOW).unwrap().unwrap();
        assert_eq!(again.action, CancelAction::Refund);
        assert!(again.refund.is_none());
        assert_eq!(again.trade.refunds.len(), 1);

        // Refunded in part first: the cancel is refused, whatever the state.
        book.pay_by_code(order("part", "3.00"), false, NOW).unwrap();
        let one: Price = "1.00".parse().unwrap();
        book.refund(&by_out("part"), &one, Some("r1"), NOW).unwrap();
        assert_eq!(
            book.cancel(&by_out("part"), NOW).unwrap_err().sub_code,
            "ACQ.REASON_TRADE_REFUND_FEE_ERR"
        );
        let two: Price = "2.00".parse().unwrap();
        book.refund(&by_out("part"), &two, Some("r2"), NOW).unwrap();
        assert_eq!(
            book.cancel(&by_out("part"), NOW).unwrap_err().sub_code,
            "ACQ.REASON_TRADE_REFUND_FEE_ERR"
        );
    }
}
