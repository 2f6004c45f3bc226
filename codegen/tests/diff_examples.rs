//! `alipay-codegen diff` as docs/spec-diffs.md shows it (its examples and its CI script, run as
//! written) and over the whole catalog, against itself and a mutated copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use alipay_codegen::diff::{Kind, Semver, Severity, diff};
use serde_json::Value;

use crate::diff::{codegen, fixtures, json, manifest_dir, pair, stderr, stdout};

/// The fenced block of `lang` that follows `after` in docs/spec-diffs.md.
fn readme_block(after: &str, lang: &str) -> String {
    let readme = std::fs::read_to_string(manifest_dir().join("../docs/spec-diffs.md")).unwrap();
    let start = readme
        .find(after)
        .unwrap_or_else(|| panic!("docs/spec-diffs.md: no `{after}`"));
    let rest = &readme[start..];
    let open = format!("```{lang}\n");
    let from = rest
        .find(&open)
        .unwrap_or_else(|| panic!("docs/spec-diffs.md: no {lang} block after `{after}`"))
        + open.len();
    let to = rest[from..].find("```").unwrap() + from;
    rest[from..to].to_owned()
}

#[test]
fn the_readme_examples_are_what_diff_prints() {
    let out = codegen(
        &manifest_dir().join(".."),
        &[
            "diff",
            "codegen/tests/fixtures/diff/old",
            "codegen/tests/fixtures/diff/new",
        ],
    );
    let printed = stdout(&out);
    let block = readme_block("it prints these lines among others", "text");
    let lines: Vec<&str> = block.lines().collect();
    let (summary, shown) = lines.split_last().unwrap();
    for line in shown {
        assert!(
            printed.lines().any(|l| l == *line),
            "docs/spec-diffs.md line not printed: {line}"
        );
    }
    assert_eq!(Some(*summary), printed.lines().last());

    let shown: Value =
        serde_json::from_str(&readme_block("`--format json` prints one document", "json")).unwrap();
    let dir = manifest_dir().join("..");
    let [old, new] = pair("modelchanged").map(|p| format!("codegen/tests/fixtures/diff/{p}"));
    assert_eq!(shown, json(&dir, &["diff", &old, &new, "--format", "json"]));

    // Every kind of change is in the guide's table.
    let readme = std::fs::read_to_string(manifest_dir().join("../docs/spec-diffs.md")).unwrap();
    let table =
        &readme[readme.find("### The rules").unwrap()..readme.find("### The JSON output").unwrap()];
    for kind in Kind::ALL {
        assert!(
            table.contains(&format!("`{}`", kind.as_str())),
            "docs/spec-diffs.md table lacks `{kind}`"
        );
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?}");
}

