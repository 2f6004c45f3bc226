//! A request cannot be built without its required fields.

#[test]
fn requests_need_their_required_fields() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
