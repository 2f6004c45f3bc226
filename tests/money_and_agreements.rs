//! Money out and periodic-deduction agreements against the local gateway, through the typed
//! client over real HTTP on 127.0.0.1: `alipay.fund.trans.uni.transfer`,
//! `alipay.fund.trans.common.query` and `alipay.fund.account.query` answering from one balance
//! and the transfers made; `alipay.user.agreement.page.sign` at the gateway's sign page, the
//! user signing through the control API, the `dut_user_sign` notification,
//! `alipay.user.agreement.query` and `.unsign`.

use std::time::Duration;

use alipay_gateway::agreements::{NOTIFY_SIGN, NOTIFY_UNSIGN};
use alipay_gateway::trades::BUYER_ID;
use alipay_gateway::transfers::DEFAULT_BALANCE;
use alipay_gateway::{AgreementStatus, TestGateway};
use alipay_openapi::fund::{account_query, trans_common_query, trans_uni_transfer};
use alipay_openapi::user::{
    agreement_auth_confirm, agreement_page_sign, agreement_query, agreement_unsign,
};
use alipay_runtime::{Charset, Client, verify_notify};
use serde_json::{Value, json};

use crate::support::{
    control, get_page, http, logged_at, methods_and, path_url, price, refusal, shop,
};

pub(crate) fn transfer(out: &str, amount: &str) -> trans_uni_transfer::Request {
    trans_uni_transfer::Request::new()
        .out_biz_no(out)
        .trans_amount(amount)
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title("佣金")
        .payee_info(
            trans_uni_transfer::Participant::new()
                .identity("2088123412341234")
                .identity_type("ALIPAY_USER_ID"),
        )
}

/// The sign-page request for agreement `external` (periodic withholding, in the Alipay app).
fn sign_request(external: &str) -> agreement_page_sign::Request {
    agreement_page_sign::Request::new(
        "GENERAL_WITHHOLDING_P",
        agreement_page_sign::AccessParams::new(agreement_page_sign::Channel::Alipayapp),
    )
    .external_agreement_no(external)
}

/// Opens agreement `external` at `gw`'s sign page and signs it through the Rust API: its
/// agreement_no.
pub(crate) async fn signed_agreement(client: &Client, gw: &TestGateway, external: &str) -> String {
    http()
        .get(client.page_url(&sign_request(external)).expect("URL"))
        .send()
        .await
        .expect("sign page");
    gw.sign_agreement(external).expect("signed").agreement_no
}

/// The control call the sign page's button makes, with `body`: the status and the answer.
async fn sign_call(http: &reqwest::Client, gw: &TestGateway, body: &Value) -> (u16, Value) {
    control(http, &path_url(gw, "/control/sign-agreement"), body).await
}

/// The balance control call with `body` (`{}` reads it, `available_amount` sets it): the status
/// and the answer.
async fn balance_call(http: &reqwest::Client, gw: &TestGateway, body: &Value) -> (u16, Value) {
    control(http, &path_url(gw, "/control/balance"), body).await
}

/// `alipay.user.agreement.query` for an agreement of the gateway's buyer.
fn buyer_query() -> agreement_query::Request {
    agreement_query::Request::new().alipay_user_id(BUYER_ID)
}

/// `alipay.user.agreement.unsign` for an agreement of the gateway's buyer.
fn buyer_unsign() -> agreement_unsign::Request {
    agreement_unsign::Request::new().alipay_user_id(BUYER_ID)
}

async fn balance(client: &Client) -> String {
    client
        .execute(&account_query::Request::new(
            alipay_gateway::trades::SELLER_ID,
        ))
        .await
        .expect("account query")
        .available_amount
        .expect("available_amount")
}

