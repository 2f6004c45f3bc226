//! Bill-payment deduction (缴费直连代扣, `alipay.ebpp.pdeduct.*`), played from the gateway's
//! state as far as its specs go: a user's agreement to have a bill (a household's water,
//! electricity, ... account, its `bill_key` at a `charge_inst`) paid from Alipay, the
//! deductions made under it, and their status.
//!
//! | method | what the gateway does |
//! | --- | --- |
//! | `alipay.ebpp.pdeduct.sign.validate` | `10000` when the user may sign for the bill (`biz_type`, `sub_biz_type`, `charge_inst`, `bill_key`); `DEDUCT_SIGN_DUPLICATED_SELF` when this `user_id` holds an agreement for it, `DEDUCT_SIGN_DUPLICATED_OTHER` when another user does |
//! | `alipay.ebpp.pdeduct.sign.add` | signs: a new agreement, answered with its `agreement_id`, `agreement_status` `success`, `out_agreement_id` and `sign_date`; a bill this user holds an agreement for already is `isv.deduct-deplicated-self`, one another user holds `isv.deduct-billkey-sign-exit`; a request without `user_id` (or `open_id`), `biz_type`, `sub_biz_type`, `charge_inst` or `bill_key` is `isv.arguments-error` |
//! | `alipay.ebpp.pdeduct.pay` | deducts `pay_amount` under the agreement `agreement_id` for its `bill_key`: a bill with its `bill_no` and `result_status` `1` (paid); the same `out_order_no` and amount again answers the same bill (nothing is deducted twice); without `agreement_id`, `agent_channel`, `bill_key` or `out_order_no`: `AGREEMENT_ID_IS_NULL`, `AGENT_CHANNEL_IS_NULL`, `BILL_KEY_IS_NULL`, `INST_ORDER_NO_IS_NULL`; an agreement the gateway never made, one cancelled, or one for another `bill_key` is `DEDUCT_SIGN_INFO_NOT_EXIST`; the same `out_order_no` with another amount or agreement is `INVOKE_PAYACCEPTANCE_EXCEPTION` |
//! | `alipay.ebpp.pdeduct.bill.pay.status` | the bill of `out_order_no` (and `agreement_id`): `order_no` (its `bill_no`), `status` `1`; one the gateway never made `BILL_NOT_EXIST`; without `out_order_no` or `agreement_id` `PARAMETER_ILLEGAL` |
//! | `alipay.ebpp.pdeduct.sign.query` | the agreement `agreement_id` names, or the user's agreement for `biz_type`, `sub_biz_type`, `charge_inst` and `bill_key`: `agreement_id`, `bill_key`, `charge_inst`, `out_agreement_id`, `sign_date`, `user_id`; none (or cancelled) is `DEDUCT_SIGN_INFO_NOT_EXIST`; neither way of naming one `PARAMETER_ILLEGAL` |
//! | `alipay.ebpp.pdeduct.sign.cancel` | cancels the agreement (`agreement_status` `success`): later deductions under it are `DEDUCT_SIGN_INFO_NOT_EXIST`; one never made is `DEDUCT_SIGN_INFO_NOT_EXIST`, one cancelled already `isv.cancel-sign-failure`, no `agreement_id` `isv.arguments-error` |
//!
//! Every code is one the method's spec lists; `pay_amount` (and `fine_amount`) that is no
//! amount such as `12.50` is `40002 isv.invalid-parameter`, as the gateway answers any
//! malformed field. The specs (the SDK's models; only `sign.validate` has a doc page) give the
//! fields, not the rules: which field is required and which code a situation gets are the
//! gateway's reading of the field and error descriptions. The fields travel as form fields over
//! v2 (`in: form`) and in the JSON body (or the query) over v3. `async.pay`, `sign.confirm` and
//! `czsign.upgrade` are not played (their scenario answers), nor are notifications: the specs
//! document none.
//!
//! The state as JSON: `GET` (or `POST {}`) [`DEDUCTIONS_PATH`], answering `{"agreements":
//! [...], "bills": [...]}`; in Rust [`LocalGateway::deduct_agreements`] and
//! [`LocalGateway::deduct_bills`].
//!
//! [`LocalGateway::deduct_agreements`]: crate::LocalGateway::deduct_agreements
//! [`LocalGateway::deduct_bills`]: crate::LocalGateway::deduct_bills

use alipay_runtime::Price;

use crate::trades::TradeError;

/// The control endpoint that lists the deduction agreements and their bills.
pub const DEDUCTIONS_PATH: &str = "/control/deductions";

/// `agreement_status` of a signed (and of a cancelled) agreement, as the spec describes it.
pub const AGREEMENT_STATUS_SUCCESS: &str = "success";

