//! Soak: the generated client against the local gateway over 127.0.0.1 for a long run, with
//! payments and their notifications under the same load.
//!
//! `soak --calls N --concurrency C --pay-every K --warmup W` starts `alipay_openapi::gateway`
//! in-process with its default bounds (throwaway keys) and a notification listener on
//! 127.0.0.1 (a hand-written HTTP/1.1 keep-alive server that verifies each notification with
//! the Alipay public key and answers `success`). C tasks share one client and make N verified
//! calls of `alipay.user.agreement.auth.confirm` in all; before every K-th call the task also
//! pays an app order (`alipay.trade.app.pay` signed by `Client::app_order_string`, POSTed to
//! the gateway's control endpoint `/control/pay-order-string`, which verifies it and sends
//! the signed notification to the listener).
//!
//! Every few seconds it samples the process's resident memory (VmRSS) and its open file
//! descriptors (/proc/self/fd); samples after the first W calls (default N/5: the gateway's
//! bounded logs, 10,000 requests, trades and notifications, fill by then) are the steady state. Before
//! and after the soak it measures the 2-core ceiling: 2 threads doing nothing but what a call
//! costs in RSA (sign + verify with the app pair, sign + verify with the Alipay pair).
//! Prints one JSON line; exits 1 on any error, a missing delivery, or growth past 5 MiB.

use std::error::Error;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alipay_bench_harness::{arg, rss_kib};
use alipay_openapi::gateway::{DeliveryState, TestGateway};
use alipay_openapi::runtime::sign::{SignType, sign_base64};
use alipay_openapi::runtime::{Client, PrivateKey, PublicKey};
use alipay_openapi::trade::app_pay;
use alipay_openapi::user::agreement_auth_confirm as auth_confirm;
use tokio::net::TcpListener;

mod notify;

use notify::{Deliveries, listen};

/// Open file descriptors of the process.
fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// What went wrong, counted; the first few messages kept.
#[derive(Default)]
struct Errors {
    count: AtomicU64,
    first: Mutex<Vec<String>>,
}

impl Errors {
    fn record(&self, what: String) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first.lock().expect("errors");
        if first.len() < 10 {
            first.push(what);
        }
    }
}

/// Pays app order `soak-{j}`: the order string signed by the client, POSTed to the control
/// endpoint, which verifies it, pays it and notifies `notify_url`.
async fn pay(
    client: &Client,
    http: &reqwest::Client,
    pay_url: &str,
    notify_url: &str,
    j: usize,
) -> Result<(), String> {
    let order = app_pay::Request::new(
        notify_url,
        "soak",
        format!("soak-{j}"),
        "0.01",
        "QUICK_MSECURITY_PAY",
    );
    let order_string = client.app_order_string(&order).map_err(|e| e.to_string())?;
    let answer = http
        .post(pay_url)
        .body(order_string)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    let body = answer.bytes().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!(
            "pay soak-{j}: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(())
}

/// Calls per second of 2 threads doing a call's RSA work and nothing else: sign with the app
/// key and verify with its public key, sign with the Alipay key and verify with its public key.
fn ceiling(
    keys: &alipay_openapi::gateway::ThrowawayKeys,
    seconds: f64,
) -> Result<f64, Box<dyn Error>> {
    let app = PrivateKey::parse(&keys.app.private_pem)?;
    let app_pub = PublicKey::parse(&keys.app.public_pem)?;
    let alipay = PrivateKey::parse(&keys.alipay.private_pem)?;
    let alipay_pub = PublicKey::parse(&keys.alipay.public_pem)?;
    // About the size of a request's sign content.
    let message = "app_id=2021000000000000&biz_content={\"agreement_no\":\"20170502000610755993\",\"alipay_user_id\":\"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f\",\"auth_code\":\"423979\"}&charset=utf-8&format=JSON&method=alipay.user.agreement.auth.confirm&sign_type=RSA2&timestamp=2026-12-07 12:00:00&version=1.0";
    let stop = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    for (key, public) in [(&app, &app_pub), (&alipay, &alipay_pub)] {
                        let sig =
                            sign_base64(key, SignType::Rsa2, message.as_bytes()).expect("sign");
                        public
                            .verify(SignType::Rsa2, message.as_bytes(), &sig)
                            .expect("verify");
                    }
                    n += 1;
                }
                done.fetch_add(n, Ordering::Relaxed);
            });
        }
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
    });
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// One sample of the process.
#[derive(Clone, Copy)]
struct Sample {
    seconds: f64,
    calls: usize,
    rss_kib: u64,
    fds: usize,
    delivered: u64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls = arg(&args, "--calls", 1_000_000)?;
    let concurrency = arg(&args, "--concurrency", 32)?.max(1);
    let pay_every = arg(&args, "--pay-every", 10)?.max(1);
    let warmup = arg(&args, "--warmup", calls / 5)?.min(calls);
    let ceiling_secs = arg(&args, "--ceiling-seconds", 10)? as f64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let gw = runtime.block_on(alipay_openapi::gateway::start())?;
    let ceiling_before = ceiling(gw.keys(), ceiling_secs)?;
    eprintln!("ceiling before: {ceiling_before:.0} calls/s (2 threads, 2 signs + 2 verifies)");
    let report = runtime.block_on(soak(&gw, calls, concurrency, pay_every, warmup))?;
    let ceiling_after = ceiling(gw.keys(), ceiling_secs)?;
    eprintln!("ceiling after: {ceiling_after:.0} calls/s");
    let ceiling = (ceiling_before + ceiling_after) / 2.0;
    let mut json = report.json;
    json["ceiling_before_per_sec"] = ceiling_before.into();
    json["ceiling_after_per_sec"] = ceiling_after.into();
    json["ratio_calls_to_ceiling"] = (report.calls_per_sec / ceiling).into();
    json["ratio_all_to_ceiling"] = (report.all_per_sec / ceiling).into();
    println!("{json}");
    if !report.ok {
        std::process::exit(1);
    }
    Ok(())
}

