//! Loopback throughput: the generated client calling the local gateway over 127.0.0.1.
//!
//! `loopback --calls N --concurrency C` starts `alipay_openapi::gateway` in-process (throwaway
//! keys), then C tasks share one client and make N calls in all of
//! `alipay.user.agreement.auth.confirm` (build, sign, POST, the gateway verifies and answers
//! signed, the client verifies and deserialises). Prints one JSON line: calls per second and the
//! process's resident memory (VmRSS) after start-up, after a warm-up and after the N calls.
//!
//! The gateway records every request it receives (a feature for tests); the harness empties that
//! log after each round so the figure is the client's and the server's steady state, not the
//! log's deliberate growth.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use alipay_bench_harness::{arg, rss_kib};
use alipay_openapi::user::agreement_auth_confirm as auth_confirm;

fn request() -> auth_confirm::Request {
    auth_confirm::Request::new(
        "20170502000610755993",
        "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
        "423979",
    )
}

/// Makes `total` calls from `concurrency` tasks sharing `client`; every answer must verify.
async fn round(
    client: &alipay_openapi::runtime::Client,
    total: usize,
    concurrency: usize,
) -> Result<(), Box<dyn Error>> {
    let left = Arc::new(AtomicUsize::new(total));
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let client = client.clone();
        let left = Arc::clone(&left);
        tasks.push(tokio::spawn(async move {
            let req = request();
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                let answer = client.execute(&req).await.map_err(|e| e.to_string())?;
                if answer.code.as_deref() != Some("10000") {
                    return Err(format!("unexpected answer code {:?}", answer.code));
                }
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls = arg(&args, "--calls", 100_000)?;
    let concurrency = arg(&args, "--concurrency", 1)?.max(1);
    // Calls are made in rounds; the gateway's request log is emptied after each. The warm-up is
    // one full round, so "before" already holds the log's peak (a round's worth of recorded
    // requests, freed but kept by the allocator) and any growth after it is per-call.
    let batch = 5_000.min(calls);
    let warmup = batch;

    let gw = alipay_openapi::gateway::start().await?;
    let client = gw.client()?;
    let rss_start = rss_kib();

    round(&client, warmup, concurrency).await?;
    gw.clear_requests();
    let rss_before = rss_kib();

    let started = Instant::now();
    let mut done = 0;
    while done < calls {
        let n = batch.min(calls - done);
        round(&client, n, concurrency).await?;
        gw.clear_requests();
        done += n;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_after = rss_kib();

    println!(
        "{}",
        serde_json::json!({
            "calls": calls,
            "concurrency": concurrency,
            "seconds": elapsed,
            "calls_per_sec": calls as f64 / elapsed,
            "rss_start_kib": rss_start,
            "rss_before_kib": rss_before,
            "rss_after_kib": rss_after,
            "warmup_calls": warmup,
        })
    );
    Ok(())
}
