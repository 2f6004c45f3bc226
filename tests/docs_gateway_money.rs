//! The "Money out and agreements" block of `docs/gateway.md`, run as written: the code between
//! the markers is the page's block (`tests/docs.rs` checks that).

// README-BEGIN
use alipay_gateway::TestGateway;
use alipay_openapi::fund::{account_query, trans_uni_transfer};

#[tokio::test]
async fn a_transfer_moves_the_merchant_s_balance() {
    let gw = TestGateway::start_with(alipay_openapi::METHODS, |b| {
        b.fund_balance("100.00".parse().unwrap())
    })
    .await
    .unwrap();
    let client = gw.client().unwrap();
    let transfer = trans_uni_transfer::Request::new()
        .out_biz_no("payout-1")
        .trans_amount("30.00")
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title("commission")
        .payee_info(
            trans_uni_transfer::Participant::new()
                .identity("2088123412341234")
                .identity_type("ALIPAY_USER_ID"),
        );
    let paid = client.execute(&transfer).await.unwrap();
    assert_eq!(paid.status.as_deref(), Some("SUCCESS"));
    // Sent again (a retry after a lost answer), it is the same transfer: nothing moves twice.
    let again = client.execute(&transfer).await.unwrap();
    assert_eq!(again.order_id, paid.order_id);

    let balance = client
        .execute(&account_query::Request::new(
            alipay_gateway::trades::SELLER_ID,
        ))
        .await
        .unwrap();
    assert_eq!(balance.available_amount.as_deref(), Some("70.00"));
}
// README-END
