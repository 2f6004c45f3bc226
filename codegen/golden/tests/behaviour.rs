//! What the generated code does, pinned on the golden fixtures.

use alipay_codegen_golden::shapes::order_create::{
    self, BizError, Buyer, Category, CategoryInResponse, CategoryLevel, Channels, Goods,
    GoodsInResponse, PayMode, Request, Response, TradeStatus,
};
use alipay_codegen_golden::{METHODS, ebpp, find_method, hard_names};
use alipay_runtime::{BizErrorCode, Method, Price, Rule, ValidationError};
use serde_json::json;

fn price(s: &str) -> Price {
    s.parse().unwrap()
}

fn order() -> Request {
    Request::new(
        "T1",
        price("88.88"),
        PayMode::Fast,
        vec![Goods::new("g1", price("1.00"))],
    )
}

/// An order numbered `out_trade_no` of one 1-yuan good.
fn order_numbered(out_trade_no: &str) -> Request {
    Request::new(
        out_trade_no,
        price("1"),
        PayMode::Fast,
        vec![Goods::new("g", price("1"))],
    )
}

#[test]
fn unknown_enum_values_are_kept_both_ways() {
    let response: Response = serde_json::from_value(json!({
        "trade_no": "2013",
        "trade_status": "TRADE_FROZEN",
        "goods": [{"goods_id": "g", "price": "1.00", "categories": [{"name": "c", "level": "MIDDLE"}]}],
    }))
    .unwrap();
    assert_eq!(
        response.trade_status,
        Some(TradeStatus::Other("TRADE_FROZEN".into()))
    );
    let goods = response.goods.as_ref().unwrap();
    let level = goods[0].categories.as_ref().unwrap()[0]
        .level
        .as_ref()
        .unwrap();
    assert_eq!(level, &CategoryLevel::Other("MIDDLE".into()));
    assert_eq!(level.as_str(), "MIDDLE");
    assert_eq!(
        response.trade_status.as_ref().unwrap().as_str(),
        "TRADE_FROZEN"
    );

    assert_eq!(
        TradeStatus::from("TRADE_SUCCESS"),
        TradeStatus::TradeSuccess
    );
    assert_eq!(
        TradeStatus::from("TRADE_SUCCESS".to_owned()).as_str(),
        "TRADE_SUCCESS"
    );
    assert_eq!(TradeStatus::VALUES, ["WAIT_BUYER_PAY", "TRADE_SUCCESS"]);
    assert_eq!(TradeStatus::TradeSuccess.to_string(), "TRADE_SUCCESS");
}

#[test]
fn unknown_error_codes_are_kept_and_known_ones_documented() {
    let known = BizError::from("ACQ.SYSTEM_ERROR");
    assert_eq!(known, BizError::AcqSystemError);
    assert_eq!(known.as_str(), "ACQ.SYSTEM_ERROR");
    assert_eq!(known.description(), Some("系统错误"));
    assert_eq!(known.solution(), Some("重新发起请求"));
    // Two codes that become the same identifier both get a variant.
    assert_eq!(
        BizError::from("acq.system-error"),
        BizError::AcqSystemError2
    );
    assert_eq!(BizError::AcqSystemError2.as_str(), "acq.system-error");

    let unknown = BizError::from("ACQ.NEW_CODE");
    assert_eq!(unknown, BizError::Unknown("ACQ.NEW_CODE".into()));
    assert_eq!(unknown.as_str(), "ACQ.NEW_CODE");
    assert_eq!(unknown.description(), None);

    // A method without an error table still has an open enum.
    let none = alipay_codegen_golden::shapes::ping::BizError::from("ANY");
    assert_eq!(none.as_str(), "ANY");
    // A code named UNKNOWN does not collide with the catch-all.
    assert_eq!(
        hard_names::type_query::BizError::from("UNKNOWN"),
        hard_names::type_query::BizError::Unknown2
    );
}

