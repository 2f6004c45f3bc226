//! Exit codes and what is printed for each outcome of a call.

use std::io::Write;

use alipay_runtime::v3::ApiError;
use alipay_runtime::{BizErrorCode as _, BusinessError, DynBizCode, Error};

use crate::shown::shown;

/// The process exit codes. They are a public contract: scripts depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The call succeeded (verified).
    Success = 0,
    /// Anything outside a call (for example the local gateway could not start).
    Failure = 1,
    /// Invalid input or configuration: nothing was sent.
    Invalid = 2,
    /// A verified business error (`40004`).
    Business = 3,
    /// A verified gateway error (`20000`, `40001`, `40002`, ...).
    Gateway = 4,
    /// The answer's signature is missing or invalid, or the answer cannot be verified.
    Signature = 5,
    /// Transport or HTTP failure (connect, timeout, non-2xx status).
    Transport = 6,
}

impl Exit {
    /// The code for `std::process::exit`.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Writes `text` and a line break to stdout, then `done`; a stdout that cannot be written
/// (a closed pipe: `alipay call … | head -c0`) is exit 1 with the reason on stderr, never a
/// panic.
pub fn print_line(text: &str, done: Exit) -> Exit {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => done,
        Err(e) => {
            eprintln!("alipay: cannot write to stdout: {e}");
            Exit::Failure
        }
    }
}

/// The exit code an error maps to.
pub fn exit_for(error: &Error<DynBizCode>) -> Exit {
    match error {
        Error::InvalidRequest(_) | Error::WrongCallStyle(_) | Error::Config(_) | Error::Sign(_) => {
            Exit::Invalid
        }
        Error::Business(_) => Exit::Business,
        Error::Gateway(_) => Exit::Gateway,
        Error::Signature(_) | Error::MalformedBody { .. } | Error::UnverifiedGatewayAnswer(_) => {
            Exit::Signature
        }
        Error::Transport(_) | Error::HttpStatus(_) => Exit::Transport,
        Error::Protocol(_) => Exit::Invalid,
        // A v3 error answer: Alipay's word only when its signature verified.
        Error::Api(e) if e.verified() && e.status() < 500 => Exit::Business,
        Error::Api(e) if e.verified() => Exit::Gateway,
        // Unsigned, with the protocol's `code`: like v2's unsigned failure, not trusted.
        Error::Api(e) if e.code().is_some() => Exit::Signature,
        Error::Api(_) => Exit::Transport,
        // A variant added later: the safest reading is "not verified".
        _ => Exit::Signature,
    }
}

/// One `label: value` line; the value may come from the network, so it is [`shown`] safely.
fn line(out: &mut dyn Write, label: &str, value: &str) {
    if !value.is_empty() {
        // Writing to stderr failing leaves nothing better to do.
        let _ = writeln!(out, "  {label:<9} {}", shown(value));
    }
}

/// Prints `error` for a person (to `out`, normally stderr) and returns its exit code.
pub fn print_error(error: &Error<DynBizCode>, out: &mut dyn Write) -> Exit {
    let exit = exit_for(error);
    let _ = match error {
        Error::Business(b) => {
            print_business(b, out);
            Ok(())
        }
        Error::Gateway(g) => {
            let _ = writeln!(out, "gateway error (verified answer):");
            line(out, "code:", g.code().as_str());
            line(out, "msg:", g.msg());
            line(out, "sub_code:", g.sub_code().as_str());
            line(out, "sub_msg:", g.sub_msg());
            if let Some(solution) = g.sub_code().solution() {
                line(out, "solution:", solution);
            }
            Ok(())
        }
        Error::UnverifiedGatewayAnswer(answer) => {
            let _ = writeln!(
                out,
                "rejected: the gateway sent an UNSIGNED failure; it may not come from Alipay (shown for diagnosis only):"
            );
            line(out, "code:", answer.code());
            line(out, "msg:", answer.msg());
            line(out, "sub_code:", answer.sub_code().unwrap_or(""));
            line(out, "sub_msg:", answer.sub_msg().unwrap_or(""));
            Ok(())
        }
        Error::Signature(_) | Error::MalformedBody { .. } => writeln!(
            out,
            "rejected: {}\n  nothing in the answer can be trusted; check the configured alipay_public_key",
            shown(&error.to_string())
        ),
        Error::InvalidRequest(_) | Error::Config(_) | Error::Sign(_) | Error::Protocol(_) => {
            writeln!(out, "{}", shown(&error.to_string()))
        }
        Error::Api(e) => {
            print_api(e, out);
            Ok(())
        }
        Error::Transport(transport) => {
            let _ = writeln!(out, "{}", shown(&error.to_string()));
            if transport.sent().may_have_taken_effect() {
                let _ = writeln!(
                    out,
                    "  the request may have taken effect: query its outcome before sending it again"
                );
            }
            Ok(())
        }
        other => writeln!(out, "{}", shown(&other.to_string())),
    };
    exit
}

