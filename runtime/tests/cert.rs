//! Public-key certificate mode against `shared/vectors/cert_sn.json` and `modes_node.json`
//! (`cert_sn_real`): every SN, the real four-root bundle (SM2 and ECDSA roots skipped), and the
//! trust checks (chain to the bundle, validity period, tampering).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::cert::{self, AlipayCert, AppCert, CertError, RootBundle};
use alipay_runtime::keys::PublicKey;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn read(file: &str) -> Vec<u8> {
    let path = format!("{DIR}{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn json(file: &str) -> Value {
    serde_json::from_slice(&read(file)).expect("vector JSON")
}

fn field<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// 2030-01-01: inside every test certificate's validity (2026-11-21 .. 2048-10-16).
fn in_validity() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

#[test]
fn cert_sn_vectors() {
    let v = json("cert_sn.json");
    assert_eq!(
        cert::cert_sn(&read(field(&v, "app_cert_file"))).unwrap(),
        field(&v, "app_cert_sn")
    );
    assert_eq!(
        cert::cert_sn(&read(field(&v, "alipay_cert_file"))).unwrap(),
        field(&v, "alipay_cert_sn")
    );
    assert_eq!(
        cert::root_cert_sn(&read(field(&v, "alipay_root_cert_file"))).unwrap(),
        field(&v, "alipay_root_cert_sn")
    );
    // Each listed certificate on its own, the ECDSA root included.
    for (name, c) in v["certs"].as_object().unwrap() {
        assert_eq!(
            cert::cert_sn(&read(field(c, "file"))).unwrap(),
            field(c, "md5"),
            "{name}"
        );
    }
    let app = AppCert::from_pem(&read(field(&v, "app_cert_file"))).unwrap();
    assert_eq!(app.sn(), field(&v, "app_cert_sn"));
    let app_public = PublicKey::from_pem(&String::from_utf8(read("keys/app_public.pem")).unwrap());
    assert_eq!(app.public_key().unwrap(), app_public.unwrap());
}

#[test]
fn real_bundle_and_sandbox_certificates() {
    let v = json("modes_node.json");
    let real = &v["cert_sn_real"];
    let bundle = read("certs_real/alipayRootCert_real.crt");
    // Four roots: SM2, sha256WithRSA, ECDSA, sha1WithRSA. Only the RSA ones make the SN.
    assert_eq!(
        cert::root_cert_sn(&bundle).unwrap(),
        field(real, "alipay_root_cert_sn")
    );
    assert_eq!(
        RootBundle::from_pem(&bundle).unwrap().sn(),
        field(real, "alipay_root_cert_sn")
    );
    // The sandbox Alipay certificate file holds the leaf and its intermediate: the leaf's SN.
    let alipay = read(field(real, "alipay_cert_file"));
    assert_eq!(
        cert::cert_sn(&alipay).unwrap(),
        field(real, "alipay_cert_sn")
    );
    assert_eq!(
        AlipayCert::from_pem(&alipay).unwrap().sn(),
        field(real, "alipay_cert_sn")
    );
    assert_eq!(
        cert::cert_sn(&read(field(real, "app_cert_file"))).unwrap(),
        field(real, "app_cert_sn")
    );
}

#[test]
fn crlf_and_text_between_blocks_are_accepted() {
    let bundle = String::from_utf8(read("keys/certs/alipay_root_cert.pem")).unwrap();
    let crlf = format!("# exported roots\r\n{}\r\n", bundle.replace('\n', "\r\n"));
    assert_eq!(
        cert::root_cert_sn(crlf.as_bytes()).unwrap(),
        field(&json("cert_sn.json"), "alipay_root_cert_sn")
    );
}

#[test]
fn the_alipay_certificate_chains_to_the_bundle() {
    let bundle = RootBundle::from_pem(&read("keys/certs/alipay_root_cert.pem")).unwrap();
    let alipay = AlipayCert::from_pem(&read("keys/certs/alipay_cert.pem")).unwrap();
    bundle.verify(&alipay, in_validity()).unwrap();
    let key = PublicKey::from_pem(&String::from_utf8(read("keys/alipay_public.pem")).unwrap());
    assert_eq!(alipay.public_key(), &key.unwrap());
}

#[test]
fn a_bundle_without_the_issuing_root_does_not_trust_it() {
    // Only the ECDSA and sha1 roots: neither signed the certificate.
    let mut pem = read("keys/certs/root_ec.pem");
    pem.extend(read("keys/certs/root_rsa_sha1.pem"));
    let bundle = RootBundle::from_pem(&pem).unwrap();
    let alipay = AlipayCert::from_pem(&read("keys/certs/alipay_cert.pem")).unwrap();
    let err = bundle.verify(&alipay, in_validity()).unwrap_err();
    assert!(matches!(err, CertError::Untrusted { .. }), "{err}");
    assert!(
        err.to_string().contains("Test Alipay Public Key Cert"),
        "{err}"
    );
}

#[test]
fn validity_is_checked() {
    let bundle = RootBundle::from_pem(&read("keys/certs/alipay_root_cert.pem")).unwrap();
    let alipay = AlipayCert::from_pem(&read("keys/certs/alipay_cert.pem")).unwrap();
    let before = UNIX_EPOCH + Duration::from_secs(1_577_836_800); // 2020-01-01
    let err = bundle.verify(&alipay, before).unwrap_err();
    assert!(matches!(err, CertError::NotYetValid { .. }), "{err}");
    let after = UNIX_EPOCH + Duration::from_secs(2_524_608_000); // 2050-01-01
    let err = bundle.verify(&alipay, after).unwrap_err();
    assert!(matches!(err, CertError::Expired { .. }), "{err}");
    assert!(err.to_string().contains("2048-10-16"), "{err}");
}

#[test]
fn the_expired_sandbox_chain_is_refused_by_the_real_roots() {
    // Real files: the sandbox chain's CA is a test CA, not in the production bundle.
    let bundle = RootBundle::from_pem(&read("certs_real/alipayRootCert_real.crt")).unwrap();
    let alipay = AlipayCert::from_pem(&read("certs_real/alipayPublicCert_sandbox.crt")).unwrap();
    let june_2023 = UNIX_EPOCH + Duration::from_secs(1_688_169_600);
    let err = bundle.verify(&alipay, june_2023).unwrap_err();
    assert!(matches!(err, CertError::Untrusted { .. }), "{err}");
    // And now it has expired.
    let err = bundle.verify(&alipay, SystemTime::now()).unwrap_err();
    assert!(matches!(err, CertError::Expired { .. }), "{err}");
}

#[test]
fn a_tampered_certificate_is_refused() {
    // Same issuer name, same signature, one byte of the subject changed: the root's signature no
    // longer covers it.
    let pem = String::from_utf8(read("keys/certs/alipay_cert.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64ct::Encoding as _;
    let mut der = base64ct::Base64::decode_vec(&body).unwrap();
    let at = der
        .windows(b"Test Alipay".len())
        .position(|w| w == b"Test Alipay")
        .unwrap();
    der[at] = b'B';
    let forged = AlipayCert::from_pem(&der).unwrap();
    let bundle = RootBundle::from_pem(&read("keys/certs/alipay_root_cert.pem")).unwrap();
    let err = bundle.verify(&forged, in_validity()).unwrap_err();
    assert!(matches!(err, CertError::Untrusted { .. }), "{err}");
}

#[test]
fn not_certificates_are_named() {
    assert!(matches!(cert::cert_sn(b""), Err(CertError::NoCertificate)));
    assert!(matches!(
        cert::cert_sn(&read("keys/app_public.pem")),
        Err(CertError::NoCertificate)
    ));
    let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        cert::cert_sn(broken),
        Err(CertError::Malformed { index: 1, .. })
    ));
    let unterminated = b"-----BEGIN CERTIFICATE-----\nAAAA\n";
    assert!(matches!(
        cert::cert_sn(unterminated),
        Err(CertError::Malformed { .. })
    ));
    // Only an ECDSA root: no root SN.
    assert!(matches!(
        cert::root_cert_sn(&read("keys/certs/root_ec.pem")),
        Err(CertError::NoRsaRoot)
    ));
    // An Alipay certificate whose key is not RSA.
    let err = AlipayCert::from_pem(&read("keys/certs/root_ec.pem")).unwrap_err();
    assert!(matches!(err, CertError::Key { .. }), "{err}");
}

mod client {
    use super::*;
    use alipay_runtime::encrypt::EncryptKey;
    use alipay_runtime::keys::PrivateKey;
    use alipay_runtime::sign::{self, SignType};
    use alipay_runtime::sign_content::sign_content;
    use alipay_runtime::{Client, ConfigError, RequestParts};

    fn path(file: &str) -> String {
        format!("{DIR}{file}")
    }

    fn builder() -> alipay_runtime::ClientBuilder {
        Client::builder()
            .gateway("http://127.0.0.1:9/gateway.do")
            .app_id("2014072300007148")
            .private_key(PrivateKey::from_file(path("keys/app_private_pkcs1.pem")).unwrap())
            .clock(in_validity)
    }

    fn cert_builder() -> alipay_runtime::ClientBuilder {
        builder()
            .app_cert(AppCert::from_file(path("keys/certs/app_cert.pem")).unwrap())
            .alipay_cert(AlipayCert::from_file(path("keys/certs/alipay_cert.pem")).unwrap())
            .alipay_root_cert(
                RootBundle::from_file(path("keys/certs/alipay_root_cert.pem")).unwrap(),
            )
    }

    /// The query and form pairs of a prepared request, form-decoded.
    fn pairs(prepared: &alipay_runtime::PreparedRequest) -> Vec<(String, String)> {
        let query = prepared.url.split_once('?').unwrap().1;
        form_urlencoded::parse(query.as_bytes())
            .chain(form_urlencoded::parse(&prepared.body))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// The pairs `client` sends for an `auth.confirm` with this biz_content, form-decoded.
    fn sent_confirm(client: &Client, biz_content: &str) -> Vec<(String, String)> {
        let parts = RequestParts {
            biz_content: Some(biz_content.to_owned()),
            form: Vec::new(),
            files: Vec::new(),
        };
        let prepared = client
            .prepare_raw("alipay.user.agreement.auth.confirm", &parts)
            .unwrap();
        pairs(&prepared)
    }

    /// The value of `key` among the sent pairs.
    fn value<'a>(sent: &'a [(String, String)], key: &str) -> Option<&'a str> {
        sent.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The sign content of the sent pairs (all but `sign`), once `sign` is checked to verify
    /// over it with the app's public key.
    fn signed_content(sent: &[(String, String)]) -> String {
        let content = sign_content(
            sent.iter()
                .filter(|(k, _)| k != "sign")
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        PublicKey::from_file(path("keys/app_public.pem"))
            .unwrap()
            .verify(
                SignType::Rsa2,
                content.as_bytes(),
                value(sent, "sign").unwrap(),
            )
            .unwrap();
        content
    }

    #[test]
    fn cert_mode_sends_and_signs_both_sns() {
        let v = json("cert_sn.json");
        let client = cert_builder().build().unwrap();
        let config = client.config();
        assert!(config.is_cert_mode());
        assert_eq!(config.app_cert_sn(), Some(field(&v, "app_cert_sn")));
        assert_eq!(
            config.alipay_root_cert_sn(),
            Some(field(&v, "alipay_root_cert_sn"))
        );
        assert_eq!(config.alipay_cert_sn(), Some(field(&v, "alipay_cert_sn")));
        let sent = sent_confirm(&client, r#"{"auth_confirm_no":"423979"}"#);
        let get = |k: &str| value(&sent, k);
        assert_eq!(get("app_cert_sn"), Some(field(&v, "app_cert_sn")));
        assert_eq!(
            get("alipay_root_cert_sn"),
            Some(field(&v, "alipay_root_cert_sn"))
        );
        assert_eq!(get("alipay_cert_sn"), None);
        // The signature covers them.
        let content = signed_content(&sent);
        assert!(content.contains("&app_cert_sn=e457afb05b278d242fffbcbe53d58720&"));
    }

    #[test]
    fn cert_mode_request_vector() {
        // NODE's cert-mode request (no `format`): the same sign content rule signs the SNs.
        let v = &json("modes_node.json")["cert_mode_request"];
        let sent = v["params_signed_and_sent"].as_object().unwrap();
        let content = sign_content(
            sent.iter()
                .filter(|(k, _)| *k != "sign")
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
        );
        let key = PrivateKey::from_file(path(field(v, "private_key_file"))).unwrap();
        assert_eq!(
            sign::sign_base64(&key, SignType::Rsa2, content.as_bytes()).unwrap(),
            field(&v["params_signed_and_sent"], "sign")
        );
        let v_sn = json("cert_sn.json");
        assert_eq!(
            field(&v["params_signed_and_sent"], "app_cert_sn"),
            field(&v_sn, "app_cert_sn")
        );
    }

    #[test]
    fn aes_mode_encrypts_then_signs() {
        let v = &json("modes_node.json")["aes_request"];
        let key = EncryptKey::from_base64(field(v, "key")).unwrap();
        let client = builder()
            .alipay_public_key(PublicKey::from_file(path("keys/alipay_public.pem")).unwrap())
            .encrypt_key(key)
            .build()
            .unwrap();
        assert!(client.config().is_encrypted());
        assert!(!format!("{:?}", client.config()).contains(field(v, "key")));
        let sent = sent_confirm(&client, field(v, "plaintext_biz_content"));
        let get = |k: &str| value(&sent, k);
        assert_eq!(get("encrypt_type"), Some("AES"));
        assert_eq!(
            get("biz_content"),
            Some(field(&v["params_signed_and_sent"], "biz_content"))
        );
        assert!(signed_content(&sent).contains("encrypt_type=AES"));
    }

    #[test]
    fn an_untrusted_alipay_certificate_is_a_config_error_naming_the_file() {
        let mut roots = read("keys/certs/root_ec.pem");
        roots.extend(read("keys/certs/root_rsa_sha1.pem"));
        let err = builder()
            .app_cert(AppCert::from_file(path("keys/certs/app_cert.pem")).unwrap())
            .alipay_cert(AlipayCert::from_file(path("keys/certs/alipay_cert.pem")).unwrap())
            .alipay_root_cert(RootBundle::from_pem(&roots).unwrap())
            .build()
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::UntrustedAlipayCert { .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("keys/certs/alipay_cert.pem"), "{text}");
        assert!(text.contains("does not chain"), "{text}");

        let err = cert_builder()
            .clock(|| UNIX_EPOCH + Duration::from_secs(2_524_608_000))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("expired"), "{err}");
    }

    #[test]
    fn incomplete_cert_mode_and_a_foreign_app_cert_are_refused() {
        let err = builder()
            .app_cert(AppCert::from_file(path("keys/certs/app_cert.pem")).unwrap())
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::IncompleteCertMode {
                    missing: "alipay_cert"
                }
            ),
            "{err}"
        );
        // The Alipay certificate given as the app's: its key is not the app key's public half.
        let err = cert_builder()
            .app_cert(AppCert::from_file(path("keys/certs/alipay_cert.pem")).unwrap())
            .build()
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::AppCertKeyMismatch { .. }),
            "{err}"
        );
    }

    /// A store that writes down every SN it is asked for.
    #[derive(Default)]
    struct Recording(std::sync::Mutex<Vec<String>>);

    impl alipay_runtime::CertStore for Recording {
        fn load(&self, sn: &str) -> Option<Vec<u8>> {
            self.0.lock().unwrap().push(sn.to_owned());
            None
        }
        fn save(&self, _: &str, _: &[u8]) {}
    }

    #[tokio::test]
    async fn an_answer_naming_no_possible_sn_is_refused_without_a_store_lookup_or_download() {
        // Found by reading the rotation path: the unsigned alipay_cert_sn of an answer (and a
        // v3 answer's alipay-sn header), whatever it held, was handed to the CertStore's
        // load (a path such as "../../x" for a store of files), logged, kept among the refused
        // SNs (up to 64 of them, each as long as an answer) and sent to the gateway in a
        // download request.
        use crate::server::{Confirm, Server, Step, http_head};
        use alipay_runtime::Error;
        let long = "f".repeat(100_000);
        for sn in [
            "../../../etc/passwd",
            "E457AFB05B278D242FFFBCBE53D5872",
            long.as_str(),
        ] {
            let body = format!(
                r#"{{"alipay_test_agreement_confirm_response":{{"code":"10000"}},"alipay_cert_sn":"{sn}","sign":"c2ln"}}"#
            );
            let v2_body = body.clone();
            let server = Server::start(move |received| {
                if received.target.starts_with("/v3/") {
                    let mut head = http_head("200 OK", "application/json", 2);
                    let extra = format!(
                        "alipay-sn: {}\r\nalipay-signature: c2ln\r\nalipay-timestamp: 1\r\nalipay-nonce: n\r\n\r\n",
                        &sn_of(&v2_body)
                    );
                    head.truncate(head.len() - 2);
                    head.extend_from_slice(extra.as_bytes());
                    head.extend_from_slice(b"{}");
                    vec![Step::Write(head)]
                } else {
                    crate::server::json_reply(
                        v2_body.as_bytes().to_vec(),
                        alipay_runtime::Charset::Utf8,
                    )
                }
            })
            .await;
            let store = std::sync::Arc::new(Recording::default());
            let client = cert_builder()
                .gateway(server.url())
                .cert_store(store.clone())
                .build()
                .unwrap();
            let err = client.execute(&Confirm::new("1")).await.unwrap_err();
            let v3 = alipay_runtime::RequestOptions::new().protocol(alipay_runtime::Protocol::V3);
            let err_v3 = client
                .execute_with(
                    &crate::v3_client::Raw::<{ crate::v3_client::QUERY }>::json(r#"{}"#),
                    &v3,
                )
                .await
                .unwrap_err();
            let untrusted = [
                match err {
                    Error::UntrustedAlipayCert(e) => e,
                    other => panic!("{sn:.40}: {other:?}"),
                },
                match err_v3 {
                    Error::UntrustedAlipayCert(e) => e,
                    other => panic!("{sn:.40}: {other:?}"),
                },
            ];
            for e in untrusted {
                let err = e.to_string();
                assert!(e.reason().contains("not a certificate SN"), "{err}");
                assert!(e.answer_sn().len() <= 64, "{err}");
            }
            // One request per call: nothing fetched.
            assert_eq!(server.requests().len(), 2, "{sn:.40}");
            assert!(store.0.lock().unwrap().is_empty(), "{sn:.40}");
        }
    }

    /// The alipay_cert_sn of a body written above (the v3 answer names the same in its header,
    /// the long one cut to what a header line carries).
    fn sn_of(body: &str) -> String {
        let v: Value = serde_json::from_str(body).unwrap();
        v["alipay_cert_sn"]
            .as_str()
            .unwrap()
            .chars()
            .take(4000)
            .collect()
    }
}
