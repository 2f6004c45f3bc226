//! `alipay call` and `alipay methods`.

use serde_json::Value;

use crate::CallArgs;
use crate::report::{Exit, print_error};

/// Prints every generated method: name, product group and title.
pub fn list_methods() {
    let width = alipay_openapi::METHODS
        .iter()
        .map(|m| m.method.len())
        .max()
        .unwrap_or(0);
    for m in alipay_openapi::METHODS {
        println!("{:<width$}  {:<8}  {}", m.method, m.group, m.title);
    }
}

/// Reads `--biz-content`: inline JSON or `@FILE`; it must be a JSON object.
fn biz_content(arg: Option<&str>) -> Result<Value, String> {
    let Some(arg) = arg else {
        return Ok(Value::Object(serde_json::Map::new()));
    };
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--biz-content @{path}: cannot read: {e}"))?,
        None => arg.to_owned(),
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("--biz-content is not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("--biz-content must be a JSON object".to_owned());
    }
    Ok(value)
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

/// Runs `alipay call`.
pub async fn run(args: CallArgs) -> Exit {
    let invalid = |message: String| {
        eprintln!("invalid input, nothing was sent: {message}");
        Exit::Invalid
    };
    if alipay_openapi::find_method(&args.method).is_none() {
        return invalid(format!(
            "unknown method `{}` (`alipay methods` lists the generated ones)",
            args.method
        ));
    }
    let biz = match biz_content(args.biz_content.as_deref()) {
        Ok(biz) => biz,
        Err(message) => return invalid(message),
    };
    let form = match form_fields(&args.form) {
        Ok(form) => form,
        Err(message) => return invalid(message),
    };
    let client = match args.client.build_client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("invalid configuration, nothing was sent: {e}");
            return Exit::Invalid;
        }
    };
    match alipay_openapi::call_json(&client, &args.method, biz, &form).await {
        Ok(node) => {
            match serde_json::to_string_pretty(&node) {
                Ok(text) => println!("{text}"),
                Err(_) => println!("{node}"),
            }
            Exit::Success
        }
        Err(error) => print_error(&error, &mut std::io::stderr()),
    }
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
    fn form_fields_are_key_value() {
        assert_eq!(
            form_fields(&["a=b=c".to_owned()]).ok(),
            Some(vec![("a".to_owned(), "b=c".to_owned())])
        );
        assert!(form_fields(&["=x".to_owned()]).is_err());
        assert!(form_fields(&["x".to_owned()]).is_err());
    }
}
