// README-BEGIN
// tests/checkout.rs: the whole payment against the local gateway, on 127.0.0.1.
use alipay_openapi::gateway::TestGateway;

#[tokio::test]
async fn a_buyer_pays_and_the_shop_sees_it() {
    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    let client = gw.client().unwrap(); // throwaway keys, the gateway's address

    let url = shop::checkout_url(&client, "order-1", 8888, "T-shirt").unwrap();
    let cashier = reqwest::get(&url).await.unwrap().text().await.unwrap(); // the buyer's browser
    assert!(cashier.contains("88.88"));
    gw.pay("order-1").unwrap(); // the buyer's click on "pay"

    assert!(shop::is_paid(&client, "order-1").await.unwrap());
}
// README-END
