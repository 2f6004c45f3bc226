//! Loading keys: every container and form, the configuration mistakes named at load time, and
//! no key material in `Debug` or in errors.

use alipay_runtime::keys::{self, KeyError, PrivateKey, PublicKey};
use alipay_runtime::sign::{self, SignType};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn private_err(text: &str) -> KeyError {
    PrivateKey::parse(text).expect_err("must be rejected")
}

fn public_err(text: &str) -> KeyError {
    PublicKey::parse(text).expect_err("must be rejected")
}

#[test]
fn every_private_form_loads_the_same_key() {
    let pem1 = read("app_private_pkcs1.pem");
    let pem8 = read("app_private_pkcs8.pem");
    let b64_1 = read("app_private_pkcs1.b64");
    let b64_8 = read("app_private_pkcs8.b64");
    let keys = [
        PrivateKey::from_pem(&pem1).unwrap(),
        PrivateKey::from_pem(&pem8).unwrap(),
        PrivateKey::from_base64(&b64_1).unwrap(),
        PrivateKey::from_base64(&b64_8).unwrap(),
        PrivateKey::parse(&pem8).unwrap(),
        PrivateKey::parse(&b64_1).unwrap(),
        PrivateKey::from_file(format!("{KEYS}app_private_pkcs8.b64")).unwrap(),
    ];
    let expected = PublicKey::from_file(format!("{KEYS}app_public.pem")).unwrap();
    let content = "app_id=1&method=alipay.trade.query".as_bytes();
    let first = sign::sign_base64(&keys[0], SignType::Rsa2, content).unwrap();
    for key in &keys {
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.public_key(), expected);
        assert_eq!(
            sign::sign_base64(key, SignType::Rsa2, content).unwrap(),
            first
        );
    }
    expected.verify(SignType::Rsa2, content, &first).unwrap();
}

#[test]
fn every_public_form_loads_the_same_key() {
    let pem = read("alipay_public.pem");
    let b64 = read("alipay_public.b64");
    let a = PublicKey::from_pem(&pem).unwrap();
    assert_eq!(a.bits(), 2048);
    assert_eq!(PublicKey::from_base64(&b64).unwrap(), a);
    assert_eq!(PublicKey::parse(&b64).unwrap(), a);
    assert_eq!(PublicKey::parse(&pem).unwrap(), a);
    let app = PublicKey::from_pem(&read("app_public.pem")).unwrap();
    assert_ne!(app, a);
    // PKCS#1 `RSA PUBLIC KEY`, armoured and bare.
    assert_eq!(PublicKey::from_pem(APP_PUBLIC_PKCS1).unwrap(), app);
    let bare: String = APP_PUBLIC_PKCS1
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(PublicKey::from_base64(&bare).unwrap(), app);
}

#[test]
fn sloppy_but_unambiguous_formatting_is_accepted() {
    let pem = read("app_private_pkcs1.pem");
    let crlf = pem.replace('\n', "\r\n");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let one_line = format!("-----BEGIN RSA PRIVATE KEY-----{body}-----END RSA PRIVATE KEY-----");
    let indented = format!("\n\n   {}\n", pem.replace('\n', "\n   "));
    let b64_wrapped = read("app_private_pkcs8.b64")
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let reference = PrivateKey::from_pem(&pem).unwrap().public_key();
    for text in [crlf, one_line, indented, b64_wrapped] {
        assert_eq!(PrivateKey::parse(&text).unwrap().public_key(), reference);
    }
}

#[test]
fn public_key_given_as_private_is_named() {
    for name in ["app_public.pem", "app_public.b64", "alipay_public.pem"] {
        assert!(
            matches!(private_err(&read(name)), KeyError::PublicKeyGivenAsPrivate),
            "{name}"
        );
    }
    assert!(matches!(
        private_err(APP_PUBLIC_PKCS1),
        KeyError::PublicKeyGivenAsPrivate
    ));
}

#[test]
fn private_key_given_as_public_is_named() {
    for name in [
        "alipay_private_pkcs1.pem",
        "alipay_private_pkcs8.pem",
        "alipay_private_pkcs1.b64",
        "alipay_private_pkcs8.b64",
    ] {
        assert!(
            matches!(public_err(&read(name)), KeyError::PrivateKeyGivenAsPublic),
            "{name}"
        );
    }
}

