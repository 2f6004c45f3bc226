//! Certificate mode and AES content encryption end to end: the runtime's client against the
//! local gateway over real HTTP on 127.0.0.1, in utf-8 and GBK, with throwaway certificates
//! (root bundle with an ECDSA root, intermediate CA, app and Alipay certificates) made by rcgen.
//! Covers rotation to a certificate from the root (accepted, persisted through the store) and to
//! a forged one (refused, both SNs named).

use crate::protocol::{Echo, echo_method, gateway_error, key_client};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use alipay_gateway::{GatewayCertMode, LocalGateway, ThrowawayCerts, ThrowawayKeys};
use alipay_runtime::cert::{AlipayCert, AppCert, RootBundle};
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::validate::{self, Rule, ValidationError};
use alipay_runtime::{
    BizErrorCode, CertStore, Charset, Client, ConfigError, Error, MethodDescriptor, PrivateKey,
    UntrustedCertError,
};
use serde_json::{Value, json};

static METHODS: &[MethodDescriptor] = &[echo_method(
    &[],
    Some(
        r#"{"alipay_test_echo_response":{"code":"10000","msg":"Success","owner":"王龙海"},"sign":"x"}"#,
    ),
    validate_echo,
)];

fn validate_echo(biz: Option<&Value>, _form: &[(String, String)]) -> Result<(), ValidationError> {
    let no = biz
        .and_then(|b| b.get("no"))
        .and_then(Value::as_str)
        .ok_or_else(|| ValidationError::new("no", Rule::Required))?;
    validate::max_length("no", no, 8)
}

fn certs() -> &'static ThrowawayCerts {
    static CERTS: OnceLock<ThrowawayCerts> = OnceLock::new();
    CERTS.get_or_init(|| ThrowawayCerts::generate().expect("certificates"))
}

/// Keys for the gateway's request check: the app public key is the app certificate's.
fn gateway_keys() -> alipay_gateway::GatewayKeys {
    let c = certs();
    let other = ThrowawayKeys {
        app: c.app.key.clone(),
        alipay: c.alipay.key.clone(),
    };
    other.gateway_keys().expect("keys")
}

async fn cert_gateway(aes: Option<&str>) -> LocalGateway {
    let mut builder = LocalGateway::builder(METHODS, gateway_keys())
        .cert_mode(GatewayCertMode::from_throwaway(certs()).expect("cert mode"));
    if let Some(key) = aes {
        builder = builder.encrypt_key(EncryptKey::from_base64(key).unwrap());
    }
    builder.start().await.expect("start")
}

fn cert_client(gw: &LocalGateway, charset: Charset) -> alipay_runtime::ClientBuilder {
    let c = certs();
    Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(PrivateKey::parse(&c.app.key.private_pem).unwrap())
        .app_cert(AppCert::from_pem(c.app.cert_pem.as_bytes()).unwrap())
        .alipay_cert(AlipayCert::from_pem(c.alipay.cert_pem.as_bytes()).unwrap())
        .alipay_root_cert(RootBundle::from_pem(c.root_bundle_pem.as_bytes()).unwrap())
        .charset(charset)
        .timeout(Duration::from_secs(5))
}

const AES_KEY: &str = "LWWCLAong8Vx0XsBzWhMFg==";

#[tokio::test]
async fn cert_mode_in_utf8_and_gbk() {
    let gw = cert_gateway(None).await;
    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = cert_client(&gw, charset).build().expect("client");
        let answer = client.execute(&Echo::new("王1")).await.expect("verified");
        assert_eq!(answer.owner.as_deref(), Some("王龙海"));
        let last = gw.requests().pop().unwrap();
        assert!(last.signature_verified);
        assert_eq!(last.charset, charset.as_str());
        assert_eq!(last.param("app_cert_sn"), client.config().app_cert_sn());
        assert_eq!(
            last.param("alipay_root_cert_sn"),
            client.config().alipay_root_cert_sn()
        );
        // The root SN holds the RSA root only (the ECDSA root is skipped).
        assert!(!client.config().alipay_root_cert_sn().unwrap().contains('_'));
    }
}

