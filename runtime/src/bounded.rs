//! Support for the CLI, the local gateway and the key and certificate loaders; not covered by
//! semver.
//!
//! Files the user names, read no further than a bound: a path may be an endless stream
//! (`--biz-content @/dev/stdin` fed by a program that never stops, `/dev/zero`), which must
//! not cost unbounded memory.

use std::io::{self, Read as _};
use std::path::Path;

/// The most `--biz-content @FILE` reads: the local gateway's request body bound
/// (`max_body_bytes`, 8 MiB); a larger biz content cannot be sent in one request anyway.
pub const BIZ_CONTENT_BYTES: u64 = 8 * 1024 * 1024;

/// The most a config file, a key file or a certificate file is read: 1 MiB, far more than
/// any of them holds.
pub const SMALL_FILE_BYTES: u64 = 1024 * 1024;

/// The bytes of the file at `path`, at most `limit`: a longer file or stream is an error
/// (after `limit + 1` bytes were read).
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("longer than {limit} bytes (read no further)"),
        ));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_stream_is_read_no_further_than_the_bound() {
        let e = read(Path::new("/dev/zero"), 1000).expect_err("endless");
        assert!(e.to_string().contains("longer than 1000 bytes"), "{e}");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f");
        std::fs::write(&path, "x".repeat(1000)).expect("write");
        assert_eq!(
            read_to_string(&path, 1000).expect("at the bound").len(),
            1000
        );
        assert!(read_to_string(&path, 999).is_err());
        std::fs::write(&path, b"\xff").expect("write");
        assert!(read_to_string(&path, 10).is_err());
    }
}
