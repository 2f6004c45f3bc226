//! Bill-payment deduction (`alipay.ebpp.pdeduct.*`) against the local gateway over real HTTP on
//! 127.0.0.1: `sign.validate` through the typed client (a doc-page spec, in the default
//! build), the SDK-model methods (`sign.add`, `pay`, `bill.pay.status`, `sign.query`,
//! `sign.cancel`, the `ebpp` feature's) given to the gateway as descriptors and called through
//! the runtime's verified untyped path, over v2 (form fields) and v3 (JSON body, query).
//! Ids, amounts and statuses agree across the calls, and the documented codes follow from
//! the state: a cancelled agreement deducts no more.

use alipay_openapi::ebpp::pdeduct_sign_validate as validate;
use alipay_runtime::v3::{HttpMethod, Route, RouteBody};
use alipay_runtime::{CallStyle, Client, Error, MethodDescriptor, RequestOptions, RequestParts};
use serde_json::Value;

use alipay_gateway::TestGateway;

use crate::money_and_agreements::accept_any;
use crate::support::{methods_and, v3_client};

const fn descriptor(method: &'static str, node: &'static str, route: Route) -> MethodDescriptor {
    MethodDescriptor {
        method,
        title: method,
        group: "ebpp",
        response_node: node,
        call_style: CallStyle::Server,
        errors: &[],
        example_response: None,
        route: Some(route),
        validate_request: accept_any,
    }
}

const fn post(path: &'static str) -> Route {
    Route {
        http_method: HttpMethod::Post,
        path,
        query: &[],
        body: RouteBody::Json,
        v2: true,
    }
}

const SIGN_ADD: MethodDescriptor = descriptor(
    "alipay.ebpp.pdeduct.sign.add",
    "alipay_ebpp_pdeduct_sign_add_response",
    post("/v3/alipay/ebpp/pdeduct/sign/add"),
);
const PAY: MethodDescriptor = descriptor(
    "alipay.ebpp.pdeduct.pay",
    "alipay_ebpp_pdeduct_pay_response",
    post("/v3/alipay/ebpp/pdeduct/pay"),
);
const PAY_STATUS: MethodDescriptor = descriptor(
    "alipay.ebpp.pdeduct.bill.pay.status",
    "alipay_ebpp_pdeduct_bill_pay_status_response",
    Route {
        http_method: HttpMethod::Get,
        path: "/v3/alipay/ebpp/pdeduct/bill/pay/status",
        query: &["agreement_id", "open_id", "out_order_no"],
        body: RouteBody::None,
        v2: true,
    },
);
const SIGN_QUERY: MethodDescriptor = descriptor(
    "alipay.ebpp.pdeduct.sign.query",
    "alipay_ebpp_pdeduct_sign_query_response",
    Route {
        http_method: HttpMethod::Get,
        path: "/v3/alipay/ebpp/pdeduct/sign/query",
        query: &[
            "user_id",
            "open_id",
            "agreement_id",
            "biz_type",
            "sub_biz_type",
            "charge_inst",
            "bill_key",
        ],
        body: RouteBody::None,
        v2: true,
    },
);
const SIGN_CANCEL: MethodDescriptor = descriptor(
    "alipay.ebpp.pdeduct.sign.cancel",
    "alipay_ebpp_pdeduct_sign_cancel_response",
    post("/v3/alipay/ebpp/pdeduct/sign/cancel"),
);

const USER: &str = "2088111133334134";
const OTHER_USER: &str = "2088000000000001";
const BILL_KEY: &str = "02659981";

/// A gateway serving the typed methods and the five SDK-model ones.
pub(crate) async fn gateway() -> TestGateway {
    let methods = methods_and(&[SIGN_ADD, PAY, PAY_STATUS, SIGN_QUERY, SIGN_CANCEL]);
    TestGateway::start_with(methods, |b| b)
        .await
        .expect("gateway starts")
}

