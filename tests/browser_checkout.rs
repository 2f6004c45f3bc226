//! A real headless Chromium through a page-pay checkout against the local gateway, everything
//! on 127.0.0.1: the merchant's checkout page auto-submits the signed form to the gateway, the
//! cashier's pay button is clicked, the browser lands on the merchant's `return_url` with
//! parameters that verify, the notification arrives and verifies, and `alipay.trade.query`
//! says `TRADE_SUCCESS`. Once in utf-8, once in GBK, through the merchant's own form; then
//! through the client's `page_form_raw` with a pretty-printed `biz_content` (line breaks, which
//! the browser submits as CRLF: the gateway verifies that what it received was signed).
//!
//! The browser is Debian's `chromium` (`.ci/run` installs it), or the one named by
//! `ALIPAY_TEST_CHROMIUM`. The test is `#[ignore]`d, so `cargo test` lists it as ignored with
//! the command that runs it; run that way, a missing browser fails it. CI runs it.
//!
//! Chromium is driven over the DevTools protocol (`--remote-debugging-port`), with three
//! commands (`Target.createTarget`, `Target.attachToTarget`, `Runtime.evaluate`) sent over a
//! WebSocket: a CDP client crate would add its thousands of generated protocol types to the
//! build for these three.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::merchant::Merchant;
use crate::support::{client, query_out, start_with_schedule};
use alipay_gateway::{NotifySchedule, TestGateway};
use alipay_runtime::{Charset, RequestOptions, RequestParts, form, verify_notify};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The whole test must end well within a minute, even on a loaded 2-core machine.
const STEP: Duration = Duration::from_secs(20);

fn browser_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ALIPAY_TEST_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A headless Chromium of this test's own, killed (by its handle) when dropped.
struct Browser {
    child: Child,
    ws_url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(path: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().expect("profile folder");
        let mut child = Command::new(path)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
                "--metrics-recording-only",
                "--mute-audio",
                "--no-proxy-server",
                // Nothing may leave 127.0.0.1: every other name fails to resolve.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        // Chromium prints `DevTools listening on ws://...` on stderr once it is ready.
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if !sent && let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_owned());
                    sent = true;
                }
            }
        });
        let ws_url = match rx.recv_timeout(STEP) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("{} did not open its DevTools port in time", path.display());
            }
        };
        Browser {
            child,
            ws_url,
            _profile: profile,
        }
    }
}

/// The DevTools connection, with one page attached.
struct DevTools {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    session: Option<String>,
}

