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
    let biz = crate::biz_content::read(input.biz_content).map_err(invalid)?;
    let mut form = form_fields(input.form).map_err(invalid)?;
    let files = files(&m, input.files).map_err(invalid)?;
    check_form_names(&m, &form).map_err(invalid)?;
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

/// Refuses a `--form` name the method does not take there: a File field (given with
/// `--file`), or a name it does not send outside biz_content, which would be dropped silently
/// (an `app_auth_token` meant for a merchant, an `out_trade_no` meant for biz_content).
fn check_form_names(m: &MethodIr, form: &[(String, String)]) -> Result<(), String> {
    for (name, _) in form {
        match m.request.fields.iter().find(|f| f.wire == *name) {
            Some(f) if f.ty.element() == &TypeIr::File => {
                return Err(format!(
                    "--form {name}: `{name}` is a File field: give it with --file {name}=@PATH"
                ));
            }
            Some(f) if f.location == Location::Form => {}
            _ => return Err(not_a_form_field(m, name)),
        }
    }
    Ok(())
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
    fn form_fields_are_key_value() {
        assert_eq!(
            form_fields(&["a=b=c".to_owned()]).ok(),
            Some(vec![("a".to_owned(), "b=c".to_owned())])
        );
        assert!(form_fields(&["=x".to_owned()]).is_err());
        assert!(form_fields(&["x".to_owned()]).is_err());
    }
}
