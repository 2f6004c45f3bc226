//! What the CLI writes: `import` never overwrites a spec unless told to and never writes a
//! nameless file; `generate` never writes or deletes through a symbolic link in `--out`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alipay_codegen::generate::{GenerateError, generate_dir};

use crate::common::scratch;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed_page() -> PathBuf {
    manifest_dir().join("../../shared/seeds/alipay.user.agreement.auth.confirm.txt")
}

fn codegen(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alipay-codegen"))
        .args(args)
        .output()
        .expect("run alipay-codegen")
}

/// `alipay-codegen import [--force] <page> -o <target>`.
fn import(page: &Path, target: &Path, force: bool) -> Output {
    let force: &[&std::ffi::OsStr] = if force { &["--force".as_ref()] } else { &[] };
    let args = [page.as_os_str(), "-o".as_ref(), target.as_os_str()];
    codegen(&[&["import".as_ref()][..], force, &args].concat())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn import_refuses_to_overwrite_a_spec_without_force() {
    let dir = scratch();
    let page = seed_page();
    let first = import(&page, dir.path(), false);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let written = dir.path().join("alipay.user.agreement.auth.confirm.yaml");
    let hand_edited = "# edited by hand\n";
    std::fs::write(&written, hand_edited).unwrap();

    let again = import(&page, dir.path(), false);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), hand_edited);

    // The same through an explicit file name.
    let to_file = import(&page, &written, false);
    assert_eq!(to_file.status.code(), Some(2), "{}", stderr(&to_file));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), hand_edited);

    let forced = import(&page, dir.path(), true);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(
        std::fs::read_to_string(&written)
            .unwrap()
            .contains("method: alipay.user.agreement.auth.confirm")
    );
}

#[test]
fn import_of_a_page_without_a_method_writes_no_nameless_file() {
    let dir = scratch();
    let page = dir.path().join("page.txt");
    std::fs::write(&page, "请求参数\n没有标题的页面\n").unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = import(&page, &out_dir, false);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("-o FILE"), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert!(left.is_empty(), "wrote {left:?}");
}

#[test]
fn import_drops_text_direction_controls_from_the_page() {
    let page = std::fs::read_to_string(seed_page()).unwrap();
    // A right-to-left override and an isolate around words of a description.
    let hostile = page.replacen("鉴权确认码", "鉴权\u{202E}确认\u{2066}码\u{2069}", 1);
    assert_ne!(hostile, page);
    let imported = alipay_codegen::import::import_page(&hostile);
    let yaml = alipay_codegen::import::spec_file(&imported.spec).unwrap();
    alipay_codegen::spec::load_str("alipay.user.agreement.auth.confirm.yaml", &yaml)
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(yaml.contains("鉴权确认码"));
}

/// The generator's fixture specs (their `alipay.user.*` method gives `user.rs`): what is
/// written where does not depend on how many specs there are, and the whole `specs/` folder
/// is generated once, by `check::seed_specs_load_and_pass`.
#[cfg(unix)]
fn specs_and_out(dir: &Path) -> (PathBuf, PathBuf) {
    let specs = manifest_dir().join("tests/fixtures/specs");
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    (specs, out)
}

#[cfg(unix)]
#[test]
fn generate_never_writes_through_a_symlink() {
    let dir = scratch();
    let (specs, out) = specs_and_out(dir.path());
    let outside = dir.path().join("outside.rs");
    std::fs::write(&outside, "precious").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("user.rs")).unwrap();

    let err = generate_dir(&specs, &out, false).expect_err("refused");
    assert!(matches!(err, GenerateError::Symlink { .. }), "{err}");
    assert!(err.to_string().contains("user.rs"), "{err}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");

    let cli = codegen(&[
        "generate".as_ref(),
        "--specs".as_ref(),
        specs.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(cli.status.code(), Some(1), "{}", stderr(&cli));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
}

#[cfg(unix)]
#[test]
fn generate_never_deletes_through_a_symlink() {
    let dir = scratch();
    let (specs, out) = specs_and_out(dir.path());
    // A folder outside `--out` holding a file that looks generated, linked in as a group folder.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let marked = elsewhere.join("stale.rs");
    let header = "// @generated by alipay-codegen from the method specs. Do not edit.\n";
    std::fs::write(&marked, header).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("oldgroup")).unwrap();
    // And a linked file that looks generated.
    let outside = dir.path().join("outside.rs");
    std::fs::write(&outside, header).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("gone.rs")).unwrap();

    generate_dir(&specs, &out, false).expect("generates");
    assert!(marked.exists(), "deleted a file outside --out");
    assert!(outside.exists(), "deleted a file outside --out");
}
