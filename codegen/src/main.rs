//! `alipay-codegen`: check specs, generate code, import doc pages.

fn main() {
    std::process::exit(2);
}
