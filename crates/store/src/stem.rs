//! Light stemming of normalized words, for search.
//!
//! Arabic attaches its article, conjunctions and prepositions to the word («الطلب»،
//! «وطلبي»، «بالطلب») and adds plural and possessive endings («طلبات»، «طلبي»). In the
//! spirit of Lucene's Arabic light stemmer (Larkey's light-10), one prefix is taken off
//! the front and then each suffix in turn off the end, each only when enough of the word
//! is left, so short words survive («ابي» stays «ابي», «دبي» stays «دبي»):
//!
//! - prefixes: وال، بال، كال، فال، لل، ال، و;
//! - suffixes, in this order: كم، هم، نا (the plural possessives customers write: «طلبكم»،
//!   «فرعكم»; not in light-10), ها، ان، ات، ون، ين، يه، ه، ي;
//!
//! each only when at least three letters are left: stricter than Lucene (two after an
//! article or a suffix), so «ابي» does not become «اب»; «الله» (with و، ب، ت، ل) is kept
//! whole. A ة before a possessive is written ت («شحنتها», «سيارتكم»): when a possessive
//! (not «ي», which also makes «كويتي» of «الكويت») came off and four letters or more end in ت,
//! the ت goes too, so they meet «الشحنة», «السيارة».
//!
//! Words are normalized first (`normalize.rs`), so «ة» is already «ه» and «ية» is «يه».
//! A stem is a search key, not a word: «عنوان» stems to «عنو», the same as «العنوان».
//!
//! English gets a minimal, query-side step (`english_query_stem`): a plural or a verb
//! ending is dropped and the rest matched as a prefix («orders», «ordered» → «order»…).

/// Arabic prefixes, longest first.
const PREFIXES: [&str; 7] = ["وال", "بال", "كال", "فال", "لل", "ال", "و"];
/// Arabic suffixes, each taken off at most once, in this order.
const SUFFIXES: [&str; 11] = [
    "كم", "هم", "نا", "ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي",
];
/// The suffixes that are possessive pronouns (before which ة is written ت). Not «ي»: it
/// also makes adjectives of names («كويتي» is not «كوي»).
const POSSESSIVES: [&str; 5] = ["كم", "هم", "نا", "ها", "ه"];

/// Whether `word` is written in Arabic letters (every char in the Arabic block).
pub fn is_arabic(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Words that look stemmable and are not: the name of God with its particles.
const KEEP: [&str; 5] = ["الله", "لله", "والله", "بالله", "تالله"];

/// The light stem of a normalized Arabic word (the word itself when nothing comes off, or
/// when it is not Arabic).
pub fn arabic_stem(word: &str) -> &str {
    if !is_arabic(word) || KEEP.contains(&word) {
        return word;
    }
    let len = |s: &str| s.chars().count();
    let mut stem = word;
    for prefix in PREFIXES {
        if let Some(rest) = stem.strip_prefix(prefix)
            && len(rest) >= 3
        {
            stem = rest;
            break;
        }
    }
    let mut possessive = false;
    for suffix in SUFFIXES {
        if let Some(rest) = stem.strip_suffix(suffix)
            && len(rest) >= 3
        {
            stem = rest;
            possessive |= POSSESSIVES.contains(&suffix);
        }
    }
    if possessive
        && len(stem) >= 4
        && let Some(rest) = stem.strip_suffix('ت')
    {
        stem = rest;
    }
    stem
}

/// A query word in Latin letters without its English plural or verb ending, to be matched
/// as a prefix: «deliveries» → «deliver», «orders» → «order», «boxes» → «box», «shipped» →
/// «shipp». `None` when nothing comes off (at least three letters are left).
pub fn english_query_stem(word: &str) -> Option<&str> {
    if !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let keep = |rest: &str| rest.len() >= 3;
    if let Some(rest) = word.strip_suffix("ies").filter(|r| keep(r)) {
        return Some(rest);
    }
    if let Some(rest) = word.strip_suffix("ing").filter(|r| keep(r)) {
        return Some(rest);
    }
    if let Some(rest) = word.strip_suffix("ed").filter(|r| keep(r)) {
        return Some(rest);
    }
    if let Some(rest) = word
        .strip_suffix("es")
        .filter(|r| keep(r) && ["s", "x", "z", "ch", "sh"].iter().any(|e| r.ends_with(e)))
    {
        return Some(rest);
    }
    word.strip_suffix('s')
        .filter(|r| keep(r) && !r.ends_with('s') && !r.ends_with('u'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn stem(w: &str) -> String {
        arabic_stem(&normalize(w)).to_owned()
    }

    #[test]
    fn clitics_and_endings_come_off() {
        for w in [
            "طلب",
            "الطلب",
            "وطلبي",
            "بالطلب",
            "طلبات",
            "الطلبات",
            "وطلباتها",
            "للطلب",
            "فالطلب",
            "كالطلب",
            "والطلبية",
        ] {
            assert_eq!(stem(w), "طلب", "{w}");
        }
        assert_eq!(stem("الموظفين"), "موظف");
        // Plural possessives, and ة written ت before a possessive.
        assert_eq!(stem("طلباتكم"), "طلب");
        assert_eq!(stem("فرعكم"), "فرع");
        assert_eq!(stem("شحنتكم"), stem("الشحنة"));
        assert_eq!(stem("سيارتكم"), stem("السيارة"));
        assert_eq!(stem("بيتي"), "بيت");
        assert_eq!(stem("صورتها"), stem("الصورة"));
        assert_eq!(stem("مشكورين"), "مشكور");
        assert_eq!(stem("كويتي"), "كويت");
    }

    #[test]
    fn short_words_survive() {
        for w in [
            "ابي", "دبي", "وصل", "الله", "هلا", "بس", "لين", "وش", "هنا", "احنا",
        ] {
            assert_eq!(stem(w), normalize(w), "{w}");
        }
        // Two letters are not a stem (Lucene would leave «حب»).
        assert_eq!(stem("الحب"), "الحب");
    }

    #[test]
    fn not_arabic_is_left_alone() {
        assert_eq!(arabic_stem("orders"), "orders");
        assert_eq!(arabic_stem("6alabi"), "6alabi");
        assert_eq!(arabic_stem("طلبsize"), "طلبsize");
    }

    #[test]
    fn english_query_endings() {
        assert_eq!(english_query_stem("orders"), Some("order"));
        assert_eq!(english_query_stem("ordered"), Some("order"));
        assert_eq!(english_query_stem("delivering"), Some("deliver"));
        assert_eq!(english_query_stem("deliveries"), Some("deliver"));
        assert_eq!(english_query_stem("boxes"), Some("box"));
        assert_eq!(english_query_stem("addresses"), Some("address"));
        // Matched as a prefix, so «siz» still finds «size».
        assert_eq!(english_query_stem("sizes"), Some("siz"));
        assert_eq!(english_query_stem("address"), None);
        assert_eq!(english_query_stem("status"), None);
        assert_eq!(english_query_stem("order"), None);
        assert_eq!(english_query_stem("bus"), None);
    }
}
