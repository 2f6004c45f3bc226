//! The merchant's side of the soak's notifications: a hand-written HTTP/1.1 keep-alive
//! listener on 127.0.0.1 that verifies each notification and marks its payment once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use alipay_openapi::runtime::{PublicKey, verify_notify};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the notification listener saw: each payment's notification marked once in a bitmap
/// (no per-notification allocation, so the listener does not grow the figure it measures).
pub(crate) struct Deliveries {
    seen: Vec<AtomicU64>,
    /// Payments whose notification arrived and verified.
    pub(crate) delivered: AtomicU64,
    /// Notifications that arrived again after their first.
    pub(crate) duplicates: AtomicU64,
    /// Notifications that did not verify or name no soak payment.
    pub(crate) bad: AtomicU64,
}

impl Deliveries {
    pub(crate) fn new(payments: usize) -> Self {
        Self {
            seen: (0..payments / 64 + 1).map(|_| AtomicU64::new(0)).collect(),
            delivered: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            bad: AtomicU64::new(0),
        }
    }

    /// Waits until `payments` notifications arrived, or `limit` passed.
    pub(crate) async fn wait_for(&self, payments: u64, limit: Duration) {
        let waited = Instant::now();
        while self.delivered.load(Ordering::Relaxed) < payments && waited.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn mark(&self, out_trade_no: Option<&str>) {
        let Some(j) = out_trade_no
            .and_then(|n| n.strip_prefix("soak-"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|j| j / 64 < self.seen.len())
        else {
            self.bad.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let bit = 1u64 << (j % 64);
        if self.seen[j / 64].fetch_or(bit, Ordering::Relaxed) & bit == 0 {
            self.delivered.fetch_add(1, Ordering::Relaxed);
        } else {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The merchant's notify_url: verifies each POSTed notification, answers `success`.
pub(crate) async fn listen(
    listener: TcpListener,
    key: Arc<PublicKey>,
    deliveries: Arc<Deliveries>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let key = Arc::clone(&key);
        let deliveries = Arc::clone(&deliveries);
        tokio::spawn(async move {
            let _ = serve_notifications(stream, &key, &deliveries).await;
        });
    }
}

/// Serves the requests of one keep-alive connection.
async fn serve_notifications(
    mut stream: TcpStream,
    key: &PublicKey,
    deliveries: &Deliveries,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(8192);
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if stream.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            if stream.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        }
        match verify_notify(&buf[head_end..head_end + len], key) {
            Ok(n) => deliveries.mark(n.get("out_trade_no")),
            Err(_) => {
                deliveries.bad.fetch_add(1, Ordering::Relaxed);
            }
        }
        buf.drain(..head_end + len);
        stream
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\nsuccess",
            )
            .await?;
    }
}
