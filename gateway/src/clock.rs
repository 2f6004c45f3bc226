//! The gateway's clock: real time plus an offset a test advances
//! ([`LocalGateway::advance_clock`](crate::LocalGateway::advance_clock), `POST /control/clock`).
//!
//! Everything the gateway dates or waits for in the business runs on it: trade times
//! (`gmt_create`, `gmt_payment`, ...), notification and return timestamps, trade expiry
//! (`timeout_express`, `time_expire`, `qr_code_timeout_express`) and the notification retry
//! schedule ([`NotifySchedule`](crate::NotifySchedule)). Advancing it wakes every wait it
//! governs at once, so a test sees "unpaid after 15 minutes → closed" or "the retry 4 minutes
//! later" in milliseconds. Nobody advancing it, it is the real time (read through a monotonic
//! clock from the moment the gateway started). The protocol's own checks (the v3
//! `Authorization` timestamp window) stay on the real time: the client signs with it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// The furthest a gateway's clock may be advanced in all: 100 years (a `SystemTime` past
/// that is of no use to a test, and far from overflowing).
pub(crate) const MAX_OFFSET: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Real time plus an offset that only grows (until a reset takes it back to zero).
#[derive(Debug)]
pub(crate) struct Clock {
    started_at: SystemTime,
    started: Instant,
    /// The offset; its receivers wake when it changes.
    offset: watch::Sender<Duration>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    pub fn new() -> Self {
        Self {
            started_at: SystemTime::now(),
            started: Instant::now(),
            offset: watch::Sender::new(Duration::ZERO),
        }
    }

    /// How far the clock was advanced in all.
    pub fn offset(&self) -> Duration {
        *self.offset.borrow()
    }

    /// Time since the gateway started, the offset included.
    fn elapsed(&self) -> Duration {
        self.started.elapsed().saturating_add(self.offset())
    }

    /// Now, on this clock.
    pub fn now(&self) -> SystemTime {
        self.started_at
            .checked_add(self.elapsed())
            .unwrap_or(self.started_at)
    }

    /// Now, Beijing time, as Alipay writes it (`yyyy-MM-dd HH:mm:ss`).
    pub fn beijing_now(&self) -> String {
        alipay_runtime::time::beijing_timestamp(self.now())
    }

    /// Moves the clock `by` forward (at most to [`MAX_OFFSET`] in all), waking every wait on
    /// it; the new offset.
    pub fn advance(&self, by: Duration) -> Duration {
        let mut now = Duration::ZERO;
        self.offset.send_if_modified(|offset| {
            let before = *offset;
            *offset = offset.saturating_add(by).min(MAX_OFFSET);
            now = *offset;
            *offset != before
        });
        now
    }

    /// Back to the real time (the offset zero), as a fresh gateway's clock
    /// ([`LocalGateway::reset`](crate::LocalGateway::reset)): the one way it goes back. Waits on
    /// it wake and measure again from the new time.
    pub fn reset(&self) {
        self.offset.send_replace(Duration::ZERO);
    }

    /// Waits `wait` on this clock: until real time and advances together make up `wait`.
    pub async fn sleep(&self, wait: Duration) {
        let mut changes = self.offset.subscribe();
        let deadline = self.elapsed().saturating_add(wait);
        loop {
            let left = deadline.saturating_sub(self.elapsed());
            if left.is_zero() {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                changed = changes.changed() => {
                    // The sender lives as long as this clock, which the caller holds.
                    if changed.is_err() {
                        tokio::time::sleep(left).await;
                        return;
                    }
                }
            }
        }
    }
}

