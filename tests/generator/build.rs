// build.rs
fn main() -> Result<(), Box<dyn std::error::Error>> {
    alipay_codegen::Builder::new()
        .specs("specs") // writes $OUT_DIR/alipay (`.out_dir(..)` chooses another folder)
        .methods(["alipay.user.*"])
        .generate()?;          // prints the cargo:rerun-if-changed lines itself
    Ok(())
}