#[tokio::test]
// Long because: one balance's story (transfers, idempotency, queries, refusals, control calls).
async fn transfers_move_the_balance_and_are_queried_by_any_id() {
    let gw = TestGateway::start_with(alipay_openapi::METHODS, |b| b.fund_balance(price("100.00")))
        .await
        .expect("gateway starts");
    let client = gw.client().expect("client");
    let http = http();
    assert_eq!(balance(&client).await, "100.00");

    let paid = client
        .execute(&transfer("t-1", "30.00"))
        .await
        .expect("transfer");
    assert_eq!(paid.status.as_deref(), Some("SUCCESS"));
    assert_eq!(paid.out_biz_no.as_deref(), Some("t-1"));
    let order_id = paid.order_id.clone().expect("order_id");
    let fund_id = paid.pay_fund_order_id.clone().expect("pay_fund_order_id");
    assert!(paid.trans_date.is_some());
    assert_eq!(balance(&client).await, "70.00");

    // The same out_biz_no and amount: the same transfer, nothing moves; another amount: refused.
    let again = client
        .execute(&transfer("t-1", "30.00"))
        .await
        .expect("transfer again");
    assert_eq!(again.order_id.as_deref(), Some(order_id.as_str()));
    assert_eq!(balance(&client).await, "70.00");
    assert_eq!(
        refusal(&client, &transfer("t-1", "31.00")).await,
        "PAYMENT_INFO_INCONSISTENCY"
    );
    // More than the balance, and below the no-password minimum.
    assert_eq!(
        refusal(&client, &transfer("t-2", "70.01")).await,
        "PAYER_BALANCE_NOT_ENOUGH"
    );
    assert_eq!(
        refusal(&client, &transfer("t-3", "0.09")).await,
        "EXCEED_LIMIT_SM_MIN_AMOUNT"
    );

    // The query finds it by each of its ids.
    for request in [
        trans_common_query::Request::new().out_biz_no("t-1"),
        trans_common_query::Request::new().order_id(order_id.clone()),
        trans_common_query::Request::new().pay_fund_order_id(fund_id.clone()),
    ] {
        let found = client.execute(&request).await.expect("query");
        assert_eq!(found.order_id.as_deref(), Some(order_id.as_str()));
        assert_eq!(found.pay_fund_order_id.as_deref(), Some(fund_id.as_str()));
        assert_eq!(found.out_biz_no.as_deref(), Some("t-1"));
        assert_eq!(found.trans_amount.as_deref(), Some("30.00"));
        assert_eq!(
            found.status.as_ref().map(ToString::to_string).as_deref(),
            Some("SUCCESS")
        );
    }
    assert_eq!(
        refusal(
            &client,
            &trans_common_query::Request::new().out_biz_no("never")
        )
        .await,
        "ORDER_NOT_EXIST"
    );

    // The control API: the balance set, read, and the transfers listed.
    let (status, set) = balance_call(&http, &gw, &json!({"available_amount": "500.00"})).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["available_amount"], "500.00");
    assert_eq!(balance(&client).await, "500.00");
    client
        .execute(&transfer("t-2", "70.01"))
        .await
        .expect("now it fits");
    let (_, read) = balance_call(&http, &gw, &json!({})).await;
    assert_eq!(read["available_amount"], "429.99");
    assert_eq!(gw.fund_balance().as_str(), "429.99");
    let (_, listed) = control(&http, &path_url(&gw, "/control/transfers"), &json!({})).await;
    let listed = listed["transfers"].as_array().expect("a list").clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["order_id"], order_id.as_str());
    assert_eq!(gw.transfers().len(), 2);
    let (status, refused) = balance_call(&http, &gw, &json!({"available_amount": "lots"})).await;
    assert_eq!(status, 400, "{refused}");
    gw.set_fund_balance(&price(DEFAULT_BALANCE));
    assert_eq!(balance(&client).await, DEFAULT_BALANCE);

    // Control calls are in the request log with their verdict.
    let logged = logged_at(&gw, "/control/balance");
    assert_eq!(logged.len(), 3);
    assert!(
        logged
            .iter()
            .all(|r| r.verdict == "control call (no signature)")
    );
    assert_eq!(logged[2].answer.status, 400);
}