#[test]
fn app_public_key_configured_as_alipay_key_is_named() {
    let app = PrivateKey::from_file(format!("{KEYS}app_private_pkcs8.pem")).unwrap();
    let app_public = PublicKey::from_file(format!("{KEYS}app_public.b64")).unwrap();
    let alipay_public = PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap();
    assert!(matches!(
        keys::check_alipay_public_key(&app, &app_public),
        Err(KeyError::AlipayKeyIsAppKey)
    ));
    keys::check_alipay_public_key(&app, &alipay_public).unwrap();
}

#[test]
fn non_rsa_keys_are_named() {
    match private_err(&read("certs/root_ec.key")) {
        KeyError::NotRsa { algorithm } => assert_eq!(algorithm, "EC"),
        other => panic!("{other:?}"),
    }
    match private_err(ED25519_PKCS8) {
        KeyError::NotRsa { algorithm } => assert_eq!(algorithm, "Ed25519"),
        other => panic!("{other:?}"),
    }
    match public_err(EC_P256_PUBLIC) {
        KeyError::NotRsa { algorithm } => assert_eq!(algorithm, "EC"),
        other => panic!("{other:?}"),
    }
    let sec1 = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----";
    assert!(matches!(private_err(sec1), KeyError::NotRsa { .. }));
}

#[test]
fn keys_under_2048_bits_are_named() {
    assert!(matches!(
        private_err(RSA_1024_PKCS8),
        KeyError::TooSmall { bits: 1024 }
    ));
    assert!(matches!(
        public_err(RSA_1024_PUBLIC),
        KeyError::TooSmall { bits: 1024 }
    ));
}

#[test]
fn certificates_and_encrypted_keys_are_named() {
    assert!(matches!(
        public_err(&read("certs/alipay_cert.pem")),
        KeyError::Certificate
    ));
    assert!(matches!(
        private_err(&read("certs/app_cert.pem")),
        KeyError::Certificate
    ));
    assert!(matches!(private_err(ENCRYPTED_PKCS8), KeyError::Encrypted));
    assert!(matches!(private_err(ENCRYPTED_PKCS1), KeyError::Encrypted));
}

#[test]
fn broken_text_is_named() {
    assert!(matches!(private_err(""), KeyError::Empty));
    assert!(matches!(public_err("  \n "), KeyError::Empty));
    assert!(matches!(private_err("not a key!"), KeyError::BadBase64));
    assert!(matches!(private_err("AAAA"), KeyError::BadDer { .. }));
    let pem = read("app_private_pkcs1.pem");
    let truncated = &pem[..pem.len() / 2];
    assert!(matches!(private_err(truncated), KeyError::BadPem { .. }));
    let damaged = pem.replacen("MII", "MI!", 1);
    assert!(matches!(private_err(&damaged), KeyError::BadPem { .. }));
    let relabelled = pem.replace("RSA PRIVATE KEY", "PRIVATE KEY");
    assert!(matches!(private_err(&relabelled), KeyError::BadDer { .. }));
    let odd = "-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----";
    assert!(matches!(
        private_err(odd),
        KeyError::UnexpectedPemLabel { .. }
    ));
    // from_pem wants armour, from_base64 wants none.
    let wants_pem = |e| {
        matches!(
            e,
            KeyError::FormMismatch {
                expected: "PEM",
                ..
            }
        )
    };
    let wants_b64 = |e| {
        matches!(
            e,
            KeyError::FormMismatch {
                expected: "bare base64",
                ..
            }
        )
    };
    assert!(wants_pem(
        PrivateKey::from_pem(&read("app_private_pkcs1.b64")).unwrap_err()
    ));
    assert!(wants_b64(PrivateKey::from_base64(&pem).unwrap_err()));
    assert!(wants_pem(
        PublicKey::from_pem(&read("alipay_public.b64")).unwrap_err()
    ));
    assert!(wants_b64(
        PublicKey::from_base64(&read("alipay_public.pem")).unwrap_err()
    ));
}

#[test]
fn unreadable_file_names_the_path() {
    let path = format!("{KEYS}no_such_key.pem");
    let err = PrivateKey::from_file(&path).unwrap_err();
    assert!(matches!(err, KeyError::Io { .. }));
    assert!(err.to_string().contains("no_such_key.pem"), "{err}");
    assert!(PublicKey::from_file(&path).is_err());
}

