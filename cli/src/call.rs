//! `alipay call` and `alipay methods`.

use std::io::Write as _;

use alipay_codegen::ir::{MethodIr, TypeIr};
use alipay_codegen::spec::Location;
use alipay_codegen::validate;
use alipay_runtime::{
    CallStyle, DynBizCode, Error, ErrorDoc, FileUpload, Protocol, ProtocolError, RequestOptions,
    RequestParts, ValidationError,
};
use serde_json::{Map, Value};

use crate::CallArgs;
use crate::catalog::Catalog;
use crate::report::{Exit, print_error};

/// Prints every method the command serves (the embedded catalog and `--specs DIR`): name,
/// product group, protocols (see [`Catalog::protocols`]) and title.
pub fn list_methods(specs: Option<&std::path::Path>) -> Exit {
    let catalog = match Catalog::new(specs) {
        Ok(catalog) => catalog,
        Err(message) => {
            eprintln!("invalid input: {message}");
            return Exit::Invalid;
        }
    };
    let titles = catalog.titles();
    let protocols = catalog.protocols();
    let width = titles.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (method, title) in &titles {
        let group = alipay_codegen::group_of(method);
        let protocols = protocols.get(method.as_str()).copied().unwrap_or("v2");
        // A closed stdout (`alipay methods | head`) ends the listing, not the process.
        if writeln!(out, "{method:<width$}  {group:<8}  {protocols:<5}  {title}").is_err() {
            break;
        }
    }
    Exit::Success
}

/// Reads `--biz-content`: inline JSON or `@FILE`; it must be a JSON object.
fn biz_content(arg: Option<&str>) -> Result<Value, String> {
    let Some(arg) = arg else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let text = match arg.strip_prefix('@') {
        Some(path) => alipay_runtime::bounded::read_to_string(
            path.as_ref(),
            alipay_runtime::bounded::BIZ_CONTENT_BYTES,
        )
        .map_err(|e| format!("--biz-content @{path}: cannot read: {e}"))?,
        None => arg.to_owned(),
    };
    // Strictly: serde_json's `Value` keeps the last of a key given twice, so
    // `"total_amount":"100000.00","total_amount":"0.01"` would silently send 0.01.
    let value: Value = alipay_gateway::parse_strict_json(&text)
        .map_err(|e| format!("--biz-content is not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("--biz-content must be a JSON object".to_owned());
    }
    if let Some(number) = inexact_number(&text) {
        return Err(format!(
            "--biz-content: the number `{number}` cannot be sent as written (it has more digits \
             than a 64-bit integer or a double holds): write it as a string"
        ));
    }
    Ok(value)
}

/// The first number of `json` (valid JSON text without exponents) that serde_json would not
/// send back as written: an integer outside the 64-bit range, or a decimal whose nearest
/// double has another value (`0.1234567890123456789`). Trailing zeros (`1.50`) are kept
/// value for value.
fn inexact_number(json: &str) -> Option<&str> {
    alipay_runtime::de::json_numbers(json).find(|number| {
        let exact = if number.contains('.') {
            // The shortest text of the nearest double, compared value for value.
            let trimmed = |t: &str| match t.contains('.') {
                true => t.trim_end_matches('0').trim_end_matches('.').to_owned(),
                false => t.to_owned(),
            };
            number
                .parse::<f64>()
                .is_ok_and(|f| trimmed(&format!("{f}")) == trimmed(number))
        } else {
            number.parse::<i64>().is_ok() || number.parse::<u64>().is_ok()
        };
        !exact
    })
}

fn form_fields(args: &[String]) -> Result<Vec<(String, String)>, String> {
    args.iter()
        .map(|pair| {
            pair.split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("--form {pair:?}: expected key=value"))
        })
        .collect()
}

