//! The console: one line per request the gateway saw, every value from the request shown
//! safely, with the verdict the gateway reached and any fault it injected.

use alipay_gateway::RecordedRequest;

use crate::shown::shown;

/// One request's console line.
fn describe(request: &RecordedRequest) -> String {
    let other_path =
        request.path != alipay_gateway::GATEWAY_PATH && !request.path.starts_with("/v3/");
    let method = match request.method.as_deref() {
        // The control endpoint names the method of the order string it was given (the
        // gateway never takes it from a cashier button's form): the path says what was asked
        // for.
        Some(method) if other_path => format!("{} {method}", request.path),
        Some(method) => method.to_owned(),
        // The cashier's buttons name no method: their path does.
        None if request.path != alipay_gateway::GATEWAY_PATH => request.path.clone(),
        None => "(no method)".to_owned(),
    };
    let answer = match (&request.answer.code, &request.answer.sub_code) {
        (Some(code), Some(sub)) => format!("{code} {sub}"),
        (Some(code), None) => code.clone(),
        (None, _) => format!("HTTP {}", request.answer.status),
    };
    // The verdict the gateway reached: a signature's, an order string's, a cashier token's;
    // then the fault injected into the answer, if one was.
    let signature = match &request.fault {
        Some(fault) => format!(
            "{}; injected fault: {}",
            shown(&request.verdict),
            shown(fault)
        ),
        None => shown(&request.verdict).into_owned(),
    };
    // An upload's files: field, file name, size and SHA-256 (never their content).
    let files: String = request
        .files
        .iter()
        .map(|f| {
            format!(
                " file {}={} ({} bytes, sha256 {})",
                shown(&f.name),
                shown(&f.file_name),
                f.size,
                f.sha256
            )
        })
        .collect();
    // Everything here but the verdict came from the request: one line per request, always.
    format!(
        "{} {} [{}]{} -> {} ({signature}){}{files}",
        shown(&request.http_method),
        shown(&method),
        shown(&request.charset),
        v3_target(request),
        shown(&answer),
        if request.decrypted_biz_content.is_some() {
            " AES"
        } else {
            ""
        }
    )
}

/// The console lines for the requests from position `first` on, when the console has shown
/// those before `seen`: a line saying how many the log dropped before they were shown, if
/// any, then one line per request.
pub(super) fn console_lines(seen: usize, first: usize, new: &[RecordedRequest]) -> Vec<String> {
    let lost = first.saturating_sub(seen);
    let dropped = (lost > 0).then(|| {
        format!("({lost} request(s) dropped from the request log before they were shown)")
    });
    dropped
        .into_iter()
        .chain(new.iter().map(describe))
        .collect()
}

/// For a v3 request: ` v3 PATH` as received (percent-encoded), then the names of its path and
/// query parameters (never their values: a query may hold a user's `auth_token`); empty for
/// any other request.
fn v3_target(request: &RecordedRequest) -> String {
    if !request.path.starts_with("/v3/") {
        return String::new();
    }
    let names: Vec<&str> = request
        .params
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != "biz_content")
        .collect();
    let params = if names.is_empty() {
        String::new()
    } else {
        format!(" params {}", shown(&names.join(",")))
    };
    format!(" v3 {}{params}", shown(&request.path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_gateway::RecordedAnswer;

    /// A signed `alipay.trade.query` posted to `/gateway.do` in UTF-8, answered with `answer`.
    fn trade_query(answer: RecordedAnswer) -> RecordedRequest {
        RecordedRequest {
            http_method: "POST".into(),
            path: "/gateway.do".into(),
            method: Some("alipay.trade.query".into()),
            params: Vec::new(),
            charset: "utf-8".into(),
            decrypted_biz_content: None,
            files: Vec::new(),
            signature_verified: true,
            verdict: "signature ok".into(),
            answer,
            fault: None,
        }
    }

    #[test]
    fn a_request_cannot_forge_a_console_line() {
        let request = RecordedRequest {
            method: Some(
                "alipay.x\nPOST alipay.trade.refund [utf-8] -> 10000 (signature ok)\u{1b}[1A"
                    .into(),
            ),
            signature_verified: false,
            verdict: "signature not verified".into(),
            ..trade_query(RecordedAnswer {
                status: 200,
                code: Some("40002".into()),
                sub_code: Some("isv.invalid-method".into()),
                node: Some("error_response".into()),
            })
        };
        let line = describe(&request);
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
        assert!(line.ends_with("(signature not verified)"), "{line}");
    }

    #[test]
    fn an_injected_fault_is_on_the_line() {
        let request = RecordedRequest {
            fault: Some("http_status 503".into()),
            ..trade_query(RecordedAnswer {
                status: 503,
                code: None,
                sub_code: None,
                node: None,
            })
        };
        assert_eq!(
            describe(&request),
            "POST alipay.trade.query [utf-8] -> HTTP 503 (signature ok; injected fault: http_status 503)"
        );
    }

    #[test]
    fn dropped_requests_are_counted_never_repeated() {
        let request = trade_query(RecordedAnswer {
            status: 200,
            code: Some("10000".into()),
            sub_code: None,
            node: Some("alipay_trade_query_response".into()),
        });
        let two = [request.clone(), request];
        let lines = console_lines(4, 7, &two);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert_eq!(
            lines[0],
            "(3 request(s) dropped from the request log before they were shown)"
        );
        assert!(
            lines[1].starts_with("POST alipay.trade.query "),
            "{}",
            lines[1]
        );
        assert_eq!(console_lines(9, 9, &two).len(), 2);
    }

    #[test]
    fn a_v3_line_names_its_path_and_parameters_never_their_values() {
        let mut request = RecordedRequest {
            path: "/v3/alipay/user/info/share".into(),
            method: Some("alipay.user.info.share".into()),
            params: vec![
                ("auth_token".into(), "kuaijieSECRET".into()),
                ("biz_content".into(), "{}".into()),
            ],
            decrypted_biz_content: Some("{}".into()),
            ..trade_query(RecordedAnswer {
                status: 200,
                code: None,
                sub_code: None,
                node: None,
            })
        };
        assert_eq!(
            describe(&request),
            "POST alipay.user.info.share [utf-8] v3 /v3/alipay/user/info/share params auth_token -> HTTP 200 (signature ok) AES"
        );
        // The control endpoint: its path, then the method of the order string it was given.
        request.path = "/control/pay-order-string".into();
        request.method = Some("alipay.trade.app.pay".into());
        request.params.clear();
        request.decrypted_biz_content = None;
        request.verdict = "order string signature ok".into();
        assert_eq!(
            describe(&request),
            "POST /control/pay-order-string alipay.trade.app.pay [utf-8] -> HTTP 200 (order string signature ok)"
        );
    }
}