/// `result_status` (and the status query's `status`) of a paid bill: `1` (成功).
pub const BILL_PAID: &str = "1";

/// A deduction agreement the gateway signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeductAgreement {
    /// Alipay's `agreement_id`.
    pub agreement_id: String,
    /// The merchant's `out_agreement_id`, if the request gave one.
    pub out_agreement_id: Option<String>,
    /// The user (`user_id`, else `open_id`).
    pub user_id: String,
    /// `biz_type` (`JF`, ...).
    pub biz_type: String,
    /// `sub_biz_type` (`ELECTRIC`, ...).
    pub sub_biz_type: String,
    /// `charge_inst`: the institution that bills.
    pub charge_inst: String,
    /// `bill_key`: the household's number at the institution.
    pub bill_key: String,
    /// `owner_name`, if given.
    pub owner_name: Option<String>,
    /// When it was signed (Beijing time).
    pub sign_date: String,
    /// When it was cancelled, if it was.
    pub cancel_date: Option<String>,
}

impl DeductAgreement {
    /// Whether it still allows deductions (not cancelled).
    pub fn is_active(&self) -> bool {
        self.cancel_date.is_none()
    }
}

/// A deduction made under an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeductBill {
    /// Alipay's `bill_no` (the status query's `order_no`).
    pub bill_no: String,
    /// The merchant's `out_order_no`.
    pub out_order_no: String,
    /// The agreement it was deducted under.
    pub agreement_id: String,
    /// The bill's `bill_key`.
    pub bill_key: String,
    /// `pay_amount`: what was deducted, `fine_amount` included.
    pub pay_amount: Price,
    /// `fine_amount`, if given.
    pub fine_amount: Option<Price>,
    /// `bill_date` (the billing period), if given.
    pub bill_date: Option<String>,
    /// [`BILL_PAID`].
    pub status: String,
    /// When it was paid (Beijing time).
    pub paid_at: String,
}

/// What `sign.add` asks for.
#[derive(Debug, Clone)]
pub(crate) struct DeductSignOrder {
    pub user_id: String,
    pub biz_type: String,
    pub sub_biz_type: String,
    pub charge_inst: String,
    pub bill_key: String,
    pub out_agreement_id: Option<String>,
    pub owner_name: Option<String>,
}

/// What `pay` asks for.
#[derive(Debug, Clone)]
pub(crate) struct DeductPayOrder {
    pub agreement_id: String,
    pub bill_key: String,
    pub out_order_no: String,
    pub pay_amount: Price,
    pub fine_amount: Option<Price>,
    pub bill_date: Option<String>,
}

/// The bill a query names: `user_id` with the four fields of the bill.
#[derive(Debug, Clone)]
pub(crate) struct BillOf {
    pub user_id: Option<String>,
    pub biz_type: String,
    pub sub_biz_type: String,
    pub charge_inst: String,
    pub bill_key: String,
}

impl BillOf {
    fn matches(&self, a: &DeductAgreement) -> bool {
        a.biz_type == self.biz_type
            && a.sub_biz_type == self.sub_biz_type
            && a.charge_inst == self.charge_inst
            && a.bill_key == self.bill_key
    }
}

/// The agreements and bills, at most `max` of each (the oldest forgotten first).
#[derive(Debug)]
pub(crate) struct DeductBook {
    agreements: Vec<DeductAgreement>,
    bills: Vec<DeductBill>,
    max: usize,
}

impl Default for DeductBook {
    fn default() -> Self {
        Self {
            agreements: Vec::new(),
            bills: Vec::new(),
            max: 10_000,
        }
    }
}

pub(crate) fn sign_not_exist(what: &str) -> TradeError {
    TradeError::new(
        "DEDUCT_SIGN_INFO_NOT_EXIST",
        format!("代扣签约信息不存在: {what}"),
    )
}

/// A fresh number: `date` (8 digits), `middle`, then random digits, `len` in all.
fn number(date: &str, middle: &str, len: usize) -> String {
    let mut bytes = [0u8; 16];
    // As in transfers: a failing random source only makes numbers repeat, and the book's
    // own lookups still find the latest.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    let mut out = format!("{date}{middle}");
    for b in bytes {
        out.push_str(&format!("{:02}", b % 100));
    }
    out.truncate(len);
    out
}

fn date_of(now: &str) -> String {
    now.chars().filter(char::is_ascii_digit).take(8).collect()
}

impl DeductBook {
    /// Every agreement, oldest first.
    pub fn agreements(&self) -> Vec<DeductAgreement> {
        self.agreements.clone()
    }

