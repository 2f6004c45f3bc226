// Requests are `#[non_exhaustive]`: a struct literal cannot bypass `new`, even with every
// field given.
use alipay_codegen_golden::user::agreement_auth_confirm::Request;

fn main() {
    let _ = Request {
        agreement_no: String::new(),
        apply_token: String::new(),
        auth_confirm_no: String::new(),
    };
}
