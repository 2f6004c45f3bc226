//! What the gateway signs about a trade for the merchant: the return to `return_url` after
//! paying (through the buyer's browser) and the notification to `notify_url`, each signed as
//! Alipay signs them and encoded in the trade's charset.

use std::sync::Arc;

use alipay_runtime::charset::Charset;
use alipay_runtime::notify::notify_sign_content;
use alipay_runtime::protocol::param;
use alipay_runtime::sign::SignType;

use super::answer::alipay_sign;
use crate::crypto;
use crate::notify::{self, DeliveryState, Notification};
use crate::state::Shared;
use crate::trades::{BUYER_ID, BUYER_LOGON_ID, Refund, SELLER_ID, Trade};

/// Encodes `pairs` as a form (or query) in `charset`; `None` when a value does not fit it.
pub(super) fn encode_pairs(charset: Charset, pairs: &[(String, String)]) -> Option<String> {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(form_urlencoded::byte_serialize(&crypto::encode(
            charset, k,
        )?));
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(&crypto::encode(
            charset, v,
        )?));
    }
    Some(out)
}

/// Appends `sign` over `pairs` as Alipay signs notifications and returns (every field but
/// `sign` and `sign_type`, sorted), in `charset`.
pub(super) fn sign_pairs(
    shared: &Shared,
    charset: Charset,
    sign_type: SignType,
    pairs: &mut Vec<(String, String)>,
) -> Option<()> {
    let content = notify_sign_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let bytes = crypto::encode(charset, &content)?;
    let sign = alipay_sign(shared, sign_type, &bytes).ok()?;
    pairs.push((param::SIGN.to_owned(), sign));
    Some(())
}

fn trade_charset(trade: &Trade) -> Charset {
    crypto::parse_charset(&trade.charset).unwrap_or(Charset::Utf8)
}

fn trade_sign_type(trade: &Trade) -> SignType {
    trade.sign_type.parse().unwrap_or_default()
}

