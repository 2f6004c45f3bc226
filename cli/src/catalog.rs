//! The methods the command serves: every spec embedded at build time (`specs/` and its
//! `sdk/` layer), overlaid by the specs of `--specs DIR`. Specs are parsed when needed, and a
//! method is validated through its IR ([`alipay_codegen::validate`]), so the command never
//! compiles the catalog's generated code.

use std::collections::BTreeMap;
use std::path::Path;

use std::sync::Arc;

use alipay_codegen::ir::{self, MethodIr};
use alipay_codegen::spec::{self, Spec};
use alipay_codegen::validate::{self, intern};
use alipay_gateway::resolve::{MethodResolver, ResolvedMethod, not_compiled};
use alipay_runtime::{ErrorDoc, MethodDescriptor};

include!(concat!(env!("OUT_DIR"), "/specs.rs"));

/// The runtime's name for a spec's call style.
pub fn call_style(style: spec::CallStyle) -> alipay_runtime::CallStyle {
    match style {
        spec::CallStyle::Server => alipay_runtime::CallStyle::Server,
        spec::CallStyle::Page => alipay_runtime::CallStyle::Page,
        spec::CallStyle::App => alipay_runtime::CallStyle::App,
    }
}

/// The runtime's form of a spec's v3 route (its texts interned: they live as long as the
/// process, like the descriptors that hold them).
pub fn route(r: &spec::Route) -> alipay_runtime::v3::Route {
    use alipay_runtime::v3::{HttpMethod, RouteBody};
    let query: Vec<&'static str> = r.query.iter().map(|q| intern(q)).collect();
    alipay_runtime::v3::Route {
        http_method: match r.http_method {
            spec::HttpMethod::Get => HttpMethod::Get,
            spec::HttpMethod::Post => HttpMethod::Post,
            spec::HttpMethod::Put => HttpMethod::Put,
            spec::HttpMethod::Patch => HttpMethod::Patch,
            spec::HttpMethod::Delete => HttpMethod::Delete,
        },
        path: intern(&r.path),
        query: Box::leak(query.into_boxed_slice()),
        body: match r.body {
            spec::Body::Json => RouteBody::Json,
            spec::Body::Multipart => RouteBody::Multipart,
            spec::Body::None => RouteBody::None,
        },
        v2: r.v2,
    }
}

/// Where a method's spec comes from.
enum Source {
    /// Embedded text, parsed when asked for, and its title when known without parsing.
    Embedded(Option<&'static str>, &'static str),
    /// Read (and checked) from `--specs DIR`.
    Loaded(Box<Spec>),
}

/// Every method the command knows, by wire name.
pub struct Catalog {
    methods: BTreeMap<String, Source>,
}

