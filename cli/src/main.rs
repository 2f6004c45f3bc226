//! The `alipay` command.

fn main() {
    std::process::exit(2);
}
