//! `alipay demo`: the quickstart. A local gateway with throwaway keys, both seed methods,
//! the four outcomes a payments integration must handle, and a page-pay checkout at the
//! gateway's cashier (create, pay, return, query, refund).

use alipay_gateway::{Scenario, TestGateway};
use alipay_openapi::ebpp::pdeduct_sign_validate as sign_validate;
use alipay_openapi::trade::{query, refund};
use alipay_openapi::user::agreement_auth_confirm as auth_confirm;
use alipay_runtime::{BizErrorCode as _, Error, Price, RequestParts, verify_notify};

use crate::report::Exit;

const AUTH_CONFIRM: &str = "alipay.user.agreement.auth.confirm";
const SIGN_VALIDATE: &str = "alipay.ebpp.pdeduct.sign.validate";

fn confirm_request() -> auth_confirm::Request {
    auth_confirm::Request::new(
        "20170502000610755993",
        "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
        "423979",
    )
}

fn validate_request(bill_key: &str) -> sign_validate::Request {
    sign_validate::Request::new(
        "2088111133334134",
        "JF",
        "ELECTRIC",
        bill_key,
        "2088102118849556",
        "CQCENTERELECTRIC",
        "PUBLICPLATFORM",
        "123456",
    )
}

fn heading(n: u32, title: &str) {
    say!();
    say!("[{n}] {title}");
}

fn verdict(ok: bool, failures: &mut u32) {
    if ok {
        say!("    => as expected");
    } else {
        *failures += 1;
        say!("    => NOT as expected");
    }
}

/// Step 1's check of one seed method's `answer`: the typed response, verified, with the
/// `code` (read by `code`) 10000; or the error.
fn success<R: std::fmt::Debug, E: std::fmt::Display>(
    method: &str,
    answer: Result<R, E>,
    code: impl FnOnce(&R) -> Option<&str>,
    failures: &mut u32,
) {
    match answer {
        Ok(response) => {
            say!("    {method}: verified, typed response {response:?}");
            verdict(code(&response) == Some("10000"), failures);
        }
        Err(e) => {
            say!("    {method}: {e}");
            verdict(false, failures);
        }
    }
}

/// Runs the demo; exits 0 when every step behaved as it should.
pub async fn run() -> Exit {
    // Long because: the demo's steps, read as the story they tell.
    let gw = match TestGateway::start(alipay_openapi::METHODS).await {
        Ok(gw) => gw,
        Err(e) => {
            eprintln!("alipay demo: cannot start the local gateway: {e}");
            return Exit::Failure;
        }
    };
    let client = match gw.client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("alipay demo: client configuration: {e}");
            return Exit::Failure;
        }
    };
    say!(
        "alipay demo: a local gateway driven by the method specs, with throwaway keys (TEST ONLY)"
    );
    say!(
        "gateway: {} ({} methods)",
        gw.url(),
        alipay_openapi::METHODS.len()
    );
    say!("every answer below is checked against the gateway's signature before it is used");
    let mut failures = 0;

    heading(1, "SUCCESS: both seed methods, answers verified");
    let answer = client.execute(&confirm_request()).await;
    success(AUTH_CONFIRM, answer, |r| r.code.as_deref(), &mut failures);
    let answer = client.execute(&validate_request("02659981")).await;
    success(SIGN_VALIDATE, answer, |r| r.code.as_deref(), &mut failures);

    heading(
        2,
        "BUSINESS ERROR: the SMS code expired (the gateway answers VALIDATECODE_EXPIRED)",
    );
    let scenario = gw.set_scenario(
        AUTH_CONFIRM,
        Scenario::business_error("VALIDATECODE_EXPIRED"),
    );
    if let Err(e) = scenario {
        eprintln!("alipay demo: {e}");
        return Exit::Failure;
    }
    match client.execute(&confirm_request()).await {
        Err(Error::Business(b)) => {
            say!("    {AUTH_CONFIRM}: {} {}", b.code(), b.msg());
            say!(
                "    typed code:  auth_confirm::BizError::{:?}",
                b.sub_code()
            );
            say!("    sub_msg:     {}", b.sub_msg());
            say!(
                "    solution:    {}",
                b.sub_code().solution().unwrap_or("(undocumented)")
            );
            verdict(
                *b.sub_code() == auth_confirm::BizError::ValidatecodeExpired,
                &mut failures,
            );
        }
        other => {
            say!("    unexpected: {other:?}");
            verdict(false, &mut failures);
        }
    }

    heading(
        3,
        "INVALID REQUEST, REJECTED BEFORE SENDING: bill_key longer than its documented 32 characters",
    );
    let before = gw.request_count();
    match client.execute(&validate_request(&"9".repeat(40))).await {
        Err(e @ Error::InvalidRequest(_)) => {
            let after = gw.request_count();
            say!("    {SIGN_VALIDATE}: {e}");
            say!("    requests received by the gateway: {before} before, {after} after");
            verdict(before == after, &mut failures);
        }
        other => {
            say!("    unexpected: {other:?}");
            verdict(false, &mut failures);
        }
    }

    heading(
        4,
        "ALTERED ANSWER, REJECTED: the body is changed after the gateway signed it",
    );
    if let Err(e) = gw.set_scenario(SIGN_VALIDATE, Scenario::AlteredBody) {
        eprintln!("alipay demo: {e}");
        return Exit::Failure;
    }
    match client.execute(&validate_request("02659981")).await {
        Err(e @ Error::Signature(_)) => {
            say!("    {SIGN_VALIDATE}: rejected: {e}");
            verdict(true, &mut failures);
        }
        other => {
            say!("    unexpected: {other:?}");
            verdict(false, &mut failures);
        }
    }

    heading(
        5,
        "TAKE A PAYMENT: page pay at the gateway's cashier, then the return, query and refund",
    );
    gw.clear_scenarios();
    verdict(page_pay(&gw).await, &mut failures);

    say!();
    if failures == 0 {
        say!(
            "all 5 outcomes as expected. Next: `alipay gateway` to keep a gateway running, `alipay call` to call it."
        );
        Exit::Success
    } else {
        say!("{failures} step(s) did not behave as expected");
        Exit::Failure
    }
}

