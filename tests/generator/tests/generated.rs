//! The generated client compiles, holds the methods the build script chose, and checks a
//! request against its spec before anything could be sent.

use alipay_runtime::Method;
use generated_user::user::agreement_auth_confirm::Request;

#[test]
fn the_build_script_generated_the_user_methods() {
    let names: Vec<&str> = generated_user::METHODS.iter().map(|m| m.method).collect();
    assert!(names.contains(&"alipay.user.agreement.auth.confirm"), "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("alipay.user.")), "{names:?}");
}

#[test]
fn a_request_is_checked_against_its_spec() {
    assert_eq!(Request::METHOD, "alipay.user.agreement.auth.confirm");
    assert!(Request::new("20170502000610755993", "MDEDUCT0068", "423979").validate().is_ok());
    // `apply_token` is documented at most 64 characters.
    let too_long = Request::new("20170502000610755993", "x".repeat(65), "423979");
    let error = too_long.validate().unwrap_err().to_string();
    assert!(error.contains("apply_token"), "{error}");
}
