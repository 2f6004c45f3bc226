//! The license gate: every dependency of the published crates (normal and build dependencies,
//! every feature, every target; not dev-dependencies) carries a license of `licenses.txt`, as
//! `cargo metadata --locked --offline` reports it. A failure names the crate, its version and
//! its license.
//!
//! Offline and locked: the versions checked are Cargo.lock's. The RustSec advisory database is
//! not checked here (it cannot be fetched on the project's machines; see the README's Security
//! model).

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// The crates this workspace publishes: the roots of the walk.
const PUBLISHED: &[&str] = &[
    "alipay-openapi",
    "alipay-runtime",
    "alipay-codegen",
    "alipay-gateway",
    "alipay-cli",
    "alipay-specs",
    "alipay-protocol",
];

/// The allowed SPDX identifiers of `licenses.txt`: the first word of each line that is not
/// blank or a comment.
fn allowed() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/licenses.txt");
    let text = std::fs::read_to_string(path).expect("licenses.txt");
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An SPDX license expression: `A OR B`, `A AND (B OR C)`, `A WITH exception`, and Cargo's
/// deprecated `A/B` (an `OR`).
#[derive(Debug, PartialEq)]
enum Expr {
    /// One license, with its exception when it has one (`Apache-2.0 WITH LLVM-exception`).
    License(String),
    /// Allowed when any alternative is.
    Or(Vec<Expr>),
    /// Allowed when every part is.
    And(Vec<Expr>),
}

impl Expr {
    /// Parses `text`; `None` when it is not a well-formed expression.
    fn parse(text: &str) -> Option<Expr> {
        let spaced = text
            .replace('/', " OR ")
            .replace('(', " ( ")
            .replace(')', " ) ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        let mut at = 0;
        let expr = Self::or(&tokens, &mut at)?;
        (at == tokens.len()).then_some(expr)
    }

    fn or(tokens: &[&str], at: &mut usize) -> Option<Expr> {
        Self::joined(tokens, at, "OR", Self::and, Expr::Or)
    }

    fn and(tokens: &[&str], at: &mut usize) -> Option<Expr> {
        Self::joined(tokens, at, "AND", Self::term, Expr::And)
    }

    /// One or more `item`s joined by the operator `word`: the item alone, or `join` of them.
    fn joined(
        tokens: &[&str],
        at: &mut usize,
        word: &str,
        item: fn(&[&str], &mut usize) -> Option<Expr>,
        join: fn(Vec<Expr>) -> Expr,
    ) -> Option<Expr> {
        let mut parts = vec![item(tokens, at)?];
        while tokens
            .get(*at)
            .is_some_and(|t| t.eq_ignore_ascii_case(word))
        {
            *at += 1;
            parts.push(item(tokens, at)?);
        }
        Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            join(parts)
        })
    }

    fn term(tokens: &[&str], at: &mut usize) -> Option<Expr> {
        let token = *tokens.get(*at)?;
        *at += 1;
        if token == "(" {
            let inner = Self::or(tokens, at)?;
            return (tokens.get(*at) == Some(&")")).then(|| {
                *at += 1;
                inner
            });
        }
        let is_operator = ["AND", "OR", "WITH"]
            .iter()
            .any(|op| token.eq_ignore_ascii_case(op));
        if is_operator || token == ")" {
            return None;
        }
        if tokens
            .get(*at)
            .is_some_and(|t| t.eq_ignore_ascii_case("WITH"))
        {
            let exception = *tokens.get(*at + 1)?;
            if exception == "(" || exception == ")" {
                return None;
            }
            *at += 2;
            return Some(Expr::License(format!("{token} WITH {exception}")));
        }
        Some(Expr::License(token.to_owned()))
    }

    /// Whether the expression lets the crate be shipped under licenses of `allowed` only. A
    /// license with an exception needs that exact pair listed (an exception adds permissions,
    /// but which ones is for a reader of it to judge, once).
    fn is_allowed(&self, allowed: &BTreeSet<String>) -> bool {
        match self {
            Expr::License(id) => allowed.contains(id),
            Expr::Or(parts) => parts.iter().any(|p| p.is_allowed(allowed)),
            Expr::And(parts) => parts.iter().all(|p| p.is_allowed(allowed)),
        }
    }
}

fn cargo_metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .arg("--all-features")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON")
}

/// What is wrong with one package's license, if anything.
fn license_problem(package: &Value, allowed: &BTreeSet<String>) -> Option<String> {
    let local = package["source"].is_null();
    match package["license"].as_str() {
        Some(license) => match Expr::parse(license) {
            Some(expr) if expr.is_allowed(allowed) => None,
            Some(_) => Some(format!(
                "license {license:?} is not allowed by licenses.txt"
            )),
            None => Some(format!(
                "license {license:?} is not a valid SPDX expression"
            )),
        },
        // This repository's own packages that are never published (`publish = false`): under
        // the workspace's license.
        None if local && package["publish"].as_array().is_some_and(Vec::is_empty) => None,
        None => match package["license_file"].as_str() {
            Some(file) => Some(format!(
                "no SPDX license, only the file {file}: read it, then add an SPDX identifier \
                 to licenses.txt only if it is one"
            )),
            None => Some("no license and no license file".to_owned()),
        },
    }
}

