//! `alipay notify verify`: a notification's raw form body verified with the configured Alipay
//! key (or, in certificate mode, the Alipay certificate's), its parameters printed only then.

use std::io::Read;

use alipay_runtime::notify::MAX_NOTIFY_BYTES;
use serde_json::{Map, Value};

use crate::NotifyVerifyArgs;
use crate::report::Exit;

/// What is read of a file or standard input at most: the longest notification verified, one
/// byte more (to tell a longer body), and a line break (`\r\n`) at its end, which is dropped.
/// Whatever follows is never read, so a stream of any length costs this much memory.
const READ_LIMIT: u64 = MAX_NOTIFY_BYTES as u64 + 3;

/// Reads `--body`: `@FILE`, the body itself, or (without the flag) standard input, files and
/// standard input no further than [`READ_LIMIT`]. Line breaks at the end are dropped: a form
/// body cannot end in one (it would be `%0A`), and files and shells add them.
fn body(arg: Option<&str>) -> Result<Vec<u8>, String> {
    let mut bytes = match arg {
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => std::fs::File::open(path)
                .and_then(read_bounded)
                .map_err(|e| format!("--body @{path}: cannot read: {e}"))?,
            None => arg.as_bytes().to_vec(),
        },
        None => read_bounded(std::io::stdin().lock())
            .map_err(|e| format!("cannot read the body from standard input: {e}"))?,
    };
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    Ok(bytes)
}

/// At most [`READ_LIMIT`] bytes of `reader`.
fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(READ_LIMIT).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Runs `alipay notify verify`: exit 0 with the verified parameters as one JSON object on
/// stdout; exit 5 (nothing on stdout) when the body is not signed, does not verify, or cannot
/// be read as a notification; exit 2 for unreadable input or configuration.
pub fn verify(args: NotifyVerifyArgs) -> Exit {
    let body = match body(args.body.as_deref()) {
        Ok(body) => body,
        Err(message) => {
            eprintln!("invalid input: {message}");
            return Exit::Invalid;
        }
    };
    if body.len() > MAX_NOTIFY_BYTES {
        // Read no further (the rest may be endless); the runtime refuses it the same way.
        eprintln!(
            "the notification does not verify; nothing in it can be trusted: it is longer \
             than {MAX_NOTIFY_BYTES} bytes (MAX_NOTIFY_BYTES; Alipay's notifications are a few KB)"
        );
        return Exit::Signature;
    }
    let client = match args.client.build_client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("invalid configuration: {e}");
            return Exit::Invalid;
        }
    };
    match client.verify_notify(&body) {
        Ok(verified) => {
            let params: Map<String, Value> = verified
                .iter()
                .map(|(k, v)| (k.to_owned(), Value::from(v)))
                .collect();
            let params = Value::Object(params);
            let text = serde_json::to_string_pretty(&params).unwrap_or_else(|_| params.to_string());
            crate::report::print_line(&text, Exit::Success)
        }
        Err(e) => {
            eprintln!(
                "the notification does not verify; nothing in it can be trusted: {e} \
                 (check the Alipay public key or certificate in the configuration)"
            );
            Exit::Signature
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_comes_from_a_file_or_the_flag_without_trailing_line_breaks() {
        assert_eq!(body(Some("a=1&b=2\r\n")).unwrap(), b"a=1&b=2");
        assert!(body(Some("@/no/such/notification.txt")).is_err());
    }

    #[test]
    fn a_stream_is_read_no_further_than_a_notification_may_be_long() {
        // An endless stream: only the bound is read.
        let read = read_bounded(std::io::repeat(b'a')).unwrap();
        assert_eq!(read.len() as u64, READ_LIMIT);
        let at_limit = [vec![b'a'; MAX_NOTIFY_BYTES], b"\r\n".to_vec()].concat();
        assert_eq!(read_bounded(&at_limit[..]).unwrap(), at_limit);
    }
}
