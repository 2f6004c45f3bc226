//! Unit tests of the error texts and conversions.

use super::*;
use crate::gateway_code::{GatewayCode, PublicSubCode};
use crate::method::ErrorDoc;

#[derive(Debug, Clone, PartialEq)]
enum TestCode {
    Expired,
    Other(String),
}

impl From<&str> for TestCode {
    fn from(s: &str) -> Self {
        match s {
            "VALIDATECODE_EXPIRED" => TestCode::Expired,
            o => TestCode::Other(o.to_owned()),
        }
    }
}

impl BizErrorCode for TestCode {
    fn as_str(&self) -> &str {
        match self {
            TestCode::Expired => "VALIDATECODE_EXPIRED",
            TestCode::Other(s) => s,
        }
    }
    fn description(&self) -> Option<&'static str> {
        matches!(self, TestCode::Expired).then_some("校验码超时")
    }
    fn solution(&self) -> Option<&'static str> {
        matches!(self, TestCode::Expired).then_some("校验码超时,商户可重新发起一次鉴权申请")
    }
}

fn business(sub_code: &str, sub_msg: &str) -> Error<TestCode> {
    Error::Business(BusinessError {
        code: "40004".into(),
        msg: "Business Failed".into(),
        sub_code: TestCode::from(sub_code),
        sub_msg: sub_msg.into(),
    })
}

#[test]
fn business_error_reads_like_the_issue_says() {
    let e = business("VALIDATECODE_EXPIRED", "校验码超时");
    assert_eq!(
        e.to_string(),
        "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
    );
    assert_eq!(e.code(), Some("40004"));
    assert_eq!(e.sub_code(), Some("VALIDATECODE_EXPIRED"));
    let undocumented = business("NEW_CODE", "新的错误");
    assert_eq!(
        undocumented.to_string(),
        "40004 Business Failed: NEW_CODE 新的错误"
    );
}

#[test]
fn map_business_keeps_docs_in_dyn_code() {
    let e = business("VALIDATECODE_EXPIRED", "").map_business(|c| DynBizCode::from_typed(&c));
    let Error::Business(b) = &e else {
        panic!("not a business error: {e:?}")
    };
    assert_eq!(b.sub_code.code, "VALIDATECODE_EXPIRED");
    assert_eq!(
        e.to_string(),
        "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
    );
    const DOCS: &[ErrorDoc] = &[ErrorDoc {
        code: "X",
        description: "d",
        solution: "s",
    }];
    assert_eq!(DynBizCode::documented("X", DOCS).solution, Some("s"));
    assert_eq!(DynBizCode::documented("Y", DOCS).solution, None);
}

#[test]
fn gateway_error_names_code_sub_code_and_solution() {
    let e: Error<TestCode> = Error::Gateway(GatewayError {
        code: GatewayCode::InvalidArguments,
        msg: "Invalid Arguments".into(),
        sub_code: PublicSubCode::InvalidAppId,
        sub_msg: "无效的AppID参数".into(),
        node: r#"{"code":"40002"}"#.into(),
    });
    assert_eq!(
        e.to_string(),
        "40002 Invalid Arguments: isv.invalid-app-id 无效的AppID参数 (solution: 检查入参app_id，app_id不存在，或者未上线)"
    );
    assert_eq!(e.sub_code(), Some("isv.invalid-app-id"));
}

#[test]
fn an_in_process_answer_is_decoded_and_its_node_stays_out_of_debug() {
    #[derive(serde::Deserialize)]
    struct Waiting {
        trade_no: String,
    }
    let g = GatewayError {
        code: GatewayCode::from_code("10003"),
        msg: " order success pay inprocess".into(),
        sub_code: PublicSubCode::from_code(""),
        sub_msg: String::new(),
        node: r#"{"code":"10003","trade_no":"2013112011001004330000121536","buyer_logon_id":"159****5620"}"#.into(),
    };
    assert_eq!(*g.code(), GatewayCode::InProcess);
    assert_eq!(g.code().description(), Some("业务处理中"));
    let waiting: Waiting = g.decode_answer().expect("decoded");
    assert_eq!(waiting.trade_no, "2013112011001004330000121536");
    let debug = format!("{g:?}");
    assert!(!debug.contains("2013112011001004330000121536"), "{debug}");
    assert!(debug.contains("node_len"), "{debug}");
}

#[test]
fn unverified_answer_says_so() {
    let e: Error<TestCode> = Error::UnverifiedGatewayAnswer(UnverifiedAnswer {
        code: "40002".into(),
        sub_code: Some("isv.invalid-signature".into()),
        msg: "Invalid Arguments".into(),
        sub_msg: Some("验签出错".into()),
    });
    let text = e.to_string();
    assert!(text.contains("unsigned (unverified)"), "{text}");
    assert!(
        text.ends_with("40002 Invalid Arguments: isv.invalid-signature 验签出错"),
        "{text}"
    );
}

#[test]
fn transport_error_states_whether_the_request_reached_the_gateway() {
    let refused = || Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
    let cases = [
        (
            TransportKind::Connect,
            RequestSent::NotSent,
            "could not connect to the gateway (the request did not reach the gateway)",
        ),
        (
            TransportKind::Timeout,
            RequestSent::MaybeSent,
            "the call to the gateway timed out (the request may have reached the gateway: query its outcome before resending)",
        ),
        (
            TransportKind::ResponseBody,
            RequestSent::Sent,
            "the gateway's answer was cut off (the request reached the gateway: query its outcome before resending)",
        ),
    ];
    for (kind, sent, start) in cases {
        let e: Error<TestCode> = Error::Transport(TransportError::new(kind, sent, refused()));
        let text = e.to_string();
        assert!(text.starts_with(start), "{text}");
        assert_eq!(e.request_sent(), sent);
        assert_eq!(sent.may_have_taken_effect(), sent != RequestSent::NotSent);
        // The source chain stays reachable for callers that walk it.
        assert!(std::error::Error::source(&e).is_some());
    }
    let e: Error<TestCode> = Error::MalformedBody { reason: "x".into() };
    assert_eq!(e.request_sent(), RequestSent::Sent);
    let e: Error<TestCode> = Error::Config(ConfigError::MissingAppId);
    assert_eq!(e.request_sent(), RequestSent::NotSent);
}

#[test]
fn invalid_signature_names_node_sign_type_and_charset() {
    let e: Error<TestCode> = Error::Signature(SignatureError::Invalid {
        node: "alipay_trade_query_response".into(),
        sign_type: crate::sign::SignType::Rsa2,
        charset: crate::charset::Charset::Gbk,
    });
    assert_eq!(
        e.to_string(),
        "the gateway's answer failed verification: the signature does not verify as RSA2 over \
         the text of `alipay_trade_query_response` in GBK with the configured Alipay public key \
         (altered body, wrong key or wrong sign type)"
    );
}

#[test]
fn snippet_is_bounded_and_clean() {
    let html = format!("<html>\r\n<body>\t{}</body></html>", "x".repeat(5000));
    let s = body_snippet(html.as_bytes());
    assert!(s.starts_with("<html> <body> xxx"), "{s}");
    assert_eq!(s.chars().count(), 201);
    assert_eq!(body_snippet(b"  oops \n"), "oops");
    assert_eq!(body_snippet(&[0xff, b'a']), "\u{fffd}a");
}