/// The `--file NAME=@PATH` arguments: each names a `File` field of `m` and a file that can be
/// read now (opened, a regular file), so that a bad one is refused before anything is sent.
fn files(m: &MethodIr, args: &[String]) -> Result<Vec<(&'static str, FileUpload)>, String> {
    let mut out: Vec<(&'static str, FileUpload)> = Vec::with_capacity(args.len());
    for arg in args {
        let Some((name, path)) = arg
            .split_once('=')
            .and_then(|(name, value)| Some((name, value.strip_prefix('@')?)))
            .filter(|(name, path)| !name.is_empty() && !path.is_empty())
        else {
            return Err(format!("--file {arg:?}: expected NAME=@PATH"));
        };
        let Some(field) = m
            .request
            .fields
            .iter()
            .find(|f| f.wire == name && f.ty.element() == &TypeIr::File)
        else {
            return Err(format!(
                "--file {name}: `{}` has no File field `{name}`",
                m.method
            ));
        };
        if out.iter().any(|(n, _)| *n == field.wire) && !matches!(field.ty, TypeIr::List(_)) {
            return Err(format!("--file {name}: given more than once"));
        }
        let readable = std::fs::File::open(path).and_then(|f| f.metadata());
        match readable {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(format!("--file {name}=@{path}: not a regular file")),
            Err(e) => return Err(format!("--file {name}=@{path}: cannot read: {e}")),
        }
        out.push((validate::intern(&field.wire), FileUpload::from_path(path)));
    }
    Ok(out)
}

/// Why `--form name=…` cannot be sent for `m`, and what to give instead.
fn not_a_form_field(m: &MethodIr, name: &str) -> String {
    use alipay_runtime::protocol::param;
    let instead = if m.request.fields.iter().any(|f| f.wire == name) {
        "a field of biz_content: give it in --biz-content".to_owned()
    } else {
        match name {
            param::APP_AUTH_TOKEN => "a public parameter: give it with --app-auth-token".to_owned(),
            param::AUTH_TOKEN => {
                "the user's token, sent only by the methods whose spec lists it".to_owned()
            }
            param::NOTIFY_URL => "a public parameter: give it with --notify-url".to_owned(),
            param::RETURN_URL => {
                "a public parameter: give it with --return-url (alipay page)".to_owned()
            }
            _ if alipay_runtime::protocol::PUBLIC_REQUEST_PARAMS.contains(&name)
                || alipay_runtime::protocol::CONFIGURED_PARAMS.contains(&name) =>
            {
                "a public parameter, which the command sets itself (see the client flags)"
                    .to_owned()
            }
            _ => {
                let listed: Vec<&str> = m
                    .request
                    .fields
                    .iter()
                    .filter(|f| f.location == Location::Form && f.ty.element() != &TypeIr::File)
                    .map(|f| f.wire.as_str())
                    .collect();
                match listed.is_empty() {
                    true => format!(
                        "not a parameter of `{}`, which has no form parameters",
                        m.method
                    ),
                    false => format!(
                        "not a parameter of `{}` (its form parameters: {})",
                        m.method,
                        listed.join(", ")
                    ),
                }
            }
        }
    };
    format!("--form {name}: `{name}` is {instead}")
}

/// What a request sends beyond the public parameters, from its typed form (see
/// [`validate::typed`]) as the generated `to_parts` builds it; with `extra`, the fields of
/// `biz_content` the spec does not know are sent too, as given.
fn parts(m: &MethodIr, typed: &Map<String, Value>, extra: Option<&Value>) -> RequestParts {
    let is_form = |wire: &str| {
        m.request.fields.iter().any(|f| {
            f.wire == wire && (f.location == Location::Form || f.ty.element() == &TypeIr::File)
        })
    };
    let has_biz_content = m
        .request
        .fields
        .iter()
        .any(|f| f.location == Location::BizContent && f.ty.element() != &TypeIr::File);
    let mut biz: Map<String, Value> = typed
        .iter()
        .filter(|(k, _)| !is_form(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Object(given)) = extra {
        for (k, v) in given {
            if !m.request.fields.iter().any(|f| f.wire == *k) {
                biz.insert(k.clone(), v.clone());
            }
        }
    }
    let mut parts = RequestParts {
        biz_content: (has_biz_content || !biz.is_empty()).then(|| Value::Object(biz).to_string()),
        form: Vec::new(),
        files: Vec::new(),
    };
    for f in &m.request.fields {
        if f.location != Location::Form || f.ty.element() == &TypeIr::File {
            continue;
        }
        let Some(value) = typed.get(&f.wire) else {
            continue;
        };
        let text = match (&f.ty, value) {
            (TypeIr::Model(_) | TypeIr::List(_), v) => v.to_string(),
            (_, Value::String(s)) => s.clone(),
            (_, v) => v.to_string(),
        };
        parts.form.push((validate::intern(&f.wire), text));
    }
    parts
}

/// What a command signs: the method and its parameters as given on the command line.
pub struct Input<'a> {
    /// The method's wire name.
    pub method: &'a str,
    /// `--biz-content`.
    pub biz_content: Option<&'a str>,
    /// `--form`.
    pub form: &'a [String],
    /// `--file NAME=@PATH` (only `alipay call` takes files).
    pub files: &'a [String],
    /// `--specs`.
    pub specs: Option<&'a std::path::Path>,
    /// `--allow-unknown-fields`.
    pub allow_unknown_fields: bool,
    /// The call styles the command serves (`None`: any), checked before the parameters.
    pub styles: Option<&'a [CallStyle]>,
    /// The command, for the message when the method's call style is not among `styles`.
    pub command: &'static str,
    /// Per-request public parameters given by flags (`--return-url`, `--notify-url`): sent as
    /// the method's form field of the same name when its spec lists one (and `--form` does
    /// not give it), so that a spec requiring it (`notify_url` of `alipay.trade.app.pay`) is
    /// satisfied; otherwise handed back for the request's options.
    pub per_request: Vec<(&'static str, String)>,
}

/// A request validated through its method's IR: the method, what it sends, and the
/// per-request public parameters its spec does not list as fields.
pub type Validated = (MethodIr, RequestParts, Vec<(&'static str, String)>);

/// The method's spec (embedded, or from `--specs DIR`) validates the parameters through its
/// IR, as the generated client would, before anything is signed; a problem is printed and
/// its exit code returned.
pub fn validated(input: &Input<'_>) -> Result<Validated, Exit> {
    let invalid = |message: String| {
        eprintln!("invalid input, nothing was sent: {message}");
        Exit::Invalid
    };
    let catalog = Catalog::new(input.specs).map_err(invalid)?;
    let m = match catalog.method(input.method) {
        None => {
            return Err(invalid(format!(
                "unknown method `{}` (`alipay methods` lists the ones this command knows; \
                 --specs DIR adds more)",
                input.method
            )));
        }
        Some(Err(message)) => return Err(invalid(message)),
        Some(Ok(m)) => m,
    };
    let style = crate::catalog::call_style(m.call_style);
    if let Some(styles) = input.styles
        && !styles.contains(&style)
    {
        let (what, instead) = match style {
            CallStyle::Server => ("a server call", "alipay call"),
            CallStyle::Page => ("a page method", "alipay page"),
            CallStyle::App => ("an app method", "alipay sdk"),
        };
        return Err(invalid(format!(
            "{} is {what}, not one for `alipay {}`: use `{instead}`",
            m.method, input.command
        )));
    }
    let biz = biz_content(input.biz_content).map_err(invalid)?;
    let mut form = form_fields(input.form).map_err(invalid)?;
    let files = files(&m, input.files).map_err(invalid)?;
    let is_file = |k: &str| {
        m.request
            .fields
            .iter()
            .any(|f| f.wire == k && f.ty.element() == &TypeIr::File)
    };
    if let Some((name, _)) = form.iter().find(|(k, _)| is_file(k)) {
        return Err(invalid(format!(
            "--form {name}: `{name}` is a File field: give it with --file {name}=@PATH"
        )));
    }
    // A name the method does not send outside biz_content would be dropped silently (an
    // `app_auth_token` meant for a merchant, an `out_trade_no` meant for biz_content).
    let is_form = |k: &str| {
        m.request
            .fields
            .iter()
            .any(|f| f.wire == k && f.location == Location::Form)
    };
    if let Some((name, _)) = form.iter().find(|(k, _)| !is_form(k)) {
        return Err(invalid(not_a_form_field(&m, name)));
    }
    let mut leftover = Vec::new();
    for (name, value) in &input.per_request {
        let listed = m
            .request
            .fields
            .iter()
            .any(|f| f.wire == *name && f.location == Location::Form);
        if !listed {
            leftover.push((*name, value.clone()));
        } else if !form.iter().any(|(k, _)| k == name) {
            form.push(((*name).to_owned(), value.clone()));
        }
    }
    // Validation sees each file as the name of its part, as the gateway would.
    form.extend(files.iter().map(|(name, file)| {
        (
            (*name).to_owned(),
            file.file_name().unwrap_or_default().to_owned(),
        )
    }));
    let refused =
        |e: ValidationError| print_error(&Error::InvalidRequest(e), &mut std::io::stderr());
    if !input.allow_unknown_fields
        && let Err(e) = validate::unknown_fields(&m, Some(&biz))
    {
        eprintln!("(to send a field the spec does not know yet, pass --allow-unknown-fields)");
        return Err(refused(e));
    }
    // Lenient on listed values, as the client is: a value Alipay added later still goes out.
    let typed = validate::validate(&m, Some(&biz), &form, false).map_err(refused)?;
    let mut parts = parts(&m, &typed, input.allow_unknown_fields.then_some(&biz));
    parts.files = files;
    Ok((m, parts, leftover))
}

/// Runs `alipay call`: validates the parameters (see [`validated`]), then signs, sends and
/// verifies.
pub async fn run(args: CallArgs) -> Exit {
    let input = Input {
        method: &args.method,
        biz_content: args.biz_content.as_deref(),
        form: &args.form,
        files: &args.file,
        specs: args.specs.as_deref(),
        allow_unknown_fields: args.allow_unknown_fields,
        styles: None,
        command: "call",
        // `--notify-url` (or the config file's `notify_url`) as the method's own field when
        // its spec lists one: over v3, where no public parameter carries it, that is the only
        // way it is sent (over v2 the client sends it either way, once).
        per_request: args
            .client
            .notify_url_setting()
            .filter(|url| !url.is_empty())
            .map(|url| (alipay_runtime::protocol::param::NOTIFY_URL, url))
            .into_iter()
            .collect(),
    };
    let (m, parts, _) = match validated(&input) {
        Ok(validated) => validated,
        Err(exit) => return exit,
    };
    let client = match args.client.build_client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("invalid configuration, nothing was sent: {e}");
            return Exit::Invalid;
        }
    };
    // The process ends after one call: the method's error table lives as long as it.
    let errors: &'static [ErrorDoc] = Box::leak(
        m.errors
            .iter()
            .map(|e| ErrorDoc {
                code: validate::intern(&e.code),
                description: validate::intern(&e.description),
                solution: validate::intern(&e.solution),
            })
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let protocol = args.protocol.unwrap_or(client.config().protocol());
    let documented =
        |e: Error<DynBizCode>| e.map_business(|code| DynBizCode::documented(&code.code, errors));
    let route = m.route.as_ref().map(crate::catalog::route);
    let answer = match (protocol, route) {
        (Protocol::V3, Some(route)) => {
            let options = RequestOptions::new().protocol(Protocol::V3);
            client
                .execute_raw_v3(&m.method, &route, &parts, &options)
                .await
                .map(Value::Object)
        }
        (Protocol::V2, Some(route)) if !route.v2 => Err(refused_protocol(&m.method, protocol)),
        (Protocol::V3, None) => Err(refused_protocol(&m.method, protocol)),
        _ => match client.execute_raw(&m.method, &parts).await {
            // A key given twice in the node (at any depth) is not shown as one of its values:
            // the answer is malformed, as the runtime finds a duplicated `code`.
            Ok(verified) => {
                alipay_runtime::de::json_without_duplicates(verified.node_text().as_bytes())
                    .map_err(|e| Error::MalformedBody {
                        reason: format!("the verified response node is not well-formed JSON: {e}"),
                    })
            }
            Err(e) => Err(e),
        },
    };
    match answer.map_err(documented) {
        Ok(node) => {
            let text = serde_json::to_string_pretty(&node).unwrap_or_else(|_| node.to_string());
            crate::report::print_line(&text, Exit::Success)
        }
        Err(error) => print_error(&error, &mut std::io::stderr()),
    }
}

/// The error of a method sent over a protocol it does not have (nothing is signed).
fn refused_protocol(method: &str, protocol: Protocol) -> Error<DynBizCode> {
    Error::Protocol(ProtocolError {
        method: method.to_owned(),
        protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn biz_content_must_be_an_object() {
        assert_eq!(
            biz_content(None).ok(),
            Some(Value::Object(serde_json::Map::new()))
        );
        assert!(biz_content(Some("{\"a\":1}")).is_ok());
        assert!(biz_content(Some("[1]")).is_err());
        assert!(biz_content(Some("{")).is_err());
        assert!(biz_content(Some("@/no/such/file.json")).is_err());
    }

    #[test]
    fn numbers_are_sent_as_written_or_refused() {
        for exact in [
            "1",
            "-1",
            "0",
            "-0",
            "1.50",
            "100.0",
            "0.01",
            "-0.0",
            "99999999.99",
            "9223372036854775807",
            "18446744073709551615",
        ] {
            assert_eq!(
                inexact_number(&format!("{{\"n\":{exact}}}")),
                None,
                "{exact}"
            );
        }
        for inexact in [
            "18446744073709551616",
            "-9223372036854775809",
            "12345678901234567890123",
            "0.1234567890123456789",
            "12345678901234567.5",
        ] {
            let json = format!("{{\"s\":\"1.23456789012345678901\",\"n\":[{inexact}]}}");
            assert_eq!(inexact_number(&json), Some(inexact), "{json}");
        }
    }

    #[test]
    fn form_fields_are_key_value() {
        assert_eq!(
            form_fields(&["a=b=c".to_owned()]).ok(),
            Some(vec![("a".to_owned(), "b=c".to_owned())])
        );
        assert!(form_fields(&["=x".to_owned()]).is_err());
        assert!(form_fields(&["x".to_owned()]).is_err());
    }
}