#[tokio::test]
// Long because: one agreement's story (page, sign, notification, query, unsign, query).
async fn an_agreement_is_signed_at_the_page_notified_queried_and_unsigned() {
    let (gw, merchant, client) = shop(Charset::Utf8).await;
    let http = http();

    let request = sign_request("ext-1")
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .notify_url(merchant.notify_url());
    let url = client.page_url(&request).expect("a signed URL");
    let (_, _, page) = get_page(&http, &url).await;
    assert!(page.contains("id=\"sign\""), "{page}");
    let opened = gw.agreements();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].status, AgreementStatus::Temp);
    let agreement_no = opened[0].agreement_no.clone();
    assert!(page.contains(&agreement_no), "{page}");

    // Not signed yet: the query says TEMP, unsign refuses it.
    let temp = client
        .execute(&buyer_query().external_agreement_no("ext-1"))
        .await
        .expect("query");
    assert_eq!(temp.status.as_deref(), Some("TEMP"));
    assert_eq!(
        refusal(&client, &buyer_unsign().agreement_no(agreement_no.clone())).await,
        "USER_AGREEMENT_STATUS_NOT_NORMAL"
    );

    // The user signs (the control call the page's button makes), once.
    let (status, signed) = sign_call(&http, &gw, &json!({"external_agreement_no": "ext-1"})).await;
    assert_eq!(status, 200, "{signed}");
    assert_eq!(signed["status"], "NORMAL");
    assert_eq!(signed["agreement_no"], agreement_no.as_str());
    let (status, again) = sign_call(&http, &gw, &json!({"agreement_no": agreement_no})).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["sub_code"], "USER_AGREEMENT_STATUS_NOT_NORMAL");
    let (status, none) = sign_call(&http, &gw, &json!({"agreement_no": "0"})).await;
    assert_eq!(status, 404, "{none}");

    // The sign notification reaches notify_url, signed.
    let received = merchant
        .wait_for(Duration::from_secs(20), |r| !r.notifications.is_empty())
        .await;
    let (_, body) = received.notifications.first().expect("a notification");
    let verified = verify_notify(body, gw.alipay_public_key()).expect("verifies");
    assert_eq!(verified.get("notify_type"), Some(NOTIFY_SIGN));
    assert_eq!(verified.get("agreement_no"), Some(agreement_no.as_str()));
    assert_eq!(verified.get("external_agreement_no"), Some("ext-1"));
    assert_eq!(verified.get("status"), Some("NORMAL"));
    assert_eq!(
        verified.get("personal_product_code"),
        Some("GENERAL_WITHHOLDING_P")
    );

    let normal = client
        .execute(&buyer_query().agreement_no(agreement_no.clone()))
        .await
        .expect("query");
    assert_eq!(normal.status.as_deref(), Some("NORMAL"));
    assert_eq!(normal.agreement_no.as_deref(), Some(agreement_no.as_str()));
    assert_eq!(normal.external_agreement_no.as_deref(), Some("ext-1"));
    assert!(normal.sign_time.is_some());

    // Unsigned: notified, then the query and a second unsign say so.
    client
        .execute(&buyer_unsign().agreement_no(agreement_no.clone()))
        .await
        .expect("unsign");
    assert_eq!(
        refusal(&client, &buyer_query().agreement_no(agreement_no.clone())).await,
        "AGREEMENT_HAS_UNSIGNED"
    );
    assert_eq!(
        refusal(&client, &buyer_unsign().agreement_no(agreement_no.clone())).await,
        "USER_AGREEMENT_STATUS_NOT_NORMAL"
    );
    assert_eq!(
        refusal(&client, &buyer_query().external_agreement_no("never")).await,
        "USER_AGREEMENT_NOT_EXIST"
    );
    assert_eq!(
        refusal(&client, &buyer_unsign().external_agreement_no("never")).await,
        "AGREEMENT_NOT_EXIST"
    );
    let received = merchant
        .wait_for(Duration::from_secs(20), |r| r.notifications.len() >= 2)
        .await;
    let (_, body) = received
        .notifications
        .get(1)
        .expect("the unsign notification");
    let verified = verify_notify(body, gw.alipay_public_key()).expect("verifies");
    assert_eq!(verified.get("notify_type"), Some(NOTIFY_UNSIGN));
    assert_eq!(verified.get("status"), Some("UNSIGN"));

    // The Rust API: the list, and signing a new agreement by its external number.
    let (_, listed) = control(&http, &path_url(&gw, "/control/agreements"), &json!({})).await;
    assert_eq!(listed["agreements"][0]["status"], "UNSIGN");
    http.get(client.page_url(&request).expect("URL"))
        .send()
        .await
        .expect("page");
    let second = gw.sign_agreement("ext-1").expect("signs the new one");
    assert_ne!(second.agreement_no, agreement_no);
    assert_eq!(second.status, AgreementStatus::Normal);
    assert_eq!(gw.agreements().len(), 2);
}

