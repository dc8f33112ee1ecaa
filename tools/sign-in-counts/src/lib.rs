#![doc = include_str!("../README.md")]
//!
//! The days to read and the table to print, apart from the command line so that
//! both can be tested without a table.

use std::time::{Duration, SystemTime};

use post_authentication::adapters::dynamodb::DayCount;

/// Reads `2026-11-22` (a calendar day, as the day counters are keyed) into the
/// moment the command reads up to: its noon, UTC.
pub fn parse_day(text: &str) -> Result<SystemTime, String> {
    trigger_core::time::parse_rfc3339(text)
        .filter(|_| text.len() == 10)
        .map(|midnight| midnight + Duration::from_secs(43_200))
        .ok_or_else(|| format!("{text:?} is not a calendar day of the form 2026-11-22"))
}

/// The UTC day of `at`.
pub fn day_of(at: SystemTime) -> String {
    trigger_core::time::rfc3339(at).chars().take(10).collect()
}

/// `days` days ending with the day of `last`, oldest first.
pub fn days_until(last: SystemTime, days: u32) -> Vec<String> {
    (0..days)
        .rev()
        .map(|back| day_of(last - Duration::from_secs(u64::from(back) * 86_400)))
        .collect()
}

/// One day's counts as the command prints them, with a total line when several app
/// clients signed users in.
pub fn table(day: &str, counts: &[DayCount]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, client: &str, c: &DayCount| {
        out.push_str(&format!(
            "{day}  {client:<28} {:>10} {:>11} {:>7}\n",
            c.sign_ins, c.new_device_sign_ins, c.shards
        ));
    };
    if counts.is_empty() {
        out.push_str(&format!("{day}  (no sign-ins)\n"));
        return out;
    }
    for c in counts {
        line(&mut out, &c.client_id, c);
    }
    if counts.len() > 1 {
        let total = DayCount {
            client_id: String::new(),
            sign_ins: counts.iter().map(|c| c.sign_ins).sum(),
            new_device_sign_ins: counts.iter().map(|c| c.new_device_sign_ins).sum(),
            shards: counts.iter().map(|c| c.shards).sum(),
        };
        line(&mut out, "all app clients", &total);
    }
    out
}

/// The heading of [`table`]'s columns.
pub const HEADING: &str = "day         app client                     sign-ins  new device  shards";

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn days_are_checked() {
        assert_eq!(day_of(parse_day("2026-11-22").unwrap()), "2026-11-22");
        assert_eq!(day_of(parse_day("2028-02-29").unwrap()), "2028-02-29");
        for bad in [
            "2026-11-2",
            "22-11-2026",
            "2026-13-01",
            "2026-11-00",
            "2026-02-29",
            "2026-11-22T10:00:00Z",
            "today",
            "",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_week_ends_with_the_given_day() {
        // 2026-11-22T10:00:00Z
        let at = UNIX_EPOCH + Duration::from_secs(1_795_341_600);
        assert_eq!(day_of(at), "2026-11-22");
        let week = days_until(at, 7);
        assert_eq!(week.first().unwrap(), "2026-11-16");
        assert_eq!(week.last().unwrap(), "2026-11-22");
        assert_eq!(week.len(), 7);
        assert_eq!(
            days_until(UNIX_EPOCH + Duration::from_secs(86_400 * 31), 2),
            ["1970-01-31", "1970-02-01"]
        );
    }

    #[test]
    fn the_table_sums_the_clients() {
        let c = |id: &str, n, d, s| DayCount {
            client_id: id.into(),
            sign_ins: n,
            new_device_sign_ins: d,
            shards: s,
        };
        let text = table(
            "2026-11-22",
            &[c("mobile", 60, 20, 8), c("web", 185, 62, 9)],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("2026-11-22  mobile") && lines[0].contains(" 60 "));
        assert!(lines[2].contains("all app clients") && lines[2].contains(" 245 "));
        assert!(lines[2].contains(" 82 "));
        assert_eq!(table("2026-11-22", &[]), "2026-11-22  (no sign-ins)\n");
    }
}