/// Every 12-character window of the key's base64, and of its PEM lines.
fn secret_fragments(text: &str) -> Vec<String> {
    let compact: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .split_whitespace()
        .collect();
    compact
        .as_bytes()
        .windows(12)
        .step_by(6)
        .map(|w| String::from_utf8(w.to_vec()).unwrap())
        .collect()
}

#[test]
fn debug_and_errors_show_no_key_material() {
    for name in [
        "app_private_pkcs1.pem",
        "app_private_pkcs8.pem",
        "app_private_pkcs1.b64",
        "alipay_private_pkcs8.b64",
    ] {
        let text = read(name);
        let key = PrivateKey::parse(&text).unwrap();
        let debug = format!("{key:?} {:?} {key:#?}", key.public_key());
        assert_eq!(format!("{key:?}"), "PrivateKey { bits: 2048, .. }");
        assert_eq!(
            format!("{:?}", key.public_key()),
            "PublicKey { bits: 2048, .. }"
        );
        for fragment in secret_fragments(&text) {
            assert!(!debug.contains(&fragment), "{name}: Debug leaks {fragment}");
        }
        // A private key rejected as a public key does not echo it either.
        let err = PublicKey::parse(&text).unwrap_err();
        let shown = format!("{err} {err:?}");
        for fragment in secret_fragments(&text) {
            assert!(!shown.contains(&fragment), "{name}: error leaks {fragment}");
        }
    }
}

#[test]
fn both_sign_types_round_trip_with_the_matching_public_key() {
    let key = PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap();
    let public = PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap();
    let message = "中文 content & more".as_bytes();
    for sign_type in [SignType::Rsa2, SignType::Rsa] {
        let signature = sign::sign_base64(&key, sign_type, message).unwrap();
        public.verify(sign_type, message, &signature).unwrap();
        assert!(public.verify(sign_type, b"other", &signature).is_err());
        assert_eq!(
            public.verify(sign_type, message, "not base64!"),
            Err(sign::VerifyError::Base64)
        );
        let app = PublicKey::from_file(format!("{KEYS}app_public.pem")).unwrap();
        assert_eq!(
            app.verify(sign_type, message, &signature),
            Err(sign::VerifyError::Mismatch)
        );
    }
}

/// A user-supplied signer (KMS, HSM) plugs in through the trait.
#[test]
fn external_signer_plugs_in() {
    #[derive(Debug)]
    struct Remote(PrivateKey);
    impl sign::Signer for Remote {
        fn sign(&self, t: SignType, content: &[u8]) -> Result<Vec<u8>, sign::SignError> {
            self.0.sign(t, content)
        }
    }
    #[derive(Debug)]
    struct Down;
    impl sign::Signer for Down {
        fn sign(&self, _: SignType, _: &[u8]) -> Result<Vec<u8>, sign::SignError> {
            Err(sign::SignError::External("HSM unreachable".into()))
        }
    }
    let key = PrivateKey::from_file(format!("{KEYS}app_private_pkcs1.pem")).unwrap();
    let expected = sign::sign_base64(&key, SignType::Rsa2, b"x").unwrap();
    let remote: Box<dyn sign::Signer> = Box::new(Remote(key));
    assert_eq!(
        sign::sign_base64(remote.as_ref(), SignType::Rsa2, b"x").unwrap(),
        expected
    );
    let err = sign::sign_base64(&Down, SignType::Rsa2, b"x").unwrap_err();
    assert!(err.to_string().contains("HSM unreachable"));
}