#[tokio::test]
async fn wrong_sns_are_refused_by_the_gateway() {
    let gw = cert_gateway(None).await;
    // A client that names the real SNs of other files: its own app cert is not the gateway's.
    let other = ThrowawayCerts::generate().expect("other pki");
    let client = Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(PrivateKey::parse(&other.app.key.private_pem).unwrap())
        .app_cert(AppCert::from_pem(other.app.cert_pem.as_bytes()).unwrap())
        .alipay_cert(AlipayCert::from_pem(certs().alipay.cert_pem.as_bytes()).unwrap())
        .alipay_root_cert(RootBundle::from_pem(certs().root_bundle_pem.as_bytes()).unwrap())
        .build()
        .expect("client");
    let g = gateway_error(client.execute(&Echo::new("1")).await.expect_err("refused"));
    assert_eq!(g.sub_code().as_str(), "isv.invalid-app-cert-sn");
    // The sub_msg names the SN the request carried as it was sent, not as Rust debug text.
    let sent = client
        .config()
        .app_cert_sn()
        .expect("app cert SN")
        .to_owned();
    assert!(
        g.sub_msg().contains(&format!("app_cert_sn `{sent}`")),
        "{}",
        g.sub_msg()
    );
    assert!(!g.sub_msg().contains("Some("), "{}", g.sub_msg());
}

#[derive(Default)]
struct MemoryStore(Mutex<Vec<(String, Vec<u8>)>>);

impl CertStore for MemoryStore {
    fn load(&self, sn: &str) -> Option<Vec<u8>> {
        let saved = self.0.lock().unwrap();
        saved
            .iter()
            .find(|(s, _)| s == sn)
            .map(|(_, pem)| pem.clone())
    }
    fn save(&self, sn: &str, pem: &[u8]) {
        self.0.lock().unwrap().push((sn.to_owned(), pem.to_vec()));
    }
}

#[tokio::test]
async fn rotation_to_a_certificate_from_the_root_is_accepted_and_persisted() {
    // Long because: one rotation as a client lives it: the old certificate, the new one, then a restart that must keep it.
    let gw = cert_gateway(None).await;
    let store = Arc::new(MemoryStore::default());
    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = cert_client(&gw, charset)
            .cert_store(store.clone())
            .build()
            .expect("client");
        let configured = client.config().alipay_cert_sn().unwrap().to_owned();
        client
            .execute(&Echo::new("1"))
            .await
            .expect("before rotation");

        let rotated = certs().issue_alipay_cert().expect("new cert");
        let new_sn = gw.rotate_alipay_cert(&rotated).expect("rotate");
        assert_ne!(new_sn, configured);
        let before = gw.request_count();
        let answer = client
            .execute(&Echo::new("2"))
            .await
            .expect("after rotation");
        assert_eq!(answer.owner.as_deref(), Some("王龙海"));
        let sent = gw.requests_since(before);
        let methods: Vec<_> = sent.iter().map(|r| r.method.clone().unwrap()).collect();
        assert_eq!(
            methods,
            ["alipay.test.echo", "alipay.open.app.alipaycert.download"]
        );
        assert_eq!(
            sent[1].biz_content(),
            Some(json!({ "alipay_cert_sn": new_sn }))
        );
        assert!(store.0.lock().unwrap().iter().any(|(sn, _)| *sn == new_sn));

        // A notification signed with the rotated key verifies through the client; one signed
        // with a key it never accepted does not.
        let notify = |key: &PrivateKey| {
            let pairs = [
                ("notify_id", "n1"),
                ("out_trade_no", "王1"),
                ("trade_status", "TRADE_SUCCESS"),
            ];
            let content = alipay_runtime::sign_content::sign_content(pairs);
            let sign = alipay_runtime::sign::sign_base64(
                key,
                alipay_runtime::SignType::Rsa2,
                content.as_bytes(),
            )
            .unwrap();
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .append_pair("sign_type", "RSA2")
                .append_pair("sign", &sign)
                .finish()
        };
        let rotated_key = PrivateKey::parse(&rotated.key.private_pem).unwrap();
        let first_key = PrivateKey::parse(&certs().alipay.key.private_pem).unwrap();
        if charset == Charset::Utf8 {
            let verified = client
                .verify_notify(notify(&rotated_key).as_bytes())
                .unwrap();
            assert_eq!(verified.get("out_trade_no"), Some("王1"));
            client.verify_notify(notify(&first_key).as_bytes()).unwrap();
            let stranger = PrivateKey::parse(&certs().app.key.private_pem).unwrap();
            assert!(client.verify_notify(notify(&stranger).as_bytes()).is_err());
        }

        // Cached: the next call fetches nothing.
        let before = gw.request_count();
        client.execute(&Echo::new("3")).await.expect("cached");
        assert_eq!(gw.request_count(), before + 1);

        // A new client with the same store takes it from there, without a download.
        let fresh = cert_client(&gw, charset)
            .cert_store(store.clone())
            .build()
            .expect("client");
        let before = gw.request_count();
        fresh
            .execute(&Echo::new("4"))
            .await
            .expect("from the store");
        assert_eq!(gw.request_count(), before + 1);
    }
}

