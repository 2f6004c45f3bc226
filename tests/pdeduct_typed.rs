//! The `alipay.ebpp.pdeduct` flow through the typed client (feature `ebpp`, which CI's
//! feature step enables): an agreement signed, a bill deducted under it and its status read,
//! the agreement cancelled and a later deduction refused with the method's typed error, over
//! v2 and v3 against the local gateway on 127.0.0.1.
#![cfg(feature = "ebpp")]

use alipay_openapi::ebpp::{
    pdeduct_bill_pay_status as bill_status, pdeduct_pay as pay, pdeduct_sign_add as sign_add,
    pdeduct_sign_cancel as sign_cancel,
};
use alipay_runtime::{BizErrorCode as _, Client, Error};

use crate::support::{start, v3_client};

const USER: &str = "2088101122675263";

/// `user`'s agreement for one electricity bill, `bill_key`.
fn agreement(user: &str, bill_key: &str) -> sign_add::Request {
    sign_add::Request::new()
        .user_id(user)
        .biz_type("JF")
        .sub_biz_type("ELECTRIC")
        .charge_inst("CQCENTERELECTRIC")
        .bill_key(bill_key)
        .agent_channel("PUBLICPLATFORM")
        .agent_code("2021000000000000")
        .deduct_prod_code("INST_DIRECT_DEDUCT")
        .out_agreement_id("typed-agreement-1")
}

fn deduction(agreement_id: &str, bill_key: &str, out_order_no: &str) -> pay::Request {
    pay::Request::new()
        .agreement_id(agreement_id)
        .agent_channel("PUBLICPLATFORM")
        .bill_key(bill_key)
        .out_order_no(out_order_no)
        .pay_amount("12.50")
}

/// The whole flow with `client`, for the bill `bill_key` (whose number also names the orders:
/// an `out_order_no` is the institution's, one bill once).
async fn flow(client: &Client, bill_key: &str) {
    let (first, second) = (format!("{bill_key}-o-1"), format!("{bill_key}-o-2"));
    let signed = client
        .execute(&agreement(USER, bill_key))
        .await
        .expect("sign.add");
    let agreement_id = signed.agreement_id.expect("agreement_id");
    assert_eq!(signed.agreement_status.as_deref(), Some("success"));
    assert_eq!(
        signed.out_agreement_id.as_deref(),
        Some("typed-agreement-1")
    );

    let paid = client
        .execute(&deduction(&agreement_id, bill_key, &first))
        .await
        .expect("pay");
    let bill_no = paid.bill_no.expect("bill_no");
    assert_eq!(paid.agreement_id.as_deref(), Some(agreement_id.as_str()));
    assert_eq!(paid.out_order_no.as_deref(), Some(first.as_str()));
    assert_eq!(paid.result_status.as_deref(), Some("1"));

    let status = client
        .execute(
            &bill_status::Request::new()
                .agreement_id(agreement_id.as_str())
                .out_order_no(first.as_str()),
        )
        .await
        .expect("bill.pay.status");
    assert_eq!(status.order_no.as_deref(), Some(bill_no.as_str()));
    assert_eq!(status.status.as_deref(), Some("1"));

    let cancelled = client
        .execute(
            &sign_cancel::Request::new()
                .agreement_id(agreement_id.as_str())
                .user_id(USER)
                .agent_channel("PUBLICPLATFORM"),
        )
        .await
        .expect("sign.cancel");
    assert_eq!(cancelled.agreement_status.as_deref(), Some("success"));

    // A deduction under the cancelled agreement: the method's own error code, typed.
    match client
        .execute(&deduction(&agreement_id, bill_key, &second))
        .await
    {
        Err(Error::Business(b)) => {
            assert_eq!(b.sub_code().as_str(), "DEDUCT_SIGN_INFO_NOT_EXIST")
        }
        Err(Error::Api(e)) => {
            assert_eq!(e.code_str(), Some("DEDUCT_SIGN_INFO_NOT_EXIST"));
            assert!(e.verified(), "{e:?}");
        }
        other => panic!("a deduction under a cancelled agreement: {other:?}"),
    }
}

#[tokio::test]
async fn an_agreement_is_signed_deducted_under_and_cancelled_through_the_typed_client() {
    let gw = start().await;
    flow(&gw.client().expect("client"), "3000100200").await;
    let v3 = v3_client(&gw);
    flow(&v3, "3000100201").await;
}
