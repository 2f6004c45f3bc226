//! The tests of `alipay-openapi`, over real HTTP on 127.0.0.1.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests). `support.rs` holds the helpers the files share.

mod browser_checkout;
mod dashboard;
mod docs;
mod docs_gateway;
mod docs_gateway_money;
mod docs_gateway_page;
mod docs_gateway_time;
mod docs_v3;
mod end_to_end;
mod face_to_face;
mod gateway_clock;
mod gateway_faults;
mod gateway_reset;
mod ir_agrees;
mod licenses;
mod merchant;
mod money_and_agreements;
mod payments;
mod pdeduct;
mod pdeduct_typed;
mod return_url;
mod sdk_vectors;
mod support;
mod take_a_payment;
mod trade_answers;
mod trade_pay_v3;
