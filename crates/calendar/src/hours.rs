//! Business hours as a weekly schedule in the workspace's time zone: whether it is open at an
//! instant, when it opens next, when it last closed, and a deadline counted in open time only
//! (an SLA of 4 hours given at 16:00 on Thursday with 09:00–17:00 and a Friday–Saturday weekend
//! falls due at 12:00 on Sunday).
//!
//! Times are Unix milliseconds. Internally an instant becomes "local milliseconds" (the wall
//! clock read as if it were UTC), so a week is a fixed 7 × 24 h and openings are offsets into
//! it; the Gulf's zones keep no daylight saving time, and elsewhere a deadline across a change
//! lands on the same wall-clock time the schedule says.

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use stepup_protocol::{BusinessHours, OpeningInterval, Weekday};

use crate::Country;

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const WEEK: i64 = 7 * DAY;
/// 1970-01-04, a Sunday, in local milliseconds: where weeks start.
const FIRST_SUNDAY: i64 = 3 * DAY;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("unknown time zone {0:?}")]
    Zone(String),
    #[error("{0:?} is not a time of day (HH:MM, 00:00 to 24:00)")]
    Time(String),
    #[error("{0} opens and closes at the same time")]
    Empty(String),
    #[error("{0} overlaps {1}")]
    Overlap(String, String),
}

/// A validated weekly schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: TimeZone,
    /// Open spans as offsets into the week from Sunday 00:00, sorted, not overlapping; one that
    /// runs past Saturday midnight is split in two.
    spans: Vec<(i64, i64)>,
}

fn describe(i: &OpeningInterval) -> String {
    format!("{} {}–{}", i.day.as_str(), i.opens, i.closes)
}