impl DevTools {
    async fn connect(browser: &Browser) -> DevTools {
        let (ws, _) = tokio::time::timeout(
            STEP,
            tokio_tungstenite::connect_async(browser.ws_url.as_str()),
        )
        .await
        .expect("DevTools in time")
        .expect("DevTools connection");
        let mut tools = DevTools {
            ws,
            next_id: 1,
            session: None,
        };
        let target = tools
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .await
            .expect("a page");
        let target_id = target["targetId"].as_str().expect("targetId").to_owned();
        let attached = tools
            .call(
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            )
            .await
            .expect("attached");
        tools.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("sessionId")
                .to_owned(),
        );
        tools
    }

    /// Sends one command and waits for its result (events in between are skipped).
    async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .map_err(|e| e.to_string())?;
        let wait = async {
            while let Some(frame) = self.ws.next().await {
                let Ok(Message::Text(text)) = frame else {
                    continue;
                };
                let Ok(answer) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if answer["id"] == json!(id) {
                    return match answer.get("error") {
                        Some(error) => Err(error.to_string()),
                        None => Ok(answer["result"].clone()),
                    };
                }
            }
            Err("the DevTools connection closed".to_owned())
        };
        tokio::time::timeout(STEP, wait)
            .await
            .map_err(|_| format!("{method}: no answer in time"))?
    }

    /// Evaluates `expression` in the page; `None` while the page is between documents.
    async fn eval(&mut self, expression: &str) -> Option<Value> {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            )
            .await
            .ok()?;
        if result.get("exceptionDetails").is_some() {
            return None;
        }
        Some(result["result"]["value"].clone())
    }

    /// Waits until the page's URL starts with `prefix` and `selector` is in it; the page's
    /// URL and text.
    async fn wait_for_page(&mut self, prefix: &str, selector: &str) -> (String, String) {
        let expression = format!(
            "document.querySelector({}) ? [location.href, document.body.innerText] : null",
            json!(selector)
        );
        let deadline = tokio::time::Instant::now() + STEP;
        let mut last = Value::Null;
        loop {
            if let Some(Value::Array(found)) = self.eval(&expression).await
                && let [Value::String(url), Value::String(text)] = found.as_slice()
                && url.starts_with(prefix)
            {
                return (url.clone(), text.clone());
            }
            if let Some(now) = self
                .eval("[location.href, document.body ? document.body.innerText : '']")
                .await
            {
                last = now;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no page at {prefix} with {selector}; the browser shows {last}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The merchant's checkout page: the signed request as a form that submits itself, in the
/// request charset (every attribute value escaped), as a merchant's server renders it.
fn checkout_page(url: &str, body: &[u8], charset: Charset) -> Vec<u8> {
    use html_escape::encode_double_quoted_attribute as attr;
    let mut inputs = String::new();
    for (k, v) in form::decode_text(body, charset).expect("charset") {
        inputs.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            attr(&k),
            attr(&v)
        ));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"{cs}\"><title>checkout</title></head><body>\n\
<form id=\"alipaysubmit\" name=\"alipaysubmit\" action=\"{action}\" method=\"POST\" accept-charset=\"{cs}\">\n{inputs}</form>\n\
<script>document.forms['alipaysubmit'].submit();</script>\n</body></html>\n",
        cs = charset.as_str(),
        action = attr(url),
    );
    charset.encode(&html).expect("charset").into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a headless Chromium; run it with `cargo test -p alipay-openapi --test integration browser_checkout -- --ignored` (CI does)"]
// Long because: one browser session as a buyer lives it (start, load, pay, return, notify).
async fn a_headless_chromium_pays_a_page_pay_checkout() {
    let path = browser_path().unwrap_or_else(|| {
        panic!(
            "no headless Chromium found (install Debian's `chromium`, or set ALIPAY_TEST_CHROMIUM): the browser checkout cannot run"
        )
    });
    let gw = start_with_schedule(NotifySchedule::new([Duration::from_millis(100); 3])).await;
    let merchant = Merchant::start(0).await;
    let browser = Browser::launch(&path);
    let mut tools = DevTools::connect(&browser).await;

    let rounds = [
        (Charset::Utf8, false),
        (Charset::Gbk, false),
        (Charset::Utf8, true),
    ];
    for (n, (charset, page_form)) in rounds.into_iter().enumerate() {
        let client = client(&gw, &merchant, charset);
        let out = format!("browser-{}-{n}", charset.as_str());
        let subject = "浏览器订单 <i>&\"+";
        let biz = json!({
            "out_trade_no": out,
            "total_amount": "66.60",
            "subject": subject,
            "product_code": "FAST_INSTANT_TRADE_PAY",
        });
        let parts = RequestParts {
            // Pretty-printed: LF line breaks, which the browser submits as CRLF.
            biz_content: Some(if page_form {
                serde_json::to_string_pretty(&biz).expect("json")
            } else {
                biz.to_string()
            }),
            form: Vec::new(),
            ..RequestParts::default()
        };
        if page_form {
            let form = client
                .page_form_raw("alipay.trade.page.pay", &parts, &RequestOptions::new())
                .expect("signed form");
            merchant.set_checkout(&form.content_type(), form.to_bytes().to_vec());
        } else {
            let prepared = client
                .prepare_raw("alipay.trade.page.pay", &parts)
                .expect("signed");
            merchant.set_checkout(
                &format!("text/html;charset={}", charset.as_str()),
                checkout_page(&prepared.url, &prepared.body, charset),
            );
        }

        tools
            .call("Page.navigate", json!({"url": merchant.checkout_url()}))
            .await
            .expect("navigate");
        // The form submitted itself: the gateway's cashier shows the order.
        let gateway = format!("http://{}/", gw.addr());
        let (_, cashier) = tools.wait_for_page(&gateway, "#pay").await;
        assert!(cashier.contains(subject), "{cashier}");
        assert!(cashier.contains("66.60"), "{cashier}");
        assert!(
            tools
                .eval("document.getElementById('pay').click(), true")
                .await
                .is_some()
        );

        // Back at the merchant, with signed parameters.
        let (landed, _) = tools
            .wait_for_page(&merchant.return_url(), "#returned")
            .await;
        let received = merchant
            .wait_for(STEP, |r| r.returns.len() > n && r.notifications.len() > n)
            .await;
        let query_text = &received.returns[n];
        assert!(landed.starts_with(&merchant.return_url()), "{landed}");
        let returned = verify_notify(query_text.as_bytes(), gw.alipay_public_key())
            .expect("the return parameters verify");
        assert_eq!(returned.get("out_trade_no"), Some(out.as_str()));
        assert_eq!(returned.get("total_amount"), Some("66.60"));
        let trade_no = returned.get("trade_no").expect("trade_no").to_owned();

        let (_, body) = &received.notifications[n];
        let notified =
            verify_notify(body, gw.alipay_public_key()).expect("the notification verifies");
        assert_eq!(notified.get("trade_status"), Some("TRADE_SUCCESS"));
        assert_eq!(notified.get("trade_no"), Some(trade_no.as_str()));
        assert_eq!(notified.get("subject"), Some(subject));

        let answer = query_out(&client, &out).await;
        let status = answer.trade_status.as_ref().map(ToString::to_string);
        assert_eq!(status.as_deref(), Some("TRADE_SUCCESS"));
        assert_eq!(answer.trade_no.as_deref(), Some(trade_no.as_str()));
    }
    let _ = tools.call("Browser.close", json!({})).await;
    drop(browser);
}

// Long because: one browser session: the QR page, the scan, then the dashboard's tables.
/// The gateway's pages in the same browser: a precreated trade's `qr_code` page shows the
/// amount and a QR image, and its button scans and pays; the dashboard (`/`) then shows the
/// trade paid, a transfer, a signed agreement and the requests with the verdicts the gateway
/// reached.
#[tokio::test]
#[ignore = "needs a headless Chromium: cargo test -p alipay-openapi --test integration browser_checkout -- --ignored"]
async fn a_headless_chromium_scans_a_qr_code_and_reads_the_dashboard() {
    use crate::money_and_agreements::signed_agreement;
    use alipay_openapi::trade::precreate;
    use alipay_runtime::Price;

    let path = browser_path().unwrap_or_else(|| {
        panic!(
            "no headless Chromium found (install Debian's `chromium`, or set ALIPAY_TEST_CHROMIUM): the dashboard test cannot run"
        )
    });
    let gw = TestGateway::start(alipay_openapi::METHODS)
        .await
        .expect("gateway starts");
    let client = gw.client().expect("client");
    let request = precreate::Request::new("qr-1", Price::from_cents(1234)).subject("Green tea");
    let qr = client
        .execute(&request)
        .await
        .expect("precreate")
        .qr_code
        .expect("a qr_code");
    let browser = Browser::launch(&path);
    let mut tools = DevTools::connect(&browser).await;

    tools
        .call("Page.navigate", json!({"url": qr}))
        .await
        .expect("navigate");
    let (_, shown) = tools.wait_for_page(&qr, "#scan-and-pay").await;
    assert!(
        shown.contains("12.34") && shown.contains("Green tea"),
        "{shown}"
    );
    let image = tools
        .eval("!!document.querySelector('.qr svg')")
        .await
        .expect("the page");
    assert_eq!(image, json!(true), "no QR image on the page");
    tools
        .eval("document.getElementById('scan-and-pay').click(), true")
        .await
        .expect("click");
    let deadline = tokio::time::Instant::now() + STEP;
    while tools
        .eval("document.getElementById('status').textContent")
        .await
        != Some(json!("TRADE_SUCCESS"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not paid by the button"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Money out and an agreement, for the dashboard's other sections.
    let transfer = alipay_openapi::fund::trans_uni_transfer::Request::new()
        .out_biz_no("payout-1")
        .trans_amount("8.80")
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title("commission")
        .payee_info(
            alipay_openapi::fund::trans_uni_transfer::Participant::new()
                .identity("2088123412341234")
                .identity_type("ALIPAY_USER_ID"),
        );
    client.execute(&transfer).await.expect("transfer");
    let agreement_no = signed_agreement(&client, &gw, "deduct-1").await;

    let home = format!("http://{}/", gw.addr());
    tools
        .call("Page.navigate", json!({"url": home}))
        .await
        .expect("navigate");
    let (_, dashboard) = tools.wait_for_page(&home, "#trades").await;
    for shown in [
        "qr-1",
        "TRADE_SUCCESS",
        "alipay.trade.precreate",
        "signature ok",
        "/control/scan",
        "control call (no signature)",
        "Transfers",
        "payout-1",
        "8.80",
        "Agreements",
        "deduct-1",
        agreement_no.as_str(),
        "NORMAL",
    ] {
        assert!(
            dashboard.contains(shown),
            "the dashboard lacks {shown}:\n{dashboard}"
        );
    }
    let _ = tools.call("Browser.close", json!({})).await;
    drop(browser);
}
