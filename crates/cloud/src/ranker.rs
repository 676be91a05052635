//! Suggested replies: a deterministic lexical ranker over canned responses and past agent replies
//! in the customer's language. This is the seam where a language model plugs in: anything that
//! implements [`Ranker`] can replace it.

use std::collections::HashSet;

use stepup_protocol::{CannedResponse, Suggestion, SuggestionSource};

/// A candidate reply.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub text: String,
    pub language: String,
    pub source: SuggestionSource,
    pub canned_response_id: Option<String>,
}

pub trait Ranker: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &'static str;
    fn rank(
        &self,
        customer_text: &str,
        language: &str,
        candidates: &[Candidate],
        limit: usize,
    ) -> Vec<Suggestion>;
}

/// Detects the customer's language: Arabic script or Arabizi (Latin with 2/3/5/7 inside words).
pub fn detect_language(text: &str) -> &'static str {
    let arabic = text
        .chars()
        .filter(|c| ('\u{0600}'..='\u{06FF}').contains(c))
        .count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    if arabic > 0 && arabic * 2 >= latin {
        return "ar";
    }
    let arabizi = text.split_whitespace().any(|w| {
        let letters = w.chars().any(|c| c.is_ascii_alphabetic());
        letters && w.chars().any(|c| matches!(c, '2' | '3' | '5' | '7'))
    });
    if arabizi { "ar" } else { "en" }
}

/// Search normalisation: harakat, tatweel and superscript alef removed; alef, teh marbuta, alef
/// maksura, hamza carriers folded; Arabic-Indic digits to ASCII; Latin lower-cased.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ة' => 'ه',
            'ى' | 'ئ' => 'ي',
            'ؤ' => 'و',
            '٠'..='٩' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c.to_lowercase().next().unwrap_or(c),
        };
        out.push(c);
    }
    out
}

pub fn tokens(text: &str) -> HashSet<String> {
    normalize(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 2)
        .map(|t| {
            t.strip_prefix("ال")
                .filter(|r| r.chars().count() >= 2)
                .unwrap_or(t)
                .to_owned()
        })
        .collect()
}

/// Token-overlap ranker (Dice coefficient) with a small prior for curated canned responses.
#[derive(Debug, Default)]
pub struct LexicalRanker;

impl Ranker for LexicalRanker {
    fn name(&self) -> &'static str {
        "lexical-v1"
    }

    fn rank(
        &self,
        customer_text: &str,
        language: &str,
        candidates: &[Candidate],
        limit: usize,
    ) -> Vec<Suggestion> {
        let query = tokens(customer_text);
        let mut scored: Vec<(f64, &Candidate)> = candidates
            .iter()
            .filter(|c| c.language == language)
            .map(|c| {
                let t = tokens(&c.text);
                let overlap = query.intersection(&t).count() as f64;
                let denom = (query.len() + t.len()).max(1) as f64;
                let prior = if c.source == SuggestionSource::CannedResponse {
                    0.05
                } else {
                    0.0
                };
                (2.0 * overlap / denom + prior, c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.text.cmp(&b.1.text)));
        let mut seen = HashSet::new();
        scored
            .into_iter()
            .filter(|(_, c)| seen.insert(c.text.clone()))
            .take(limit)
            .map(|(score, c)| Suggestion {
                text: c.text.clone(),
                language: c.language.clone(),
                source: c.source,
                canned_response_id: c.canned_response_id.clone(),
                score: (score * 1000.0).round() / 1000.0,
                ai_suggestion: true,
            })
            .collect()
    }
}

pub fn canned_candidates(canned: &[CannedResponse]) -> Vec<Candidate> {
    canned
        .iter()
        .map(|c| Candidate {
            text: c.body.clone(),
            language: c.language.clone(),
            source: SuggestionSource::CannedResponse,
            canned_response_id: Some(c.id.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_detection() {
        assert_eq!(detect_language("مرحبا Hello"), "ar");
        assert_eq!(detect_language("7abibi 3ndi so2al"), "ar");
        assert_eq!(detect_language("Where is my order 123?"), "en");
    }

    #[test]
    fn normalisation_folds_arabic_forms() {
        assert_eq!(normalize("أَهلاً بالمكتبة ٣"), "اهلا بالمكتبه 3");
    }

    #[test]
    fn ranks_by_overlap_deterministically() {
        let c = |t: &str, l: &str| Candidate {
            text: t.into(),
            language: l.into(),
            source: SuggestionSource::PastReply,
            canned_response_id: None,
        };
        let cands = vec![
            c("Your order ships tomorrow", "en"),
            c("The perfume is in stock", "en"),
            c("العطر متوفر", "ar"),
        ];
        let r = LexicalRanker.rank("is the perfume in stock?", "en", &cands, 2);
        assert_eq!(r[0].text, "The perfume is in stock");
        assert!(r.iter().all(|s| s.ai_suggestion && s.language == "en"));
        assert_eq!(
            r,
            LexicalRanker.rank("is the perfume in stock?", "en", &cands, 2)
        );
        let ar = LexicalRanker.rank("هل العطر متوفر؟", "ar", &cands, 3);
        assert_eq!(ar.len(), 1);
        assert_eq!(ar[0].text, "العطر متوفر");
    }
}