/// The untrusted Alipay certificate `err` names; panics on any other error.
fn untrusted_cert<E: BizErrorCode>(err: &Error<E>) -> &UntrustedCertError {
    let Error::UntrustedAlipayCert(e) = err else {
        panic!("expected UntrustedAlipayCert, got {err:?}")
    };
    e
}

#[tokio::test]
async fn a_forged_rotated_certificate_is_refused_naming_both_sns() {
    let gw = cert_gateway(None).await;
    let client = cert_client(&gw, Charset::Utf8).build().expect("client");
    let configured = client.config().alipay_cert_sn().unwrap().to_owned();
    let forged = ThrowawayCerts::forge_alipay_cert().expect("forged");
    let forged_sn = gw.rotate_alipay_cert(&forged).expect("rotate");
    let err = client
        .execute(&Echo::new("1"))
        .await
        .expect_err("untrusted");
    let untrusted = untrusted_cert(&err);
    let (configured_sn, answer_sn, reason) = (
        untrusted.configured_sn(),
        untrusted.answer_sn(),
        untrusted.reason(),
    );
    assert_eq!(configured_sn, configured);
    assert_eq!(answer_sn, forged_sn);
    assert!(reason.contains("does not chain"), "{reason}");
    let text = err.to_string();
    assert!(
        text.contains(&configured) && text.contains(&forged_sn),
        "{text}"
    );
}

#[tokio::test]
async fn a_scenario_file_rotates_the_certificate() {
    use alipay_gateway::{ScenarioFile, StartError};
    let next = certs().issue_alipay_cert().expect("new cert");
    let file = ScenarioFile::from_toml(&format!(
        "[rotate_alipay_cert]\nafter_requests = 1\ncert = \"\"\"\n{}\"\"\"\nprivate_key = \"\"\"\n{}\"\"\"\n",
        next.cert_pem, next.key.private_pem
    ))
    .expect("scenario file");
    let gw = LocalGateway::builder(METHODS, gateway_keys())
        .cert_mode(GatewayCertMode::from_throwaway(certs()).expect("cert mode"))
        .scenarios(file)
        .start()
        .await
        .expect("start");
    let client = cert_client(&gw, Charset::Gbk).build().expect("client");
    let before = gw.alipay_cert_sn().expect("cert mode");
    client
        .execute(&Echo::new("1"))
        .await
        .expect("before the rotation");
    assert_eq!(gw.alipay_cert_sn().as_deref(), Some(before.as_str()));
    // The second answer is signed with the new certificate: fetched, checked, trusted.
    let answer = client
        .execute(&Echo::new("2"))
        .await
        .expect("after the rotation");
    assert_eq!(answer.owner.as_deref(), Some("王龙海"));
    let after = gw.alipay_cert_sn().expect("cert mode");
    assert_ne!(after, before);
    let methods: Vec<Option<String>> = gw.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(
        methods,
        [
            Some("alipay.test.echo".to_owned()),
            Some("alipay.test.echo".to_owned()),
            Some(alipay_runtime::client::CERT_DOWNLOAD_METHOD.to_owned()),
        ]
    );

    // `issue = "forged"`: a rotation the client refuses, naming both SNs.
    let forged = ScenarioFile::from_toml("[rotate_alipay_cert]\nissue = \"forged\"\n").unwrap();
    let gw = LocalGateway::builder(METHODS, gateway_keys())
        .cert_mode(GatewayCertMode::from_throwaway(certs()).expect("cert mode"))
        .scenarios(forged.clone())
        .start()
        .await
        .expect("start");
    let client = cert_client(&gw, Charset::Utf8).build().expect("client");
    let err = client.execute(&Echo::new("1")).await.expect_err("forged");
    let e = untrusted_cert(&err);
    assert_eq!(Some(e.answer_sn()), gw.alipay_cert_sn().as_deref());
    assert_eq!(e.configured_sn(), before);
    // Without certificate mode, and `from_root` without the gateway's CA: refused at start.
    let keys = ThrowawayKeys::generate().expect("keys");
    let plain = LocalGateway::builder(METHODS, keys.gateway_keys().unwrap())
        .scenarios(forged)
        .start()
        .await;
    assert!(matches!(plain, Err(StartError::Scenario(_))), "{plain:?}");
    let from_root =
        ScenarioFile::from_toml("[rotate_alipay_cert]\nissue = \"from_root\"\n").unwrap();
    let no_ca = LocalGateway::builder(METHODS, gateway_keys())
        .cert_mode(GatewayCertMode::from_throwaway(certs()).expect("cert mode"))
        .scenarios(from_root)
        .start()
        .await;
    assert!(matches!(no_ca, Err(StartError::Scenario(_))), "{no_ca:?}");
}