// Throwaway keys made with OpenSSL 3.0 for these tests only (TEST ONLY, protect nothing).
const RSA_1024_PKCS8: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAKgEl2xg+8hv7tid\n\
GZ2E1tvfBuaqH43Y+CcXYjDAsbA5OdlmpV0jHdZ65bhFhV86OI1wJjXA9YUcPsRV\n\
RaYwbvHYZ9SuFYlg2DD+EQZoS254kULbXx1Q7Pq2ryULakVYBxw17dPN6moXws6m\n\
4JuEzyScRixV1N/vfEAozu1MkD8VAgMBAAECgYBAOokcQDLgG5IFsoChS6/LG4YK\n\
1Yv8cK3kW7cIhhEnGak4p1mdshfs7sw0Vjc3AQ2vW+jvcZUpznNcIHDgp/Ew2c9i\n\
ULxADrCyXjfGOeooKE+oZNZ4KILyzrGGHUADyEmurf0n6OgohS8h+202GrRgwmGo\n\
zgJiCb7JFbGfHbohwQJBANpmH+CIOm7k9s8Wn1dsC83ysNlqx/6ZchPYuVvicdYE\n\
FEH1yxqQ3qvvvTs2hJuXLBCxXmHnVo7F4G/Ny7iy77ECQQDE8fAmWpD0yHkhHEL6\n\
WPPFtcoXTUtOzMVjRBNZtzVTLSv8eONkjjSfhcj6IGG7BEBKZ4kN0bjKIGavylzh\n\
mmKlAkAMhEXXbHdM27p5a+Z98CdNClewXjpQESNEl+snpPa5OUqf7SJSx3K7j+Xc\n\
eudms2dHHaM3ITcIv7Z5MeY3E6pBAkEAvJaAQ/nNfNjLRO1vJZMwO06MqiuVxWtI\n\
SHnTncFWCsPiruyDsrKJqYfOn9WKQC8d8SGbl+QPc137drHspwvTEQJAUw2cvaa4\n\
ne7LFAOrTVNkaiYkdF3KaJdV4Zd0oguBC1SX/c4XmuNklx6a6tmM7R/ckeilOloT\n\
n/1i7OhumuSF5g==\n\
-----END PRIVATE KEY-----\n\
";
const RSA_1024_PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCoBJdsYPvIb+7YnRmdhNbb3wbm\n\
qh+N2PgnF2IwwLGwOTnZZqVdIx3WeuW4RYVfOjiNcCY1wPWFHD7EVUWmMG7x2GfU\n\
rhWJYNgw/hEGaEtueJFC218dUOz6tq8lC2pFWAccNe3TzepqF8LOpuCbhM8knEYs\n\
VdTf73xAKM7tTJA/FQIDAQAB\n\
-----END PUBLIC KEY-----\n\
";
const ENCRYPTED_PKCS8: &str = "\
-----BEGIN ENCRYPTED PRIVATE KEY-----\n\
MIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI+WtwhOSr7PwCAggA\n\
MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBDjGM6v7Tx6g08U1dSKzfMEBIIC\n\
gM1BuL+OHKQ35ijjGHRZPrMQX8d4j4oYjaMhxiqS/22DdVlIII14HV2OnO5mUhpH\n\
fpEzlWYLhrqKkcBo140D5qaF6wzuAeEYmXI90xakDWmgPTtQWIpHOou5IcAs73wu\n\
dN/2YR7mJnVmp+Bd7nX+bqkvmbDmUx/1BxWBxHE3eNBSsaT99SQFO2NkAR4K+Lw9\n\
WE4H7DOZ4auZ6aiV70eoFcLqRJ0rGtX+u2+hbwIlPDnfymONdbrUXJ/faHfrSItf\n\
BF74WwB0IRz1BiLnzk+/uxyZOlpnTt/Ts07RJ7T8RBqGzIRD1rCgmtNbArKKLKrp\n\
aQz+V2+CDkwIh9nOCZK1gy2C2O2lF9QWEAr7VExN61eUiin+VjQccwn8iwGRXAXc\n\
ivgacKQrrW0UjVke8inPxbimy4rAiKKblGG9LQN1kRUckHbaHwr3aUHHrlbLGiJp\n\
iclaDwdaA5S8Bu0fKeWgFkp/ywg894M8UOWHw2KIQEaCqMZGzbHtOWEHFkVYTgIN\n\
Xmib3u0vn1tjqZhyjiKN2LGFKLljfQdcz5wu8DgbwdFeMhePFTBtlKKhRKmoMaCf\n\
KN8O7xocPQRd/wseE8FSkGSEbCZBgwGQtLtdDRtrBpv1yrAEkbQ84H4qYj10xq5o\n\
1KWp/4kXBjZb3uw58hWin0r7YXVjj4ItBhw2ND7OO38XNU3aKWrin3y+V+4mxTrj\n\
6IW9/Mm7KcSQfAwyy6RmA0uGcH3i55BowaCEeGXl3puYJ2o4DqR6/EhZR+PLp1FN\n\
USdnmetaTKiDmg3A+TvOOrFV65pE5ENDhm6W5TE3NdTLxIjmKxoYoxJfqayz/DXq\n\
wxXAAp+VkwmTXMSD/TAOICA=\n\
-----END ENCRYPTED PRIVATE KEY-----\n\
";
const ENCRYPTED_PKCS1: &str = "\
-----BEGIN RSA PRIVATE KEY-----\n\
Proc-Type: 4,ENCRYPTED\n\
DEK-Info: AES-256-CBC,CEF06307C34F5CD791E4349BC75CEC77\n\
\n\
hlguyAqomteKiDYF/eT6nVpb6dtrE3jZEtG/wZe/bwccGIQILyj9+QjK+uwOqLuo\n\
Nb2Fm2t7/UED9UIsu6c4LCDZ3+XmMiN7Tb29BaLw+r/hEsr44rBAGIjeV1b34X5U\n\
HxlqIXJ7kpd1CcOIrcIMTkvqJ1oAqUJN8216E6yfP9HEqw2F+11QV+q4pWyBWF5M\n\
p2j4W7hyfnsFRl4Ce50S+BoDZKUKyJg7ZWab11VS4L8gJiBQ98l4MV0lGY39Stw4\n\
5h0jTpVleB3Of6Z8vb8rxKNJldi6BPixyzHJdVIACJydSVhxkTncjUY82rJPlNQ1\n\
Lk93ymhefvzMeArNkCGn1WrycJGran33ykwWaqx7XN9LFPHt2NSG9/bDkofGg0qP\n\
q3aEQVIDE6AwJi3SegnTyADqsVGQWapmXufYgESiWgBbIBA3zdF0i204L1mxeWCN\n\
/+ZRRdABXP5rMbJFtc/ztAfyvpkUaG/srBlS464bvZxYHsFjDg6dFwtwhWtd3FDm\n\
3yzJDLoh1KeH5JNWLvXeHKxq04DNWmOfKYCn+Lgi+FOz2NdRnjNPcHLtcbD6Wn3r\n\
JmgpiNWMf7gG6ask2c9UHpEn2GvXW/kgANmF1oHXidAu7g3egg0x7UGXD8wmF5FI\n\
OKxdVvuArUbOK0KRoBpEz2G8L9bg5e97Hciuc4IBUkRIgOKvQ6rvQhY98mglcEKm\n\
yBOXQQT94qALFQi9VRGO7CyuqClj3wBuVpWi9xfBfdBY+Wt4G1Jgq3V8zE3aWQ8z\n\
B7kVf6NkQMKmNewQs8GhlwWX6cKkKpFEqUaeoJGa0WVTmfwMZJZ2KcZaS7f/bStZ\n\
-----END RSA PRIVATE KEY-----\n\
";
const ED25519_PKCS8: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEILqwRL0a1CeHk4XaW+0JoRzL3TbSNO7xKGXUyCXgErsz\n\
-----END PRIVATE KEY-----\n\
";
const EC_P256_PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvRLe1SHxRcCMXiv3ZjWPfkMxe6zc\n\
RYd/2wGAlZi3aT1fc5nhMjtIpsvSkv5kabnR9LkyzC5iZzFxdej5+YnBBQ==\n\
-----END PUBLIC KEY-----\n\
";
// The app public key of shared/vectors/keys as PKCS#1 `RSA PUBLIC KEY` (openssl rsa -RSAPublicKey_out).
const APP_PUBLIC_PKCS1: &str = "\
-----BEGIN RSA PUBLIC KEY-----\n\
MIIBCgKCAQEAm+96PlzRsLvhVz7+LGBGSGel+MnpbHZ3e0zYc64ifOfvyVgXFQHN\n\
JYzG9/hha4VSlou14sW72Jo+l3YsP7tP/znGpywj7q1bI8o+KspbWsmjjLHdMamQ\n\
gN7xSl3vzfa28ujZ62l+kp9Q1qY5lYzxopubFpK02PyK1irJh+mejuJBWFgwcQRd\n\
2TqztL0nfuWBWKHT2HNhrtv/P3Wbu6w07Xy7SSNo29WqGIp8XnZTt5o4gsiWrwWv\n\
f0Ya92sUC3Q3aguxbl+LdWAB3Vw9lQ/VwYqWLzYdfGBvv8IcrjcxWZ9tDfd/s84y\n\
KwgfjBqYoKTB80B+P/3yDlull8wua12iSQIDAQAB\n\
-----END RSA PUBLIC KEY-----\n\
";

/// The client shares keys across tasks and threads.
#[test]
fn keys_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<PrivateKey>();
    assert_send_sync::<PublicKey>();
    assert_send_sync::<KeyError>();
    assert_send_sync::<std::sync::Arc<dyn sign::Signer>>();
}