#[test]
fn validation_names_the_field_and_the_rule() {
    assert_eq!(order().validate(), Ok(()));

    let empty = order_numbered("");
    assert_eq!(
        empty.validate(),
        Err(ValidationError::new("out_trade_no", Rule::Required))
    );

    // Lengths are counted in characters, not bytes.
    let long = order_numbered("订单号一二三四五六");
    assert_eq!(
        long.validate().unwrap_err().rule,
        Rule::MaxLength { max: 8, actual: 9 }
    );
    let eight = order_numbered("订单号一二三四五");
    assert_eq!(eight.validate(), Ok(()));

    let no_goods = Request::new("T", price("1"), PayMode::Fast, Vec::new());
    assert_eq!(
        no_goods.validate(),
        Err(ValidationError::new("goods", Rule::Required))
    );

    let nested = Request::new(
        "T",
        price("1"),
        PayMode::Fast,
        vec![
            Goods::new("g", price("1")),
            Goods::new("g", price("1"))
                .categories(vec![Category::new("ok"), Category::new("far too long")]),
        ],
    );
    let err = nested.validate().unwrap_err();
    assert_eq!(err.field, "goods[1].categories[1].name");
    assert_eq!(err.rule, Rule::MaxLength { max: 6, actual: 12 });

    let tags = order().tags(vec!["ok".to_owned(), "toolong".to_owned()]);
    assert_eq!(tags.validate().unwrap_err().field, "tags[1]");

    let date = order().gmt_expire("2024-01-02T03:04:05");
    assert!(matches!(
        date.validate().unwrap_err().rule,
        Rule::Format { .. }
    ));
    assert_eq!(order().birth_day("2024-02-29").validate(), Ok(()));
    assert_eq!(
        order()
            .birth_day("2023-02-29")
            .validate()
            .unwrap_err()
            .field,
        "birth_day"
    );

    let buyer = order().buyer(Buyer::new(""));
    assert_eq!(
        buyer.validate(),
        Err(ValidationError::new("buyer.buyer_id", Rule::Required))
    );
}

#[test]
fn file_fields_are_uploads_and_never_json() {
    let receipt = alipay_runtime::FileUpload::from_bytes("r.jpg", vec![1, 2, 3]);
    let with_file = order().receipt(receipt.clone());
    assert_eq!(with_file.validate(), Ok(()));
    let parts = with_file.to_parts().unwrap();
    assert_eq!(parts.files, vec![("receipt", receipt)]);
    // Neither in biz_content nor a text form field.
    assert!(!parts.biz_content.as_deref().unwrap().contains("receipt"));
    assert!(parts.form.iter().all(|(k, _)| *k != "receipt"));
    let from_disk = order().receipt(std::path::PathBuf::from("/tmp/r.png"));
    assert_eq!(
        from_disk.to_parts().unwrap().files[0].1.content_type(),
        "image/png"
    );

    // Validation of a received request: the file part's name stands for the file.
    let form = vec![("receipt".to_owned(), "r.jpg".to_owned())];
    let typed = order_create::request_from_json(Some(&order_json()), &form).unwrap();
    assert_eq!(
        typed.receipt,
        Some(alipay_runtime::FileUpload::described("r.jpg"))
    );
    assert_eq!(
        (order_create::DESCRIPTOR.validate_request)(Some(&order_json()), &form),
        Ok(())
    );
    // ... and has nothing to send.
    let err = typed.to_parts().unwrap_err();
    assert_eq!(err.field, "receipt");
    // A file is never a biz_content member.
    let mut inside = order_json();
    inside["receipt"] = json!("r.jpg");
    let err = (order_create::DESCRIPTOR.validate_request)(Some(&inside), &[]).unwrap_err();
    assert_eq!(
        err.rule,
        Rule::Unsupported(alipay_runtime::validate::FILE_IN_BIZ_CONTENT)
    );
}

fn order_json() -> serde_json::Value {
    json!({
        "out_trade_no": "T1", "total_amount": "88.88", "pay_mode": "FAST",
        "goods": [{"goods_id": "g1", "price": "1.00"}],
    })
}

#[test]
fn to_parts_splits_biz_content_and_form_fields() {
    let request = order()
        .quantity(3)
        .channels(vec![Channels::App, Channels::Other("MINI".into())])
        .notify_url("https://example.com/notify")
        .extend_params(order_create::ExtendParams::new().sys_service_provider_id("2088"));
    let parts = request.to_parts().unwrap();
    let biz: serde_json::Value =
        serde_json::from_str(parts.biz_content.as_deref().unwrap()).unwrap();
    assert_eq!(
        biz,
        json!({
            "out_trade_no": "T1",
            "total_amount": "88.88",
            "quantity": 3,
            "pay_mode": "FAST",
            "channels": ["APP", "MINI"],
            "goods": [{"goods_id": "g1", "price": "1.00"}],
        })
    );
    assert_eq!(
        parts.form,
        vec![
            ("notify_url", "https://example.com/notify".to_owned()),
            (
                "extend_params",
                r#"{"sys_service_provider_id":"2088"}"#.to_owned()
            ),
        ]
    );
    assert_eq!(Request::METHOD, "alipay.shapes.order.create");
    assert_eq!(
        Request::RESPONSE_NODE,
        "alipay_shapes_order_create_response"
    );

    let ping = alipay_codegen_golden::shapes::ping::Request::new()
        .to_parts()
        .unwrap();
    assert_eq!(ping.biz_content, None);
    assert!(ping.form.is_empty());
}