/// The signed return to `return_url` after paying, as Alipay sends the browser back.
pub(super) fn return_redirect(
    shared: &Shared,
    trade: &Trade,
    return_url: &str,
    now: &str,
) -> Option<String> {
    let charset = trade_charset(trade);
    let sign_type = trade_sign_type(trade);
    let method = format!("{}.return", trade.method);
    let mut pairs: Vec<(String, String)> = [
        ("charset", charset.as_str()),
        ("out_trade_no", trade.out_trade_no.as_str()),
        ("method", method.as_str()),
        ("total_amount", trade.total_amount.as_str()),
        ("trade_no", trade.trade_no.as_str()),
        ("auth_app_id", trade.app_id.as_str()),
        ("version", "1.0"),
        ("app_id", trade.app_id.as_str()),
        ("sign_type", sign_type.as_str()),
        ("seller_id", SELLER_ID),
        ("timestamp", now),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    sign_pairs(shared, charset, sign_type, &mut pairs)?;
    let query = encode_pairs(charset, &pairs)?;
    Some(with_query(&as_uri(return_url, charset), &query))
}

/// `url` as a URI, ASCII only, as a `Location` header must hold it: the non-ASCII characters
/// of its query percent-encoded in `charset` (the one the appended `charset` parameter names,
/// so that the whole query decodes in it, as the return parameters are encoded), the rest as
/// the URL standard writes it (the host in punycode, the path and fragment in UTF-8). A
/// `return_url` holds them raw: Alipay asks for it unescaped (设置 return_url 时不要进行转义).
fn as_uri(url: &str, charset: Charset) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (before_fragment, None),
    };
    let mut out = base.to_owned();
    if let Some(query) = query {
        out.push('?');
        let mut buf = [0u8; 4];
        for c in query.chars() {
            if c.is_ascii() {
                out.push(c);
                continue;
            }
            let utf8 = c.encode_utf8(&mut buf);
            // A character the charset cannot hold (an emoji in GBK) goes in UTF-8, as nothing
            // else can carry it.
            let bytes = crypto::encode(charset, utf8).unwrap_or_else(|| utf8.as_bytes().to_vec());
            for b in bytes {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    // The return_url passed the URL check when the order came, so it parses.
    reqwest::Url::parse(&out).map_or(out, String::from)
}

/// `url` with `query` appended to its query (before any `#fragment`: parameters put in the
/// fragment never reach the merchant's server).
fn with_query(url: &str, query: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = match base.rsplit_once('?') {
        None => "?",
        Some((_, "")) => "",
        Some(_) if base.ends_with('&') => "",
        Some(_) => "&",
    };
    match fragment {
        Some(fragment) => format!("{base}{separator}{query}#{fragment}"),
        None => format!("{base}{separator}{query}"),
    }
}

/// The notification about `trade` (just paid, or just refunded by `refund`).
fn trade_notification(
    shared: &Shared,
    trade: &Trade,
    notify_url: &str,
    refund: Option<&Refund>,
    now: &str,
) -> Notification {
    let charset = trade_charset(trade);
    let sign_type = trade_sign_type(trade);
    let notify_id = next_notify_id(shared, now);
    let pairs = notification_params(trade, refund, now, &notify_id, charset, sign_type);
    let subject = Subject {
        notify_url,
        trade_no: &trade.trade_no,
        out_trade_no: &trade.out_trade_no,
        status: trade.status.as_str(),
    };
    signed_notification(shared, notify_id, &subject, pairs, charset, sign_type)
}

/// A new notification's `notify_id`: the date of `now` and the gateway's next serial.
pub(super) fn next_notify_id(shared: &Shared, now: &str) -> String {
    let id = shared.next_notify_id();
    let date: String = now.chars().filter(char::is_ascii_digit).collect();
    format!("{date}{id:08}")
}

/// The parameters every notification begins with, in Alipay's order (`notify_time` to
/// `sign_type`), for the app `app_id`.
pub(super) fn notification_head(
    notify_type: &str,
    now: &str,
    notify_id: &str,
    app_id: &str,
    charset: Charset,
    sign_type: SignType,
) -> Vec<(String, String)> {
    [
        ("notify_time", now),
        ("notify_type", notify_type),
        ("notify_id", notify_id),
        ("app_id", app_id),
        ("auth_app_id", app_id),
        ("charset", charset.as_str()),
        ("version", "1.0"),
        ("sign_type", sign_type.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// What a notification is about, as the log and the dashboard show it.
pub(super) struct Subject<'a> {
    pub notify_url: &'a str,
    /// The trade's `trade_no` (an agreement's `agreement_no`).
    pub trade_no: &'a str,
    /// The trade's `out_trade_no` (an agreement's `external_agreement_no`).
    pub out_trade_no: &'a str,
    /// The trade's `trade_status` (an agreement's `status`).
    pub status: &'a str,
}

/// The notification of `pairs` (its parameters before `sign`), signed and form-encoded in
/// `charset`: pending, or not sent when it cannot be signed or encoded.
pub(super) fn signed_notification(
    shared: &Shared,
    notify_id: String,
    subject: &Subject<'_>,
    mut pairs: Vec<(String, String)>,
    charset: Charset,
    sign_type: SignType,
) -> Notification {
    let mut n = Notification {
        notify_id,
        notify_url: subject.notify_url.to_owned(),
        trade_no: subject.trade_no.to_owned(),
        out_trade_no: subject.out_trade_no.to_owned(),
        trade_status: subject.status.to_owned(),
        params: Vec::new(),
        body: Vec::new(),
        content_type: format!(
            "application/x-www-form-urlencoded; charset={}",
            charset.as_str()
        ),
        attempts: Vec::new(),
        state: DeliveryState::Pending,
    };
    let body = sign_pairs(shared, charset, sign_type, &mut pairs)
        .and_then(|()| encode_pairs(charset, &pairs));
    match body {
        Some(body) => n.body = body.into_bytes(),
        None => {
            n.state = DeliveryState::NotSent(format!(
                "the notification cannot be signed or encoded in {}",
                charset.as_str()
            ))
        }
    }
    n.params = pairs;
    n
}

/// The parameters Alipay notifies about `trade` (before `sign`), in its order.
fn notification_params(
    trade: &Trade,
    refund: Option<&Refund>,
    now: &str,
    notify_id: &str,
    charset: Charset,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let amount = trade.total_amount.as_str();
    // A trade closed unpaid (by expiry) was never paid: no paid amounts, no funds.
    let paid = trade.gmt_payment.is_some();
    let fund_bill_list =
        serde_json::json!([{ "amount": amount, "fundChannel": "ALIPAYACCOUNT" }]).to_string();
    let mut pairs = notification_head(
        "trade_status_sync",
        now,
        notify_id,
        &trade.app_id,
        charset,
        sign_type,
    );
    let mut add = |k: &str, v: &str| pairs.push((k.to_owned(), v.to_owned()));
    add("trade_no", &trade.trade_no);
    add("out_trade_no", &trade.out_trade_no);
    add("buyer_id", BUYER_ID);
    add("buyer_logon_id", BUYER_LOGON_ID);
    add("seller_id", SELLER_ID);
    add("trade_status", trade.status.as_str());
    add("total_amount", amount);
    if paid {
        add("receipt_amount", amount);
        add("invoice_amount", amount);
        add("buyer_pay_amount", amount);
        add("point_amount", "0.00");
    }
    add("subject", &trade.subject);
    add("gmt_create", &trade.gmt_create);
    if let Some(at) = &trade.gmt_payment {
        add("gmt_payment", at);
    }
    if paid {
        add("fund_bill_list", &fund_bill_list);
    } else if let Some(closed) = &trade.gmt_close {
        add("gmt_close", closed);
    }
    if let Some(passback) = &trade.passback_params {
        add("passback_params", passback);
    }
    if let Some(refund) = refund {
        add("out_biz_no", &refund.out_request_no);
        add("refund_fee", trade.refunded_amount.as_str());
        add("gmt_refund", &refund.gmt_refund);
        if let Some(closed) = &trade.gmt_close {
            add("gmt_close", closed);
        }
    }
    pairs
}

/// Notifies the trade's `notify_url` about it, if it has one.
pub(crate) fn notify_trade(
    shared: &Arc<Shared>,
    trade: &Trade,
    refund: Option<&Refund>,
    now: &str,
) {
    let Some(url) = trade.notify_url.as_deref() else {
        return;
    };
    let n = trade_notification(shared, trade, url, refund, now);
    if matches!(n.state, DeliveryState::NotSent(_)) {
        shared.record_notification(n);
    } else {
        notify::send(shared, n, &trade.method);
    }
}

/// Sends the `TRADE_CLOSED` notification of each trade the gateway's clock closes unpaid (of a
/// method Alipay notifies it for: `trades::expiry`), when it closes: waits on the clock
/// until the next trade's deadline (woken at once when the clock is advanced, or when a trade
/// with a sooner deadline opens), closes what is due and notifies it. Runs as long as the
/// server.
pub(crate) async fn notify_expiries(shared: Arc<Shared>) {
    loop {
        let woken = shared.trades_changed.notified();
        let (next, closed) = shared.with_trades(|book| (book.next_deadline(), book.take_expired()));
        if !closed.is_empty() {
            let now = shared.clock.beijing_now();
            for trade in &closed {
                notify_trade(&shared, trade, None, &now);
            }
        }
        match next {
            Some(at) => {
                let wait = at.duration_since(shared.clock.now()).unwrap_or_default();
                tokio::select! {
                    () = shared.clock.sleep(wait) => {}
                    () = woken => {}
                }
            }
            None => woken.await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Charset, as_uri, with_query};

    #[test]
    fn a_return_url_becomes_ascii_its_query_in_the_trade_s_charset() {
        for (url, charset, expected) in [
            ("http://m/r", Charset::Gbk, "http://m/r"),
            ("http://m/返回", Charset::Gbk, "http://m/%E8%BF%94%E5%9B%9E"),
            (
                "http://m/r?from=收银台",
                Charset::Gbk,
                "http://m/r?from=%CA%D5%D2%F8%CC%A8",
            ),
            (
                "http://m/r?from=收银台",
                Charset::Utf8,
                "http://m/r?from=%E6%94%B6%E9%93%B6%E5%8F%B0",
            ),
            (
                "http://m/r?x=%41&y=1#页",
                Charset::Gbk,
                "http://m/r?x=%41&y=1#%E9%A1%B5",
            ),
            ("http://m/r?e=😀", Charset::Gbk, "http://m/r?e=%F0%9F%98%80"),
            (
                "http://例子.测试/r",
                Charset::Gbk,
                "http://xn--fsqu00a.xn--0zwm56d/r",
            ),
        ] {
            assert_eq!(as_uri(url, charset), expected, "{url} in {charset:?}");
        }
    }

    #[test]
    fn the_return_query_goes_before_the_fragment() {
        for (url, expected) in [
            ("http://m/r", "http://m/r?a=1"),
            ("http://m/r?x=2", "http://m/r?x=2&a=1"),
            ("http://m/r?", "http://m/r?a=1"),
            ("http://m/r?x=2&", "http://m/r?x=2&a=1"),
            ("http://m/r#done", "http://m/r?a=1#done"),
            ("http://m/r?x=2#/pay?y=3", "http://m/r?x=2&a=1#/pay?y=3"),
        ] {
            assert_eq!(with_query(url, "a=1"), expected, "{url}");
        }
    }
}
