//! Money out (转账): transfers to Alipay accounts and the merchant's balance they are paid
//! from, played from the gateway's state.
//!
//! | method | what the gateway does |
//! | --- | --- |
//! | `alipay.fund.trans.uni.transfer` | pays `trans_amount` out of the merchant's balance and answers `out_biz_no`, `order_id`, `pay_fund_order_id`, `status` `SUCCESS` and `trans_date`; the same `out_biz_no` with the same amount answers the same transfer again (nothing moves), with another amount `PAYMENT_INFO_INCONSISTENCY`; more than the balance is `PAYER_BALANCE_NOT_ENOUGH`; a `TRANS_ACCOUNT_NO_PWD` transfer below 0.10 is `EXCEED_LIMIT_SM_MIN_AMOUNT` |
//! | `alipay.fund.trans.common.query` | answers the transfer named by `out_biz_no`, `order_id` or `pay_fund_order_id` (`status`, `trans_amount`, `pay_date`, the ids); one the gateway never made is `ORDER_NOT_EXIST` |
//! | `alipay.fund.account.query` | answers the merchant's balance: `available_amount` (it starts at [`DEFAULT_BALANCE`], or what [`GatewayBuilder::fund_balance`](crate::GatewayBuilder::fund_balance) or a control call set, and each transfer takes its amount off), `freeze_amount` `0.00` |
//!
//! A request without a field the method needs (`out_biz_no` and `trans_amount` for a
//! transfer, one of the ids for a query) is `INVALID_PARAMETER`. Every code is one the
//! method's spec lists.
//!
//! The control calls (JSON bodies only, answered as JSON, recorded in the request log as
//! control calls; the Rust methods are the same operations):
//!
//! | Rust | HTTP | what it does |
//! | --- | --- | --- |
//! | [`LocalGateway::set_fund_balance`](crate::LocalGateway::set_fund_balance) | `POST` [`BALANCE_PATH`] `{"available_amount": "500.00"}` | sets the merchant's balance; answers `{"available_amount": "500.00"}` |
//! | [`LocalGateway::fund_balance`](crate::LocalGateway::fund_balance) | `POST` [`BALANCE_PATH`] `{}` | answers the balance, unchanged |
//! | [`LocalGateway::transfers`](crate::LocalGateway::transfers) | `POST` [`TRANSFERS_PATH`] `{}`, or `GET` | answers `{"transfers": [...]}`, oldest first (a `GET` is not recorded, as the dashboard's reads) |
//!
//! A refused control call answers `{"sub_code": …, "sub_msg": …}` with status 400 (a bad
//! amount) or 415 (not JSON).

use alipay_runtime::Price;

use crate::trades::TradeError;

/// The merchant's balance when nothing set it: 100,000.00 yuan.
pub const DEFAULT_BALANCE: &str = "100000.00";

/// The control endpoint that sets (or reads) the merchant's balance.
pub const BALANCE_PATH: &str = "/control/balance";

/// The control endpoint that lists the transfers.
pub const TRANSFERS_PATH: &str = "/control/transfers";

/// The status of a transfer the gateway made (it pays at once).
pub const STATUS_SUCCESS: &str = "SUCCESS";

/// The product code below whose minimum (0.10) a transfer is refused.
const NO_PASSWORD_PRODUCT: &str = "TRANS_ACCOUNT_NO_PWD";

/// A transfer the gateway made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The merchant's `out_biz_no`.
    pub out_biz_no: String,
    /// Alipay's transfer order number (`order_id`).
    pub order_id: String,
    /// Alipay's fund flow number (`pay_fund_order_id`).
    pub pay_fund_order_id: String,
    /// The amount paid out.
    pub trans_amount: Price,
    /// `SUCCESS`.
    pub status: String,
    /// When it was paid, Beijing time (`yyyy-MM-dd HH:mm:ss`).
    pub trans_date: String,
    /// The `product_code` of the request, if any.
    pub product_code: Option<String>,
    /// The `order_title` of the request, if any.
    pub order_title: Option<String>,
    /// The payee's `identity`, if the request named one.
    pub payee: Option<String>,
}