struct Report {
    json: serde_json::Value,
    calls_per_sec: f64,
    all_per_sec: f64,
    ok: bool,
}

async fn soak(
    gw: &TestGateway,
    calls: usize,
    concurrency: usize,
    pay_every: usize,
    warmup: usize,
) -> Result<Report, Box<dyn Error>> {
    let payments = calls.div_ceil(pay_every);
    let deliveries = Arc::new(Deliveries::new(payments));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/alipay/notify", listener.local_addr()?);
    tokio::spawn(listen(
        listener,
        Arc::new(gw.alipay_public_key().clone()),
        Arc::clone(&deliveries),
    ));
    let client = gw.client()?;
    let http = reqwest::Client::new();
    let pay_url = gw.pay_order_string_url();
    let errors = Arc::new(Errors::default());
    let finished = Arc::new(AtomicUsize::new(0));
    let rss_start = rss_kib();
    let fds_start = fd_count();
    let started = Instant::now();

    // The sampler: every 2 s, and a line on stderr every 30 s.
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let sampler = spawn_sampler(
        Arc::clone(&samples),
        Arc::clone(&finished),
        Arc::clone(&deliveries),
        started,
    );

    let caller = Caller {
        client,
        http,
        pay_url,
        notify_url,
        pay_every,
        calls,
        next: Arc::new(AtomicUsize::new(0)),
        finished: Arc::clone(&finished),
        errors: Arc::clone(&errors),
    };
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let caller = caller.clone();
            tokio::spawn(async move { caller.run().await })
        })
        .collect();
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_end = rss_kib();
    let fds_end = fd_count();

    // Notifications still in flight get up to 60 s (a delivery that timed out under load is
    // delivered again on the gateway's schedule).
    deliveries
        .wait_for(payments as u64, Duration::from_secs(60))
        .await;
    sampler.abort();

    let run = Run {
        calls,
        payments,
        concurrency,
        warmup,
        elapsed,
        rss_start,
        fds_start,
        rss_end,
        fds_end,
        samples: samples.lock().expect("samples").clone(),
    };
    Ok(report(&run, gw, &errors, &deliveries))
}

/// A finished soak: its settings, its time, the process before and after, and its samples.
struct Run {
    calls: usize,
    payments: usize,
    concurrency: usize,
    warmup: usize,
    elapsed: f64,
    rss_start: u64,
    fds_start: usize,
    rss_end: u64,
    fds_end: usize,
    samples: Vec<Sample>,
}

