//! Support for generated code and the local gateway; not covered by semver.
//!
//! The calendar in one place: Beijing timestamps (the `timestamp` public parameter) and the
//! `yyyy-MM-dd` / `yyyy-MM-dd HH:mm:ss` formats that `Date` fields and timestamps are checked
//! against.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats `t` as Beijing time (UTC+8, which has no daylight saving), `yyyy-MM-dd HH:mm:ss`,
/// whatever the machine's time zone.
pub fn beijing_timestamp(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    };
    let local = secs.saturating_add(8 * 3600);
    let days = local.div_euclid(86_400);
    let second_of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // Every value below is in range (`rem_euclid`, `civil_from_days`), so the casts are exact.
    let (hour, minute, second) = (
        (second_of_day / 3600) as u32,
        (second_of_day % 3600 / 60) as u32,
        (second_of_day % 60) as u32,
    );
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        return format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
    };
    // Once per request: written digit by digit rather than through `format!`'s machinery.
    let mut out = String::with_capacity(19);
    push_digits(&mut out, year / 100);
    push_digits(&mut out, year % 100);
    for (separator, value) in [
        ('-', month),
        ('-', day),
        (' ', hour),
        (':', minute),
        (':', second),
    ] {
        out.push(separator);
        push_digits(&mut out, value);
    }
    out
}

/// Appends `value` (below 100) as two decimal digits.
fn push_digits(out: &mut String, value: u32) {
    for digit in [value / 10 % 10, value % 10] {
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Whether `value` is a real date written `yyyy-MM-dd` (leap years counted).
pub(crate) fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
    else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Whether `value` is a real date and time written `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn is_date_time(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(h), Some(mi), Some(s)) = (digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19]))
    else {
        return false;
    };
    is_date(&value[..10]) && h < 24 && mi < 60 && s < 60
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn beijing_timestamp_for_fixed_instants() {
        // 2014-07-24 03:07:50 Beijing = 2014-07-23 19:07:50 UTC = 1406142470.
        assert_eq!(beijing_timestamp(at(1_406_142_470)), "2014-07-24 03:07:50");
        assert_eq!(beijing_timestamp(UNIX_EPOCH), "1970-01-01 08:00:00");
        // 2024-02-28 16:00:00 UTC is midnight of the leap day in Beijing.
        assert_eq!(beijing_timestamp(at(1_709_136_000)), "2024-02-29 00:00:00");
        // 2023-12-31 15:59:59 UTC is the last second of 2023 in Beijing.
        assert_eq!(beijing_timestamp(at(1_704_038_399)), "2023-12-31 23:59:59");
        assert_eq!(beijing_timestamp(at(1_704_038_400)), "2024-01-01 00:00:00");
        // Sub-second parts are cut, not rounded.
        assert_eq!(
            beijing_timestamp(at(1_704_038_399) + Duration::from_millis(999)),
            "2023-12-31 23:59:59"
        );
        assert_eq!(
            beijing_timestamp(UNIX_EPOCH - Duration::from_millis(1)),
            "1970-01-01 07:59:59"
        );
        // Past year 9999 the year takes as many digits as it needs.
        assert_eq!(
            beijing_timestamp(at(253_402_300_800)),
            "10000-01-01 08:00:00"
        );
    }

    /// Runs the fixed-instant test again in child processes whose TZ is far from UTC+8
    /// (setting TZ in this process would race with other tests reading the environment).
    #[test]
    fn beijing_timestamp_ignores_the_machine_time_zone() {
        let exe = std::env::current_exe().expect("test binary path");
        for tz in [
            "America/Los_Angeles",
            "Asia/Kathmandu",
            "UTC",
            "Pacific/Kiritimati",
        ] {
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "time::tests::beijing_timestamp_for_fixed_instants",
                ])
                .env("TZ", tz)
                .output()
                .expect("run the test binary");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "TZ={tz}: {stdout}");
            assert!(stdout.contains("1 passed"), "TZ={tz}: {stdout}");
        }
    }

    #[test]
    fn civil_dates_across_centuries() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
