//! The time format the tables of this project store.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `2026-11-22T09:15:04Z` (UTC; microseconds after a `.` when there are any, without
/// trailing zeros). Times before 1970 are written as 1970-01-01T00:00:00Z.
pub fn rfc3339(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_date(days);
    // Written digit by digit: `format!` took a twentieth of user-migration's handler.
    let mut out = String::with_capacity(27);
    for (value, width, then) in [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        (rest / 3600, 2, ':'),
        (rest % 3600 / 60, 2, ':'),
        (rest % 60, 2, '.'),
    ] {
        push_padded(&mut out, value, width);
        out.push(then);
    }
    let mut micros = since.subsec_micros();
    if micros == 0 {
        out.pop();
    } else {
        let mut width = 6;
        while micros % 10 == 0 {
            micros /= 10;
            width -= 1;
        }
        push_padded(&mut out, u64::from(micros), width);
    }
    out.push('Z');
    out
}

/// `value` in decimal, with leading zeros up to `width` digits.
fn push_padded(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    start = start.min(digits.len() - width);
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// `2026-11-22 09:15 UTC`, as emails show a time.
pub fn human_time(at: SystemTime) -> String {
    let t = rfc3339(at);
    let (date, time) = t.split_once('T').unwrap_or((&t, ""));
    let mut out = String::with_capacity(date.len() + 10);
    out.push_str(date);
    out.push(' ');
    out.push_str(time.get(..5).unwrap_or(""));
    out.push_str(" UTC");
    out
}

/// Reads what a back office writes for a moment: `2026-12-01T08:00:00Z`, with an
/// optional fraction and a `Z` or `±hh:mm` offset, or a bare date `2026-12-01`
/// (its midnight, UTC). `None` for anything else or a time before 1970.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let number = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if text.get(4..5) != Some("-") || text.get(7..8) != Some("-") {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let midnight = days_from_civil(year, month, day)?.checked_mul(86_400)?;
    if text.len() == 10 {
        return Some(UNIX_EPOCH + Duration::from_secs(midnight));
    }
    if !matches!(text.get(10..11), Some("T" | "t" | " "))
        || text.get(13..14) != Some(":")
        || text.get(16..17) != Some(":")
    {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = text.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &fraction[..digits.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[digits..];
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4) != Some(":") {
                return None;
            }
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let local = i64::try_from(midnight + hour * 3600 + minute * 60 + second).ok()?;
    let utc = u64::try_from(local - offset).ok()?;
    Some(UNIX_EPOCH + Duration::new(utc, nanos))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date (the inverse of `civil_date`), `None` before 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let year = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = year / 400;
    let year_of_era = year % 400;
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).checked_sub(719_468)
}

/// The proleptic Gregorian date `days` days after 1970-01-01.
fn civil_date(days: u64) -> (u64, u64, u64) {
    // Count from 0000-03-01 so that the leap day ends a 400-year era's year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, micros: u32) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
    }

    #[test]
    fn what_rfc3339_writes_it_reads_back() {
        for (secs, micros) in [
            (1_795_338_904, 0),
            (0, 0),
            (951_782_400, 0),
            (4_107_542_399, 931_318),
            (1_795_338_904, 500_000),
        ] {
            let t = at(secs, micros);
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{}", rfc3339(t));
        }
    }

    #[test]
    fn offsets_dates_and_nonsense() {
        let nine_fifteen = Some(at(1_795_338_904, 0));
        assert_eq!(parse_rfc3339("2026-11-22T10:15:04+01:00"), nine_fifteen);
        assert_eq!(parse_rfc3339("2026-11-22T04:15:04-05:00"), nine_fifteen);
        assert_eq!(parse_rfc3339("2026-11-22 09:15:04z"), nine_fifteen);
        assert_eq!(parse_rfc3339("2026-11-22"), Some(at(1_795_305_600, 0)));
        for bad in [
            "",
            "soon",
            "2026-13-01",
            "2026-02-29",
            "2026-11-22T09:15",
            "2026-11-22T09:15:04",
            "2026-11-22T25:00:00Z",
            "1969-12-31T23:59:59Z",
            "2026-11-22T09:15:04+0100",
            "+2026-11-22",
            "2026-11-22T09:15:04.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_writes_what_format_would(secs in 0u64..400_000_000_000, micros in 0u32..1_000_000) {
            let t = at(secs, micros);
            let since = t.duration_since(UNIX_EPOCH).unwrap();
            let (days, rest) = (since.as_secs() / 86_400, since.as_secs() % 86_400);
            let (year, month, day) = civil_date(days);
            let mut expected = format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
                rest / 3600,
                rest % 3600 / 60,
                rest % 60
            );
            if micros > 0 {
                expected.push('.');
                expected.push_str(format!("{micros:06}").trim_end_matches('0'));
            }
            expected.push('Z');
            proptest::prop_assert_eq!(rfc3339(t), expected);
        }
    }

    #[test]
    fn emails_show_the_minute_in_utc() {
        assert_eq!(
            human_time(at(1_795_338_904, 931_318)),
            "2026-11-22 09:15 UTC"
        );
        assert_eq!(human_time(at(0, 0)), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(at(1_795_338_904, 0)), "2026-11-22T09:15:04Z");
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(951_782_400, 0)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(at(4_107_542_399, 0)), "2100-02-28T23:59:59Z");
        assert_eq!(
            rfc3339(at(1_795_338_904, 931_318)),
            "2026-11-22T09:15:04.931318Z"
        );
        assert_eq!(
            rfc3339(at(1_795_338_904, 500_000)),
            "2026-11-22T09:15:04.5Z"
        );
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_one_before() {
        // Walk day by day from 1970 to 2370 and check the calendar never skips or repeats.
        let (mut y, mut m, mut d) = (1970, 1, 1);
        for days in 0..146_097 {
            assert_eq!(civil_date(days), (y, m, d), "day {days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            d += 1;
            if d > month_len[(m - 1) as usize] {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