/// The figures of a finished soak, as one JSON object, and whether every target held.
// Long because: the figures are one JSON literal, a line each.
fn report(run: &Run, gw: &TestGateway, errors: &Errors, deliveries: &Deliveries) -> Report {
    let steady: Vec<Sample> = run
        .samples
        .iter()
        .copied()
        .filter(|s| s.calls >= run.warmup)
        .collect();
    let span = |f: fn(&Sample) -> u64| {
        let min = steady.iter().map(f).min().unwrap_or(0);
        let max = steady.iter().map(f).max().unwrap_or(0);
        (min, max)
    };
    let (rss_min, rss_max) = span(|s| s.rss_kib);
    let (fds_min, fds_max) = span(|s| s.fds as u64);
    let rss_warm = steady.first().map_or(run.rss_end, |s| s.rss_kib);
    let warm_seconds = steady.first().map_or(0.0, |s| s.seconds);
    let warm_calls = steady.first().map_or(0, |s| s.calls);
    let steady_calls_per_sec = (run.calls - warm_calls) as f64 / (run.elapsed - warm_seconds);

    let (held, states, attempts) = held_states(gw);

    let error_count = errors.count.load(Ordering::Relaxed);
    let delivered = deliveries.delivered.load(Ordering::Relaxed);
    let growth_kib = rss_max - rss_min;
    let ok = error_count == 0
        && delivered == run.payments as u64
        && deliveries.bad.load(Ordering::Relaxed) == 0
        && growth_kib <= 5 * 1024;
    let calls_per_sec = run.calls as f64 / run.elapsed;
    let all_per_sec = (run.calls + run.payments) as f64 / run.elapsed;
    let json = serde_json::json!({
        "calls": run.calls,
        "payments": run.payments,
        "concurrency": run.concurrency,
        "warmup_calls": run.warmup,
        "seconds": run.elapsed,
        "calls_per_sec": calls_per_sec,
        "calls_and_payments_per_sec": all_per_sec,
        "steady_calls_per_sec": steady_calls_per_sec,
        "errors": error_count,
        "first_errors": *errors.first.lock().expect("errors"),
        "notifications_delivered": delivered,
        "notifications_duplicate": deliveries.duplicates.load(Ordering::Relaxed),
        "notifications_bad": deliveries.bad.load(Ordering::Relaxed),
        "notifications_held_by_gateway": held,
        "notifications_held_states": states,
        "notification_attempts_held": attempts,
        "rss_start_kib": run.rss_start,
        "rss_after_warmup_kib": rss_warm,
        "rss_steady_min_kib": rss_min,
        "rss_steady_max_kib": rss_max,
        "rss_end_kib": run.rss_end,
        "fds_start": run.fds_start,
        "fds_steady_min": fds_min,
        "fds_steady_max": fds_max,
        "fds_end": run.fds_end,
        "samples": run.samples.len(),
        // Every 15th sample (30 s apart): seconds, calls, VmRSS KiB, fds.
        "series": run.samples
            .iter()
            .step_by(15)
            .map(|s| serde_json::json!([s.seconds.round(), s.calls, s.rss_kib, s.fds]))
            .collect::<Vec<_>>(),
        "steady_samples": steady.len(),
        "trades_dropped": gw.trades_dropped(),
        "requests_dropped": gw.requests_dropped(),
        "ok": ok,
    });
    Report {
        json,
        calls_per_sec,
        all_per_sec,
        ok,
    }
}

/// Samples the process every 2 s into `samples` (and prints every 15th on stderr) until aborted.
fn spawn_sampler(
    samples: Arc<Mutex<Vec<Sample>>>,
    finished: Arc<AtomicUsize>,
    deliveries: Arc<Deliveries>,
    started: Instant,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let s = Sample {
                seconds: started.elapsed().as_secs_f64(),
                calls: finished.load(Ordering::Relaxed),
                rss_kib: rss_kib(),
                fds: fd_count(),
                delivered: deliveries.delivered.load(Ordering::Relaxed),
            };
            let mut all = samples.lock().expect("samples");
            if all.len().is_multiple_of(15) {
                eprintln!(
                    "{:>6.0} s  {:>8} calls  VmRSS {:>7.1} MiB  fds {:>4}  notifications delivered {}",
                    s.seconds,
                    s.calls,
                    s.rss_kib as f64 / 1024.0,
                    s.fds,
                    s.delivered
                );
            }
            all.push(s);
        }
    })
}

/// The notifications the gateway still holds (the newest 10,000), counted by state, and
/// their delivery attempts in all.
fn held_states(gw: &TestGateway) -> (usize, std::collections::BTreeMap<&'static str, u64>, usize) {
    let mut states = std::collections::BTreeMap::<&str, u64>::new();
    let mut attempts = 0usize;
    let held = gw.notifications();
    for n in &held {
        attempts += n.attempts.len();
        *states
            .entry(match n.state {
                DeliveryState::Delivered => "delivered",
                DeliveryState::Pending => "pending",
                DeliveryState::GaveUp => "gave_up",
                _ => "not_sent",
            })
            .or_default() += 1;
    }
    (held.len(), states, attempts)
}

/// One of the concurrent callers: the shared client, where it pays and is notified, and the
/// counters all callers share.
#[derive(Clone)]
struct Caller {
    client: Client,
    http: reqwest::Client,
    pay_url: String,
    notify_url: String,
    pay_every: usize,
    /// The calls to make in all.
    calls: usize,
    /// The next call's number.
    next: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    errors: Arc<Errors>,
}

impl Caller {
    /// Takes call numbers until `calls` are taken: a verified call each, and before every
    /// `pay_every`-th a payment; counts each finished call and records what went wrong.
    async fn run(&self) {
        let req = auth_confirm::Request::new(
            "20170502000610755993",
            "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
            "423979",
        );
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.calls {
                break;
            }
            if i.is_multiple_of(self.pay_every)
                && let Err(e) = pay(
                    &self.client,
                    &self.http,
                    &self.pay_url,
                    &self.notify_url,
                    i / self.pay_every,
                )
                .await
            {
                self.errors.record(e);
            }
            match self.client.execute(&req).await {
                Ok(answer) if answer.code.as_deref() == Some("10000") => {}
                Ok(answer) => self.errors.record(format!("answer code {:?}", answer.code)),
                Err(e) => self.errors.record(e.to_string()),
            }
            self.finished.fetch_add(1, Ordering::Relaxed);
        }
    }
}
