// `new` takes every required field: leaving one out does not compile.
use alipay_codegen_golden::user::agreement_auth_confirm::Request;

fn main() {
    let _ = Request::new("20170502000610755993", "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f");
}