/// What a transfer request asks for.
#[derive(Debug, Clone)]
pub(crate) struct TransferOrder {
    pub out_biz_no: String,
    pub trans_amount: Price,
    pub product_code: Option<String>,
    pub order_title: Option<String>,
    pub payee: Option<String>,
}

/// How a transfer is named in a query.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransferKey {
    pub out_biz_no: Option<String>,
    pub order_id: Option<String>,
    pub pay_fund_order_id: Option<String>,
}

/// The transfers and the balance they come from.
#[derive(Debug)]
pub(crate) struct TransferBook {
    balance_cents: i64,
    transfers: Vec<Transfer>,
    max: usize,
}

impl Default for TransferBook {
    fn default() -> Self {
        Self::new(10_000)
    }
}

/// A fresh number: `date` (8 digits), then `middle`, then random digits up to 32 in all.
fn number(date: &str, middle: &str) -> String {
    let mut bytes = [0u8; 16];
    // The system's random source does not fail on the platforms aws-lc supports; were it to,
    // the numbers would repeat their zeros and the book's own check would catch a clash.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    let mut out = format!("{date}{middle}");
    for b in bytes {
        if out.len() >= 32 {
            break;
        }
        out.push_str(&format!("{:02}", b % 100));
    }
    out.truncate(32);
    out
}

impl TransferBook {
    /// A book with [`DEFAULT_BALANCE`], keeping at most `max` transfers.
    pub fn new(max: usize) -> Self {
        Self {
            balance_cents: DEFAULT_BALANCE
                .parse::<Price>()
                .ok()
                .and_then(|p| p.to_cents())
                .unwrap_or(10_000_000),
            transfers: Vec::new(),
            max: max.max(1),
        }
    }

    /// The balance now.
    pub fn balance(&self) -> Price {
        Price::from_cents(self.balance_cents)
    }

    /// Sets the balance.
    pub fn set_balance(&mut self, cents: i64) {
        self.balance_cents = cents;
    }

    /// Every transfer, oldest first.
    pub fn all(&self) -> Vec<Transfer> {
        self.transfers.clone()
    }

    /// The transfer `key` names.
    pub fn find(&self, key: &TransferKey) -> Option<Transfer> {
        self.transfers
            .iter()
            .find(|t| {
                key.out_biz_no.as_ref().is_none_or(|k| *k == t.out_biz_no)
                    && key.order_id.as_ref().is_none_or(|k| *k == t.order_id)
                    && key
                        .pay_fund_order_id
                        .as_ref()
                        .is_none_or(|k| *k == t.pay_fund_order_id)
            })
            .cloned()
    }