#[tokio::test]
async fn a_refused_sn_is_not_fetched_on_every_call() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let gw = cert_gateway(None).await;
    let later = Arc::new(AtomicU64::new(0));
    let clock = Arc::clone(&later);
    let client = cert_client(&gw, Charset::Utf8)
        .refused_cert_retry_after(Duration::from_secs(60))
        .clock(move || {
            std::time::SystemTime::now() + Duration::from_secs(clock.load(Ordering::SeqCst))
        })
        .build()
        .expect("client");
    let forged = ThrowawayCerts::forge_alipay_cert().expect("forged");
    let forged_sn = gw.rotate_alipay_cert(&forged).expect("rotate");
    let downloads = || {
        gw.requests()
            .iter()
            .filter(|r| r.method.as_deref() == Some(alipay_runtime::client::CERT_DOWNLOAD_METHOD))
            .count()
    };
    for _ in 0..3 {
        let err = client
            .execute(&Echo::new("1"))
            .await
            .expect_err("untrusted");
        let e = untrusted_cert(&err);
        assert_eq!(e.answer_sn(), forged_sn);
        assert!(e.reason().contains("does not chain"), "{}", e.reason());
    }
    // One download for three calls; the later ones say so.
    assert_eq!(downloads(), 1);
    let err = client
        .execute(&Echo::new("1"))
        .await
        .expect_err("untrusted");
    assert!(err.to_string().contains("not fetched again"), "{err}");
    // Once the period is over, the SN is fetched (and refused) again.
    later.store(61, Ordering::SeqCst);
    client
        .execute(&Echo::new("1"))
        .await
        .expect_err("untrusted");
    assert_eq!(downloads(), 2);
}

#[tokio::test]
async fn aes_in_utf8_and_gbk_with_and_without_cert_mode() {
    let keys = ThrowawayKeys::generate().expect("keys");
    let plain_gw = LocalGateway::builder(METHODS, keys.gateway_keys().unwrap())
        .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
        .start()
        .await
        .expect("start");
    let cert_gw = cert_gateway(Some(AES_KEY)).await;
    for charset in [Charset::Utf8, Charset::Gbk] {
        let key_client = key_client(&plain_gw, &keys)
            .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
            .charset(charset)
            .build()
            .expect("client");
        let cert_client = cert_client(&cert_gw, charset)
            .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
            .build()
            .expect("client");
        for (gw, client) in [(&plain_gw, key_client), (&cert_gw, cert_client)] {
            let answer = client.execute(&Echo::new("王2")).await.expect("decrypted");
            assert_eq!(answer.owner.as_deref(), Some("王龙海"));
            let last = gw.requests().pop().unwrap();
            assert_eq!(last.param("encrypt_type"), Some("AES"));
            // Sent encrypted, decrypted by the gateway.
            assert!(!last.param("biz_content").unwrap().contains("no"));
            assert_eq!(last.biz_content(), Some(json!({ "no": "王2" })));
        }
    }
}

#[tokio::test]
async fn an_aes_request_to_a_gateway_without_the_key_gets_an_unencrypted_error() {
    let keys = ThrowawayKeys::generate().expect("keys");
    let gw = LocalGateway::builder(METHODS, keys.gateway_keys().unwrap())
        .start()
        .await
        .expect("start");
    let client = key_client(&gw, &keys)
        .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
        .build()
        .expect("client");
    let g = gateway_error(client.execute(&Echo::new("1")).await.expect_err("refused"));
    assert_eq!(
        g.sub_code().as_str(),
        "isv.decryption-error-missing-encrypt-key"
    );
}

#[tokio::test]
async fn the_client_refuses_an_alipay_certificate_from_another_root() {
    let gw = cert_gateway(None).await;
    let forged = ThrowawayCerts::forge_alipay_cert().expect("forged");
    let err = cert_client(&gw, Charset::Utf8)
        .alipay_cert(AlipayCert::from_pem(forged.cert_pem.as_bytes()).unwrap())
        .build()
        .expect_err("untrusted");
    assert!(
        matches!(err, ConfigError::UntrustedAlipayCert { .. }),
        "{err}"
    );
    assert_eq!(gw.request_count(), 0);
}
