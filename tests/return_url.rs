//! The return to `return_url` of a GBK page payment whose `return_url` holds raw non-ASCII
//! characters (Alipay asks for it unescaped), over real HTTP on 127.0.0.1: the gateway's
//! redirect is a URI (ASCII only), its query in the one charset its `charset` names, so an
//! HTTP client follows it to the merchant and `verify_return` accepts what arrives.
//!
//! The finding (issue 32): the gateway wrote the `return_url`'s characters raw into the
//! `Location` header, as UTF-8 bytes, beside return parameters percent-encoded in GBK. Such a
//! header is no URI: an HTTP client refused to follow it, and a browser percent-encoded the bytes
//! as UTF-8, so the query mixed UTF-8 and GBK and `verify_return`, which decodes the query in
//! the charset it names, refused it as malformed. The gateway was wrong; the runtime's rule (one
//! charset, the one named) is Alipay's.

use alipay_runtime::{Charset, NotifyError, verify_return};

use crate::merchant::Merchant;
use crate::support::{PAGE_PAY, get_page, get_url, order, page_request, start};

/// Opens the cashier for `out` with `return_url` (GBK) and presses pay: the `Location` the
/// gateway answered, which the buyer's browser then follows to the merchant.
async fn pay_and_return(gw: &alipay_gateway::TestGateway, return_url: &str, out: &str) -> String {
    let client = gw
        .client_builder()
        .charset(Charset::Gbk)
        .return_url(return_url)
        .build()
        .expect("client");
    let http = crate::support::http();
    let p = page_request(&client, PAGE_PAY, &order(out, "10.00", "电费"));
    let (status, _, _) = get_page(&http, &get_url(&p)).await;
    assert_eq!(status, 200);
    let trade = gw.trade(out).expect("opened at the cashier");
    assert_eq!(trade.return_url.as_deref(), Some(return_url), "kept raw");
    let answer = http
        .post(format!("http://{}/cashier/pay", gw.addr()))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "trade_no={}&token={}",
            trade.trade_no, trade.cashier_token
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 302);
    let location = answer.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("a Location of visible ASCII (a URI)")
        .to_owned();
    let back = http.get(&location).send().await.expect("the merchant");
    assert_eq!(back.status(), 200, "the merchant's return page");
    location
}

#[tokio::test]
async fn a_gbk_return_url_with_raw_non_ascii_returns_a_query_verify_return_accepts() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let return_url = format!("{}/收银台", merchant.return_url());
    let location = pay_and_return(&gw, &return_url, "gbk-return-1").await;
    let expected_path = "/return/%E6%94%B6%E9%93%B6%E5%8F%B0";
    assert!(
        location.starts_with(&format!(
            "http://{}{expected_path}?",
            merchant_addr(&merchant)
        )),
        "{location}"
    );
    let received = merchant.received();
    assert_eq!(received.return_paths, [expected_path]);
    let verified =
        verify_return(&received.returns[0], gw.alipay_public_key()).expect("the return verifies");
    assert_eq!(verified.charset(), Charset::Gbk);
    assert_eq!(verified.get("out_trade_no"), Some("gbk-return-1"));
    assert_eq!(verified.get("total_amount"), Some("10.00"));
    assert_eq!(
        gw.trade("gbk-return-1").map(|t| t.status),
        Some(alipay_gateway::TradeStatus::TradeSuccess)
    );
}

#[tokio::test]
async fn a_raw_non_ascii_parameter_of_return_url_arrives_in_the_trade_s_charset_unsigned() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let return_url = format!("{}?from=收银台", merchant.return_url());
    let location = pay_and_return(&gw, &return_url, "gbk-return-2").await;
    // 收银台 in GBK, as the return parameters after it.
    assert!(
        location.contains("/return?from=%CA%D5%D2%F8%CC%A8&charset=GBK&"),
        "{location}"
    );
    let received = merchant.received();
    let query = &received.returns[0];
    // The whole query decodes in GBK now; the merchant's own parameter is not signed (Alipay's
    // 同步通知 page: return_url 地址后不可带自定义参数), so the return does not verify, for that
    // reason and no other.
    assert_eq!(
        verify_return(query, gw.alipay_public_key()).unwrap_err(),
        NotifyError::SignatureInvalid
    );
    let without_it = query
        .strip_prefix("from=%CA%D5%D2%F8%CC%A8&")
        .expect("the merchant's parameter first");
    let verified = verify_return(without_it, gw.alipay_public_key()).expect("the rest verifies");
    assert_eq!(verified.get("out_trade_no"), Some("gbk-return-2"));
}

fn merchant_addr(merchant: &Merchant) -> String {
    merchant
        .return_url()
        .trim_start_matches("http://")
        .trim_end_matches("/return")
        .to_owned()
}