/// Request parts made of these form fields alone.
fn form_parts(fields: &[(&'static str, &str)]) -> RequestParts {
    RequestParts {
        form: fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        ..RequestParts::default()
    }
}

/// Calls `method` over v2 with these form fields: the verified answer node, or the error.
async fn call(
    client: &Client,
    method: &MethodDescriptor,
    fields: &[(&'static str, &str)],
) -> Result<Value, Error<alipay_runtime::DynBizCode>> {
    let parts = form_parts(fields);
    let answer = client.execute_raw(method.method, &parts).await?;
    Ok(serde_json::from_str(answer.node_text()).expect("JSON"))
}

/// The same over v3.
async fn call_v3(
    client: &Client,
    method: &MethodDescriptor,
    fields: &[(&'static str, &str)],
) -> Result<Value, Error<alipay_runtime::DynBizCode>> {
    let parts = form_parts(fields);
    let route = method.route.expect("a v3 route");
    client
        .execute_raw_v3(method.method, &route, &parts, &RequestOptions::default())
        .await
        .map(Value::Object)
}

fn sub_code<T: std::fmt::Debug, E: alipay_runtime::BizErrorCode>(
    result: Result<T, Error<E>>,
) -> String {
    match result {
        Err(e) => e.sub_code().unwrap_or_else(|| panic!("{e:?}")).to_owned(),
        Ok(answer) => panic!("not refused: {answer:?}"),
    }
}

fn sign_fields(user: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("user_id", user),
        ("biz_type", "JF"),
        ("sub_biz_type", "ELECTRIC"),
        ("charge_inst", "CQCENTERELECTRIC"),
        ("bill_key", BILL_KEY),
        ("agent_channel", "PUBLICPLATFORM"),
        ("agent_code", "2021000000000000"),
        ("deduct_prod_code", "INST_DIRECT_DEDUCT"),
        ("out_agreement_id", "ext-agreement-1"),
    ]
}

/// The `agreement_id` of a sign.add answer.
fn agreement_id_of(signed: &Value) -> String {
    signed["agreement_id"]
        .as_str()
        .expect("agreement_id")
        .to_owned()
}

/// The form fields of a deduction of `amount` under `agreement_id` as `out_order_no`.
fn deduction_fields<'a>(
    agreement_id: &'a str,
    out_order_no: &'a str,
    amount: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("agreement_id", agreement_id),
        ("agent_channel", "PUBLICPLATFORM"),
        ("bill_key", BILL_KEY),
        ("out_order_no", out_order_no),
        ("pay_amount", amount),
    ]
}

/// Signs `USER`'s agreement and deducts 12.50 under it as `out_order_no`.
pub(crate) async fn sign_and_deduct(client: &Client, out_order_no: &str) {
    let signed = call(client, &SIGN_ADD, &sign_fields(USER))
        .await
        .expect("sign.add");
    let agreement_id = agreement_id_of(&signed);
    let fields = deduction_fields(&agreement_id, out_order_no, "12.50");
    call(client, &PAY, &fields).await.expect("pay");
}

fn validation(user: &str) -> validate::Request {
    validate::Request::new(
        user,
        validate::BizType::Jf,
        validate::SubBizType::Electric,
        BILL_KEY,
        "2088102118849556",
        "CQCENTERELECTRIC",
        validate::AgentChannel::Publicplatform,
        "2021000000000000",
    )
}

fn validate_code(
    result: Result<validate::Response, Error<validate::BizError>>,
) -> validate::BizError {
    match result {
        Err(Error::Business(b)) => b.sub_code().clone(),
        other => panic!("not a business error: {other:?}"),
    }
}

#[tokio::test]
// Long because: one agreement's story (validate, sign, deduct, status, query, cancel, refused).
async fn an_agreement_is_signed_deducted_under_queried_and_cancelled() {
    let gw = gateway().await;
    let client = gw.client().expect("client");

    // Nobody holds the bill: the user may sign.
    client.execute(&validation(USER)).await.expect("may sign");
    let signed = call(&client, &SIGN_ADD, &sign_fields(USER))
        .await
        .expect("sign.add");
    let agreement_id = agreement_id_of(&signed);
    assert_eq!(signed["agreement_status"], "success");
    assert_eq!(signed["out_agreement_id"], "ext-agreement-1");
    assert!(signed["sign_date"].is_string());

    // Held now: validate and sign.add say by whom.
    assert_eq!(
        validate_code(client.execute(&validation(USER)).await),
        validate::BizError::DeductSignDuplicatedSelf
    );
    assert_eq!(
        validate_code(client.execute(&validation(OTHER_USER)).await),
        validate::BizError::DeductSignDuplicatedOther
    );
    assert_eq!(
        sub_code(call(&client, &SIGN_ADD, &sign_fields(USER)).await),
        "isv.deduct-deplicated-self"
    );
    assert_eq!(
        sub_code(call(&client, &SIGN_ADD, &sign_fields(OTHER_USER)).await),
        "isv.deduct-billkey-sign-exit"
    );
    assert_eq!(
        sub_code(call(&client, &SIGN_ADD, &[("user_id", USER)]).await),
        "isv.arguments-error"
    );

    // A deduction under it, then the same again (nothing twice), then refusals.
    let client_ref = &client;
    let deduct = |out: &'static str, amount: &'static str, id: String| async move {
        let mut fields = deduction_fields(&id, out, amount);
        fields.push(("bill_date", "202612"));
        call(client_ref, &PAY, &fields).await
    };
    let paid = deduct("o-1", "12.50", agreement_id.clone())
        .await
        .expect("pay");
    let bill_no = paid["bill_no"].as_str().expect("bill_no").to_owned();
    assert_eq!(paid["agreement_id"], agreement_id.as_str());
    assert_eq!(paid["out_order_no"], "o-1");
    assert_eq!(paid["result_status"], "1");
    let again = deduct("o-1", "12.50", agreement_id.clone())
        .await
        .expect("pay again");
    assert_eq!(again["bill_no"], bill_no.as_str());
    assert_eq!(
        sub_code(deduct("o-1", "13.00", agreement_id.clone()).await),
        "INVOKE_PAYACCEPTANCE_EXCEPTION"
    );
    assert_eq!(
        sub_code(deduct("o-2", "12.5x", agreement_id.clone()).await),
        "isv.invalid-parameter"
    );
    assert_eq!(
        sub_code(deduct("o-2", "1.00", "no-such-agreement".into()).await),
        "DEDUCT_SIGN_INFO_NOT_EXIST"
    );
    assert_eq!(
        sub_code(call(&client, &PAY, &[("agent_channel", "PUBLICPLATFORM")]).await),
        "AGREEMENT_ID_IS_NULL"
    );
    let no_order_no = [
        ("agreement_id", agreement_id.as_str()),
        ("agent_channel", "PUBLICPLATFORM"),
        ("bill_key", BILL_KEY),
        ("pay_amount", "1.00"),
    ];
    assert_eq!(
        sub_code(call(&client, &PAY, &no_order_no).await),
        "INST_ORDER_NO_IS_NULL"
    );

    // Its status, by out_order_no and agreement.
    let status = [
        ("agreement_id", agreement_id.as_str()),
        ("out_order_no", "o-1"),
    ];
    let found = call(&client, &PAY_STATUS, &status).await.expect("status");
    assert_eq!(found["order_no"], bill_no.as_str());
    assert_eq!(found["status"], "1");
    assert_eq!(
        sub_code(
            call(
                &client,
                &PAY_STATUS,
                &[
                    ("agreement_id", agreement_id.as_str()),
                    ("out_order_no", "o-9")
                ]
            )
            .await
        ),
        "BILL_NOT_EXIST"
    );
    assert_eq!(
        sub_code(call(&client, &PAY_STATUS, &[("out_order_no", "o-1")]).await),
        "PARAMETER_ILLEGAL"
    );

    // The agreement, by its id and by its bill.
    let by_id = call(
        &client,
        &SIGN_QUERY,
        &[("agreement_id", agreement_id.as_str())],
    )
    .await
    .expect("query by id");
    assert_eq!(by_id["user_id"], USER);
    assert_eq!(by_id["bill_key"], BILL_KEY);
    assert_eq!(by_id["out_agreement_id"], "ext-agreement-1");
    let by_bill = call(&client, &SIGN_QUERY, &sign_fields(USER)[..5])
        .await
        .expect("query by bill");
    assert_eq!(by_bill["agreement_id"], agreement_id.as_str());

    // Cancelled: deductions under it are refused with the documented code, and the bill is
    // free again.
    let cancel = [
        ("agreement_id", agreement_id.as_str()),
        ("agent_channel", "PUBLICPLATFORM"),
        ("user_id", USER),
    ];
    let cancelled = call(&client, &SIGN_CANCEL, &cancel).await.expect("cancel");
    assert_eq!(cancelled["agreement_id"], agreement_id.as_str());
    assert_eq!(cancelled["agreement_status"], "success");
    assert_eq!(
        sub_code(call(&client, &SIGN_CANCEL, &cancel).await),
        "isv.cancel-sign-failure"
    );
    assert_eq!(
        sub_code(deduct("o-3", "12.50", agreement_id.clone()).await),
        "DEDUCT_SIGN_INFO_NOT_EXIST"
    );
    assert_eq!(
        sub_code(
            call(
                &client,
                &SIGN_QUERY,
                &[("agreement_id", agreement_id.as_str())]
            )
            .await
        ),
        "DEDUCT_SIGN_INFO_NOT_EXIST"
    );
    client
        .execute(&validation(OTHER_USER))
        .await
        .expect("free again");
    // The bill paid before the cancel is still there.
    let found = call(&client, &PAY_STATUS, &status).await.expect("status");
    assert_eq!(found["order_no"], bill_no.as_str());

    // The state, from Rust and as JSON.
    let agreements = gw.deduct_agreements();
    assert_eq!(agreements.len(), 1);
    assert!(!agreements[0].is_active());
    assert_eq!(gw.deduct_bills().len(), 1);
    let state: Value = reqwest::get(format!("http://{}/control/deductions", gw.addr()))
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        state["agreements"][0]["agreement_id"],
        agreement_id.as_str()
    );
    assert_eq!(state["agreements"][0]["status"], "CANCELLED");
    assert_eq!(state["bills"][0]["bill_no"], bill_no.as_str());
    assert_eq!(state["bills"][0]["pay_amount"], "12.50");
}

#[tokio::test]
async fn the_same_agreement_over_v3_and_v2() {
    let gw = gateway().await;
    let v2 = gw.client().expect("client");
    let v3 = v3_client(&gw);
    // Signed over v3 (a JSON body), deducted over v2 (form fields), its status over v3 (a GET
    // with a query).
    let signed = call_v3(&v3, &SIGN_ADD, &sign_fields(USER))
        .await
        .expect("sign.add over v3");
    let agreement_id = agreement_id_of(&signed);
    let fields = deduction_fields(&agreement_id, "v3-o-1", "30.00");
    let paid = call(&v2, &PAY, &fields).await.expect("pay over v2");
    let status = [
        ("agreement_id", agreement_id.as_str()),
        ("out_order_no", "v3-o-1"),
    ];
    let found = call_v3(&v3, &PAY_STATUS, &status)
        .await
        .expect("status over v3");
    assert_eq!(found["order_no"], paid["bill_no"]);
    assert_eq!(found["status"], "1");
    // A v3 business error is HTTP 400 with the code.
    match call_v3(
        &v3,
        &PAY_STATUS,
        &[("agreement_id", "x"), ("out_order_no", "y")],
    )
    .await
    {
        Err(e) => assert_eq!(e.sub_code(), Some("BILL_NOT_EXIST"), "{e:?}"),
        Ok(answer) => panic!("{answer}"),
    }
    assert_eq!(gw.deduct_bills()[0].pay_amount.as_str(), "30.00");
}
