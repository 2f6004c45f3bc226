//! The `build.rs` API, in the manner of `prost-build`.

use std::path::{Path, PathBuf};

use crate::Settings;
use crate::generate::{GenerateError, GenerateReport, Options, generate_dir_with};
use crate::spec::{Provenance, Spec};

/// Generates the client for a folder of specs from a build script.
///
/// The output is a module tree whose root is `<out_dir>/mod.rs`; include it with
/// `include!(concat!(env!("OUT_DIR"), "/alipay/mod.rs"));` (the default output folder is
/// `$OUT_DIR/alipay`). The crate including it depends on `alipay-runtime`, `serde` and
/// `serde_json`, and declares one Cargo feature per product group (see
/// [`GenerateReport::groups`]).
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     alipay_codegen::Builder::new()
///         .specs("specs")
///         .methods(["alipay.user.*"])
///         .generate()?;
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    specs: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    patterns: Vec<String>,
    rerun_if_changed: Option<bool>,
    by_cargo_features: bool,
    settings: Settings,
}

impl Builder {
    /// A builder reading `specs/` and writing `$OUT_DIR/alipay`.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new();
    /// # let _ = builder;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The folder of spec files (`*.yaml`); default `specs`.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().specs("../specs");
    /// # let _ = builder;
    /// ```
    pub fn specs(mut self, dir: impl AsRef<Path>) -> Self {
        self.specs = Some(dir.as_ref().to_owned());
        self
    }

    /// The output folder; default `$OUT_DIR/alipay`.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().out_dir("src/generated");
    /// # let _ = builder;
    /// ```
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Generates only the methods matching one of `patterns`: globs over wire names, where
    /// `*` matches any run of characters and `?` one (see [`glob_match`]; the CLI's
    /// `--methods` takes the same); by default every method. Calls add up.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new()
    ///     .methods(["alipay.user.*", "alipay.ebpp.pdeduct.sign.validate"]);
    /// # let _ = builder;
    /// ```
    pub fn methods<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.patterns.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for the specs folder and each spec; by
    /// default only when running inside a build script (`OUT_DIR` is set).
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().emit_rerun_if_changed(false);
    /// # let _ = builder;
    /// ```
    pub fn emit_rerun_if_changed(mut self, on: bool) -> Self {
        self.rerun_if_changed = Some(on);
        self
    }

    /// Generates only what the crate's Cargo features enable, read from the
    /// `CARGO_FEATURE_*` variables Cargo gives build scripts: every method of group `g` when
    /// feature `g` or `all-groups` is on, and every spec transcribed from a doc page
    /// (`provenance: doc_page`) when `curated` is on. The output then holds no
    /// `#[cfg(feature = ..)]` gates of its own, so a group whose feature the manifest does not
    /// declare yet still builds (see [`crate::features`]).
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().select_by_cargo_features();
    /// # let _ = builder;
    /// ```
    pub fn select_by_cargo_features(mut self) -> Self {
        self.by_cargo_features = true;
        self
    }

    /// Whether the Cargo features enable `spec` (see [`Builder::select_by_cargo_features`]),
    /// given whether a feature is on.
    fn enabled_by(spec: &Spec, feature_on: impl Fn(&str) -> bool) -> bool {
        feature_on("all-groups")
            || feature_on(&crate::naming::group_of(&spec.method))
            || (spec.provenance == Provenance::DocPage && feature_on("curated"))
    }

    /// Whether to generate the untyped JSON path (default: yes): `call_json` in the root,
    /// each method's `request_from_json` and `validate_request`, and `Deserialize` on the
    /// request types. The typed API (`Request`, `client.execute`, responses, errors,
    /// `METHODS`) is the same without it, and the generated code compiles in well under
    /// half the time. Each descriptor's `validate_request` is then
    /// `alipay_runtime::validate::not_generated`, which refuses every request with a
    /// validation error saying why.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().json(false);
    /// # let _ = builder;
    /// ```
    pub fn json(mut self, on: bool) -> Self {
        self.settings.json = on;
        self
    }

    /// Takes the methods of product group `group` from crates of their own instead of
    /// generating them here: `crates` are their Rust names (a large group is split over
    /// several, see [`crate::catalog`]). The group's module re-exports them, and `METHODS`
    /// (and `call_json`) still list its methods. The crate including the output depends on
    /// those crates.
    ///
    /// ```
    /// let builder = alipay_codegen::Builder::new().external_group("trade", ["alipay_openapi_trade"]);
    /// # let _ = builder;
    /// ```
    pub fn external_group<I, S>(mut self, group: impl Into<String>, crates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.settings
            .external
            .insert(group.into(), crates.into_iter().map(Into::into).collect());
        self
    }

    /// Whether `method` is selected by [`Builder::methods`].
    ///
    /// ```
    /// let b = alipay_codegen::Builder::new().methods(["alipay.user.*"]);
    /// assert!(b.selects("alipay.user.agreement.auth.confirm"));
    /// assert!(!b.selects("alipay.ebpp.pdeduct.sign.validate"));
    /// ```
    pub fn selects(&self, method: &str) -> bool {
        self.patterns.is_empty() || self.patterns.iter().any(|p| glob_match(p, method))
    }