/// `t` as milliseconds since the Unix epoch (0 before it).
pub(crate) fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Beijing time written `yyyy-MM-dd HH:mm:ss` (a real date and time), as an instant.
pub(crate) fn parse_beijing(text: &str) -> Option<SystemTime> {
    if alipay_runtime::validate::date_time("time", text).is_err() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = days * 86_400 + number(11..13)? * 3_600 + number(14..16)? * 60 + number(17..19)?
        - 8 * 3_600;
    let seconds = u64::try_from(seconds).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// The next midnight, Beijing time, after `t`.
pub(crate) fn next_beijing_midnight(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let local_day = (secs + 8 * 3_600) / 86_400;
    let midnight = (local_day + 1) * 86_400 - 8 * 3_600;
    UNIX_EPOCH + Duration::from_secs(midnight)
}

/// A relative timeout as Alipay writes it (`timeout_express`, `qr_code_timeout_express`):
/// a whole number of minutes, hours or days (`90m`, `2h`, `15d`; no fractions) between 1m and
/// 15d, or `1c` (until midnight, Beijing time). `Ok(None)` for `1c`; `Err` says what is wrong.
pub(crate) fn parse_timeout_express(value: &str) -> Result<Option<Duration>, &'static str> {
    if value == "1c" {
        return Ok(None);
    }
    let Some(unit) = value.chars().last() else {
        return Err("is empty");
    };
    let number = &value[..value.len() - unit.len_utf8()];
    let seconds_per = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err("is not a number of minutes, hours or days (90m, 2h, 15d) nor 1c"),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.starts_with('0') {
        return Err("is not a whole number of minutes, hours or days (90m, 2h, 15d) nor 1c");
    }
    let total = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per))
        .filter(|s| (60..=15 * 86_400).contains(s))
        .ok_or("is outside the range 1m to 15d")?;
    Ok(Some(Duration::from_secs(total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_times_round_trip() {
        for secs in [
            0_u64,
            1_406_142_470,
            1_709_136_000,
            1_704_038_399,
            4_102_444_800,
        ] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            let text = alipay_runtime::time::beijing_timestamp(t);
            assert_eq!(parse_beijing(&text), Some(t), "{text}");
        }
        assert_eq!(parse_beijing("2024-02-30 00:00:00"), None);
        assert_eq!(parse_beijing("2024-02-29T00:00:00"), None);
        assert_eq!(parse_beijing("1970-01-01 07:59:59"), None);
    }

    #[test]
    fn midnight_is_beijing_midnight() {
        // 2024-02-28 16:00:00 UTC is midnight of the leap day in Beijing.
        let midnight = UNIX_EPOCH + Duration::from_secs(1_709_136_000);
        assert_eq!(
            next_beijing_midnight(midnight - Duration::from_secs(1)),
            midnight
        );
        assert_eq!(
            next_beijing_midnight(midnight),
            midnight + Duration::from_secs(86_400)
        );
    }

    #[test]
    fn timeout_express_as_alipay_writes_it() {
        let m = |n| Ok(Some(Duration::from_secs(n)));
        assert_eq!(parse_timeout_express("1m"), m(60));
        assert_eq!(parse_timeout_express("90m"), m(5_400));
        assert_eq!(parse_timeout_express("2h"), m(7_200));
        assert_eq!(parse_timeout_express("15d"), m(1_296_000));
        assert_eq!(parse_timeout_express("1c"), Ok(None));
        for bad in [
            "",
            "0m",
            "1.5h",
            "16d",
            "m",
            "5s",
            "1 h",
            "01h",
            "2c",
            "-1m",
            "99999999999999999999d",
        ] {
            assert!(parse_timeout_express(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn advancing_wakes_a_sleep_at_once() {
        let clock = std::sync::Arc::new(Clock::new());
        let before = clock.now();
        let sleeper = {
            let clock = std::sync::Arc::clone(&clock);
            tokio::spawn(async move { clock.sleep(Duration::from_secs(240)).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished());
        assert_eq!(
            clock.advance(Duration::from_secs(239)),
            Duration::from_secs(239)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(2), sleeper)
            .await
            .expect("woken at once")
            .unwrap();
        assert!(clock.now().duration_since(before).unwrap() >= Duration::from_secs(240));
        assert_eq!(clock.advance(MAX_OFFSET), MAX_OFFSET);
        assert_eq!(clock.offset(), MAX_OFFSET);
    }
}