#[test]
fn responses_are_lenient_and_public_fields_appear_once() {
    let response: Response = serde_json::from_value(json!({
        "code": "10000",
        "msg": "Success",
        "trade_no": "2013",
        "item_count": "12",
        "paid": "true",
        "total_amount": "9.90",
        "something_new": {"a": 1},
    }))
    .unwrap();
    assert_eq!(response.code.as_deref(), Some("10000"));
    assert_eq!(response.msg.as_deref(), Some("Success"));
    assert_eq!(response.item_count, Some(12));
    assert_eq!(response.paid, Some(true));
    assert_eq!(response.total_amount, Some(price("9.90")));
    let empty: Response = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, Response::default());
    // One JSON key, one Rust field: the spec's own `code` merged with the public one.
    let source = include_str!("../src/generated/shapes.rs");
    let module = &source[source.find("pub mod order_create {").unwrap()..];
    let response = &module[module.find("pub struct Response {").unwrap()..];
    let response = &response[..response.find("\n    }\n").unwrap()];
    assert_eq!(response.matches("pub code:").count(), 1, "{response}");
}

#[test]
fn models_the_request_requires_fields_of_still_decode_from_answers_that_leave_them_out() {
    // `Goods` (and the `Category` it holds) require fields on the request side; the
    // response reads them through twins whose fields are all optional.
    let response: Response = serde_json::from_value(json!({
        "trade_no": "2013",
        "goods": [{"categories": [{"level": "TOP"}]}, {"goods_id": "g2", "price": "1.50"}],
    }))
    .unwrap();
    let goods: &Vec<GoodsInResponse> = response.goods.as_ref().unwrap();
    assert_eq!(goods[0].goods_id, None);
    assert_eq!(goods[0].price, None);
    let category: &CategoryInResponse = &goods[0].categories.as_ref().unwrap()[0];
    assert_eq!(category.name, None);
    assert_eq!(category.level, Some(CategoryLevel::Top));
    assert_eq!(goods[1].goods_id.as_deref(), Some("g2"));
    assert_eq!(goods[1].price, Some(price("1.50")));
    // The request side still requires them.
    let missing = json!({
        "out_trade_no": "T1", "total_amount": "1.00", "pay_mode": "FAST",
        "goods": [{"price": "1.00"}],
    });
    assert!(serde_json::from_value::<Request>(missing).is_err());
}

#[test]
fn strict_validation_refuses_unlisted_values_and_names_missing_fields() {
    let validate = order_create::DESCRIPTOR.validate_request;
    let good = json!({
        "out_trade_no": "T1", "total_amount": "1.00", "pay_mode": "FAST",
        "goods": [{"goods_id": "g", "price": "1"}],
    });
    assert_eq!(validate(Some(&good), &[]), Ok(()));

    // The typed client accepts a value added later; the strict check does not.
    let mut other = good.clone();
    other["pay_mode"] = json!("TURBO");
    let typed: Request = order_create::request_from_json(Some(&other), &[]).unwrap();
    assert_eq!(typed.pay_mode, PayMode::Other("TURBO".into()));
    assert_eq!(typed.validate(), Ok(()));
    let err = validate(Some(&other), &[]).unwrap_err();
    assert_eq!(err.field, "pay_mode");
    assert!(matches!(err.rule, Rule::NotAllowed { .. }));

    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("out_trade_no");
    assert_eq!(
        validate(Some(&missing), &[]),
        Err(ValidationError::new("out_trade_no", Rule::Required))
    );

    let mut nested_missing = good.clone();
    nested_missing["goods"] = json!([{"goods_id": "g", "price": "1"}, {"goods_id": "g"}]);
    assert_eq!(
        validate(Some(&nested_missing), &[]),
        Err(ValidationError::new("goods[1].price", Rule::Required))
    );

    let mut wrong_type = good.clone();
    wrong_type["out_trade_no"] = json!(5);
    assert_eq!(
        validate(Some(&wrong_type), &[]),
        Err(ValidationError::new(
            "out_trade_no",
            Rule::Type {
                expected: "a string"
            }
        ))
    );

    let mut nested_level = good.clone();
    nested_level["goods"][0]["categories"] = json!([{"name": "c", "level": "MIDDLE"}]);
    assert_eq!(
        validate(Some(&nested_level), &[]).unwrap_err().field,
        "goods[0].categories[0].level"
    );

    // Form fields are read from the form, JSON ones parsed.
    let form = vec![
        ("notify_url".to_owned(), "x".repeat(257)),
        ("app_id".to_owned(), "2014".to_owned()),
    ];
    assert_eq!(
        validate(Some(&good), &form).unwrap_err().field,
        "notify_url"
    );
    let form = vec![("extend_params".to_owned(), "not json".to_owned())];
    assert_eq!(
        validate(Some(&good), &form).unwrap_err().field,
        "extend_params"
    );
}

