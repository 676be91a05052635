//! The Gulf's calendars: the week and digits of the workspace's country (`stepup-calendar`) and
//! Umm al-Qura Hijri dates.

use jiff::civil::Date;
use serde::Serialize;

pub use stepup_calendar::{Country, Digits, iso_weekday};

/// A date in the Umm al-Qura Hijri calendar (`islamic-umalqura`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HijriDate {
    pub year: i32,
    /// 1 (Muharram) to 12 (Dhu al-Hijjah).
    pub month: u8,
    pub day: u8,
}

impl HijriDate {
    /// The Umm al-Qura date of a Gregorian date (`None` outside the calendar's range).
    pub fn from_gregorian(date: Date) -> Option<HijriDate> {
        let iso = icu_calendar::Date::try_new_iso(
            i32::from(date.year()),
            u8::try_from(date.month()).ok()?,
            u8::try_from(date.day()).ok()?,
        )
        .ok()?;
        let hijri = iso.to_calendar(icu_calendar::cal::Hijri::new_umm_al_qura());
        Some(HijriDate {
            year: hijri.year().extended_year(),
            month: hijri.month().ordinal,
            day: hijri.day_of_month().0,
        })
    }
}

impl std::fmt::Display for HijriDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn hijri() {
        assert_eq!(
            HijriDate::from_gregorian(date(2025, 3, 1)),
            Some(HijriDate {
                year: 1446,
                month: 9,
                day: 1
            })
        );
        // The day before is in Sha'ban, and the label is zero-padded.
        let eve = HijriDate::from_gregorian(date(2025, 2, 28)).unwrap();
        assert_eq!((eve.year, eve.month), (1446, 8));
        assert!(eve.day >= 29);
        assert_eq!(
            HijriDate::from_gregorian(date(2025, 3, 1))
                .unwrap()
                .to_string(),
            "1446-09-01"
        );
    }
}