    /// Loads the specs, generates and writes the code (only changed files are rewritten,
    /// generated files of removed methods deleted) and prints the `cargo:rerun-if-changed`
    /// lines.
    ///
    /// ```no_run
    /// let report = alipay_codegen::Builder::new().specs("specs").out_dir("/tmp/out").generate()?;
    /// println!("{} methods in groups {:?}", report.methods, report.groups);
    /// # Ok::<(), alipay_codegen::generate::GenerateError>(())
    /// ```
    pub fn generate(&self) -> Result<GenerateReport, GenerateError> {
        let specs = self.specs.clone().unwrap_or_else(|| PathBuf::from("specs"));
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => match std::env::var_os("OUT_DIR") {
                Some(out) => PathBuf::from(out).join("alipay"),
                None => {
                    return Err(GenerateError::Io {
                        action: "no output folder: set one with `out_dir(..)` or run from a build script",
                        path: PathBuf::new(),
                        source: std::io::Error::from(std::io::ErrorKind::NotFound),
                    });
                }
            },
        };
        let rerun = self
            .rerun_if_changed
            .unwrap_or_else(|| std::env::var_os("OUT_DIR").is_some());
        if rerun {
            println!("cargo:rerun-if-changed={}", specs.display());
        }
        let cargo_feature = |name: &str| {
            let var = format!(
                "CARGO_FEATURE_{}",
                name.to_ascii_uppercase().replace('-', "_")
            );
            std::env::var_os(var).is_some()
        };
        let keep = |spec: &Spec| {
            self.selects(&spec.method)
                && (!self.by_cargo_features || Self::enabled_by(spec, cargo_feature))
        };
        // The SDK-model layer is most of the catalog: read only the files of enabled groups
        // (a file is named after its method, and the method names its group).
        let keep_file = |path: &Path| {
            if !self.by_cargo_features || !crate::spec::in_sdk_layer(path) {
                return true;
            }
            let method = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".yaml"))
                .unwrap_or_default();
            cargo_feature("all-groups") || cargo_feature(&crate::naming::group_of(method))
        };
        let options = Options {
            check: false,
            keep_file: &keep_file,
            keep: &keep,
            settings: Settings {
                feature_gates: !self.by_cargo_features,
                ..self.settings.clone()
            },
        };
        let report = generate_dir_with(&specs, &out_dir, &options);
        if rerun && let Ok(report) = &report {
            for input in &report.inputs {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        report
    }
}

/// Whether the method named `method` matches the glob `pattern`: the one set of rules of
/// [`Builder::methods`] and of the CLI's `generate --methods`. `*` matches any run of
/// characters (also none, dots included), `?` exactly one character, and every other
/// character itself; the whole name must match.
///
/// ```
/// use alipay_codegen::builder::glob_match;
/// assert!(glob_match("alipay.user.*", "alipay.user.agreement.auth.confirm"));
/// assert!(glob_match("alipay.*.query", "alipay.trade.query"));
/// assert!(glob_match("alipay.trade.?ay", "alipay.trade.pay"));
/// assert!(!glob_match("alipay.user.*", "alipay.trade.pay"));
/// ```
pub fn glob_match(pattern: &str, method: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), method.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text position it is currently matched up to: on a
    // mismatch, that `*` takes one more character and matching resumes after it (earlier
    // stars never need to move, so this is linear in practice and never exponential).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::{Builder, glob_match};
    use crate::spec::{Provenance, load_str};

    #[test]
    fn cargo_features_select_groups_and_curated_specs() {
        let text = "method: alipay.user.info.share\ntitle: t\n";
        let curated = load_str("alipay.user.info.share.yaml", text).unwrap();
        let sdk = crate::spec::Spec {
            provenance: Provenance::SdkModels,
            ..curated.clone()
        };
        let on = |names: &'static [&'static str]| move |f: &str| names.contains(&f);
        assert!(Builder::enabled_by(&curated, on(&["curated"])));
        assert!(!Builder::enabled_by(&sdk, on(&["curated"])));
        assert!(Builder::enabled_by(&sdk, on(&["user"])));
        assert!(Builder::enabled_by(&sdk, on(&["all-groups"])));
        assert!(!Builder::enabled_by(&sdk, on(&["trade", "rsa"])));
    }

    #[test]
    fn globs() {
        assert!(glob_match("alipay.user.*", "alipay.user.info.share"));
        assert!(glob_match("alipay.user.*", "alipay.user."));
        assert!(!glob_match("alipay.user.*", "alipay.trade.pay"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("", "a"));
        assert!(glob_match("", ""));
        assert!(glob_match("alipay.*.query", "alipay.trade.query"));
        assert!(!glob_match("alipay.*.query", "alipay.trade.query.x"));
        assert!(glob_match(
            "*.confirm",
            "alipay.user.agreement.auth.confirm"
        ));
        assert!(glob_match(
            "alipay.*.sign.*",
            "alipay.ebpp.pdeduct.sign.validate"
        ));
        assert!(glob_match("a*b*c", "abc"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(!glob_match("a*a", "a"));
        assert!(glob_match("a**a", "aa"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("?", "支"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(!glob_match("exactly", "exact"));
        // Only `*` and `?` are special: brackets and braces are themselves.
        assert!(glob_match("a[b]{c}", "a[b]{c}"));
        assert!(!glob_match("a[bc]", "ab"));
    }

    #[test]
    fn the_builder_selects_by_the_same_rules() {
        let b = Builder::new().methods(["alipay.trade.?ay", "alipay.user.*"]);
        assert!(b.selects("alipay.trade.pay"));
        assert!(!b.selects("alipay.trade.query"));
        assert!(b.selects("alipay.user.info.share"));
        assert!(Builder::new().selects("anything"));
    }
}
