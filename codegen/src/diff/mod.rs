//! What changes for callers of the generated client between two versions of the specs:
//! every difference, per method and field path, classified as breaking, minor (an
//! addition) or patch (docs only), and the semver bump that follows.
//!
//! The rules follow what the generated code does with each key (`src/diff/fields.rs` has the
//! field rules): a required request field is an argument of `Request::new`, so adding one
//! and moving one between required and optional both break; the client checks
//! `max_length` on text and dates before sending, so lowering it breaks and raising it does
//! not; listed values are open enums, so adding one is an addition and removing one takes
//! a variant away; responses check nothing and have every field optional, so `required` and
//! `max_length` there are documentation. A change inside a model is reported once, at the
//! first path that reaches the model, with every path using it. A renamed field is a
//! removal plus an addition. Keys this module does not know (added to the spec format after
//! it) count as breaking until it classifies them.
//!
//! ```
//! use alipay_codegen::diff::{Semver, diff};
//! use alipay_codegen::spec::load_str;
//!
//! let old = load_str("alipay.demo.order.create.yaml", "
//! method: alipay.demo.order.create
//! title: t
//! request:
//!   - { name: out_trade_no, type: String, required: true, max_length: 64 }
//! ").unwrap();
//! let new = load_str("alipay.demo.order.create.yaml", "
//! method: alipay.demo.order.create
//! title: t
//! request:
//!   - { name: out_trade_no, type: String, required: true, max_length: 32 }
//! ").unwrap();
//! let report = diff([&old], [&new]).unwrap();
//! assert_eq!(report.semver(), Semver::Major);
//! assert_eq!(
//!     report.text(),
//!     "alipay.demo.order.create: request.out_trade_no: max_length lowered from 64 to 32: \
//!      the client now refuses longer values (breaking)\n\
//!      1 change(s) in 1 method(s): 1 breaking, 0 minor, 0 patch; semver: major\n"
//! );
//! ```

mod change;
mod fields;
mod method;
mod render;
mod unclassified;
mod uses;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

pub use change::{Change, Kind, Semver, Severity};

use crate::ir::LowerError;
use crate::progress::Stage;
use crate::spec::{self, Diagnostic, Spec};

/// Every change between two versions of the specs, methods in name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// The changes, grouped by method (methods in name order); within a method: the method
    /// itself, the request, the response, its models by name, its error codes.
    pub changes: Vec<Change>,
}

impl Diff {
    /// How many changes have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == severity)
            .count()
    }

    /// How many changes break callers.
    pub fn breaking(&self) -> usize {
        self.count(Severity::Breaking)
    }

    /// The version bump the changes call for.
    pub fn semver(&self) -> Semver {
        Semver::of(self.changes.iter().map(|c| c.severity).max())
    }

    /// The text report: one line per change, `method: path: message (severity)`, then a
    /// summary line with the counts and the semver verdict.
    pub fn text(&self) -> String {
        render::text(self)
    }

    /// The JSON report (a public contract, documented in docs/spec-diffs.md):
    /// `{"changes": [...], "breaking": N, "minor": N, "patch": N, "semver": "..."}`,
    /// pretty-printed, ending in a newline.
    pub fn json(&self) -> String {
        render::json(self)
    }
}

/// Compares two versions of a set of specs (each method at most once per side; the specs
/// should have passed the checker). Fails only when a spec cannot be lowered, which the
/// checker reports first.
pub fn diff<'a, 'b>(
    old: impl IntoIterator<Item = &'a Spec>,
    new: impl IntoIterator<Item = &'b Spec>,
) -> Result<Diff, LowerError> {
    let mut methods: BTreeMap<&str, (Option<&Spec>, Option<&Spec>)> = BTreeMap::new();
    for spec in old {
        methods.entry(&spec.method).or_default().0 = Some(spec);
    }
    for spec in new {
        methods.entry(&spec.method).or_default().1 = Some(spec);
    }
    let pairs: Vec<(&str, Option<&Spec>, Option<&Spec>)> = methods
        .into_iter()
        .map(|(name, (o, n))| (name, o, n))
        .collect();
    let compared =
        crate::parallel::in_parallel(Stage::Compare, &pairs, |&(name, old, new)| {
            match (old, new) {
                (Some(old), Some(new)) => method::compare_method(old, new),
                (Some(old), None) => Ok(vec![method_change(
                    name,
                    Kind::MethodRemoved,
                    Severity::Breaking,
                    format!(
                        "method removed: its module `{}::{}` is gone",
                        crate::naming::group_of(name),
                        crate::naming::method_module(name)
                    ),
                    Value::from(old.title.as_str()),
                    Value::Null,
                )]),
                (None, Some(new)) => Ok(vec![method_change(
                    name,
                    Kind::MethodAdded,
                    Severity::Minor,
                    "method added".to_owned(),
                    Value::Null,
                    Value::from(new.title.as_str()),
                )]),
                (None, None) => Ok(Vec::new()),
            }
        });
    let mut changes = Vec::new();
    for method in compared {
        changes.extend(method?);
    }
    Ok(Diff { changes })
}

/// A change of method `name` as a whole.
fn method_change(
    name: &str,
    kind: Kind,
    severity: Severity,
    message: String,
    old: Value,
    new: Value,
) -> Change {
    Change::at(name, name.to_owned(), kind, severity, message, old, new)
}

/// Why two versions could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A spec of either version has problems (each names file, line, column and field).
    #[error("{} problem(s) in the specs", .0.len())]
    Specs(Vec<Diagnostic>),
    /// A spec the checker passed cannot be lowered (a generator bug).
    #[error(transparent)]
    Lower(#[from] LowerError),
}

/// Loads and checks both versions (each a folder of specs or one spec file, as
/// [`spec::load_paths`] reads them), then compares them. Every problem of either version
/// is reported before anything is compared. `common.yaml` is checked but not compared: the
/// generated client does not read it.
pub fn diff_paths(old: &[PathBuf], new: &[PathBuf]) -> Result<Diff, DiffError> {
    let (old, new) = (spec::load_paths(old), spec::load_paths(new));
    if !old.is_clean() || !new.is_clean() {
        let mut problems = old.diagnostics;
        problems.extend(new.diagnostics);
        return Err(DiffError::Specs(problems));
    }
    Ok(diff(
        old.specs.iter().map(|(_, s)| s),
        new.specs.iter().map(|(_, s)| s),
    )?)
}