#[test]
fn seeds_validate_like_the_page_says() {
    use ebpp::pdeduct_sign_validate::{AgentChannel, BizType, SubBizType};
    let request = ebpp::pdeduct_sign_validate::Request::new(
        "2088111133334134",
        BizType::Jf,
        SubBizType::Electric,
        "02659981",
        "2088101118392209",
        "HANGZHOU_ELECTRIC",
        AgentChannel::from("PUBLICPLATFORM"),
        "1000000",
    );
    assert_eq!(request.validate(), Ok(()));
    let too_long = ebpp::pdeduct_sign_validate::Request::new(
        "20881111333341345",
        BizType::Jf,
        SubBizType::Electric,
        "1",
        "1",
        "1",
        AgentChannel::from("PUBLICPLATFORM"),
        "1",
    );
    assert_eq!(too_long.validate().unwrap_err().field, "user_id");

    let confirm = alipay_codegen_golden::user::agreement_auth_confirm::Request::new("a", "b", "c");
    assert_eq!(confirm.validate(), Ok(()));
}

#[test]
fn hard_names_survive() {
    use hard_names::type_query::{
        Option as OptionModel, Request as Req, Result as ResultModel, Type,
    };
    assert_eq!(Type::from("UNKNOWN"), Type::Unknown);
    assert_eq!(Type::from("Other"), Type::Other2);
    assert_eq!(Type::from("1"), Type::N1);
    assert_eq!(Type::from("个人").as_str(), "个人");
    assert_eq!(Type::from("new"), Type::Other("new".into()));
    let request = Req::new(Type::Unknown)
        .self_("s")
        .r#ref("r")
        .result(ResultModel::new().r#use("u"))
        .option(vec![OptionModel::new("t")])
        .user_id("camel")
        .user_id_snake("snake")
        ._3d_secure(true)
        .set_new("n")
        .r#match(7);
    let biz: serde_json::Value =
        serde_json::from_str(&request.to_parts().unwrap().biz_content.unwrap()).unwrap();
    assert_eq!(biz["type"], "UNKNOWN");
    assert_eq!(biz["self"], "s");
    assert_eq!(biz["userId"], "camel");
    assert_eq!(biz["user_id"], "snake");
    assert_eq!(biz["3d_secure"], true);
    assert_eq!(biz["new"], "n");
    assert_eq!(biz["match"], 7);
    assert_eq!(biz["result"]["use"], "u");
    assert_eq!(biz["option"][0]["type"], "t");
    assert_eq!(request.validate(), Ok(()));
    let err = Req::new(Type::Unknown)
        .option(vec![OptionModel::new("")])
        .validate()
        .unwrap_err();
    assert_eq!(err.field, "option[0].type");
}

#[test]
fn the_registry_lists_every_method_sorted() {
    let names: Vec<&str> = METHODS.iter().map(|m| m.method).collect();
    assert_eq!(
        names,
        [
            "alipay.ebpp.pdeduct.sign.validate",
            "alipay.shapes.order.create",
            "alipay.shapes.order.query",
            "alipay.shapes.ping",
            "alipay.user.agreement.auth.confirm",
            "hard.names.type.query",
        ]
    );
    let d = find_method("alipay.shapes.order.create").unwrap();
    assert_eq!(d.group, "shapes");
    assert_eq!(d.response_node, "alipay_shapes_order_create_response");
    assert_eq!(d.errors.len(), 3);
    assert_eq!(d.errors[0].code, "ACQ.SYSTEM_ERROR");
    assert!(d.example_response.unwrap().contains("trade_no"));
    assert_eq!(
        find_method("hard.names.type.query").unwrap().group,
        "hard_names"
    );
    assert!(find_method("alipay.nope").is_none());
}

#[test]
fn at_least_one_of_a_group_must_be_given() {
    use alipay_codegen_golden::shapes::order_query::Request as Query;
    use alipay_runtime::Rule;
    let none = Query::new().query_options(vec!["fund_bill_list".to_owned()]);
    let err = none.validate().unwrap_err();
    assert_eq!(err.field, "out_trade_no");
    assert_eq!(
        err.rule,
        Rule::AtLeastOneOf {
            group: vec!["out_trade_no".to_owned(), "trade_no".to_owned()]
        }
    );
    assert!(err.to_string().contains("`trade_no`"), "{err}");
    // An empty text counts as not given, as for a required field.
    assert!(Query::new().out_trade_no("").validate().is_err());
    assert_eq!(Query::new().out_trade_no("T1").validate(), Ok(()));
    assert_eq!(Query::new().trade_no("2088").validate(), Ok(()));
    // The JSON path (the local gateway, call_json) refuses the same request.
    let from_json = alipay_codegen_golden::shapes::order_query::validate_request(
        Some(&serde_json::json!({"query_options": ["x"]})),
        &[],
    );
    assert_eq!(from_json.unwrap_err().field, "out_trade_no");
}
