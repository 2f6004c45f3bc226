// README-BEGIN
//! The shop's side of a page payment: where to send the buyer, and whether they paid.

use alipay_openapi::trade::{page_pay, query};
use alipay_openapi::{Client, Price};

/// The signed `alipay.trade.page.pay` URL that shows the buyer Alipay's cashier for an order.
pub fn checkout_url(
    client: &Client,
    order: &str,
    cents: i64,
    subject: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let request = page_pay::Request::new()
        .out_trade_no(order)
        .total_amount(Price::from_cents(cents))
        .subject(subject)
        .product_code(page_pay::ProductCode::FastInstantTradePay);
    Ok(client.page_url(&request)?)
}

/// Whether Alipay says the order is paid (`alipay.trade.query`, its answer's signature verified).
pub async fn is_paid(client: &Client, order: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let trade = client
        .execute(&query::Request::new().out_trade_no(order))
        .await?;
    Ok(trade.trade_status == Some(query::TradeStatus::TradeSuccess))
}
// README-END