    /// Every bill, oldest first.
    pub fn bills(&self) -> Vec<DeductBill> {
        self.bills.clone()
    }

    /// The active agreement for `bill`, whoever holds it.
    fn holder(&self, bill: &BillOf) -> Option<&DeductAgreement> {
        self.agreements
            .iter()
            .find(|a| a.is_active() && bill.matches(a))
    }

    /// The agreement in force for the bill, if any, and whether it is `bill.user_id`'s: the
    /// user may sign for the bill when there is none.
    pub fn held_by(&self, bill: &BillOf) -> Option<(bool, DeductAgreement)> {
        self.holder(bill)
            .map(|a| (bill.user_id.as_deref() == Some(&a.user_id), a.clone()))
    }

    /// Signs `order` at `now`.
    pub fn sign(
        &mut self,
        order: DeductSignOrder,
        now: &str,
    ) -> Result<DeductAgreement, TradeError> {
        let bill = BillOf {
            user_id: Some(order.user_id.clone()),
            biz_type: order.biz_type.clone(),
            sub_biz_type: order.sub_biz_type.clone(),
            charge_inst: order.charge_inst.clone(),
            bill_key: order.bill_key.clone(),
        };
        match self.held_by(&bill) {
            Some((true, a)) => {
                return Err(TradeError::new(
                    "isv.deduct-deplicated-self",
                    format!(
                        "用户已签约该户号: user {} holds agreement {} for bill_key {}",
                        a.user_id, a.agreement_id, a.bill_key
                    ),
                ));
            }
            Some((false, a)) => {
                return Err(TradeError::new(
                    "isv.deduct-billkey-sign-exit",
                    format!(
                        "户号已被签约: another user holds agreement {} for bill_key {}",
                        a.agreement_id, a.bill_key
                    ),
                ));
            }
            None => {}
        }
        let agreement = DeductAgreement {
            agreement_id: number(&date_of(now), "", 24),
            out_agreement_id: order.out_agreement_id,
            user_id: order.user_id,
            biz_type: order.biz_type,
            sub_biz_type: order.sub_biz_type,
            charge_inst: order.charge_inst,
            bill_key: order.bill_key,
            owner_name: order.owner_name,
            sign_date: now.to_owned(),
            cancel_date: None,
        };
        if self.agreements.len() >= self.max {
            self.agreements.remove(0);
        }
        self.agreements.push(agreement.clone());
        Ok(agreement)
    }

    /// The agreement `agreement_id` names, active or not.
    pub fn agreement(&self, agreement_id: &str) -> Option<DeductAgreement> {
        self.agreements
            .iter()
            .rev()
            .find(|a| a.agreement_id == agreement_id)
            .cloned()
    }

    /// The active agreement `bill` names (its user's, when it names one).
    pub fn find(&self, bill: &BillOf) -> Option<DeductAgreement> {
        self.holder(bill)
            .filter(|a| bill.user_id.as_ref().is_none_or(|u| *u == a.user_id))
            .cloned()
    }

    /// Cancels the agreement `agreement_id` at `now`.
    pub fn cancel(&mut self, agreement_id: &str, now: &str) -> Result<DeductAgreement, TradeError> {
        let a = self
            .agreements
            .iter_mut()
            .rev()
            .find(|a| a.agreement_id == agreement_id)
            .ok_or_else(|| sign_not_exist(&format!("no agreement {agreement_id}")))?;
        if let Some(at) = &a.cancel_date {
            return Err(TradeError::new(
                "isv.cancel-sign-failure",
                format!("解约失败: agreement {agreement_id} was cancelled at {at}"),
            ));
        }
        a.cancel_date = Some(now.to_owned());
        Ok(a.clone())
    }

    /// Deducts `order` at `now`, or answers the bill its `out_order_no` made already; `bool`
    /// says whether money moved.
    pub fn pay(
        &mut self,
        order: DeductPayOrder,
        now: &str,
    ) -> Result<(DeductBill, bool), TradeError> {
        if let Some(done) = self
            .bills
            .iter()
            .find(|b| b.out_order_no == order.out_order_no)
        {
            if done.agreement_id == order.agreement_id
                && done.pay_amount.to_cents() == order.pay_amount.to_cents()
            {
                return Ok((done.clone(), false));
            }
            return Err(TradeError::new(
                "INVOKE_PAYACCEPTANCE_EXCEPTION",
                format!(
                    "支付受理异常: out_order_no {} was paid with pay_amount {} under agreement {}",
                    done.out_order_no, done.pay_amount, done.agreement_id
                ),
            ));
        }
        let a = self
            .agreement(&order.agreement_id)
            .ok_or_else(|| sign_not_exist(&format!("no agreement {}", order.agreement_id)))?;
        if !a.is_active() {
            return Err(sign_not_exist(&format!(
                "agreement {} was cancelled",
                a.agreement_id
            )));
        }
        if a.bill_key != order.bill_key {
            return Err(sign_not_exist(&format!(
                "agreement {} is for bill_key {}, not {}",
                a.agreement_id, a.bill_key, order.bill_key
            )));
        }
        let bill = DeductBill {
            bill_no: number(&date_of(now), "0", 28),
            out_order_no: order.out_order_no,
            agreement_id: order.agreement_id,
            bill_key: order.bill_key,
            pay_amount: order.pay_amount,
            fine_amount: order.fine_amount,
            bill_date: order.bill_date,
            status: BILL_PAID.to_owned(),
            paid_at: now.to_owned(),
        };
        if self.bills.len() >= self.max {
            self.bills.remove(0);
        }
        self.bills.push(bill.clone());
        Ok((bill, true))
    }

