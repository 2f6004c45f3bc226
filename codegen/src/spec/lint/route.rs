//! The rules of a spec's v3 route (`route`): a path under `/v3/` whose `{name}` segments and
//! whose `query` name request fields, and a body that leaves no field without a place.

use std::collections::HashSet;

use super::Lint;
use crate::spec::diagnostic::FieldPath;
use crate::spec::{Body, Field, Route};

/// The public parameter a v3 route may send in its query without a request field of its name.
pub(crate) const PUBLIC_QUERY: &str = "auth_token";

/// The `{name}` segments of a route's path, in order, or the reason the path is malformed.
pub(crate) fn path_params(path: &str) -> Result<Vec<&str>, String> {
    if !path.starts_with("/v3/") {
        return Err(format!("path `{path}` does not start with `/v3/`"));
    }
    if let Some(c) = path
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '?' | '#' | '%'))
    {
        return Err(format!(
            "path `{path}` holds `{}`: a path is written plain, its query in `query`",
            c.escape_default()
        ));
    }
    let mut params = Vec::new();
    for segment in path.split('/').skip(1) {
        match (segment.strip_prefix('{'), segment.contains(['{', '}'])) {
            (Some(rest), _)
                if rest.ends_with('}') && !rest[..rest.len() - 1].contains(['{', '}']) =>
            {
                let name = &rest[..rest.len() - 1];
                if name.is_empty() {
                    return Err(format!("path `{path}` has an empty `{{}}` segment"));
                }
                params.push(name);
            }
            (_, true) => {
                return Err(format!(
                    "path `{path}`: segment `{segment}` is not a whole `{{name}}` parameter"
                ));
            }
            _ if segment.is_empty() => {
                return Err(format!("path `{path}` has an empty segment"));
            }
            _ => {}
        }
    }
    Ok(params)
}

/// Lints `route` against the request's fields.
pub(super) fn lint_route(
    lint: &mut Lint<'_, '_>,
    route: &Route,
    request: &[Field],
    at: &FieldPath,
) {
    let fields: HashSet<&str> = request.iter().map(|f| f.name.as_str()).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    match path_params(&route.path) {
        Err(message) => lint.at(&at.key("path"), message),
        Ok(params) => {
            for name in params {
                if !fields.contains(name) {
                    lint.at(
                        &at.key("path"),
                        format!(
                            "path parameter `{name}` is not a request field: add it to `request`"
                        ),
                    );
                } else if !placed.insert(name) {
                    lint.at(
                        &at.key("path"),
                        format!("path parameter `{name}` appears twice"),
                    );
                }
            }
        }
    }
    for (i, name) in route.query.iter().enumerate() {
        let path = at.key("query").index(i);
        if !fields.contains(name.as_str()) && name != PUBLIC_QUERY {
            lint.at(
                &path,
                format!(
                    "query parameter `{name}` is not a request field (only `{PUBLIC_QUERY}`, a public \
                     parameter, may be named without one): add it to `request`"
                ),
            );
        } else if !placed.insert(name) {
            lint.at(
                &path,
                format!("`{name}` is already a path or query parameter"),
            );
        }
    }
    if route.body == Body::None {
        for (i, f) in request.iter().enumerate() {
            if !placed.contains(f.name.as_str()) {
                lint.at(
                    &FieldPath::root().key("request").index(i).key("name"),
                    format!(
                        "`{}` has no place in the v3 request: the route has no body (`body: none`), \
                         so every request field is a path or query parameter",
                        f.name
                    ),
                );
            }
        }
    }
    if route.source.as_deref().is_some_and(|s| s.trim().is_empty()) {
        lint.at(
            &at.key("source"),
            "empty source: name the document the route comes from, or leave the key out",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::path_params;

    #[test]
    fn paths() {
        assert_eq!(path_params("/v3/alipay/trade/query"), Ok(vec![]));
        assert_eq!(
            path_params("/v3/ant/merchant/order/{order_id}"),
            Ok(vec!["order_id"])
        );
        assert_eq!(path_params("/v3/a/{x}/b/{y}/c"), Ok(vec!["x", "y"]));
        for bad in [
            "/v2/alipay/trade/query",
            "v3/a",
            "/v3/a b",
            "/v3/a?x=1",
            "/v3/a//b",
            "/v3/a/{}",
            "/v3/a/x{y}",
            "/v3/a/{y",
            "/v3/a/{{y}}",
            "/v3/a/%7By%7D",
        ] {
            assert!(path_params(bad).is_err(), "{bad}");
        }
    }
}
