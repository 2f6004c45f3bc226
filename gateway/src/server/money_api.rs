//! The [`LocalGateway`] methods of money out, agreements and bill-payment deduction: the same
//! operations as their control calls (`money_control`).

use alipay_runtime::Price;

use super::{LocalGateway, money};
use crate::agreements::{Agreement, AgreementKey, SmsCode};
use crate::pdeduct::{DeductAgreement, DeductBill};
use crate::trades::TradeError;
use crate::transfers::Transfer;

impl LocalGateway {
    /// The merchant's balance (`available_amount` of `alipay.fund.account.query`): it
    /// starts at [`transfers::DEFAULT_BALANCE`](crate::transfers::DEFAULT_BALANCE) (or
    /// [`GatewayBuilder::fund_balance`](crate::GatewayBuilder::fund_balance)) and each
    /// transfer takes its amount off. The same as POSTing `{}` to `/control/balance`
    /// ([`crate::transfers`]).
    pub fn fund_balance(&self) -> Price {
        self.shared.money.with_transfers(|book| book.balance())
    }

    /// Sets the merchant's balance, as POSTing `{"available_amount": "…"}` to
    /// `/control/balance` does ([`crate::transfers`]). A negative amount is taken as zero.
    pub fn set_fund_balance(&self, available_amount: &Price) {
        let cents = available_amount.to_cents().unwrap_or(0).max(0);
        self.shared
            .money
            .with_transfers(|book| book.set_balance(cents));
    }

    /// The transfers made by `alipay.fund.trans.uni.transfer`, oldest first (the same as
    /// POSTing `{}` to `/control/transfers`).
    pub fn transfers(&self) -> Vec<Transfer> {
        self.shared.money.with_transfers(|book| book.all())
    }

    /// The agreements opened by `alipay.user.agreement.page.sign`, oldest first (the same as
    /// POSTing `{}` to `/control/agreements`).
    pub fn agreements(&self) -> Vec<Agreement> {
        self.shared.money.with_agreements(|book| book.all())
    }

    /// The user signs the agreement the sign page opened for `external_agreement_no` (or
    /// whose `agreement_no` it is): it becomes `NORMAL` and its `dut_user_sign` notification
    /// is sent. The same as POSTing `{"external_agreement_no": "…"}` (or `"agreement_no"`)
    /// to `/control/sign-agreement` ([`crate::agreements`]).
    pub fn sign_agreement(&self, external_agreement_no: &str) -> Result<Agreement, TradeError> {
        let key = AgreementKey {
            agreement_no: None,
            external_agreement_no: Some(external_agreement_no.to_owned()),
        };
        let key = if self
            .shared
            .money
            .with_agreements(|b| b.find(&key))
            .is_some()
        {
            key
        } else {
            AgreementKey {
                agreement_no: Some(external_agreement_no.to_owned()),
                external_agreement_no: None,
            }
        };
        money::sign_agreement(&self.shared, &key)
    }

    /// The code `alipay.user.agreement.auth.apply` sent the user for `apply_token` (what
    /// `alipay.user.agreement.auth.confirm` takes as `auth_confirm_no`), with its attempts.
    /// The same as POSTing `{"apply_token": "…"}` to `/control/sms-code`
    /// ([`crate::agreements`]).
    pub fn sms_code(&self, apply_token: &str) -> Option<SmsCode> {
        self.shared
            .money
            .with_agreements(|book| book.code(apply_token))
    }

    /// Every code `alipay.user.agreement.auth.apply` sent, oldest first.
    pub fn sms_codes(&self) -> Vec<SmsCode> {
        self.shared.money.with_agreements(|book| book.codes())
    }

    /// The bill-payment deduction agreements `alipay.ebpp.pdeduct.sign.add` made, oldest
    /// first, cancelled ones included ([`crate::pdeduct`]; the same as `GET
    /// /control/deductions`).
    pub fn deduct_agreements(&self) -> Vec<DeductAgreement> {
        self.shared.money.with_deductions(|book| book.agreements())
    }

    /// The deductions `alipay.ebpp.pdeduct.pay` made, oldest first.
    pub fn deduct_bills(&self) -> Vec<DeductBill> {
        self.shared.money.with_deductions(|book| book.bills())
    }
}
