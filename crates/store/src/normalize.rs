//! One Arabic-aware normalization, applied to the search index and to queries
//! alike (SQLite's FTS5 tokenizers do none of it; harakat even split words):
//!
//! - harakat (U+064B–U+065F), superscript alef (U+0670) and tatweel (U+0640)
//!   removed;
//! - أ إ آ ٱ → ا; ة → ه; ى → ي; ؤ → و; ئ → ي;
//! - lam-alef ligatures (ﻻ ﻷ ﻹ ﻵ and their final forms) → لا;
//! - Arabic-Indic (٠–٩) and Persian (۰–۹) digits → 0–9;
//! - Latin lower-cased, accents removed.
//!
//! The vectors in `tests/fixtures/search-normalization.json` are checked here
//! and by the UI's tests.

/// Normalizes `text` for search.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_normalized(c, &mut out);
    }
    out
}

/// Like [`normalize`], also returning, for every char of the output, the byte
/// offset in `text` of the char it came from (for highlighting matches in the
/// original text).
pub fn normalize_with_offsets(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let before = out.chars().count();
        push_normalized(c, &mut out);
        let after = out.chars().count();
        offsets.extend(std::iter::repeat_n(at, after - before));
    }
    (out, offsets)
}

fn push_normalized(c: char, out: &mut String) {
    match c {
        // Harakat, superscript alef, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
        'ة' => out.push('ه'),
        'ى' => out.push('ي'),
        'ؤ' => out.push('و'),
        'ئ' => out.push('ي'),
        // Lam-alef ligatures (isolated and final forms).
        '\u{FEF5}'..='\u{FEFC}' => out.push_str("لا"),
        '٠'..='٩' => out.push(char::from(b'0' + (c as u32 - '٠' as u32) as u8)),
        '۰'..='۹' => out.push(char::from(b'0' + (c as u32 - '۰' as u32) as u8)),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => match fold_latin(c) {
            Some(base) => out.push(base),
            None => out.extend(c.to_lowercase()),
        },
    }
}

/// Latin letters with diacritics → their base letter, lower case.
fn fold_latin(c: char) -> Option<char> {
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => 'a',
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => 'c',
        'Ď' | 'ď' => 'd',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'e',
        'Ğ' | 'ğ' => 'g',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'İ' | 'ı' => 'i',
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => 'o',
        'Ř' | 'ř' => 'r',
        'Ś' | 'ś' | 'Ş' | 'ş' | 'Š' | 'š' => 's',
        'Ť' | 'ť' | 'Ţ' | 'ţ' => 't',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' => 'u',
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => 'y',
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => 'z',
        _ => return None,
    };
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vectors {
        vectors: Vec<Vector>,
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        input: String,
        normalized: String,
        why: String,
    }

    #[test]
    fn shared_vectors() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/search-normalization.json"
        );
        let vectors: Vectors =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(vectors.vectors.len() > 10);
        for v in vectors.vectors {
            assert_eq!(normalize(&v.input), v.normalized, "{}", v.why);
        }
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "أَهْلاً ﻻ";
        let (norm, offsets) = normalize_with_offsets(text);
        assert_eq!(norm, "اهلا لا");
        assert_eq!(norm.chars().count(), offsets.len());
        for (c, at) in norm.chars().zip(&offsets) {
            assert!(text.is_char_boundary(*at), "{c}");
        }
        // The ligature's two output chars both map to the ligature.
        assert_eq!(offsets[5], offsets[6]);
    }

    #[test]
    fn idempotent() {
        for s in ["مَرْحَبًا بِكُم", "Crème ١٢٣ ﻷ", "7abibi"] {
            assert_eq!(normalize(&normalize(s)), normalize(s));
        }
    }
}
