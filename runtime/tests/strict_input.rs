//! Input read strictly, each found by a probe of the client or the CLI: an untyped v3 answer
//! holding a key twice, key and certificate files that are endless streams.

use alipay_runtime::{Error, Protocol};

use crate::server::*;

#[tokio::test]
async fn an_untyped_v3_answer_holding_a_key_twice_is_malformed_not_read_as_one_value() {
    // Found by a probe of `alipay call --protocol v3`: `execute_raw_v3` read a verified body
    // holding `out_trade_no` twice (or a key twice deeper down) as its last value, as
    // serde_json's `Value` does; the v2 node and the typed responses refuse duplicates.
    use alipay_runtime::v3::{HttpMethod, Route, RouteBody};
    use alipay_runtime::{RequestOptions, RequestParts};
    let route = Route {
        http_method: HttpMethod::Post,
        path: "/v3/alipay/trade/query",
        query: &[],
        body: RouteBody::Json,
        v2: true,
    };
    let parts = RequestParts {
        biz_content: Some(r#"{"out_trade_no":"A"}"#.to_owned()),
        form: Vec::new(),
        files: Vec::new(),
    };
    for (body, key) in [
        (r#"{"out_trade_no":"A","out_trade_no":"B"}"#, "out_trade_no"),
        (r#"{"x":{"a":1,"a":2}}"#, "a"),
        (r#"{"out_trade_no":"A"}"#, ""),
    ] {
        let answer = v3_signed("200 OK", body);
        let server = Server::start(move |_| vec![Step::Write(answer.clone())]).await;
        let client = client_for(&server)
            .protocol(Protocol::V3)
            .build()
            .expect("client");
        let result = client
            .execute_raw_v3("alipay.trade.query", &route, &parts, &RequestOptions::new())
            .await;
        if key.is_empty() {
            assert_eq!(result.expect(body)["out_trade_no"], "A", "{body}");
            continue;
        }
        let err = result.expect_err(body);
        assert!(
            matches!(err, Error::MalformedBody { .. }),
            "{body}: {err:?}"
        );
        let words = format!("the key `{key}` is sent more than once");
        assert!(err.to_string().contains(&words), "{body}: {err}");
    }
}

#[test]
fn an_endless_key_or_certificate_file_is_read_no_further_than_a_bound() {
    // Found by a probe of the CLI: `--app-cert /dev/stdin` (and a key file naming an endless
    // stream) read until memory ran out.
    use alipay_runtime::cert::{AlipayCert, AppCert, RootBundle};
    use alipay_runtime::keys::{KeyError, PrivateKey, PublicKey};
    let endless = "/dev/zero";
    for err in [
        PrivateKey::from_file(endless).map(drop).unwrap_err(),
        PublicKey::from_file(endless).map(drop).unwrap_err(),
    ] {
        assert!(matches!(err, KeyError::Io { .. }), "{err:?}");
        assert!(format!("{err:?}").contains("longer than"), "{err:?}");
    }
    for err in [
        AppCert::from_file(endless).map(drop).unwrap_err(),
        AlipayCert::from_file(endless).map(drop).unwrap_err(),
        RootBundle::from_file(endless).map(drop).unwrap_err(),
    ] {
        assert!(format!("{err:?}").contains("longer than"), "{err:?}");
    }
}
