//! `alipay page` and `alipay sdk`: requests signed for the user's browser or the Alipay app,
//! printed, never sent.

use std::io::Write as _;

use alipay_codegen::ir::MethodIr;
use alipay_runtime::protocol::param;
use alipay_runtime::{CallStyle, Client, RequestOptions, RequestParts};

use crate::call::{Input, validated};
use crate::config::ClientFlags;
use crate::report::{Exit, print_error};
use crate::{HttpMethod, PageArgs, SdkArgs};

/// Writes `bytes` to stdout: the only thing a successful run prints there.
fn print(bytes: &[u8]) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("alipay: cannot write to stdout: {e}");
            Exit::Failure
        }
    }
}

/// The per-request public parameters of the flags: `--return-url`, and `--notify-url` (or
/// the config file's `notify_url`), which the client sends anyway but a spec may require as
/// a field of the method.
fn per_request(client: &ClientFlags, return_url: Option<&str>) -> Vec<(&'static str, String)> {
    let mut values = Vec::new();
    if let Some(url) = return_url.filter(|u| !u.is_empty()) {
        values.push((param::RETURN_URL, url.to_owned()));
    }
    if let Some(url) = client.notify_url_setting().filter(|u| !u.is_empty()) {
        values.push((param::NOTIFY_URL, url));
    }
    values
}

/// The options of the per-request values no field of the method took.
fn options(leftover: Vec<(&'static str, String)>) -> RequestOptions {
    leftover
        .into_iter()
        .fold(RequestOptions::new(), |options, (name, value)| match name {
            param::RETURN_URL => options.return_url(value),
            param::NOTIFY_URL => options.notify_url(value),
            _ => options,
        })
}

/// What both commands sign: the request validated through its spec, the options from the
/// per-request parameters its spec does not list, and the configured client; a problem is
/// printed and its exit code returned.
fn prepare(
    input: &Input<'_>,
    flags: &ClientFlags,
) -> Result<(MethodIr, RequestParts, RequestOptions, Client), Exit> {
    let (m, parts, leftover) = validated(input)?;
    let client = flags.build_client().map_err(|e| {
        eprintln!("invalid configuration, nothing was signed: {e}");
        Exit::Invalid
    })?;
    Ok((m, parts, options(leftover), client))
}

/// Runs `alipay page`: the signed form (POST) or URL (GET) of a page method.
pub fn page(args: PageArgs) -> Exit {
    let input = Input {
        method: &args.method,
        biz_content: args.biz_content.as_deref(),
        form: &args.form,
        files: &[],
        specs: args.specs.as_deref(),
        allow_unknown_fields: args.allow_unknown_fields,
        styles: Some(&[CallStyle::Page]),
        command: "page",
        per_request: per_request(&args.client, args.return_url.as_deref()),
    };
    let (m, parts, options, client) = match prepare(&input, &args.client) {
        Ok(prepared) => prepared,
        Err(exit) => return exit,
    };
    let printed = match args.http_method {
        // The form in the request charset: what a server answers the browser with.
        HttpMethod::Post => client
            .page_form_raw(&m.method, &parts, &options)
            .map(|form| form.to_bytes().to_vec()),
        HttpMethod::Get => client
            .page_url_raw(&m.method, &parts, &options)
            .map(|url| format!("{url}\n").into_bytes()),
    };
    match printed {
        Ok(bytes) => print(&bytes),
        Err(e) => print_error(&e, &mut std::io::stderr()),
    }
}

/// Runs `alipay sdk`: the order string of an app method for the Alipay app SDK.
pub fn sdk(args: SdkArgs) -> Exit {
    let input = Input {
        method: &args.method,
        biz_content: args.biz_content.as_deref(),
        form: &args.form,
        files: &[],
        specs: args.specs.as_deref(),
        allow_unknown_fields: args.allow_unknown_fields,
        styles: Some(&[CallStyle::App, CallStyle::Page]),
        command: "sdk",
        per_request: per_request(&args.client, None),
    };
    let (m, parts, options, client) = match prepare(&input, &args.client) {
        Ok(prepared) => prepared,
        Err(exit) => return exit,
    };
    match client.app_order_string_raw(&m.method, &parts, &options) {
        Ok(order) => print(format!("{order}\n").as_bytes()),
        Err(e) => print_error(&e, &mut std::io::stderr()),
    }
}
