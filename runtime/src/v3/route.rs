//! A method's route under the v3 protocol, as generated code states it (`Method::ROUTE`) and
//! the local gateway serves it.

/// A method's route under Alipay's v3 protocol: the spec's `route` key.
///
/// One typed request serves both protocols; the route says how v3 sends it. The request's
/// fields named in `path` (`{name}` segments) and in `query` leave the JSON object and go into
/// the target; the rest is the body (JSON, or the `data` part of a multipart body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// The HTTP method.
    pub http_method: HttpMethod,
    /// The path from `/v3/`, each `{name}` segment the request field of that wire name.
    pub path: &'static str,
    /// The request fields (wire names) sent as query parameters, in this order.
    pub query: &'static [&'static str],
    /// How the other fields are sent.
    pub body: RouteBody,
    /// Whether the method is also served under the v2 protocol (`false`: v3 only).
    pub v2: bool,
}

impl Route {
    /// The names of the path's `{name}` segments, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// The path parameters of `path` (a request path without its query) when it matches this
    /// route's template, as (name, raw segment) pairs; `None` when it does not match.
    pub fn match_path<'p>(&self, path: &'p str) -> Option<Vec<(&'static str, &'p str)>> {
        let mut params = Vec::new();
        let mut want = self.path.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return Some(params),
                (Some(w), Some(g)) => match w.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) if !g.is_empty() => params.push((name, g)),
                    Some(_) => return None,
                    None if w == g => {}
                    None => return None,
                },
                _ => return None,
            }
        }
    }
}

/// The HTTP method of a v3 route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method as sent: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// The method named `name` (upper case, as on a request line).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            _ => return None,
        })
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a v3 request's body is sent (the route's `body` key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RouteBody {
    /// A JSON object of the fields that are not path or query parameters.
    #[default]
    Json,
    /// `multipart/form-data`: a `data` part holding that JSON object, then each file.
    Multipart,
    /// No body: every field is a path or query parameter.
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: Route = Route {
        http_method: HttpMethod::Post,
        path: "/v3/alipay/marketing/ordervoucher/activity/{activity_id}/voucher/{voucher_code}/use",
        query: &[],
        body: RouteBody::Json,
        v2: true,
    };

    #[test]
    fn path_params_in_order() {
        assert_eq!(
            ROUTE.path_params().collect::<Vec<_>>(),
            ["activity_id", "voucher_code"]
        );
    }

    #[test]
    fn match_path_takes_segments_and_refuses_others() {
        let got =
            ROUTE.match_path("/v3/alipay/marketing/ordervoucher/activity/A%201/voucher/V9/use");
        assert_eq!(
            got,
            Some(vec![("activity_id", "A%201"), ("voucher_code", "V9")])
        );
        for other in [
            "/v3/alipay/marketing/ordervoucher/activity//voucher/V9/use",
            "/v3/alipay/marketing/ordervoucher/activity/A/voucher/V9",
            "/v3/alipay/marketing/ordervoucher/activity/A/voucher/V9/use/x",
            "/v3/alipay/marketing/ordervoucher/activity/A/coupon/V9/use",
        ] {
            assert_eq!(ROUTE.match_path(other), None, "{other}");
        }
    }
}