/// `alipay.user.agreement.auth.apply` is an SDK-model spec (the `user` feature): the gateway
/// is given its descriptor by hand, and the test calls it untyped.
pub(crate) const AUTH_APPLY: alipay_runtime::MethodDescriptor = alipay_runtime::MethodDescriptor {
    method: "alipay.user.agreement.auth.apply",
    title: "用户授权申请",
    group: "user",
    response_node: "alipay_user_agreement_auth_apply_response",
    call_style: alipay_runtime::CallStyle::Server,
    errors: &[],
    example_response: None,
    route: None,
    validate_request: accept_any,
};

pub(crate) fn accept_any(
    _biz: Option<&Value>,
    _form: &[(String, String)],
) -> Result<(), alipay_runtime::ValidationError> {
    Ok(())
}

pub(crate) async fn apply(client: &Client, agreement_no: &str) -> String {
    let parts = alipay_runtime::RequestParts {
        biz_content: Some(json!({ "agreement_no": agreement_no }).to_string()),
        ..alipay_runtime::RequestParts::default()
    };
    let answer = client
        .execute_raw(AUTH_APPLY.method, &parts)
        .await
        .expect("auth.apply");
    let node: Value = serde_json::from_str(answer.node_text()).expect("JSON");
    node["apply_token"]
        .as_str()
        .expect("apply_token")
        .to_owned()
}

// Long because: one SMS code's life: wrong attempts, the limit, expiry, then success.
#[tokio::test]
async fn an_sms_code_confirms_a_signed_agreement_within_its_attempts() {
    let gw = TestGateway::start_with(methods_and(&[AUTH_APPLY]), |b| b)
        .await
        .expect("gateway starts");
    let client = gw.client().expect("client");
    let http = http();
    let agreement_no = signed_agreement(&client, &gw, "sms-1").await;

    let token = apply(&client, &agreement_no).await;
    let (status, sms) = control(
        &http,
        &path_url(&gw, "/control/sms-code"),
        &json!({"apply_token": token}),
    )
    .await;
    assert_eq!(status, 200, "{sms}");
    let code = sms["auth_confirm_no"].as_str().expect("a code").to_owned();
    assert_eq!(gw.sms_code(&token).expect("held").code, code);
    let confirm = |token: &str, code: &str| {
        agreement_auth_confirm::Request::new(
            agreement_no.clone(),
            token.to_owned(),
            code.to_owned(),
        )
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        refusal(&client, &confirm(&token, wrong)).await,
        "VALIDATECODE_ANSWER_ERROR"
    );
    client
        .execute(&confirm(&token, &code))
        .await
        .expect("confirmed");
    assert_eq!(
        refusal(&client, &confirm(&token, &code)).await,
        "VALIDATECODE_IS_NOT_EXIST"
    );
    assert_eq!(
        refusal(&client, &confirm("MDEDUCTnever", &code)).await,
        "AUTH_TOKEN_IS_NOT_EXIST"
    );

    // Three wrong codes, then even the right one is refused.
    let token = apply(&client, &agreement_no).await;
    let code = gw.sms_code(&token).expect("held").code;
    assert_eq!(gw.sms_codes().len(), 2);
    for _ in 0..alipay_gateway::agreements::MAX_CODE_ATTEMPTS {
        assert_eq!(
            refusal(&client, &confirm(&token, wrong)).await,
            "VALIDATECODE_ANSWER_ERROR"
        );
    }
    assert_eq!(
        refusal(&client, &confirm(&token, &code)).await,
        "VALIDATECODE_TIMES_LIMIT"
    );
    // A fresh code, and the gateway's clock past its lifetime.
    let token = apply(&client, &agreement_no).await;
    let code = gw.sms_code(&token).expect("held").code;
    gw.advance_clock(alipay_gateway::agreements::CODE_LIFETIME);
    assert_eq!(
        refusal(&client, &confirm(&token, &code)).await,
        "VALIDATECODE_EXPIRED"
    );
    let (status, _) = control(
        &http,
        &path_url(&gw, "/control/sms-code"),
        &json!({"apply_token": "x"}),
    )
    .await;
    assert_eq!(status, 404);
}
