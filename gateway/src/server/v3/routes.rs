//! Finding a v3 request's method by its HTTP method and path, among the routes of the static
//! methods and the route table the gateway was given for the methods it resolves by name.

use std::collections::HashMap;

use alipay_runtime::MethodDescriptor;
use alipay_runtime::v3::{HttpMethod, Route};

/// A route and the method (wire name) it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RouteEntry {
    pub route: Route,
    pub method: &'static str,
}

/// What a request's HTTP method and path find.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'p> {
    /// The route, with the raw (still percent-encoded) segments of its `{name}` parameters.
    Route(RouteEntry, Vec<(&'static str, &'p str)>),
    /// The path is a route's, but for other HTTP methods (these).
    OtherMethods(Vec<HttpMethod>),
    /// No route has this path.
    NoRoute,
}

/// The routes a gateway serves: paths without parameters by exact match, the few with
/// `{name}` segments by matching each in turn. The first route given for an (HTTP method,
/// path) wins: the static methods' come first.
#[derive(Debug, Default)]
pub(crate) struct V3Routes {
    fixed: HashMap<(HttpMethod, &'static str), RouteEntry>,
    templated: Vec<RouteEntry>,
}

impl V3Routes {
    /// The routes of `methods` (those that have one), then those of `table`.
    pub fn new(
        methods: &'static [MethodDescriptor],
        table: impl IntoIterator<Item = (Route, &'static str)>,
    ) -> Self {
        let mut routes = Self::default();
        let from_methods = methods
            .iter()
            .filter_map(|m| m.route.map(|route| (route, m.method)));
        for (route, method) in from_methods.chain(table) {
            routes.add(RouteEntry { route, method });
        }
        routes
    }

    fn add(&mut self, entry: RouteEntry) {
        if entry.route.path_params().next().is_none() {
            self.fixed
                .entry((entry.route.http_method, entry.route.path))
                .or_insert(entry);
        } else if !self.templated.iter().any(|e| {
            e.route.http_method == entry.route.http_method && e.route.path == entry.route.path
        }) {
            self.templated.push(entry);
        }
    }

    /// How many routes are served.
    pub fn len(&self) -> usize {
        self.fixed.len() + self.templated.len()
    }

    /// The route of `http_method` and `path` (the request path, without its query).
    pub fn find<'p>(&self, http_method: HttpMethod, path: &'p str) -> Found<'p> {
        if let Some(entry) = self.fixed.get(&(http_method, path)) {
            return Found::Route(*entry, Vec::new());
        }
        let mut other = Vec::new();
        for entry in &self.templated {
            if let Some(params) = entry.route.match_path(path) {
                if entry.route.http_method == http_method {
                    return Found::Route(*entry, params);
                }
                other.push(entry.route.http_method);
            }
        }
        for m in [
            HttpMethod::Get,
            HttpMethod::Post,
            HttpMethod::Put,
            HttpMethod::Patch,
            HttpMethod::Delete,
        ] {
            if m != http_method && self.fixed.contains_key(&(m, path)) {
                other.push(m);
            }
        }
        if other.is_empty() {
            Found::NoRoute
        } else {
            other.sort();
            other.dedup();
            Found::OtherMethods(other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alipay_runtime::v3::RouteBody;

    const fn route(http_method: HttpMethod, path: &'static str) -> Route {
        Route {
            http_method,
            path,
            query: &[],
            body: RouteBody::Json,
            v2: true,
        }
    }

    #[test]
    fn fixed_templated_first_wins_and_other_methods() {
        let routes = V3Routes::new(
            &[],
            [
                (route(HttpMethod::Post, "/v3/a/query"), "a.query"),
                (route(HttpMethod::Post, "/v3/a/query"), "a.other"),
                (route(HttpMethod::Get, "/v3/a/{id}/get"), "a.get"),
                (route(HttpMethod::Delete, "/v3/a/{id}/get"), "a.delete"),
            ],
        );
        assert_eq!(routes.len(), 3);
        match routes.find(HttpMethod::Post, "/v3/a/query") {
            Found::Route(e, params) => {
                assert_eq!(e.method, "a.query");
                assert!(params.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match routes.find(HttpMethod::Get, "/v3/a/x%20y/get") {
            Found::Route(e, params) => {
                assert_eq!(e.method, "a.get");
                assert_eq!(params, [("id", "x%20y")]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            routes.find(HttpMethod::Get, "/v3/a/query"),
            Found::OtherMethods(vec![HttpMethod::Post])
        );
        assert_eq!(
            routes.find(HttpMethod::Put, "/v3/a/1/get"),
            Found::OtherMethods(vec![HttpMethod::Get, HttpMethod::Delete])
        );
        assert_eq!(routes.find(HttpMethod::Get, "/v3/b"), Found::NoRoute);
    }
}
