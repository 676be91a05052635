//! The Gulf's week, from the project's own table (not the webview's or the OS's data, which
//! differ by platform): the country a workspace's time zone belongs to, its week start and
//! weekend, and its default digits.

use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

/// A Gulf country whose conventions the dashboard follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Country {
    AE,
    SA,
    QA,
    KW,
    BH,
    OM,
}

impl Country {
    pub const ALL: [Country; 6] = [
        Country::AE,
        Country::SA,
        Country::QA,
        Country::KW,
        Country::BH,
        Country::OM,
    ];

    /// The country of a workspace's IANA time zone; the UAE for any other zone.
    pub fn from_time_zone(zone: &str) -> Country {
        match zone {
            "Asia/Riyadh" => Country::SA,
            "Asia/Qatar" => Country::QA,
            "Asia/Kuwait" => Country::KW,
            "Asia/Bahrain" => Country::BH,
            "Asia/Muscat" => Country::OM,
            _ => Country::AE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Country::AE => "AE",
            Country::SA => "SA",
            Country::QA => "QA",
            Country::KW => "KW",
            Country::BH => "BH",
            Country::OM => "OM",
        }
    }

    pub fn parse(code: &str) -> Option<Country> {
        Country::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
    }

    /// AE: Monday; SA: Sunday; QA, KW, BH, OM: Saturday.
    pub fn week_start(self) -> Weekday {
        match self {
            Country::AE => Weekday::Monday,
            Country::SA => Weekday::Sunday,
            _ => Weekday::Saturday,
        }
    }

    /// AE: Saturday and Sunday; the others: Friday and Saturday.
    pub fn weekend(self) -> [Weekday; 2] {
        match self {
            Country::AE => [Weekday::Saturday, Weekday::Sunday],
            _ => [Weekday::Friday, Weekday::Saturday],
        }
    }

    pub fn is_weekend(self, day: Weekday) -> bool {
        self.weekend().contains(&day)
    }

    /// Latin in the UAE, Arabic-Indic elsewhere.
    pub fn default_digits(self) -> Digits {
        match self {
            Country::AE => Digits::Latin,
            _ => Digits::ArabicIndic,
        }
    }

    /// The seven weekdays in this country's order, from its week start.
    pub fn week(self) -> [Weekday; 7] {
        let start = self.week_start();
        let mut days = start.cycle_forward();
        std::array::from_fn(|_| days.next().unwrap_or(start))
    }
}

/// Which digits numbers are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Digits {
    /// 0123456789
    Latin,
    /// ٠١٢٣٤٥٦٧٨٩
    ArabicIndic,
}

impl Digits {
    /// `text` with its Latin digits written in this style.
    pub fn apply(self, text: &str) -> String {
        match self {
            Digits::Latin => text.to_owned(),
            Digits::ArabicIndic => text
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) if c.is_ascii_digit() => char::from_u32(0x0660 + d).unwrap_or(c),
                    _ => c,
                })
                .collect(),
        }
    }
}

/// ISO weekday number: Monday 1 … Sunday 7.
pub fn iso_weekday(day: Weekday) -> u8 {
    u8::try_from(day.to_monday_one_offset()).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_follow_the_projects_table() {
        assert_eq!(Country::from_time_zone("Asia/Dubai"), Country::AE);
        assert_eq!(Country::from_time_zone("Asia/Riyadh"), Country::SA);
        assert_eq!(Country::from_time_zone("Asia/Qatar"), Country::QA);
        assert_eq!(Country::from_time_zone("Asia/Kuwait"), Country::KW);
        assert_eq!(Country::from_time_zone("Asia/Bahrain"), Country::BH);
        assert_eq!(Country::from_time_zone("Asia/Muscat"), Country::OM);
        assert_eq!(Country::AE.week_start(), Weekday::Monday);
        assert_eq!(Country::SA.week_start(), Weekday::Sunday);
        for c in [Country::QA, Country::KW, Country::BH, Country::OM] {
            assert_eq!(c.week_start(), Weekday::Saturday);
            assert_eq!(c.weekend(), [Weekday::Friday, Weekday::Saturday]);
            assert_eq!(c.default_digits(), Digits::ArabicIndic);
        }
        assert_eq!(Country::AE.weekend(), [Weekday::Saturday, Weekday::Sunday]);
        assert_eq!(Country::SA.weekend(), [Weekday::Friday, Weekday::Saturday]);
        assert_eq!(Country::AE.default_digits(), Digits::Latin);
        assert_eq!(Country::SA.week()[6], Weekday::Saturday);
        assert_eq!(Country::QA.week()[0], Weekday::Saturday);
        assert_eq!(Country::QA.week()[6], Weekday::Friday);
        assert_eq!(Country::parse("sa"), Some(Country::SA));
        assert_eq!(Country::parse("FR"), None);
        assert_eq!(iso_weekday(Weekday::Monday), 1);
        assert_eq!(iso_weekday(Weekday::Sunday), 7);
    }

    #[test]
    fn digits() {
        assert_eq!(Digits::ArabicIndic.apply("12.5% of 30"), "١٢.٥% of ٣٠");
        assert_eq!(Digits::Latin.apply("12"), "12");
    }
}