    /// The bill of `out_order_no` (under `agreement_id`).
    pub fn bill(&self, out_order_no: &str, agreement_id: &str) -> Option<DeductBill> {
        self.bills
            .iter()
            .find(|b| b.out_order_no == out_order_no && b.agreement_id == agreement_id)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-02 06:00:00";

    fn order(user: &str, bill_key: &str) -> DeductSignOrder {
        DeductSignOrder {
            user_id: user.into(),
            biz_type: "JF".into(),
            sub_biz_type: "ELECTRIC".into(),
            charge_inst: "CQCENTERELECTRIC".into(),
            bill_key: bill_key.into(),
            out_agreement_id: Some("ext-1".into()),
            owner_name: None,
        }
    }

    fn pay(agreement_id: &str, out: &str, amount: &str) -> DeductPayOrder {
        DeductPayOrder {
            agreement_id: agreement_id.into(),
            bill_key: "02659981".into(),
            out_order_no: out.into(),
            pay_amount: amount.parse().unwrap(),
            fine_amount: None,
            bill_date: None,
        }
    }

    #[test]
    fn sign_pay_cancel_and_the_codes_that_follow() {
        let mut book = DeductBook::default();
        let a = book
            .sign(order("2088111133334134", "02659981"), NOW)
            .unwrap();
        assert_eq!(a.agreement_id.len(), 24);
        assert!(a.agreement_id.starts_with("20261202"));
        let code = |e: TradeError| e.sub_code;
        assert_eq!(
            code(
                book.sign(order("2088111133334134", "02659981"), NOW)
                    .unwrap_err()
            ),
            "isv.deduct-deplicated-self"
        );
        assert_eq!(
            code(
                book.sign(order("2088000000000001", "02659981"), NOW)
                    .unwrap_err()
            ),
            "isv.deduct-billkey-sign-exit"
        );

        let (bill, moved) = book.pay(pay(&a.agreement_id, "o1", "12.50"), NOW).unwrap();
        assert!(moved);
        assert_eq!((bill.bill_no.len(), bill.status.as_str()), (28, BILL_PAID));
        let (again, moved) = book.pay(pay(&a.agreement_id, "o1", "12.50"), NOW).unwrap();
        assert_eq!((again.bill_no, moved), (bill.bill_no.clone(), false));
        assert_eq!(
            code(
                book.pay(pay(&a.agreement_id, "o1", "1.00"), NOW)
                    .unwrap_err()
            ),
            "INVOKE_PAYACCEPTANCE_EXCEPTION"
        );
        let mut other_bill = pay(&a.agreement_id, "o2", "1.00");
        other_bill.bill_key = "99".into();
        assert_eq!(
            code(book.pay(other_bill, NOW).unwrap_err()),
            "DEDUCT_SIGN_INFO_NOT_EXIST"
        );
        assert_eq!(book.bill("o1", &a.agreement_id), Some(bill));
        assert_eq!(book.bill("o1", "other"), None);

        book.cancel(&a.agreement_id, NOW).unwrap();
        assert_eq!(
            code(book.cancel(&a.agreement_id, NOW).unwrap_err()),
            "isv.cancel-sign-failure"
        );
        assert_eq!(
            code(book.cancel("nope", NOW).unwrap_err()),
            "DEDUCT_SIGN_INFO_NOT_EXIST"
        );
        assert_eq!(
            code(
                book.pay(pay(&a.agreement_id, "o3", "1.00"), NOW)
                    .unwrap_err()
            ),
            "DEDUCT_SIGN_INFO_NOT_EXIST"
        );
        // Cancelled, the bill is free again: another user may sign for it.
        assert!(
            book.sign(order("2088000000000001", "02659981"), NOW)
                .is_ok()
        );
    }
}
