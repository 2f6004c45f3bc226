//! The generator's settings: one struct, read by lowering and by the emitter, shared by
//! every entry point ([`Builder`](crate::Builder), `alipay-codegen generate` in both layouts,
//! and the build script of a catalog package).

use std::collections::BTreeMap;

/// How code is generated.
///
/// ```
/// let settings = alipay_codegen::Settings { json: false, ..Default::default() };
/// # let _ = settings;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Whether to generate the untyped JSON path (default: yes): `call_json` in the root,
    /// each method's `request_from_json` and `validate_request`, and `Deserialize` on the
    /// request types. Without it the typed API is the same and the code is smaller (it is
    /// most of what the generated code costs to compile); each descriptor's
    /// `validate_request` is then `alipay_runtime::validate::not_generated`.
    pub json: bool,
    /// Whether each group module sits behind its Cargo feature (`#[cfg(feature = "<group>")]`;
    /// default: yes). A build script that generates only the enabled groups leaves the gates
    /// out.
    pub feature_gates: bool,
    /// Groups compiled elsewhere: each maps to the crates that hold its methods (Rust names,
    /// for example `alipay_openapi_trade`; a large group is split over several), and its
    /// module re-exports them (`pub use ::alipay_openapi_trade::*;`) instead of including a
    /// file of its own. The root still lists their methods (`METHODS`, `call_json`) through
    /// those re-exports; their files are not emitted. Only for [`Layout::Module`].
    pub external: BTreeMap<String, Vec<String>>,
    /// The shape of the output.
    pub layout: Layout,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            json: true,
            feature_gates: true,
            external: BTreeMap::new(),
            layout: Layout::Module,
        }
    }
}

/// The shape of the generated output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Layout {
    /// A module tree to include into a crate: `mod.rs` (the group modules, `METHODS`,
    /// `find_method`, `call_json`) and one `<group>.rs` per product group.
    #[default]
    Module,
    /// A facade crate over one crate per product group, a large group split into parts
    /// (`generate --layout crates`; see [`crate::catalog::Crates`]).
    Crates(crate::catalog::Crates),
    /// One file, `part.rs`, holding the method modules of the IR in order: the body of a
    /// catalog package (see [`crate::catalog::build_part`]).
    Part,
}
