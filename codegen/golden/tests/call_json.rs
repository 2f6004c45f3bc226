//! The generated registry against the local gateway: `call_json` goes through the typed
//! request and its validation, and business errors keep their documentation.

use alipay_codegen_golden::shapes::order_create::{self, BizError, Goods, PayMode, Request};
use alipay_codegen_golden::{METHODS, call_json};
use alipay_gateway::{Scenario, TestGateway};
use alipay_runtime::{Error, Price, Rule};
use serde_json::json;

fn order_json() -> serde_json::Value {
    json!({
        "out_trade_no": "T1", "total_amount": "88.88", "pay_mode": "FAST",
        "goods": [{"goods_id": "g1", "price": "1.00"}],
    })
}

#[tokio::test]
async fn call_json_validates_sends_and_types_the_answer() {
    let gw = TestGateway::start(METHODS).await.unwrap();
    let client = gw.client().unwrap();

    let answer = call_json(&client, "alipay.shapes.order.create", order_json(), &[])
        .await
        .unwrap();
    // The verified node as the gateway sent it (its example response), not a re-encoding
    // of the typed response.
    assert_eq!(
        answer,
        json!({"code": "10000", "msg": "Success", "trade_no": "2013112011001004330000121536"}),
    );
    assert_eq!(gw.request_count(), 1);

    // Invalid parameters never leave the process.
    let mut missing = order_json();
    missing.as_object_mut().unwrap().remove("out_trade_no");
    match call_json(&client, "alipay.shapes.order.create", missing, &[]).await {
        Err(Error::InvalidRequest(e)) => {
            assert_eq!(e.field, "out_trade_no");
            assert_eq!(e.rule, Rule::Required);
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
    match call_json(&client, "alipay.nope", json!({}), &[]).await {
        Err(Error::InvalidRequest(e)) => assert_eq!(e.field, "method"),
        other => panic!("expected an unknown method, got {other:?}"),
    }
    // A file named in JSON has no content: refused before anything is sent.
    let with_file = vec![("receipt".to_owned(), "r.jpg".to_owned())];
    match call_json(
        &client,
        "alipay.shapes.order.create",
        order_json(),
        &with_file,
    )
    .await
    {
        Err(Error::InvalidRequest(e)) => {
            assert_eq!(e.field, "receipt");
            assert!(matches!(e.rule, Rule::Unsupported(_)), "{e}");
        }
        other => panic!("expected a refused upload, got {other:?}"),
    }
    assert_eq!(gw.request_count(), 1);

    // A documented business error keeps its description through the dynamic path.
    gw.set_scenario(
        "alipay.shapes.order.create",
        Scenario::business_error("ACQ.SYSTEM_ERROR"),
    )
    .unwrap();
    match call_json(&client, "alipay.shapes.order.create", order_json(), &[]).await {
        Err(Error::Business(b)) => {
            assert_eq!(b.sub_code().code, "ACQ.SYSTEM_ERROR");
            assert_eq!(b.sub_code().description, Some("系统错误"));
        }
        other => panic!("expected a business error, got {other:?}"),
    }
}

#[tokio::test]
async fn typed_calls_type_the_business_error() {
    let gw = TestGateway::start(METHODS).await.unwrap();
    let client = gw.client().unwrap();
    let request = Request::new(
        "T1",
        "88.88".parse::<Price>().unwrap(),
        PayMode::Fast,
        vec![Goods::new("g1", "1.00".parse::<Price>().unwrap())],
    );
    gw.set_scenario(
        order_create::DESCRIPTOR.method,
        Scenario::business_error("ACQ.INVALID_PARAMETER"),
    )
    .unwrap();
    match client.execute(&request).await {
        Err(Error::Business(b)) => {
            assert_eq!(b.sub_code(), &BizError::AcqInvalidParameter)
        }
        other => panic!("expected a business error, got {other:?}"),
    }
}