/// A verified business failure: its codes, then what the method's error table says of them.
fn print_business(b: &BusinessError<DynBizCode>, out: &mut dyn Write) {
    let _ = writeln!(out, "business error (verified answer):");
    line(out, "code:", b.code());
    line(out, "msg:", b.msg());
    line(out, "sub_code:", b.sub_code().as_str());
    line(out, "sub_msg:", b.sub_msg());
    if let Some(description) = b.sub_code().description() {
        line(out, "meaning:", description);
    }
    line(
        out,
        "solution:",
        b.sub_code()
            .solution()
            .unwrap_or("(this code is not documented for the method)"),
    );
}

/// A v3 error answer: verified or not (then for diagnosis only), its code, message and trace
/// id, and for a verified one what the method's error table says of the code.
fn print_api(e: &ApiError<DynBizCode>, out: &mut dyn Write) {
    let _ = if e.verified() {
        writeln!(out, "v3 error (verified answer, HTTP {}):", e.status())
    } else {
        writeln!(
            out,
            "rejected: an UNSIGNED v3 error answer (HTTP {}); it may not come from Alipay (shown for diagnosis only):",
            e.status()
        )
    };
    line(out, "code:", e.code_str().unwrap_or(""));
    line(out, "message:", e.message().unwrap_or(""));
    line(out, "trace id:", e.trace_id().unwrap_or(""));
    if let Some(code) = e.code().filter(|_| e.verified()) {
        if let Some(description) = code.description() {
            line(out, "meaning:", description);
        }
        if let Some(solution) = code.solution() {
            line(out, "solution:", solution);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_runtime::{
        BusinessError, Charset, ErrorDoc, HttpStatusError, RequestSent, SignType, SignatureError,
        TransportError, TransportKind, UnverifiedAnswer,
    };

    #[test]
    fn business_error_prints_the_documented_solution() {
        static DOCS: &[ErrorDoc] = &[ErrorDoc {
            code: "VALIDATECODE_EXPIRED",
            description: "校验码超时",
            solution: "校验码超时,商户可重新发起一次鉴权申请",
        }];
        let error = Error::Business(BusinessError::new(
            "40004",
            "Business Failed",
            DynBizCode::documented("VALIDATECODE_EXPIRED", DOCS),
            "校验码超时",
        ));
        let mut out = Vec::new();
        assert_eq!(print_error(&error, &mut out), Exit::Business);
        let text = String::from_utf8(out).expect("utf-8");
        for expected in [
            "40004",
            "Business Failed",
            "VALIDATECODE_EXPIRED",
            "校验码超时",
            "solution: 校验码超时,商户可重新发起一次鉴权申请",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }

    #[test]
    fn text_from_the_network_cannot_drive_the_terminal() {
        let error: Error<DynBizCode> = Error::UnverifiedGatewayAnswer(UnverifiedAnswer::new(
            "20000",
            "Service\u{1b}[2J",
            Some("isp.unknow-error".into()),
            Some("busy\n  solution: send your private key to evil@example.com\u{1b}[31m".into()),
        ));
        let mut out = Vec::new();
        print_error(&error, &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            !text
                .lines()
                .any(|l| l.trim_start().starts_with("solution: send")),
            "a forged line: {text}"
        );
        assert!(text.contains("busy\\u{a}  solution: send"), "{text}");
    }

    #[test]
    fn signature_errors_exit_5() {
        let error: Error<DynBizCode> = Error::Signature(SignatureError::Missing);
        assert_eq!(exit_for(&error), Exit::Signature);
        let error: Error<DynBizCode> = Error::HttpStatus(HttpStatusError::new(500, ""));
        assert_eq!(exit_for(&error), Exit::Transport);
        let error: Error<DynBizCode> = Error::Signature(SignatureError::Invalid {
            node: "error_response".into(),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
        });
        assert_eq!(exit_for(&error), Exit::Signature);
        let error: Error<DynBizCode> = Error::UnverifiedGatewayAnswer(UnverifiedAnswer::new(
            "40002",
            "Invalid Arguments",
            None,
            None,
        ));
        assert_eq!(exit_for(&error), Exit::Signature);
        for (sent, exit) in [
            (RequestSent::NotSent, Exit::Transport),
            (RequestSent::MaybeSent, Exit::Transport),
            (RequestSent::Sent, Exit::Transport),
        ] {
            let error: Error<DynBizCode> = Error::Transport(TransportError::new(
                TransportKind::Timeout,
                sent,
                std::io::Error::from(std::io::ErrorKind::TimedOut),
            ));
            assert_eq!(exit_for(&error), exit);
            let mut out = Vec::new();
            print_error(&error, &mut out);
            let text = String::from_utf8(out).expect("utf-8");
            assert_eq!(
                text.contains("may have taken effect"),
                sent != RequestSent::NotSent,
                "{text}"
            );
        }
    }
    /// A v3 error answer as the runtime types it: `signed` says whether it carries a valid
    /// signature (by the vectors' Alipay key).
    fn v3_error(status: u16, body: &str, signed: bool) -> Error<DynBizCode> {
        use alipay_runtime::v3::{AnswerError, AnswerHeaders, verify_answer};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");
        let private =
            alipay_runtime::PrivateKey::from_file(format!("{dir}alipay_private_pkcs1.pem"))
                .unwrap();
        let public =
            alipay_runtime::PublicKey::from_file(format!("{dir}alipay_public.pem")).unwrap();
        let signature = alipay_runtime::sign::sign_base64(
            &private,
            SignType::Rsa2,
            format!("1\nN\n{body}\n").as_bytes(),
        )
        .unwrap();
        let headers = AnswerHeaders {
            timestamp: Some("1"),
            nonce: Some("N"),
            signature: signed.then_some(signature.as_str()),
            ..AnswerHeaders::default()
        };
        match verify_answer(status, &headers, body.as_bytes(), &public, None) {
            Err(AnswerError::Api(e)) => Error::Api(e),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn v3_error_answers_exit_by_whether_they_verified() {
        let coded = r#"{"code":"ACQ.TRADE_NOT_EXIST","message":"交易不存在"}"#;
        assert_eq!(exit_for(&v3_error(400, coded, true)), Exit::Business);
        assert_eq!(exit_for(&v3_error(500, coded, true)), Exit::Gateway);
        // Unsigned: not Alipay's word, whatever it says.
        let unsigned = v3_error(400, coded, false);
        assert_eq!(exit_for(&unsigned), Exit::Signature);
        let mut shown = Vec::new();
        print_error(&unsigned, &mut shown);
        let shown = String::from_utf8(shown).unwrap();
        assert!(
            shown.contains("UNSIGNED") && shown.contains("ACQ.TRADE_NOT_EXIST"),
            "{shown}"
        );
        // Unsigned and without the protocol's body (a proxy's HTML page): an HTTP failure.
        assert_eq!(
            exit_for(&v3_error(502, "<html>bad gateway</html>", false)),
            Exit::Transport
        );
    }
    /// The exit-code table of docs/cli.md and `alipay call --help` say what [`Exit`] defines: one
    /// row per variant, in order, with its number, and nothing else.
    #[test]
    fn the_guide_and_the_help_list_the_exit_codes_this_enum_defines() {
        let all = [
            Exit::Success,
            Exit::Failure,
            Exit::Invalid,
            Exit::Business,
            Exit::Gateway,
            Exit::Signature,
            Exit::Transport,
        ];
        let readme = include_str!("../../docs/cli.md");
        let table = readme
            .split("## Exit codes (a public contract)")
            .nth(1)
            .expect("the exit-code section of docs/cli.md");
        let rows: Vec<i32> = table
            .lines()
            .skip_while(|l| !l.starts_with("| code |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                l.trim_start_matches('|')
                    .split('|')
                    .next()
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            })
            .collect();
        let codes: Vec<i32> = all.iter().map(|e| e.code()).collect();
        assert_eq!(rows, codes, "docs/cli.md exit-code table");
        // `alipay call --help` names every code a call can end with (all but 1).
        let help = include_str!("main.rs");
        let call = help
            .split("    /// Exit codes: 0 success;")
            .nth(1)
            .expect("the call command's exit codes")
            .split("Call(")
            .next()
            .unwrap();
        for code in codes
            .iter()
            .filter(|c| **c != Exit::Failure.code() && **c != 0)
        {
            assert!(
                call.contains(&format!(" {code} ")),
                "`alipay call --help` lacks exit code {code}"
            );
        }
    }
}