/// `HH:MM` as minutes since midnight; `24:00` only where `end` allows it.
fn minutes(text: &str, end: bool) -> Result<i64, HoursError> {
    let bad = || HoursError::Time(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    match (h, m) {
        (0..=23, 0..=59) => Ok(h * 60 + m),
        (24, 0) if end => Ok(24 * 60),
        _ => Err(bad()),
    }
}

impl Schedule {
    /// Checks the intervals (times, no overlaps) and the zone.
    pub fn new(hours: &BusinessHours, zone: &str) -> Result<Schedule, HoursError> {
        let zone = TimeZone::get(zone).map_err(|_| HoursError::Zone(zone.to_owned()))?;
        let mut spans: Vec<(i64, i64, usize)> = Vec::new();
        for (n, i) in hours.intervals.iter().enumerate() {
            let opens = minutes(&i.opens, false)?;
            let mut closes = minutes(&i.closes, true)?;
            if closes == opens {
                return Err(HoursError::Empty(describe(i)));
            }
            if closes < opens {
                closes += 24 * 60;
            }
            let start = i.day.index() as i64 * DAY + opens * MINUTE;
            let end = i.day.index() as i64 * DAY + closes * MINUTE;
            if end > WEEK {
                spans.push((start, WEEK, n));
                spans.push((0, end - WEEK, n));
            } else {
                spans.push((start, end, n));
            }
        }
        spans.sort();
        for pair in spans.windows(2) {
            let ((_, end, a), (start, _, b)) = (pair[0], pair[1]);
            if start < end {
                return Err(HoursError::Overlap(
                    describe(&hours.intervals[a]),
                    describe(&hours.intervals[b]),
                ));
            }
        }
        Ok(Schedule {
            zone,
            spans: spans.into_iter().map(|(s, e, _)| (s, e)).collect(),
        })
    }

    fn local(&self, at: i64) -> i64 {
        let offset = Timestamp::from_millisecond(at)
            .map(|ts| self.zone.to_offset(ts))
            .unwrap_or(Offset::UTC);
        at + i64::from(offset.seconds()) * 1000
    }

    fn instant(&self, local: i64) -> i64 {
        let Ok(ts) = Timestamp::from_millisecond(local) else {
            return local;
        };
        self.zone
            .to_timestamp(Offset::UTC.to_datetime(ts))
            .map_or(local, |t| t.as_millisecond())
    }

    /// Sunday 00:00 of the week `local` is in, and the offset into it.
    fn week_of(local: i64) -> (i64, i64) {
        let into = (local - FIRST_SUNDAY).rem_euclid(WEEK);
        (local - into, into)
    }

    pub fn is_open(&self, at: i64) -> bool {
        let (_, into) = Self::week_of(self.local(at));
        self.spans.iter().any(|&(s, e)| s <= into && into < e)
    }

    /// `at` itself when open, else the next opening; `None` when the schedule never opens.
    pub fn next_open(&self, at: i64) -> Option<i64> {
        if self.is_open(at) {
            return Some(at);
        }
        let local = self.local(at);
        let (week, into) = Self::week_of(local);
        let start = self
            .spans
            .iter()
            .map(|&(s, _)| s)
            .find(|&s| s > into)
            .map(|s| week + s)
            .or_else(|| self.spans.first().map(|&(s, _)| week + WEEK + s))?;
        Some(self.instant(start))
    }

    /// When a closed schedule last closed; `None` when open at `at` or never open.
    pub fn last_close(&self, at: i64) -> Option<i64> {
        if self.is_open(at) {
            return None;
        }
        let local = self.local(at);
        let (week, into) = Self::week_of(local);
        let end = self
            .spans
            .iter()
            .rev()
            .map(|&(_, e)| e)
            .find(|&e| e <= into)
            .map(|e| week + e)
            .or_else(|| self.spans.last().map(|&(_, e)| week - WEEK + e))?;
        Some(self.instant(end))
    }

    /// `start` plus `minutes` of open time; `None` when the schedule never opens.
    pub fn add_open_minutes(&self, start: i64, minutes: u32) -> Option<i64> {
        let open_per_week: i64 = self.spans.iter().map(|&(s, e)| e - s).sum();
        if open_per_week == 0 {
            return None;
        }
        let mut left = i64::from(minutes) * MINUTE;
        let from = self.local(start);
        let (first_week, _) = Self::week_of(from);
        let weeks = left / open_per_week + 2;
        for k in 0..=weeks {
            let week = first_week + k * WEEK;
            for &(s, e) in &self.spans {
                let (s, e) = (week + s, week + e);
                if e <= from {
                    continue;
                }
                let begin = s.max(from);
                if left <= e - begin {
                    return Some(self.instant(begin + left));
                }
                left -= e - begin;
            }
        }
        None
    }

    /// The day of the week and `HH:MM` of an instant, in the schedule's zone.
    pub fn wall_clock(&self, at: i64) -> (Weekday, String) {
        let local = self.local(at);
        let (_, into) = Self::week_of(local);
        let day = Weekday::ALL[usize::try_from(into / DAY).unwrap_or(0).min(6)];
        let minute = (into % DAY) / MINUTE;
        (day, format!("{:02}:{:02}", minute / 60, minute % 60))
    }

    /// Days between the local dates of `from` and `to` (0: the same day, 1: the next).
    pub fn days_between(&self, from: i64, to: i64) -> i64 {
        self.local(to).div_euclid(DAY) - self.local(from).div_euclid(DAY)
    }
}

/// A starting schedule for a workspace: 09:00–17:00 on the working days of the country its
/// time zone belongs to (Sunday–Thursday, or Monday–Friday in the UAE), switched off.
pub fn default_hours(zone: &str) -> BusinessHours {
    let country = Country::from_time_zone(zone);
    let intervals = Weekday::ALL
        .into_iter()
        .filter(|d| {
            !country
                .weekend()
                .iter()
                .any(|w| w.to_sunday_zero_offset() as usize == d.index())
        })
        .map(|day| OpeningInterval {
            day,
            opens: "09:00".into(),
            closes: "17:00".into(),
        })
        .collect();
    BusinessHours {
        enabled: false,
        intervals,
        away_reply: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn iso(ms: i64) -> String {
        Timestamp::from_millisecond(ms).unwrap().to_string()
    }

    fn hours(intervals: &[(Weekday, &str, &str)]) -> BusinessHours {
        BusinessHours {
            enabled: true,
            intervals: intervals
                .iter()
                .map(|(day, o, c)| OpeningInterval {
                    day: *day,
                    opens: (*o).into(),
                    closes: (*c).into(),
                })
                .collect(),
            away_reply: true,
        }
    }

    #[test]
    fn riyadh_default_week_is_sunday_to_thursday() {
        let h = default_hours("Asia/Riyadh");
        let days: Vec<_> = h.intervals.iter().map(|i| i.day).collect();
        use Weekday::*;
        assert_eq!(days, [Sunday, Monday, Tuesday, Wednesday, Thursday]);
        let dubai = default_hours("Asia/Dubai");
        let days: Vec<_> = dubai.intervals.iter().map(|i| i.day).collect();
        assert_eq!(days, [Monday, Tuesday, Wednesday, Thursday, Friday]);
    }

    #[test]
    fn open_closed_and_next_opening_in_the_zone() {
        // 2026-12-03 is a Thursday. Riyadh is UTC+3.
        let s = Schedule::new(&default_hours("Asia/Riyadh"), "Asia/Riyadh").unwrap();
        assert!(s.is_open(at("2026-12-03T06:00:00Z"))); // 09:00 local
        assert!(!s.is_open(at("2026-12-03T05:59:00Z"))); // 08:59
        assert!(!s.is_open(at("2026-12-03T14:00:00Z"))); // 17:00 closes
        // Thursday evening: next open is Sunday 09:00, closed since Thursday 17:00.
        let evening = at("2026-12-03T17:30:00Z");
        assert_eq!(iso(s.next_open(evening).unwrap()), "2026-12-06T06:00:00Z");
        assert_eq!(iso(s.last_close(evening).unwrap()), "2026-12-03T14:00:00Z");
        assert_eq!(s.last_close(at("2026-12-03T07:00:00Z")), None);
        assert_eq!(
            s.wall_clock(at("2026-12-06T06:00:00Z")),
            (Weekday::Sunday, "09:00".into())
        );
        // Saturday night to Sunday morning crosses the week's edge.
        let sat = at("2026-12-05T20:00:00Z"); // Saturday 23:00 local
        assert_eq!(iso(s.next_open(sat).unwrap()), "2026-12-06T06:00:00Z");
        assert_eq!(s.days_between(sat, s.next_open(sat).unwrap()), 1);
    }

    #[test]
    fn deadlines_count_open_time_only() {
        let s = Schedule::new(&default_hours("Asia/Riyadh"), "Asia/Riyadh").unwrap();
        // Thursday 16:00 + 4 h: one hour on Thursday, three from Sunday 09:00.
        let due = s.add_open_minutes(at("2026-12-03T13:00:00Z"), 240).unwrap();
        assert_eq!(iso(due), "2026-12-06T09:00:00Z"); // Sunday 12:00 local
        // Written on the weekend: counted from Sunday's opening.
        let due = s.add_open_minutes(at("2026-12-04T10:00:00Z"), 15).unwrap();
        assert_eq!(iso(due), "2026-12-06T06:15:00Z");
        // Inside the day it is plain addition, to the millisecond.
        let due = s
            .add_open_minutes(at("2026-12-06T07:00:00.250Z"), 30)
            .unwrap();
        assert_eq!(iso(due), "2026-12-06T07:30:00.25Z");
        // Two full weeks of open time (40 h a week).
        let due = s
            .add_open_minutes(at("2026-12-06T06:00:00Z"), 80 * 60)
            .unwrap();
        assert_eq!(iso(due), "2026-12-17T14:00:00Z");
    }

    #[test]
    fn overnight_and_split_shifts() {
        use Weekday::*;
        // A Ramadan evening shift 20:00–02:00 and a split day in Dubai (UTC+4).
        let h = hours(&[
            (Saturday, "20:00", "02:00"),
            (Monday, "09:00", "13:00"),
            (Monday, "16:00", "24:00"),
        ]);
        let s = Schedule::new(&h, "Asia/Dubai").unwrap();
        assert!(s.is_open(at("2026-12-05T21:30:00Z"))); // Sunday 01:30 local
        assert!(!s.is_open(at("2026-12-05T22:00:00Z"))); // Sunday 02:00
        assert!(s.is_open(at("2026-12-07T19:59:00Z"))); // Monday 23:59
        assert!(!s.is_open(at("2026-12-07T10:00:00Z"))); // Monday 14:00
        // Monday 12:30 + 1 h: 30 min before the break, 30 after it.
        let due = s.add_open_minutes(at("2026-12-07T08:30:00Z"), 60).unwrap();
        assert_eq!(iso(due), "2026-12-07T12:30:00Z");
    }

    #[test]
    fn bad_schedules_are_refused_with_what_is_wrong() {
        use Weekday::*;
        let overlap = hours(&[(Sunday, "09:00", "17:00"), (Sunday, "16:00", "20:00")]);
        assert_eq!(
            Schedule::new(&overlap, "Asia/Riyadh").unwrap_err(),
            HoursError::Overlap("sunday 09:00–17:00".into(), "sunday 16:00–20:00".into())
        );
        // A Saturday night shift running into Sunday's morning.
        let wrap = hours(&[(Saturday, "22:00", "10:00"), (Sunday, "09:00", "12:00")]);
        assert!(matches!(
            Schedule::new(&wrap, "Asia/Riyadh"),
            Err(HoursError::Overlap(..))
        ));
        for bad in ["9", "25:00", "09:60", "24:00", "nine", "09:5", "-1:00"] {
            let h = hours(&[(Sunday, bad, "17:00")]);
            assert_eq!(
                Schedule::new(&h, "Asia/Riyadh").unwrap_err(),
                HoursError::Time(bad.into()),
                "{bad}"
            );
        }
        let h = hours(&[(Sunday, "09:00", "09:00")]);
        assert!(matches!(
            Schedule::new(&h, "Asia/Riyadh"),
            Err(HoursError::Empty(_))
        ));
        assert!(matches!(
            Schedule::new(&hours(&[]), "Mars/Olympus"),
            Err(HoursError::Zone(_))
        ));
        // Touching intervals are fine; a schedule with none never opens.
        let touching = hours(&[(Sunday, "09:00", "12:00"), (Sunday, "12:00", "17:00")]);
        assert!(Schedule::new(&touching, "Asia/Riyadh").is_ok());
        let never = Schedule::new(&hours(&[]), "Asia/Riyadh").unwrap();
        assert_eq!(never.next_open(0), None);
        assert_eq!(never.add_open_minutes(0, 10), None);
    }
}
