//! Any bytes as a notification body: verification never panics.
#![no_main]

mod common;

use alipay_runtime::notify::verify_notify;
use common::alipay_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = verify_notify(data, alipay_key());
});