/// The `run:` script of the guide's CI job, run as written with bash in a repository whose
/// `origin/main` holds the old specs, `alipay-codegen` on PATH.
#[test]
fn the_readme_ci_script_works_as_written() {
    // A checkout has git: without it the guide's CI script cannot be run, and the test fails.
    Command::new("git")
        .arg("--version")
        .output()
        .expect("git on PATH, to run the guide's CI script");
    let job = readme_block("### In CI", "yaml");
    let (at, indent) = job
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.trim_start()
                .strip_prefix("run: |")
                .map(|_| (i, l.len() - l.trim_start().len()))
        })
        .last()
        .expect("a `run: |` step");
    let script: String = job
        .lines()
        .skip(at + 1)
        .take_while(|l| l.len() - l.trim_start().len() > indent || l.trim().is_empty())
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert!(script.contains("alipay-codegen diff"), "{script}");

    let repo = std::env::temp_dir().join(format!("alipay-codegen-diff-ci-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(repo.join("specs")).unwrap();
    let put = |side: &str, rule: &str| {
        let name = format!("alipay.diff.{rule}.yaml");
        std::fs::copy(
            fixtures().join(side).join(&name),
            repo.join("specs").join(&name),
        )
        .unwrap();
    };
    for rule in ["valueadded", "requestremoved"] {
        put("old", rule);
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "specs"]);
    git(&repo, &["commit", "-q", "-m", "specs"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_alipay-codegen"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let run = || {
        Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .current_dir(&repo)
            .env("PATH", &path)
            .env_remove("GITHUB_BASE_REF")
            .output()
            .expect("run bash")
    };
    for (fixture, code, printed) in [
        // An addition: the job passes and prints it.
        (
            "valueadded",
            0,
            "request.biz_type.values.WUYE: listed value `WUYE` added",
        ),
        // A breaking change: the job fails.
        ("requestremoved", 1, "request.body: field removed"),
    ] {
        put("new", fixture);
        let out = run();
        assert_eq!(out.status.code(), Some(code), "{fixture}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(printed),
            "{fixture}: {}",
            stdout(&out)
        );
    }
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn the_catalog_against_itself_and_against_a_mutated_copy() {
    // Long because: one catalog copy, mutated once per rule, and the report read back.
    let specs = crate::common::corpus();
    assert!(specs.len() >= 8944, "{}", specs.len());
    let copy = specs.to_vec();
    let same = diff(specs, &copy).unwrap();
    assert_eq!(same.text(), "no changes; semver: none\n");
    assert_eq!(same.semver(), Semver::None);

    // What Alipay might do: drop a method, add one, change one, and drop a field of a model
    // that many methods share.
    let mut mutated = copy;
    mutated.retain(|s| s.method != "alipay.trade.cancel");
    let mut added = mutated
        .iter()
        .find(|s| s.method == "alipay.trade.query")
        .unwrap()
        .clone();
    added.method = "alipay.trade.diff.added".to_owned();
    let pay = mutated
        .iter_mut()
        .find(|s| s.method == "alipay.trade.pay")
        .unwrap();
    pay.request
        .iter_mut()
        .find(|f| f.name == "subject")
        .unwrap()
        .required = true;
    pay.request
        .iter_mut()
        .find(|f| f.name == "body")
        .unwrap()
        .description
        .push_str(" (changed)");
    let mut sharing = Vec::new();
    for s in &mut mutated {
        if let Some(goods) = s.models.get_mut("GoodsDetail") {
            let before = goods.len();
            goods.retain(|f| f.name != "goods_ean_id");
            if goods.len() < before {
                sharing.push(s.method.clone());
            }
        }
    }
    assert!(sharing.len() > 5, "{sharing:?}");
    // Added after the model change: a new method is one addition, whatever its models.
    mutated.push(added);

    let report = diff(specs, &mutated).unwrap();
    assert_eq!(report.semver(), Semver::Major);
    let lines: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.model.is_none())
        .map(|c| format!("{}: {}: {} ({})", c.method, c.path, c.message, c.severity))
        .collect();
    assert_eq!(
        lines,
        [
            "alipay.trade.cancel: alipay.trade.cancel: method removed: its module `trade::cancel` is gone (breaking)",
            "alipay.trade.diff.added: alipay.trade.diff.added: method added (minor)",
            "alipay.trade.pay: request.body: description changed (patch)",
            "alipay.trade.pay: request.subject: optional → required: now an argument of `Request::new`, and no longer an `Option` (breaking)",
        ]
    );
    // The model's change: once per method whose spec has the model, at the first path that
    // uses it, with every path that does.
    let in_model: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.model.is_some())
        .collect();
    assert_eq!(
        in_model
            .iter()
            .map(|c| c.method.clone())
            .collect::<Vec<_>>(),
        sharing
    );
    for c in in_model {
        assert_eq!(c.kind, Kind::FieldRemoved);
        assert_eq!(c.severity, Severity::Breaking);
        assert_eq!(c.model.as_deref(), Some("GoodsDetail"));
        assert_eq!(c.path, format!("{}.goods_ean_id", c.used_by[0]));
        let spec = specs.iter().find(|s| s.method == c.method).unwrap();
        for (side, fields) in [("request", &spec.request), ("response", &spec.response)] {
            for f in fields
                .iter()
                .filter(|f| f.ty.trim_end_matches("[]") == "GoodsDetail")
            {
                let path = format!("{side}.{}", f.name);
                assert!(
                    c.used_by.contains(&path),
                    "{}: {path} not in {:?}",
                    c.method,
                    c.used_by
                );
            }
        }
    }
}
