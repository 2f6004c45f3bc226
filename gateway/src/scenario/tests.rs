//! Scenario files of every shape, and the errors that name what is wrong.

use super::*;

#[test]
fn toml_file_with_every_answer() {
    let file = ScenarioFile::from_toml(
        r#"
        [default]
        answer = "http_500"

        [methods."a.b"]
        answer = "business_error"
        sub_code = "X"
        delay_ms = 30

        [methods."a.c"]
        answer = "gateway_error"
        code = "20000"
        msg = "Service Currently Unavailable"
        sub_code = "isp.unknow-error"
        sub_msg = "系统繁忙"

        [methods."a.d"]
        answer = "altered_body"

        [methods."a.e"]
        answer = "missing_sign"
        "#,
    )
    .expect("valid file");
    assert_eq!(file.default, Scenario::Http500);
    assert_eq!(
        file.methods["a.b"],
        Scenario::business_error("X").delayed(30)
    );
    assert_eq!(file.methods["a.c"], Scenario::service_unavailable());
    assert_eq!(file.methods["a.d"], Scenario::AlteredBody);
    assert_eq!(file.methods["a.e"], Scenario::MissingSign);
}

#[test]
fn json_file_is_the_same_structure() {
    let file =
        ScenarioFile::from_json(r#"{"methods": {"a.b": {"answer": "success", "delay_ms": 5}}}"#)
            .expect("valid file");
    assert_eq!(file.default, Scenario::Success);
    assert_eq!(file.methods["a.b"], Scenario::Success.delayed(5));
}

#[test]
fn rotation_entries() {
    let file =
        ScenarioFile::from_toml("[rotate_alipay_cert]\nafter_requests = 2\nissue = \"forged\"\n")
            .expect("valid");
    let rotation = file.rotation.clone().expect("rotation");
    assert_eq!(rotation.after_requests, 2);
    assert_eq!(rotation.cert, RotationCert::Forged);
    // Made on request: a forged one needs no CA; from_root does.
    let mut forged = file.clone();
    forged.issue_rotation_cert(None).expect("forged");
    assert!(matches!(
        forged.rotation.as_ref().map(|r| &r.cert),
        Some(RotationCert::Given { .. })
    ));
    let mut from_root =
        ScenarioFile::from_json(r#"{"rotate_alipay_cert": {"issue": "from_root"}}"#).unwrap();
    assert_eq!(from_root.rotation.as_ref().unwrap().after_requests, 0);
    assert!(from_root.issue_rotation_cert(None).is_err());
    let ca = crate::ThrowawayCerts::generate().expect("ca");
    from_root.issue_rotation_cert(Some(&ca)).expect("issued");
    let Some(RotationCert::Given {
        cert_pem,
        private_key,
    }) = from_root.rotation.as_ref().map(|r| r.cert.clone())
    else {
        panic!("not issued")
    };
    // Inline PEM in the file, and files beside it.
    let inline = format!(
        "[rotate_alipay_cert]\ncert = \"\"\"\n{cert_pem}\"\"\"\nprivate_key = \"\"\"\n{private_key}\"\"\"\n"
    );
    let file = ScenarioFile::from_toml(&inline).expect("inline");
    assert!(!format!("{file:?}").contains("PRIVATE KEY"));
    let dir = std::env::temp_dir().join(format!("alipay-rotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("next.crt"), &cert_pem).unwrap();
    std::fs::write(dir.join("next.pem"), &private_key).unwrap();
    let path = dir.join("s.toml");
    std::fs::write(
        &path,
        "[rotate_alipay_cert]\ncert = \"next.crt\"\nprivate_key = \"next.pem\"\n",
    )
    .unwrap();
    assert_eq!(
        ScenarioFile::from_path(&path).expect("paths").rotation,
        file.rotation
    );
    // A key that is not the certificate's, a missing file, half an entry: errors.
    let other = crate::ThrowawayKeys::generate().unwrap();
    std::fs::write(dir.join("next.pem"), &other.app.private_pem).unwrap();
    assert!(ScenarioFile::from_path(&path).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
    for bad in [
        "[rotate_alipay_cert]\n",
        "[rotate_alipay_cert]\ncert = \"x.crt\"\n",
        "[rotate_alipay_cert]\nissue = \"forged\"\ncert = \"x\"\nprivate_key = \"y\"\n",
        "[rotate_alipay_cert]\nissue = \"nope\"\n",
        "[rotate_alipay_cert]\nissue = \"forged\"\nafter = 1\n",
        "[rotate_alipay_cert]\ncert = \"/no/such.crt\"\nprivate_key = \"/no/such.pem\"\n",
    ] {
        assert!(ScenarioFile::from_toml(bad).is_err(), "accepted: {bad}");
    }
}

#[test]
fn mistakes_are_errors() {
    for bad in [
        "[methods.\"a.b\"]\nanswer = \"business_error\"\n",
        "[methods.\"a.b\"]\nanswer = \"success\"\nsub_code = \"X\"\n",
        "[methods.\"a.b\"]\nanswer = \"sucess\"\n",
        "[methods.\"a.b\"]\nanswer = \"success\"\ndelay = 5\n",
        "[methods.\"a.b\"]\nanswer = \"gateway_error\"\nmsg = \"m\"\n",
        "[default]\nanswer = \"business_error\"\nsub_code = \"X\"\n",
        "[method.\"a.b\"]\nanswer = \"success\"\n",
    ] {
        assert!(ScenarioFile::from_toml(bad).is_err(), "accepted: {bad}");
    }
}

/// A scenario file may hold the rotation's private key inline: no error shows a piece of it.
/// The TOML crate's rendering quoted the source line (`private_key = "MIIE…` without its closing
/// quote showed the key), and a bare base64 key, read as a path, was echoed as the path.
#[test]
fn errors_never_show_an_inline_private_key() {
    let keys = crate::ThrowawayKeys::generate().expect("keys");
    let body: String = keys
        .alipay
        .private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let pem = keys.alipay.private_pem.trim_end();
    let cert = "cert = \"-----BEGIN CERTIFICATE-----\"\n";
    let cases = [
        // An unterminated string.
        (
            format!("[rotate_alipay_cert]\n{cert}private_key = \"{body}\n"),
            "line 3, column",
        ),
        // A duplicate key after a multi-line inline PEM.
        (
            format!(
                "[rotate_alipay_cert]\n{cert}private_key = \"\"\"\n{pem}\n\"\"\"\nprivate_key = 1\n"
            ),
            "line ",
        ),
        // The key where a number goes.
        (
            format!("[rotate_alipay_cert]\nafter_requests = \"{body}\"\n"),
            "line 2, column",
        ),
        // Bare base64 (not PEM) is read as a path, and is not a file.
        (
            format!("[rotate_alipay_cert]\n{cert}private_key = \"{body}\"\n"),
            "private_key",
        ),
    ];
    for (text, named) in &cases {
        let e = ScenarioFile::from_toml(text)
            .expect_err("refused")
            .to_string();
        for piece in body.as_bytes().chunks_exact(12) {
            let piece = std::str::from_utf8(piece).expect("ascii");
            assert!(!e.contains(piece), "{piece:?} shown in: {e}");
        }
        assert!(e.contains(named), "{named} missing in: {e}");
    }
    let json = format!(r#"{{"rotate_alipay_cert": {{"after_requests": "{body}"}}}}"#);
    let e = ScenarioFile::from_json(&json)
        .expect_err("refused")
        .to_string();
    assert!(!e.contains(&body[..40]) && e.contains("line 1"), "{e}");
    // Names and paths are still shown.
    let e = ScenarioFile::from_toml("[rotate_alipay_cert]\nafter_request = 1\n")
        .expect_err("refused")
        .to_string();
    assert!(e.contains("`after_request`") && e.contains("line 2"), "{e}");
    let e = ScenarioFile::from_toml(
        "[rotate_alipay_cert]\ncert = \"-----BEGIN CERTIFICATE-----\"\nprivate_key = \"keys/next_alipay_private.pem\"\n",
    )
    .expect_err("refused")
    .to_string();
    assert!(e.contains("keys/next_alipay_private.pem"), "{e}");
}

/// `--scenario /dev/zero` (or a stream that never ends) was read until memory ran out.
#[test]
fn an_endless_scenario_file_is_read_no_further_than_its_bound() {
    let e = ScenarioFile::from_path(std::path::Path::new("/dev/zero"))
        .expect_err("endless")
        .to_string();
    assert!(e.contains("/dev/zero") && e.contains("longer than"), "{e}");
}
