//! The time format the tables of this project store, written and read by the `time`
//! crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::macros::{datetime, format_description};
use time::{Date, OffsetDateTime};

/// The last moment RFC 3339's four-digit years can write.
const LAST: OffsetDateTime = datetime!(9999-12-31 23:59:59.999_999 UTC);

/// `2026-11-22T09:15:04Z` (UTC; microseconds after a `.` when there are any, without
/// trailing zeros). Times before 1970 are written as 1970-01-01T00:00:00Z, times after
/// the year 9999 as its last microsecond.
pub fn rfc3339(at: SystemTime) -> String {
    utc(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// `at` to the microsecond, in UTC, within what RFC 3339 can write.
fn utc(at: SystemTime) -> OffsetDateTime {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let micros = Duration::new(since.as_secs(), since.subsec_micros() * 1_000);
    OffsetDateTime::UNIX_EPOCH
        .checked_add(micros.try_into().unwrap_or(time::Duration::MAX))
        .map_or(LAST, |t| t.min(LAST))
}

/// `2026-11-22 09:15 UTC`, as emails show a time.
pub fn human_time(at: SystemTime) -> String {
    utc(at)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

/// Reads what a back office writes for a moment: `2026-12-01T08:00:00Z`, with an
/// optional fraction and a `Z` or `±hh:mm` offset, or a bare date `2026-12-01`
/// (its midnight, UTC). `None` for anything else or a time before 1970.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let at = match Date::parse(
        text,
        format_description!("[year repr:full sign:automatic]-[month]-[day]"),
    ) {
        Ok(date) if text.len() == 10 => date.midnight().assume_utc(),
        _ => OffsetDateTime::parse(text, &Rfc3339).ok()?,
    };
    let since = at - OffsetDateTime::UNIX_EPOCH;
    let since = Duration::try_from(since).ok()?;
    Some(UNIX_EPOCH + since)
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
        fn every_time_written_reads_back_to_the_microsecond(
            secs in 0u64..253_402_300_800,
            nanos in 0u32..1_000_000_000,
        ) {
            let t = UNIX_EPOCH + Duration::new(secs, nanos);
            let written = rfc3339(t);
            let micros = UNIX_EPOCH + Duration::new(secs, nanos / 1_000 * 1_000);
            proptest::prop_assert_eq!(parse_rfc3339(&written), Some(micros), "{}", written);
            // Microseconds at most, without trailing zeros.
            if let Some((_, fraction)) = written.split_once('.') {
                let digits = fraction.trim_end_matches('Z');
                proptest::prop_assert!(digits.len() <= 6 && !digits.ends_with('0'), "{}", written);
            }
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
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            rfc3339(at(300_000_000_000, 0)),
            "9999-12-31T23:59:59.999999Z"
        );
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
            let written = rfc3339(at(days * 86_400, 0));
            assert_eq!(
                written,
                format!("{y:04}-{m:02}-{d:02}T00:00:00Z"),
                "day {days}"
            );
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
