//! `alipay gateway`'s throwaway keys: a fresh private folder that is removed on SIGTERM, and
//! no write through a link planted in a folder the user names.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{BIN, Child, lines_until_ready, spawn_with_lines};

/// Starts `alipay gateway` with `extra` flags; its stdout lines up to the "Ctrl-C" line.
fn start(extra: &[&std::ffi::OsStr]) -> (Child, Vec<String>) {
    let (child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0"])
            .args(extra),
    );
    let lines = lines_until_ready(&rx, Duration::from_secs(60));
    (child, lines)
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    for _ in 0..200 {
        if let Some(status) = child.0.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the gateway did not stop on SIGTERM");
}

fn keys_dir(lines: &[String]) -> PathBuf {
    let line = lines
        .iter()
        .find_map(|l| l.strip_prefix("throwaway keys (TEST ONLY) written to "))
        .unwrap_or_else(|| panic!("no keys folder in {lines:#?}"));
    PathBuf::from(line.trim_end_matches(':'))
}

#[test]
fn the_default_keys_folder_is_fresh_private_and_removed_on_sigterm() {
    let (mut child, lines) = start(&[]);
    let dir = keys_dir(&lines);
    assert!(dir.join("app_private.pem").is_file(), "{lines:#?}");
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert_ne!(
        name,
        format!("alipay-gateway-{}", child.0.id()),
        "a guessable name"
    );
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", dir.display());

    terminate(&mut child);
    assert!(!dir.exists(), "{} left behind after SIGTERM", dir.display());
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-cli-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

#[test]
fn a_link_planted_in_the_keys_folder_is_not_written_through() {
    let root = scratch("planted");
    let keys = root.join("keys");
    std::fs::create_dir(&keys).unwrap();
    let outside: Vec<(PathBuf, &Path)> = ["app_private.pem", "alipay_public.pem", "alipay.toml"]
        .iter()
        .map(|name| {
            let target = root.join(format!("victim-{name}"));
            std::fs::write(&target, "precious").unwrap();
            std::os::unix::fs::symlink(&target, keys.join(name)).unwrap();
            (target, Path::new(*name))
        })
        .collect();

    let (mut child, lines) = start(&["--keys-dir".as_ref(), keys.as_os_str()]);
    assert_eq!(keys_dir(&lines), keys, "{lines:#?}");
    terminate(&mut child);
    for (target, name) in &outside {
        assert_eq!(
            std::fs::read_to_string(target).unwrap(),
            "precious",
            "written through {}",
            name.display()
        );
        let meta = std::fs::symlink_metadata(keys.join(name)).unwrap();
        assert!(
            meta.file_type().is_file(),
            "{} is still a link",
            name.display()
        );
    }
    assert!(keys.exists(), "a folder the user named stays");
    let _ = std::fs::remove_dir_all(&root);
}