#[test]
fn every_dependency_of_the_published_crates_has_an_allowed_license() {
    let allowed = allowed();
    let metadata = cargo_metadata();
    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().expect("id"), p))
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| (n["id"].as_str().expect("id"), n))
        .collect();

    let mut stack: Vec<&str> = packages
        .values()
        .filter(|p| PUBLISHED.contains(&p["name"].as_str().unwrap_or("")))
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(stack.len(), PUBLISHED.len(), "the published crates");
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().expect("deps") {
            // Normal (kind null) and build dependencies ship or build with the crate; dev
            // dependencies do neither.
            let shipped = dep["dep_kinds"]
                .as_array()
                .expect("dep_kinds")
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if shipped {
                stack.push(dep["pkg"].as_str().expect("pkg"));
            }
        }
    }

    let refused: Vec<String> = seen
        .iter()
        .filter_map(|id| {
            let package = packages[id];
            license_problem(package, &allowed).map(|why| {
                format!(
                    "{} {}: {why}",
                    package["name"].as_str().unwrap_or("?"),
                    package["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    assert!(
        refused.is_empty(),
        "{} of the {} packages the published crates depend on are not allowed:\n{}",
        refused.len(),
        seen.len(),
        refused.join("\n")
    );
    // The walk reached the tree (a broken walk would pass vacuously).
    let names: BTreeSet<&str> = seen
        .iter()
        .filter_map(|id| packages[id]["name"].as_str())
        .collect();
    for expected in ["serde", "reqwest", "aws-lc-sys", "tokio"] {
        assert!(names.contains(expected), "the walk missed {expected}");
    }
}

#[test]
fn spdx_expressions_are_evaluated_as_the_standard_says() {
    let allowed: BTreeSet<String> = ["MIT", "Apache-2.0", "ISC", "Apache-2.0 WITH LLVM-exception"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let ok = |text: &str| {
        Expr::parse(text)
            .unwrap_or_else(|| panic!("{text} parses"))
            .is_allowed(&allowed)
    };
    assert!(ok("MIT"));
    assert!(ok("MIT OR GPL-3.0-only"));
    assert!(ok("GPL-3.0-only OR MIT"));
    assert!(!ok("MIT AND GPL-3.0-only"));
    assert!(ok("ISC AND (Apache-2.0 OR ISC)"));
    assert!(!ok("ISC AND (GPL-2.0-only OR LGPL-2.1-or-later)"));
    // AND binds tighter than OR.
    assert!(ok("GPL-2.0-only AND BSD-3-Clause OR MIT"));
    assert!(!ok("MIT AND (GPL-2.0-only OR BSD-3-Clause)"));
    // Cargo's deprecated slash, spaced or not, is an OR.
    assert!(ok("MIT/Apache-2.0"));
    assert!(ok("Unlicense / MIT"));
    assert!(!ok("Unlicense/GPL-3.0-only"));
    // An exception needs its exact pair listed.
    assert!(ok("Apache-2.0 WITH LLVM-exception"));
    assert!(!ok("MIT WITH LLVM-exception"));
    assert!(!ok("GPL-2.0-only WITH Classpath-exception-2.0"));
    // Operators in any case; nesting.
    assert!(ok("((MIT or Apache-2.0) and ISC) OR GPL-3.0-only"));
    for bad in [
        "", "MIT OR", "AND MIT", "(MIT", "MIT)", "MIT WITH", "MIT ISC", "()",
    ] {
        assert_eq!(Expr::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn a_package_without_a_license_is_named_and_only_our_unpublished_ones_pass() {
    let allowed = allowed();
    let third_party = serde_json::json!({"source": "registry+https://x", "license": null,
        "license_file": null, "publish": null});
    assert_eq!(
        license_problem(&third_party, &allowed).as_deref(),
        Some("no license and no license file")
    );
    let file_only = serde_json::json!({"source": "registry+https://x", "license": null,
        "license_file": "LICENSE.txt", "publish": null});
    assert!(
        license_problem(&file_only, &allowed)
            .unwrap()
            .contains("LICENSE.txt")
    );
    let ours_published = serde_json::json!({"source": null, "license": null, "publish": null});
    assert!(license_problem(&ours_published, &allowed).is_some());
    let ours_unpublished = serde_json::json!({"source": null, "license": null, "publish": []});
    assert_eq!(license_problem(&ours_unpublished, &allowed), None);
    let copyleft = serde_json::json!({"source": "registry+https://x", "license": "GPL-3.0-only"});
    assert!(
        license_problem(&copyleft, &allowed)
            .unwrap()
            .contains("GPL-3.0-only")
    );
}