/// Step 5: a signed page-pay URL (printed, to open in a browser), the cashier it shows, the
/// payment with its verified return, and the trade's query and refund.
async fn page_pay(gw: &TestGateway) -> bool {
    // Long because: a page payment from the order to its refund, read as one story.
    const OUT_TRADE_NO: &str = "demo-order-1";
    let return_url = "http://127.0.0.1:9/return";
    let client = match gw.client_builder().return_url(return_url).build() {
        Ok(client) => client,
        Err(e) => {
            say!("    client configuration: {e}");
            return false;
        }
    };
    let order = serde_json::json!({
        "out_trade_no": OUT_TRADE_NO,
        "total_amount": "88.88",
        "subject": "演示订单 demo order",
        "product_code": "FAST_INSTANT_TRADE_PAY",
    });
    let parts = RequestParts {
        biz_content: Some(order.to_string()),
        form: Vec::new(),
        ..RequestParts::default()
    };
    let signed = match client.prepare_raw("alipay.trade.page.pay", &parts) {
        Ok(signed) => signed,
        Err(e) => {
            say!("    alipay.trade.page.pay: {e}");
            return false;
        }
    };
    let url = format!("{}&{}", signed.url, String::from_utf8_lossy(&signed.body));
    say!(
        "    the URL to open in a browser (while this gateway runs; `alipay gateway` keeps one up):"
    );
    say!("    {url}");
    let cashier = match reqwest::get(&url).await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(e) => {
            say!("    the cashier did not answer: {e}");
            return false;
        }
    };
    let shown = cashier.contains("88.88") && cashier.contains("id=\"pay\"");
    say!(
        "    cashier page: order and pay button {}",
        if shown { "shown" } else { "MISSING" }
    );
    // The demo presses the pay button itself.
    let payment = match gw.pay(OUT_TRADE_NO) {
        Ok(payment) => payment,
        Err(e) => {
            say!("    pay: {e}");
            return false;
        }
    };
    say!(
        "    paid: trade_no {} {}",
        payment.trade.trade_no,
        payment.trade.status
    );
    let returned = payment
        .return_redirect
        .as_deref()
        .and_then(|back| back.split_once('?'))
        .is_some_and(|(_, query)| verify_notify(query.as_bytes(), gw.alipay_public_key()).is_ok());
    say!(
        "    browser sent back to {return_url} with parameters that {}",
        if returned { "verify" } else { "DO NOT verify" }
    );
    let status = match client
        .execute(&query::Request::new().out_trade_no(OUT_TRADE_NO))
        .await
    {
        // Read as text: the field is an open enum (or a String), both Display.
        Ok(answer) => answer
            .trade_status
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        Err(e) => format!("{e}"),
    };
    say!("    alipay.trade.query: {status}");
    let refund = refund::Request::new(Price::from_cents(888))
        .out_trade_no(OUT_TRADE_NO)
        .out_request_no("demo-refund-1");
    let refunded = match client.execute(&refund).await {
        Ok(answer) => answer.refund_fee.unwrap_or_default(),
        Err(e) => format!("{e}"),
    };
    say!("    alipay.trade.refund 8.88: refund_fee {refunded}");
    shown && returned && status == "TRADE_SUCCESS" && refunded == "8.88"
}