impl Catalog {
    /// The embedded specs, and over them those of `dir`, which must all pass `check`.
    pub fn new(dir: Option<&Path>) -> Result<Self, String> {
        let mut methods: BTreeMap<String, Source> = SPECS
            .iter()
            .map(|(method, title, text)| ((*method).to_owned(), Source::Embedded(*title, text)))
            .collect();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(format!("--specs {}: no such folder", dir.display()));
            }
            let report = spec::load_dir(dir);
            if !report.is_clean() {
                let shown: Vec<String> =
                    report.diagnostics.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "--specs {}: {} problem(s):\n{}",
                    dir.display(),
                    shown.len(),
                    shown.join("\n")
                ));
            }
            for (_, s) in report.specs {
                methods.insert(s.method.clone(), Source::Loaded(Box::new(s)));
            }
        }
        Ok(Self { methods })
    }

    /// The method names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.methods.keys().map(String::as_str)
    }

    /// The spec of `method`, if known.
    pub fn spec(&self, method: &str) -> Option<Result<Spec, String>> {
        Some(match self.methods.get(method)? {
            Source::Loaded(s) => Ok((**s).clone()),
            Source::Embedded(_, text) => {
                spec::load_str(&format!("{method}.yaml"), text).map_err(|d| {
                    let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
                    format!(
                        "the embedded spec of {method} has problems:\n{}",
                        shown.join("\n")
                    )
                })
            }
        })
    }

    /// The IR of `method`, if known.
    pub fn method(&self, method: &str) -> Option<Result<MethodIr, String>> {
        Some(
            self.spec(method)?
                .and_then(|s| ir::lower_one(&s).map_err(|e| e.to_string())),
        )
    }

    /// The local gateway's resolver: each method of the catalog, found when first asked for,
    /// validated strictly through its IR. What it describes lives as long as the process
    /// (the gateway asks once per method, so at most once per spec).
    pub fn resolver(self: Arc<Self>) -> MethodResolver {
        Arc::new(move |name: &str| {
            let m = self.method(name)?.ok()?;
            let errors: Vec<ErrorDoc> = m
                .errors
                .iter()
                .map(|e| ErrorDoc {
                    code: intern(&e.code),
                    description: intern(&e.description),
                    solution: intern(&e.solution),
                })
                .collect();
            let descriptor: &'static MethodDescriptor = Box::leak(Box::new(MethodDescriptor {
                method: intern(&m.method),
                title: intern(&m.title),
                group: intern(&m.group),
                response_node: intern(&m.response_node),
                call_style: call_style(m.call_style),
                errors: Box::leak(errors.into_boxed_slice()),
                example_response: m.examples.response.as_deref().map(intern),
                route: m.route.as_ref().map(route),
                validate_request: not_compiled,
            }));
            let m = Arc::new(m);
            Some(ResolvedMethod {
                descriptor,
                validate: Arc::new(move |biz, form| {
                    validate::validate(&m, biz, form, true).map(|_| ())
                }),
            })
        })
    }

    /// The v3 route of every method that has one, for the local gateway
    /// ([`GatewayBuilder::routes`](alipay_gateway::GatewayBuilder::routes)): the embedded
    /// specs' as the build scanned them (no spec is parsed for it, but the rare one the scan
    /// could not read), and those of `--specs DIR` over them.
    pub fn routes(&self) -> Vec<(alipay_runtime::v3::Route, &'static str)> {
        let embedded =
            |method: &str| matches!(self.methods.get(method), Some(Source::Embedded(..)));
        let mut out: Vec<(alipay_runtime::v3::Route, &'static str)> = ROUTES
            .iter()
            .filter(|(method, _)| embedded(method))
            .map(|(method, route)| (*route, *method))
            .collect();
        let unscanned = UNSCANNED_ROUTES.iter().filter(|m| embedded(m));
        for method in unscanned {
            if let Some(Ok(spec)) = self.spec(method)
                && let Some(r) = &spec.route
            {
                out.push((route(r), intern(method)));
            }
        }
        for source in self.methods.values() {
            if let Source::Loaded(spec) = source
                && let Some(r) = &spec.route
            {
                out.push((route(r), intern(&spec.method)));
            }
        }
        out
    }

    /// The protocols of each method that has a v3 route: `v2+v3`, or `v3` when its route
    /// says `v2: false`; a method not in the map is v2 only. From the build's route table and
    /// the routes of `--specs DIR` ([`Catalog::routes`]): no embedded spec is parsed for it.
    pub fn protocols(&self) -> std::collections::HashMap<&'static str, &'static str> {
        self.routes()
            .into_iter()
            .map(|(route, method)| (method, if route.v2 { "v2+v3" } else { "v3" }))
            .collect()
    }

    /// Every method's name and title, in name order (methods whose spec does not parse
    /// left out). Titles are parsed only where the build could not read them plainly.
    pub fn titles(&self) -> Vec<(String, String)> {
        let unknown: Vec<&str> = self
            .methods
            .iter()
            .filter(|(_, s)| matches!(s, Source::Embedded(None, _)))
            .map(|(m, _)| m.as_str())
            .collect();
        let parsed: BTreeMap<String, String> = self
            .parse(&unknown)
            .into_iter()
            .map(|s| (s.method, s.title))
            .collect();
        self.methods
            .iter()
            .filter_map(|(method, source)| {
                let title = match source {
                    Source::Embedded(Some(title), _) => (*title).to_owned(),
                    Source::Embedded(None, _) => parsed.get(method)?.clone(),
                    Source::Loaded(s) => s.title.clone(),
                };
                Some((method.clone(), title))
            })
            .collect()
    }

    /// The specs of `names`, parsed on every core, in order (specs that do not parse left
    /// out).
    fn parse(&self, names: &[&str]) -> Vec<Spec> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = names.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = names
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .filter_map(|m| self.spec(m).and_then(Result::ok))
                            .collect::<Vec<Spec>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build's text scan of each embedded spec's route gives what the YAML parser reads.
    #[test]
    fn scanned_routes_are_the_parsed_ones() {
        let catalog = Catalog::new(None).unwrap();
        let scanned: BTreeMap<&str, alipay_runtime::v3::Route> =
            ROUTES.iter().map(|(m, r)| (*m, *r)).collect();
        let with_route: Vec<&str> = SPECS
            .iter()
            .filter(|(_, _, text)| text.contains("\nroute:"))
            .map(|(m, _, _)| *m)
            .collect();
        assert!(with_route.len() > 700, "{}", with_route.len());
        assert!(UNSCANNED_ROUTES.is_empty(), "{UNSCANNED_ROUTES:?}");
        for spec in catalog.parse(&with_route) {
            let parsed = route(spec.route.as_ref().expect("a route"));
            assert_eq!(
                scanned.get(spec.method.as_str()),
                Some(&parsed),
                "{}",
                spec.method
            );
        }
        assert_eq!(scanned.len(), with_route.len());
        assert_eq!(catalog.routes().len(), with_route.len());
    }

    #[test]
    fn protocols_come_from_the_routes() {
        let catalog = Catalog::new(None).unwrap();
        let protocols = catalog.protocols();
        assert_eq!(protocols.get("alipay.trade.query"), Some(&"v2+v3"));
        assert_eq!(
            protocols.get("alipay.open.servicemarket.commodity.shop.online"),
            Some(&"v3")
        );
        assert_eq!(protocols.get("alipay.user.agreement.auth.confirm"), None);
        assert_eq!(protocols.len(), ROUTES.len());
    }
}
