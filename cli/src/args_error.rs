//! Command-line errors without key material: clap quotes the arguments it could not place
//! (`unexpected argument '...' found`, `invalid value '...'`, its tips), and a key given inline
//! on the command line (`--private-key "$(cat key.pem)"` split by the shell, a value after a
//! mistyped flag) would be printed whole. Every argument that may hold a secret is cut out of
//! the message before it is shown.

use std::ffi::OsString;

/// The flags whose value is a secret (a private key, the AES key, a token).
const SECRET_FLAGS: &[&str] = &[
    "--private-key",
    "--alipay-private-key",
    "--encrypt-key",
    "--app-auth-token",
];

/// What an argument that may be a secret is shown as.
pub const REDACTED: &str = "<redacted>";

/// Whether `token` may be, or hold, key material: PEM armour, or a long run of base64 (a key
/// body, an AES key). Paths (with `/` and a `.`), method names and JSON do not look like this.
fn looks_secret(token: &str) -> bool {
    if token.contains("-----BEGIN") || token.contains("PRIVATE KEY") || token.contains("-----END") {
        return true;
    }
    let body = token.trim_end_matches('=');
    body.len() >= 20
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && body
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'+' || b == b'/')
        && body.bytes().any(|b| b.is_ascii_uppercase())
        && body.bytes().any(|b| b.is_ascii_lowercase())
}

/// The pieces of `args` that must not appear in a message: the value of every secret flag
/// (`--private-key VALUE`, `--private-key=VALUE`) and every argument, or `=`-part of one, that
/// looks like key material. Longest first, so that a piece is cut before a part of it.
pub fn secrets(args: &[OsString]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut after_secret_flag = false;
    for arg in args {
        let text = arg.to_string_lossy();
        let is_secret_value = std::mem::take(&mut after_secret_flag);
        if SECRET_FLAGS.contains(&text.as_ref()) {
            after_secret_flag = true;
            continue;
        }
        if is_secret_value || looks_secret(&text) {
            out.push(text.clone().into_owned());
        }
        if let Some((flag, value)) = text.split_once('=')
            && (SECRET_FLAGS.contains(&flag) || looks_secret(value))
        {
            out.push(value.to_owned());
        }
        // A PEM given as one argument is echoed line by line in some messages.
        if text.contains('\n') {
            out.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `message` with every piece of `secrets` replaced by [`REDACTED`]. When armour is still
/// left (a piece clap changed on the way), only the first line is kept, cut at the armour.
pub fn redact(message: &str, secrets: &[String]) -> String {
    let mut out = message.to_owned();
    for secret in secrets {
        out = out.replace(secret.as_str(), REDACTED);
    }
    if looks_secret_anywhere(&out) {
        let first = out.lines().next().unwrap_or_default();
        let cut = first.find("-----").unwrap_or(first.len());
        return format!("{}{REDACTED}\n", &first[..cut]);
    }
    out
}

/// `styled` (the message with its ANSI styles, redacted as `plain` was) when it shows exactly
/// `plain` once the styles are stripped and nothing was cut out; else `plain`. A cut could
/// fall inside a style and leave it open, or a secret split by a style would not be found.
pub fn styled_if_same(styled: String, plain: String) -> String {
    let same = anstream::adapter::strip_str(&styled).to_string() == plain;
    if same && !plain.contains(REDACTED) {
        styled
    } else {
        plain
    }
}

fn looks_secret_anywhere(text: &str) -> bool {
    text.contains("-----BEGIN") || text.contains("PRIVATE KEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAv8Yv3rsQ5u4dO5t+Kx0aB/cd\nqrst1234UVWXyz==\n-----END RSA PRIVATE KEY-----\n";

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn values_of_secret_flags_and_key_looking_arguments_are_secrets() {
        let args = os(&[
            "alipay",
            "call",
            "alipay.trade.query",
            "--private-key",
            "app.pem",
            "--encrypt-key=LWWCLAong8Vx0XsBzWhMFg==",
            "MIIEowIBAAKCAQEAv8Yv3rsQ5u4dO5t",
            "--biz-content",
            "{\"out_trade_no\":\"T1\"}",
        ]);
        let s = secrets(&args);
        assert!(s.contains(&"app.pem".to_owned()));
        assert!(s.contains(&"LWWCLAong8Vx0XsBzWhMFg==".to_owned()));
        assert!(s.contains(&"MIIEowIBAAKCAQEAv8Yv3rsQ5u4dO5t".to_owned()));
        assert!(!s.iter().any(|x| x.contains("alipay.trade.query")));
        assert!(!s.iter().any(|x| x.contains("out_trade_no")));
    }

    #[test]
    fn a_whole_pem_and_its_lines_are_cut() {
        let args = os(&["alipay", "call", "m", "--bogus", PEM]);
        let message = format!("error: unexpected argument '{PEM}' found\n\nUsage: alipay call");
        let shown = redact(&message, &secrets(&args));
        assert!(
            !shown.contains("MIIE") && !shown.contains("BEGIN"),
            "{shown}"
        );
        let one_line = format!(
            "error: invalid value 'x\n{}' for '--timeout-ms <MS>'",
            &PEM[32..]
        );
        let shown = redact(&one_line, &secrets(&args));
        assert!(
            !shown.contains("MIIE") && !shown.contains("PRIVATE KEY"),
            "{shown}"
        );
    }

    #[test]
    fn a_styled_message_is_kept_only_when_it_shows_the_plain_text_uncut() {
        let styled = "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m unexpected argument".to_owned();
        let plain = "error: unexpected argument".to_owned();
        assert_eq!(styled_if_same(styled.clone(), plain.clone()), styled);
        // Different text once stripped: the plain one.
        assert_eq!(
            styled_if_same(styled.clone(), "error: other".to_owned()),
            "error: other"
        );
        // Anything cut out: plain, even when the texts agree.
        let cut = format!("error: '{REDACTED}'");
        let styled_cut = format!("\u{1b}[31merror:\u{1b}[0m '{REDACTED}'");
        assert_eq!(styled_if_same(styled_cut, cut.clone()), cut);
    }

    #[test]
    fn left_over_armour_keeps_only_the_start_of_the_message() {
        let shown = redact(
            "error: bad 'xx-----BEGIN RSA PRIVATE KEY-----yy'\nmore",
            &[],
        );
        assert_eq!(shown, format!("error: bad 'xx{REDACTED}\n"));
    }
}