    /// Pays `order` out of the balance at `now` (Beijing time), or answers the transfer its
    /// `out_biz_no` made already; `bool` says whether money moved.
    pub fn transfer(
        &mut self,
        order: TransferOrder,
        now: &str,
    ) -> Result<(Transfer, bool), TradeError> {
        let cents = order
            .trans_amount
            .to_cents()
            .filter(|c| *c > 0)
            .ok_or_else(|| {
                TradeError::new(
                    "INVALID_PARAMETER",
                    "参数有误: trans_amount is not an amount such as 0.10",
                )
            })?;
        if let Some(done) = self
            .transfers
            .iter()
            .find(|t| t.out_biz_no == order.out_biz_no)
        {
            if done.trans_amount.to_cents() == Some(cents) {
                return Ok((done.clone(), false));
            }
            return Err(TradeError::new(
                "PAYMENT_INFO_INCONSISTENCY",
                format!(
                    "两次请求商户单号一样，但是参数不一致: out_biz_no {} was transferred with trans_amount {}",
                    done.out_biz_no, done.trans_amount
                ),
            ));
        }
        if order.product_code.as_deref() == Some(NO_PASSWORD_PRODUCT) && cents < 10 {
            return Err(TradeError::new(
                "EXCEED_LIMIT_SM_MIN_AMOUNT",
                "单笔最低转账金额0.1元: a TRANS_ACCOUNT_NO_PWD transfer is at least 0.10",
            ));
        }
        if cents > self.balance_cents {
            return Err(TradeError::new(
                "PAYER_BALANCE_NOT_ENOUGH",
                format!(
                    "付款方余额不足: the balance is {}, the transfer {}",
                    self.balance(),
                    order.trans_amount
                ),
            ));
        }
        let date: String = now.chars().filter(char::is_ascii_digit).take(8).collect();
        let transfer = Transfer {
            order_id: number(&date, "110070000"),
            pay_fund_order_id: number(&date, "110070001"),
            out_biz_no: order.out_biz_no,
            trans_amount: Price::from_cents(cents),
            status: STATUS_SUCCESS.to_owned(),
            trans_date: now.to_owned(),
            product_code: order.product_code,
            order_title: order.order_title,
            payee: order.payee,
        };
        self.balance_cents -= cents;
        if self.transfers.len() >= self.max {
            self.transfers.remove(0);
        }
        self.transfers.push(transfer.clone());
        Ok((transfer, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(out: &str, amount: &str) -> TransferOrder {
        TransferOrder {
            out_biz_no: out.to_owned(),
            trans_amount: amount.parse().expect("amount"),
            product_code: Some(NO_PASSWORD_PRODUCT.to_owned()),
            order_title: None,
            payee: Some("2088123412341234".to_owned()),
        }
    }

    const NOW: &str = "2026-12-07 10:00:00";

    #[test]
    fn a_transfer_moves_the_balance_once_and_is_found_by_any_id() {
        let mut book = TransferBook::new(10);
        assert_eq!(book.balance().as_str(), DEFAULT_BALANCE);
        book.set_balance(10_000);
        let (t, moved) = book.transfer(order("o-1", "30.00"), NOW).expect("paid");
        assert!(moved);
        assert_eq!(t.status, STATUS_SUCCESS);
        assert_eq!(t.order_id.len(), 32);
        assert!(t.order_id.starts_with("20261207"), "{}", t.order_id);
        assert_ne!(t.order_id, t.pay_fund_order_id);
        assert_eq!(book.balance().as_str(), "70.00");
        let (again, moved) = book.transfer(order("o-1", "30.00"), NOW).expect("same");
        assert!(!moved);
        assert_eq!(again, t);
        assert_eq!(book.balance().as_str(), "70.00");
        let e = book.transfer(order("o-1", "31.00"), NOW).unwrap_err();
        assert_eq!(e.sub_code, "PAYMENT_INFO_INCONSISTENCY");
        for key in [
            TransferKey {
                out_biz_no: Some("o-1".into()),
                ..TransferKey::default()
            },
            TransferKey {
                order_id: Some(t.order_id.clone()),
                ..TransferKey::default()
            },
            TransferKey {
                pay_fund_order_id: Some(t.pay_fund_order_id.clone()),
                ..TransferKey::default()
            },
        ] {
            assert_eq!(book.find(&key).as_ref(), Some(&t));
        }
        assert!(
            book.find(&TransferKey {
                out_biz_no: Some("o-2".into()),
                ..TransferKey::default()
            })
            .is_none()
        );
    }

    #[test]
    fn the_balance_and_the_minimum_refuse_a_transfer() {
        let mut book = TransferBook::new(10);
        book.set_balance(5_000);
        let e = book.transfer(order("o-1", "50.01"), NOW).unwrap_err();
        assert_eq!(e.sub_code, "PAYER_BALANCE_NOT_ENOUGH");
        let e = book.transfer(order("o-2", "0.09"), NOW).unwrap_err();
        assert_eq!(e.sub_code, "EXCEED_LIMIT_SM_MIN_AMOUNT");
        book.transfer(order("o-3", "50.00"), NOW)
            .expect("all of it");
        assert_eq!(book.balance().as_str(), "0.00");
        assert_eq!(book.all().len(), 1);
    }
}
