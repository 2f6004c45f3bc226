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
