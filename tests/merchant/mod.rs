//! The merchant's side of the payment tests, over real HTTP on 127.0.0.1: a `notify_url` that
//! answers `fail` a given number of times before `success`, a `return_url` that records the
//! query the browser brought, and a checkout page to serve to a browser.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the merchant received.
#[derive(Debug, Default, Clone)]
pub struct Received {
    /// Each notification body, with its Content-Type, in arrival order.
    pub notifications: Vec<(String, Vec<u8>)>,
    /// The query of each return to `return_url`.
    pub returns: Vec<String>,
    /// The path of each return, as requested (percent-encoded).
    pub return_paths: Vec<String>,
}

struct State {
    received: Received,
    fail_first: usize,
    checkout: Option<(String, Vec<u8>)>,
    /// What `/notify` answers instead of `fail` / `success`, when set.
    notify_answer: Option<Vec<u8>>,
}

/// A merchant server on 127.0.0.1; stops when dropped.
pub struct Merchant {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for Merchant {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const RETURNED_PAGE: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>returned</title></head><body><p id=\"returned\">back at the merchant</p></body></html>";

impl Merchant {
    /// Starts a merchant whose `notify_url` answers `fail` to the first `fail_first`
    /// notifications, `success` afterwards.
    pub async fn start(fail_first: usize) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State {
            received: Received::default(),
            fail_first,
            checkout: None,
            notify_answer: None,
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(answer(&state, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, state, task }
    }

    /// `http://127.0.0.1:PORT/notify`.
    pub fn notify_url(&self) -> String {
        format!("http://{}/notify", self.addr)
    }

    /// `http://127.0.0.1:PORT/return`.
    pub fn return_url(&self) -> String {
        format!("http://{}/return", self.addr)
    }

    /// `http://127.0.0.1:PORT/checkout`: the page set with [`Merchant::set_checkout`].
    pub fn checkout_url(&self) -> String {
        format!("http://{}/checkout", self.addr)
    }

    /// Serves `html` (bytes in the page's charset) at `/checkout` with this Content-Type.
    pub fn set_checkout(&self, content_type: &str, html: Vec<u8>) {
        self.state.lock().unwrap().checkout = Some((content_type.to_owned(), html));
    }

    /// Answers every notification with `body` from now on.
    pub fn set_notify_answer(&self, body: &[u8]) {
        self.state.lock().unwrap().notify_answer = Some(body.to_vec());
    }

    /// What arrived so far.
    pub fn received(&self) -> Received {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits until `done` holds for what arrived, at most `limit`.
    pub async fn wait_for(&self, limit: Duration, done: impl Fn(&Received) -> bool) -> Received {
        crate::support::poll(limit, Duration::from_millis(20), || self.received(), done).await
    }
}

async fn answer(state: &Mutex<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let (content_type, text) = {
        let mut state = state.lock().unwrap();
        match path.as_str() {
            "/notify" => {
                state.received.notifications.push((content_type, body));
                let n = state.received.notifications.len();
                let said = if n <= state.fail_first {
                    "fail"
                } else {
                    "success"
                };
                let said = match &state.notify_answer {
                    Some(answer) => answer.clone(),
                    None => said.as_bytes().to_vec(),
                };
                ("text/plain".to_owned(), said)
            }
            // `/return` and the paths under it (a return_url with a path of its own).
            p if p == "/return" || p.starts_with("/return/") => {
                state.received.returns.push(query);
                state.received.return_paths.push(path.clone());
                (
                    "text/html;charset=utf-8".to_owned(),
                    RETURNED_PAGE.as_bytes().to_vec(),
                )
            }
            "/checkout" => match &state.checkout {
                Some((content_type, html)) => (content_type.clone(), html.clone()),
                None => ("text/plain".to_owned(), b"no checkout".to_vec()),
            },
            _ => ("text/plain".to_owned(), b"not found".to_vec()),
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(text)));
    if let Ok(value) = hyper::header::HeaderValue::from_str(&content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}
