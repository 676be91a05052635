//! Customer satisfaction, asked for real: when a conversation is resolved the cloud asks the
//! customer on their channel, in their language, for a rating from 1 to 5, and reads the answer:
//! digits in Latin, Arabic-Indic or Persian script, stars, faces, a thumb, or a word in Arabic,
//! English or Arabizi. A rating is stored on the conversation (analytics reads it) and does not
//! reopen it; anything else ("9", a question) is an ordinary message that reopens it as usual.

use stepup_i18n::Locale;

/// How long after the question an answer counts as the rating.
pub const ANSWER_WITHIN_MS: i64 = 24 * 3600 * 1000;

/// The rating a customer's reply gives, if it is one.
pub fn rating(text: &str) -> Option<u8> {
    let folded: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    let bare: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '!' | '،' | ',' | '\u{FE0F}'))
        .collect();
    // "5", "5/5", "٥ من ٥", "4 out of 5"
    let score = ["/5", "من5", "outof5"]
        .iter()
        .find_map(|tail| bare.strip_suffix(tail))
        .unwrap_or(&bare);
    if score.len() == 1
        && let Some(n) = score.chars().next().and_then(|c| c.to_digit(10))
    {
        return (1..=5).contains(&n).then_some(n as u8);
    }
    if !bare.is_empty() && bare.chars().all(|c| c == '⭐' || c == '★' || c == '🌟') {
        let n = bare.chars().count();
        return (n <= 5).then_some(n as u8);
    }
    let face = match bare.as_str() {
        "😡" | "😠" | "🤬" | "👎" => Some(1),
        "😞" | "☹" | "🙁" | "😕" => Some(2),
        "😐" | "😶" => Some(3),
        "🙂" | "😊" => Some(4),
        "😍" | "🤩" | "😀" | "😃" | "😁" | "👍" | "❤" | "💯" => Some(5),
        _ => None,
    };
    if face.is_some() {
        return face;
    }
    let words = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match words.as_str() {
        "excellent" | "perfect" | "amazing" | "ممتاز" | "ممتازة" | "رائع" | "رائعة" | "mumtaz"
        | "momtaz" | "mumtaaz" => Some(5),
        "very good" | "جيد جدا" | "جيد جداً" | "زين وايد" | "very gd" => {
            Some(4)
        }
        "good" | "جيد" | "زين" | "zain" | "zein" | "tamam" | "تمام" => Some(4),
        "ok" | "okay" | "average" | "عادي" | "مقبول" | "3adi" | "aadi" => Some(3),
        "bad" | "poor" | "سيء" | "سيئ" | "مو زين" | "mo zain" => Some(2),
        "very bad" | "terrible" | "awful" | "سيء جدا" | "سيئ جدا" | "سيء جداً" | "سيئ جداً" => {
            Some(1)
        }
        _ => None,
    }
}

/// The question, in the customer's language.
pub fn question(locale: Locale) -> String {
    stepup_i18n::strip_isolation(&crate::widget::catalog().format(locale, "csat-question", None))
}

/// The language to ask in: the contact's, else the script of what they wrote last.
pub fn locale_for(contact_language: Option<&str>, last_text: Option<&str>) -> Locale {
    match contact_language {
        Some(l) => Locale::negotiate(&[l]),
        None if last_text
            .is_some_and(|t| t.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))) =>
        {
            Locale::Ar
        }
        None => Locale::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_in_either_script_stars_faces_and_words() {
        for (text, r) in [
            ("5", 5),
            (" ٥ ", 5),
            ("۴", 4),
            ("3/5", 3),
            ("٤ من ٥", 4),
            ("4 out of 5", 4),
            ("١", 1),
            ("⭐⭐⭐⭐", 4),
            ("😍", 5),
            ("👍", 5),
            ("😞", 2),
            ("ممتاز", 5),
            ("ممتاز!", 5),
            ("Excellent.", 5),
            ("jayid jiddan", 0),
            ("جيد جداً", 4),
            ("زين", 4),
            ("mumtaz", 5),
            ("عادي", 3),
            ("very bad", 1),
        ] {
            let got = rating(text).unwrap_or(0);
            assert_eq!(got, r, "{text}");
        }
    }

    #[test]
    fn what_is_not_a_rating_stays_a_message() {
        for text in [
            "9",
            "0",
            "10",
            "55",
            "5 pieces please",
            "متى يوصل الطلب؟",
            "where is my order",
            "⭐⭐⭐⭐⭐⭐",
            "",
            "thanks",
        ] {
            assert_eq!(rating(text), None, "{text}");
        }
    }

    #[test]
    fn asked_in_the_customers_language() {
        assert_eq!(locale_for(Some("ar"), None), Locale::Ar);
        assert_eq!(locale_for(None, Some("وين طلبي")), Locale::Ar);
        assert_eq!(locale_for(None, Some("where is it")), Locale::En);
        assert_eq!(locale_for(Some("en"), Some("وين")), Locale::En);
    }
}
