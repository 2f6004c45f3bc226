//! `alipay notify verify`: a notification's raw form body verified with the configured Alipay
//! key (or, in certificate mode, the Alipay certificate's), its parameters printed only then.

use std::io::Read as _;

use serde_json::{Map, Value};

use crate::NotifyVerifyArgs;
use crate::report::Exit;

/// Reads `--body`: `@FILE`, the body itself, or (without the flag) standard input. Line breaks
/// at the end are dropped: a form body cannot end in one (it would be `%0A`), and files and
/// shells add them.
fn body(arg: Option<&str>) -> Result<Vec<u8>, String> {
    let mut bytes = match arg {
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => {
                std::fs::read(path).map_err(|e| format!("--body @{path}: cannot read: {e}"))?
            }
            None => arg.as_bytes().to_vec(),
        },
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
            bytes
        }
    };
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
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
            match serde_json::to_string_pretty(&params) {
                Ok(text) => println!("{text}"),
                Err(_) => println!("{params}"),
            }
            Exit::Success
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
}
