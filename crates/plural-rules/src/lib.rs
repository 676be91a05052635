//! CLDR plural rules for the languages Stepup ships (Arabic and English),
//! behind the public API of `intl_pluralrules` 7, so `fluent-bundle` selects
//! plural variants with them. Any other language gets English's rules, which
//! is also what `fluent-bundle` falls back to.
//!
//! Rules (CLDR, cardinal):
//! - ar: zero n = 0; one n = 1; two n = 2; few n % 100 = 3..10;
//!   many n % 100 = 11..99; other everything else (100–102, decimals, …).
//! - en: one i = 1 and v = 0; other.
//!
//! Rules (CLDR, ordinal):
//! - ar: other.
//! - en: one n % 10 = 1 and n % 100 != 11; two n % 10 = 2 and n % 100 != 12;
//!   few n % 10 = 3 and n % 100 != 13; other.

pub mod operands;

use unic_langid::LanguageIdentifier;

use crate::operands::PluralOperands;

#[derive(Debug, Eq, PartialEq, Clone, Copy, Hash)]
pub enum PluralCategory {
    ZERO,
    ONE,
    TWO,
    FEW,
    MANY,
    OTHER,
}

#[derive(Debug, Copy, Clone, Hash, PartialEq, Eq)]
pub enum PluralRuleType {
    ORDINAL,
    CARDINAL,
}

type Rule = fn(&PluralOperands) -> PluralCategory;

#[derive(Debug)]
pub struct PluralRules {
    locale: LanguageIdentifier,
    function: Rule,
}

const LANGUAGES: [&str; 2] = ["ar", "en"];

impl PluralRules {
    /// Rules for `langid`'s language; unknown languages get English's.
    pub fn create<L: Into<LanguageIdentifier>>(
        langid: L,
        prt: PluralRuleType,
    ) -> Result<Self, &'static str> {
        let locale = langid.into();
        let function: Rule = match (locale.language.as_str(), prt) {
            ("ar", PluralRuleType::CARDINAL) => arabic_cardinal,
            ("ar", PluralRuleType::ORDINAL) => |_| PluralCategory::OTHER,
            (_, PluralRuleType::CARDINAL) => english_cardinal,
            (_, PluralRuleType::ORDINAL) => english_ordinal,
        };
        Ok(PluralRules { locale, function })
    }

    pub fn select<N: TryInto<PluralOperands>>(
        &self,
        number: N,
    ) -> Result<PluralCategory, &'static str> {
        number
            .try_into()
            .map(|ops| (self.function)(&ops))
            .map_err(|_| "Argument can not be parsed to operands.")
    }

    pub fn get_locales(_prt: PluralRuleType) -> Vec<LanguageIdentifier> {
        LANGUAGES
            .iter()
            .map(|l| l.parse().expect("valid tag"))
            .collect()
    }

    pub fn get_locale(&self) -> &LanguageIdentifier {
        &self.locale
    }
}

fn is_integer(po: &PluralOperands) -> bool {
    po.v == 0 && po.f == 0
}

fn arabic_cardinal(po: &PluralOperands) -> PluralCategory {
    let int = is_integer(po);
    let mod100 = po.i % 100;
    if po.n == 0.0 {
        PluralCategory::ZERO
    } else if po.n == 1.0 {
        PluralCategory::ONE
    } else if po.n == 2.0 {
        PluralCategory::TWO
    } else if int && (3..=10).contains(&mod100) {
        PluralCategory::FEW
    } else if int && (11..=99).contains(&mod100) {
        PluralCategory::MANY
    } else {
        PluralCategory::OTHER
    }
}

fn english_cardinal(po: &PluralOperands) -> PluralCategory {
    if po.i == 1 && po.v == 0 {
        PluralCategory::ONE
    } else {
        PluralCategory::OTHER
    }
}

fn english_ordinal(po: &PluralOperands) -> PluralCategory {
    if !is_integer(po) {
        return PluralCategory::OTHER;
    }
    match (po.i % 10, po.i % 100) {
        (1, m) if m != 11 => PluralCategory::ONE,
        (2, m) if m != 12 => PluralCategory::TWO,
        (3, m) if m != 13 => PluralCategory::FEW,
        _ => PluralCategory::OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar(n: impl TryInto<PluralOperands>) -> PluralCategory {
        PluralRules::create(
            "ar".parse::<LanguageIdentifier>().unwrap(),
            PluralRuleType::CARDINAL,
        )
        .unwrap()
        .select(n)
        .unwrap()
    }

    #[test]
    fn arabic_uses_the_last_two_digits() {
        assert_eq!(ar(103), PluralCategory::FEW);
        assert_eq!(ar(111), PluralCategory::MANY);
        assert_eq!(ar(100), PluralCategory::OTHER);
        assert_eq!(ar(102), PluralCategory::OTHER);
        assert_eq!(ar(1.5), PluralCategory::OTHER);
        assert_eq!(ar("3.0"), PluralCategory::OTHER);
    }

    #[test]
    fn english_ordinals() {
        let en = PluralRules::create(
            "en".parse::<LanguageIdentifier>().unwrap(),
            PluralRuleType::ORDINAL,
        )
        .unwrap();
        let got: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 111]
            .map(|n| en.select(n).unwrap())
            .into();
        use PluralCategory::*;
        assert_eq!(
            got,
            vec![
                ONE, TWO, FEW, OTHER, OTHER, OTHER, OTHER, ONE, TWO, FEW, OTHER
            ]
        );
    }

    #[test]
    fn unknown_languages_get_english_rules() {
        let fr = PluralRules::create(
            "fr".parse::<LanguageIdentifier>().unwrap(),
            PluralRuleType::CARDINAL,
        )
        .unwrap();
        assert_eq!(fr.select(1).unwrap(), PluralCategory::ONE);
        assert_eq!(fr.select(0).unwrap(), PluralCategory::OTHER);
    }
}
