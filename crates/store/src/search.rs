//! Search: what the full-text indexes hold, how a query becomes an FTS5 expression, and
//! reading the ranked hits back with their snippets.
//!
//! Each index (`search_messages`, `search_notes`, `search_contacts`; migration 0009) has
//! three columns of words:
//!
//! - `body`: the normalized text (`normalize.rs`), Arabic and Latin letters kept apart where
//!   they touch («الsize» is «ال size»);
//! - `stems`: the light stems of its Arabic words that differ from the word (`stem.rs`);
//! - `sounds`: the consonant keys of its words (`arabizi.rs`), `0…` for an Arabic word's
//!   light stem, `1…` for a Latin word that may be Arabizi, `2…` again for one that writes a
//!   digit letter («mar7aba»).
//!
//! Messages and notes also keep their conversation and time (unindexed, stored in the
//! index's own small table), so a search within filters never reads the messages table to
//! reject a match: only the hits that are shown are read.
//!
//! A query word matches, best first: its normalized form as a prefix in `body` (exact); its
//! stem in `body` or in `stems`, or an English word without its ending as a prefix
//! (stemmed); its consonant key in `sounds` (Arabizi): an Arabic word among Latin words'
//! keys, a Latin word among Arabic words' keys and, when one of the two writes a digit
//! letter, among Latin words' keys. Stems and keys are matched whole: for a prefix FTS5
//! reads the whole index of every word it covers, a whole word is read newest first and only
//! as far as needed. Every word must match. Words in double quotes are a phrase: each word
//! exactly, next to each other, in that order. Hits are ranked by how they matched (every
//! word exact, then stemmed, then by sound), then by BM25 with `body` weighted above
//! `stems` above `sounds`.

use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use stepup_protocol::{Channel, Contact, ConversationStatus, Message, Note};

use crate::arabizi::{arabic_key, has_digit_letter, latin_keys};
use crate::normalize::{normalize, normalize_with_offsets};
use crate::queries::{
    AssigneeFilter, ConversationFilter, push_conversation_filters, push_list_filter,
};
use crate::stem::{arabic_stem, english_query_stem, is_arabic};
use crate::{Result, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Message,
    Contact,
    Note,
}

#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub channel: Option<Channel>,
    pub status: Option<ConversationStatus>,
    pub assignee: Option<AssigneeFilter>,
    pub label: Option<String>,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub to: Option<i64>,
    pub limit: u32,
    /// Only in the conversations of this list (its view, teams, unread, …; its sort and window
    /// do not matter): search limited to what the inbox shows.
    pub within: Option<ConversationFilter>,
}

/// How a query's words may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matching {
    /// Every form: exact, stemmed and Arabizi.
    #[default]
    All,
    /// The normalized word as a prefix only (the search before stemming and Arabizi: the
    /// benchmark's baseline).
    ExactOnly,
}

/// How a hit matched the query: the weakest of its words' matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Matched {
    /// Every word as written (normalized).
    Exact,
    /// Some word through its stem.
    Stem,
    /// Some word through its Arabizi or Arabic spelling.
    Sound,
}

/// Text with the matched parts marked, in the original spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub parts: Vec<(String, bool)>,
}

impl Snippet {
    /// `[[match]]` markers, for the command line.
    pub fn marked(&self) -> String {
        self.parts
            .iter()
            .map(|(t, hit)| if *hit { format!("[[{t}]]") } else { t.clone() })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: String,
    pub conversation_id: Option<String>,
    pub snippet: Snippet,
    pub matched: Matched,
    /// BM25 (lower is better), within `matched`.
    pub rank: f64,
    /// When the message or note was written (Unix ms); contacts have none.
    pub at: Option<i64>,
}

// ---------------------------------------------------------------------------------------
// Words

/// Whether `c` belongs to a word.
fn word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn arabic_char(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// The words of normalized text as char ranges: runs of letters and digits, cut where
/// Arabic letters meet others («الsize» is two words). The same cut as the index's body.
fn word_ranges(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &c) in chars.iter().enumerate() {
        let inside = word_char(c);
        match start {
            Some(s) if !inside => {
                out.push((s, i));
                start = None;
            }
            Some(s) if arabic_char(c) != arabic_char(chars[i - 1]) => {
                out.push((s, i));
                start = Some(i);
            }
            None if inside => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, chars.len()));
    }
    out
}

/// The words of `text`, normalized.
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = normalize(text).chars().collect();
    word_ranges(&chars)
        .into_iter()
        .map(|(s, e)| chars[s..e].iter().collect())
        .collect()
}

// ---------------------------------------------------------------------------------------
// The index

/// What one row's text puts in its index's three columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Indexed {
    pub body: String,
    pub stems: String,
    pub sounds: String,
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The index columns of a row's text.
pub(crate) fn indexed(text: &str) -> Indexed {
    let normalized = normalize(text);
    let chars: Vec<char> = normalized.chars().collect();
    let mut body = String::with_capacity(normalized.len() + 8);
    let mut stems = Vec::new();
    let mut sounds = Vec::new();
    for (s, e) in word_ranges(&chars) {
        let w: String = chars[s..e].iter().collect();
        if !body.is_empty() {
            body.push(' ');
        }
        body.push_str(&w);
        if is_arabic(&w) {
            let stem = arabic_stem(&w);
            if stem != w {
                push_unique(&mut stems, stem.to_owned());
            }
            if let Some(k) = arabic_key(stem) {
                push_unique(&mut sounds, format!("0{k}"));
            }
        }
    }
    // Latin keys come from the words with their digit apostrophes («sh3'l»).
    for w in crate::arabizi::words(&normalized) {
        if !w.chars().any(arabic_char) {
            let digits = has_digit_letter(w);
            for k in latin_keys(w) {
                if digits {
                    push_unique(&mut sounds, format!("2{k}"));
                }
                push_unique(&mut sounds, format!("1{k}"));
            }
        }
    }
    Indexed {
        body,
        stems: stems.join(" "),
        sounds: sounds.join(" "),
    }
}

// ---------------------------------------------------------------------------------------
// Queries

/// One word of a query and its other forms.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// The normalized word, matched as a prefix (the parts of «sh3'l»: each must match).
    parts: Vec<String>,
    /// Its Arabic light stem, when it differs.
    stem: Option<String>,
    /// Its English form without a plural or verb ending.
    english: Option<String>,
    /// Consonant keys to look for, with the index's script mark (`0` Arabic, `1` Latin).
    keys: Vec<String>,
}

/// A query, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    terms: Vec<Term>,
    /// Quoted phrases, normalized words in order.
    phrases: Vec<Vec<String>>,
}

fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

impl Plan {
    pub(crate) fn parse(query: &str) -> Option<Plan> {
        let mut terms = Vec::new();
        let mut phrases = Vec::new();
        // Outside quotes at even pieces, inside at odd ones (an unclosed quote: plain words).
        let pieces: Vec<&str> = query.split('"').collect();
        let closed = pieces.len() % 2 == 1;
        for (i, piece) in pieces.iter().enumerate() {
            if i % 2 == 1 && (closed || i + 1 < pieces.len()) {
                let phrase = words(piece);
                if !phrase.is_empty() {
                    phrases.push(phrase);
                }
                continue;
            }
            let normalized = normalize(piece);
            for unit in crate::arabizi::words(&normalized) {
                terms.extend(Self::terms(unit));
            }
        }
        (!terms.is_empty() || !phrases.is_empty()).then_some(Plan { terms, phrases })
    }

    /// The terms of one unit of the query: normally one word; a word where Arabic meets
    /// Latin letters gives one term per side.
    fn terms(unit: &str) -> Vec<Term> {
        let chars: Vec<char> = unit.chars().collect();
        let ranges = word_ranges(&chars);
        let mixed = ranges.iter().any(|&(s, _)| arabic_char(chars[s]))
            && ranges.iter().any(|&(s, _)| !arabic_char(chars[s]));
        if mixed {
            return ranges
                .into_iter()
                .flat_map(|(s, e)| Self::terms(&chars[s..e].iter().collect::<String>()))
                .collect();
        }
        let parts: Vec<String> = ranges
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect();
        if parts.is_empty() {
            return Vec::new();
        }
        let mut term = Term {
            parts,
            stem: None,
            english: None,
            keys: Vec::new(),
        };
        if is_arabic(unit) {
            let stem = arabic_stem(unit);
            if stem != unit {
                term.stem = Some(stem.to_owned());
            }
            if let Some(k) = arabic_key(stem) {
                push_unique(&mut term.keys, format!("1{k}"));
            }
        } else {
            term.english = english_query_stem(unit).map(str::to_owned);
            // Arabic words; and Latin ones when one side writes a digit letter («marhaba»
            // finds «mar7aba» and the other way), never English by English.
            let other_latin = if has_digit_letter(unit) { '1' } else { '2' };
            for k in latin_keys(unit) {
                push_unique(&mut term.keys, format!("0{k}"));
                push_unique(&mut term.keys, format!("{other_latin}{k}"));
            }
        }
        vec![term]
    }

    /// The FTS5 expression.
    pub(crate) fn fts(&self, matching: Matching) -> String {
        let mut groups = Vec::new();
        for t in &self.terms {
            let exact = t
                .parts
                .iter()
                .map(|p| format!("body:{}*", quoted(p)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let mut alts = vec![if t.parts.len() > 1 {
                format!("({exact})")
            } else {
                exact
            }];
            if matching == Matching::All {
                if let Some(stem) = &t.stem {
                    alts.push(format!("body:{}", quoted(stem)));
                }
                let stem = t.stem.as_ref().unwrap_or(&t.parts[0]);
                if is_arabic(stem) {
                    alts.push(format!("stems:{}", quoted(stem)));
                }
                if let Some(english) = &t.english {
                    alts.push(format!("body:{}*", quoted(english)));
                }
                for k in &t.keys {
                    alts.push(format!("sounds:{}", quoted(k)));
                }
            }
            groups.push(format!("({})", alts.join(" OR ")));
        }
        for phrase in &self.phrases {
            groups.push(format!("body:{}", quoted(&phrase.join(" "))));
        }
        groups.join(" AND ")
    }

    /// How well a normalized word of a text matches a term, if at all.
    fn word_match(t: &Term, word: &str, matching: Matching) -> Option<Matched> {
        if t.parts.len() == 1 && word.starts_with(t.parts[0].as_str()) {
            return Some(Matched::Exact);
        }
        if matching == Matching::ExactOnly {
            return None;
        }
        if let Some(stem) = &t.stem
            && word == stem
        {
            return Some(Matched::Stem);
        }
        let stem = t.stem.as_deref().unwrap_or(&t.parts[0]);
        if is_arabic(stem) && is_arabic(word) && arabic_stem(word) == stem {
            return Some(Matched::Stem);
        }
        if let Some(english) = &t.english
            && word.starts_with(english.as_str())
        {
            return Some(Matched::Stem);
        }
        if !t.keys.is_empty() {
            let keys: Vec<String> = if is_arabic(word) {
                arabic_key(arabic_stem(word))
                    .map(|k| format!("0{k}"))
                    .into_iter()
                    .collect()
            } else {
                let digits = has_digit_letter(word);
                latin_keys(word)
                    .into_iter()
                    .flat_map(|k| {
                        let with_digits = digits.then(|| format!("2{k}"));
                        std::iter::once(format!("1{k}")).chain(with_digits)
                    })
                    .collect()
            };
            if t.keys.iter().any(|k| keys.iter().any(|w| w == k)) {
                return Some(Matched::Sound);
            }
        }
        None
    }

    /// How `text` matches: `None` when a quoted phrase is not in it as written; otherwise the
    /// weakest of its terms' best matches, and the char ranges of the normalized text that
    /// matched.
    fn judge(&self, norm: &[char], matching: Matching) -> Option<(Matched, Vec<(usize, usize)>)> {
        let ranges = word_ranges(norm);
        let text_words: Vec<String> = ranges
            .iter()
            .map(|&(s, e)| norm[s..e].iter().collect())
            .collect();
        let mut marked = Vec::new();
        let mut weakest = Matched::Exact;
        for t in &self.terms {
            let mut best: Option<Matched> = None;
            if t.parts.len() > 1 {
                // «sh3'l»: its parts in a row, or its key.
                for i in 0..text_words.len() {
                    let n = t.parts.len();
                    if i + n <= text_words.len()
                        && t.parts
                            .iter()
                            .zip(&text_words[i..i + n])
                            .all(|(p, w)| w.starts_with(p.as_str()))
                    {
                        best = Some(Matched::Exact);
                        marked.push((ranges[i].0, ranges[i + n - 1].1));
                    }
                }
            }
            for (w, &range) in text_words.iter().zip(&ranges) {
                if let Some(m) = Self::word_match(t, w, matching) {
                    best = Some(best.map_or(m, |b| b.min(m)));
                    marked.push(range);
                }
            }
            // A term the index matched that this reading does not see (FTS5's tokenizer cuts
            // some scripts otherwise) still counts, as the weakest kind.
            weakest = weakest.max(best.unwrap_or(Matched::Sound));
        }
        for phrase in &self.phrases {
            let n = phrase.len();
            let mut found = false;
            for i in 0..text_words.len() {
                if i + n <= text_words.len() && text_words[i..i + n] == phrase[..] {
                    found = true;
                    marked.push((ranges[i].0, ranges[i + n - 1].1));
                }
            }
            if !found {
                return None;
            }
        }
        Some((weakest, marked))
    }
}

/// A snippet of `text` around the marked char ranges of its normalized form, in the original
/// spelling (through the normalized text's offsets).
fn snippet_of(text: &str, offsets: &[usize], marked: Vec<(usize, usize)>) -> Snippet {
    const CONTEXT: usize = 60;
    let to_byte = |i: usize| offsets.get(i).copied().unwrap_or(text.len());
    let mut ranges: Vec<(usize, usize)> = marked
        .into_iter()
        .map(|(s, e)| (to_byte(s), to_byte(e)))
        .filter(|(s, e)| s < e)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    // A window around the first match.
    let first = merged.first().map_or(0, |r| r.0);
    let mut win_start = first.saturating_sub(CONTEXT);
    while !text.is_char_boundary(win_start) {
        win_start -= 1;
    }
    let mut win_end = (first + CONTEXT * 3).min(text.len());
    while !text.is_char_boundary(win_end) {
        win_end += 1;
    }
    let mut parts = Vec::new();
    if win_start > 0 {
        parts.push(("…".to_owned(), false));
    }
    let mut at = win_start;
    for (s, e) in merged
        .into_iter()
        .filter(|r| r.0 >= win_start && r.0 < win_end)
    {
        if s > at {
            parts.push((text[at..s].to_owned(), false));
        }
        let e = e.min(win_end);
        parts.push((text[s..e].to_owned(), true));
        at = e;
    }
    if at < win_end {
        parts.push((text[at..win_end].to_owned(), false));
    }
    if win_end < text.len() {
        parts.push(("…".to_owned(), false));
    }
    Snippet { parts }
}

/// A snippet of `text` around the matches of `query`, matches marked, in the original
/// spelling.
pub fn snippet(text: &str, query: &str) -> Snippet {
    let (norm, offsets) = normalize_with_offsets(text);
    let chars: Vec<char> = norm.chars().collect();
    let marked = Plan::parse(query)
        .and_then(|p| p.judge(&chars, Matching::All))
        .map(|(_, m)| m)
        .unwrap_or_default();
    snippet_of(text, &offsets, marked)
}

/// How many of the newest matches of each kind are ranked.
const CANDIDATES: i64 = 200;

/// The BM25 weights of `body`, `stems` and `sounds`.
const WEIGHTS: &str = "10.0, 4.0, 1.0";

impl Store {
    /// Full-text search over messages, contact names and notes, in every form a word may be
    /// written in (see the module's documentation).
    pub async fn search(&self, query: &str, filter: &SearchFilter) -> Result<Vec<SearchHit>> {
        self.search_with(query, filter, Matching::All).await
    }

    /// [`Store::search`] with the kinds of match chosen. Messages and notes are ranked among
    /// their most recent `CANDIDATES` matches: FTS5 walks its index newest first and stops
    /// there, so a word that matches a fifth of a million messages costs no more than a
    /// rare one. Best matches first, each with a snippet in the original text.
    pub async fn search_with(
        &self,
        query: &str,
        filter: &SearchFilter,
        matching: Matching,
    ) -> Result<Vec<SearchHit>> {
        let Some(plan) = Plan::parse(query) else {
            return Ok(Vec::new());
        };
        // The exact forms first, then every form: the newest candidates of every form could
        // crowd out an exact match older than them. When the exact forms alone fill the
        // page, the others (ranked after them) are not asked for.
        let every = plan.fts(matching);
        let exact = plan.fts(Matching::ExactOnly);
        let queries = if matching == Matching::All && exact != every {
            vec![&exact, &every]
        } else {
            vec![&every]
        };
        let limit = i64::from(if filter.limit == 0 { 50 } else { filter.limit });
        let conversation_filtered = filter.channel.is_some()
            || filter.status.is_some()
            || filter.assignee.is_some()
            || filter.label.is_some()
            || filter.within.is_some();
        let push_filters = |q: &mut QueryBuilder<Sqlite>| {
            push_conversation_filters(
                q,
                &filter.channel,
                &filter.status,
                &filter.assignee,
                &filter.label,
            );
            if let Some(within) = &filter.within {
                push_list_filter(q, within);
            }
        };
        let dated = filter.from.is_some() || filter.to.is_some();
        let mut hits = Vec::new();

        // Messages and notes: the same query over their own index and table. The index
        // keeps each row's conversation and time, so rows are read only for the candidates.
        for (kind, index, table) in [
            (SearchKind::Message, "search_messages", "messages"),
            (SearchKind::Note, "search_notes", "notes"),
        ] {
            let mut ranked: Vec<(i64, f64)> = Vec::new();
            for fts in queries.iter().copied() {
                let mut q = QueryBuilder::<Sqlite>::new(format!(
                    "SELECT rowid, bm25({index}, {WEIGHTS}) FROM {index} WHERE {index} MATCH "
                ));
                q.push_bind(fts);
                if conversation_filtered {
                    q.push(format!(
                        " AND +{index}.conv IN (SELECT c.id FROM conversations c INDEXED BY conversations_filters WHERE 1 = 1"
                    ));
                    push_filters(&mut q);
                    q.push(")");
                }
                if let Some(from) = filter.from {
                    q.push(format!(" AND +{index}.at >= ")).push_bind(from);
                }
                if let Some(to) = filter.to {
                    q.push(format!(" AND +{index}.at < ")).push_bind(to);
                }
                q.push(" ORDER BY rowid DESC LIMIT ").push_bind(CANDIDATES);
                for hit in q
                    .build_query_as::<(i64, f64)>()
                    .fetch_all(self.pool())
                    .await?
                {
                    if !ranked.iter().any(|r| r.0 == hit.0) {
                        ranked.push(hit);
                    }
                }
                if ranked.len() as i64 >= limit {
                    break;
                }
            }
            if ranked.is_empty() {
                continue;
            }
            let ranks: std::collections::HashMap<i64, f64> = ranked.iter().copied().collect();
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT rowid, id, conversation_id, created_at, data FROM {table} WHERE rowid IN ("
            ));
            let mut list = q.separated(", ");
            for (rowid, _) in &ranked {
                list.push_bind(*rowid);
            }
            q.push(")");
            for row in q.build().fetch_all(self.pool()).await? {
                let data = row.get::<&str, _>(4);
                let text = match kind {
                    SearchKind::Message => serde_json::from_str::<Message>(data)?
                        .content
                        .search_text()
                        .unwrap_or_default(),
                    _ => serde_json::from_str::<Note>(data)?.body,
                };
                let (norm, offsets) = normalize_with_offsets(&text);
                let chars: Vec<char> = norm.chars().collect();
                let Some((matched, marked)) = plan.judge(&chars, matching) else {
                    continue;
                };
                hits.push(SearchHit {
                    kind,
                    id: row.get(1),
                    conversation_id: Some(row.get(2)),
                    snippet: snippet_of(&text, &offsets, marked),
                    matched,
                    rank: ranks
                        .get(&row.get::<i64, _>(0))
                        .copied()
                        .unwrap_or_default(),
                    at: Some(row.get(3)),
                });
            }
        }

        // Contacts (not dated; filtered through their conversations)
        if !dated {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT p.id, p.data, bm25(search_contacts, {WEIGHTS}) AS rank,
                    (SELECT c.id FROM conversations c WHERE c.contact_id = p.id ORDER BY c.last_message_at DESC LIMIT 1)
                 FROM search_contacts JOIN contacts p ON p.rowid = search_contacts.rowid
                 WHERE search_contacts MATCH "
            ));
            q.push_bind(&every);
            if conversation_filtered {
                q.push(" AND EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = p.id");
                push_filters(&mut q);
                q.push(")");
            }
            q.push(" ORDER BY rank LIMIT ").push_bind(limit);
            for row in q.build().fetch_all(self.pool()).await? {
                let contact: Contact = serde_json::from_str(row.get::<&str, _>(1))?;
                let text = contact_text(&contact);
                let (norm, offsets) = normalize_with_offsets(&text);
                let chars: Vec<char> = norm.chars().collect();
                let Some((matched, marked)) = plan.judge(&chars, matching) else {
                    continue;
                };
                // The name; the phone too when it is what matched.
                let name = snippet(&contact.name, query);
                let snippet = if name.parts.iter().any(|(_, hit)| *hit) {
                    name
                } else {
                    snippet_of(&text, &offsets, marked)
                };
                hits.push(SearchHit {
                    kind: SearchKind::Contact,
                    id: row.get(0),
                    conversation_id: row.get(3),
                    snippet,
                    matched,
                    rank: row.get(2),
                    at: None,
                });
            }
        }

        hits.sort_by(|a, b| a.matched.cmp(&b.matched).then(a.rank.total_cmp(&b.rank)));
        hits.truncate(limit as usize);
        Ok(hits)
    }
}

/// Empties the search indexes. Emptied row by row a full-text index only marks its rows
/// deleted; `delete-all` drops their words too.
pub(crate) async fn empty_indexes(tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
    for index in ["search_messages", "search_contacts", "search_notes"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {index} ({index}) VALUES ('delete-all')"
        )))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Indexes contacts, each under the rowid of its row.
pub(crate) async fn index_contacts(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[(i64, &Contact)],
) -> Result<()> {
    for chunk in rows.chunks(WRITE_BATCH) {
        let bodies: Vec<(i64, Indexed)> = chunk
            .iter()
            .map(|(rowid, c)| (*rowid, indexed(&contact_text(c))))
            .collect();
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO search_contacts (rowid, body, stems, sounds) ",
        );
        q.push_values(&bodies, |mut b, (rowid, i)| {
            b.push_bind(*rowid)
                .push_bind(&i.body)
                .push_bind(&i.stems)
                .push_bind(&i.sounds);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Indexes messages that have text, each under the rowid of its row, with its conversation
/// and time.
pub(crate) async fn index_messages(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[(i64, &Message)],
) -> Result<()> {
    let bodies: Vec<(i64, &Message, Indexed)> = rows
        .iter()
        .filter_map(|(rowid, m)| Some((*rowid, *m, indexed(&m.content.search_text()?))))
        .collect();
    for chunk in bodies.chunks(WRITE_BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO search_messages (rowid, body, stems, sounds, conv, at) ",
        );
        q.push_values(chunk, |mut b, (rowid, m, i)| {
            b.push_bind(*rowid)
                .push_bind(&i.body)
                .push_bind(&i.stems)
                .push_bind(&i.sounds)
                .push_bind(&m.conversation_id)
                .push_bind(m.created_at);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Indexes a note under the rowid of its row, with its conversation and time.
pub(crate) async fn index_note(
    tx: &mut Transaction<'_, Sqlite>,
    rowid: i64,
    n: &Note,
) -> Result<()> {
    let i = indexed(&n.body);
    sqlx::query(
        "INSERT INTO search_notes (rowid, body, stems, sounds, conv, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(rowid)
    .bind(&i.body)
    .bind(&i.stems)
    .bind(&i.sounds)
    .bind(&n.conversation_id)
    .bind(n.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rows per multi-row insert (six values each, well under SQLite's bound parameters).
const WRITE_BATCH: usize = 1000;

/// The format of the search indexes; another one is filled again from the cached rows.
const SEARCH_FORMAT: &str = "2";
const SEARCH_FORMAT_KEY: &str = "search.format";
/// How far a refill has come (a message rowid), so one stopped part-way goes on from there.
const REFILL_KEY: &str = "search.refilled_to";

impl Store {
    /// Fills the search indexes from the cached rows when they were built another way
    /// (migration 0009 emptied them): contacts and notes at once, messages in batches, each
    /// batch committed with how far it came. True when it did.
    pub(crate) async fn settle_search(&self) -> Result<bool> {
        if self.meta(SEARCH_FORMAT_KEY).await?.as_deref() == Some(SEARCH_FORMAT) {
            return Ok(false);
        }
        let started = std::time::Instant::now();
        let mut from: i64 = match self.meta(REFILL_KEY).await? {
            Some(at) => at.parse().unwrap_or(0),
            None => {
                let mut tx = self.write_tx().await?;
                empty_indexes(&mut tx).await?;
                let contacts: Vec<(i64, String)> =
                    sqlx::query_as("SELECT rowid, data FROM contacts")
                        .fetch_all(&mut *tx)
                        .await?;
                let contacts = contacts
                    .iter()
                    .map(|(rowid, data)| Ok((*rowid, serde_json::from_str::<Contact>(data)?)))
                    .collect::<Result<Vec<_>>>()?;
                let rows: Vec<(i64, &Contact)> = contacts.iter().map(|(r, c)| (*r, c)).collect();
                index_contacts(&mut tx, &rows).await?;
                let notes: Vec<(i64, String)> = sqlx::query_as("SELECT rowid, data FROM notes")
                    .fetch_all(&mut *tx)
                    .await?;
                for (rowid, data) in notes {
                    index_note(&mut tx, rowid, &serde_json::from_str(&data)?).await?;
                }
                crate::apply::set_meta(&mut tx, REFILL_KEY, "0").await?;
                tx.commit().await?;
                0
            }
        };
        let mut messages = 0usize;
        loop {
            let mut tx = self.write_tx().await?;
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT rowid, data FROM messages WHERE rowid > ? ORDER BY rowid LIMIT 2000",
            )
            .bind(from)
            .fetch_all(&mut *tx)
            .await?;
            let Some(&(last, _)) = rows.last() else {
                crate::apply::set_meta(&mut tx, SEARCH_FORMAT_KEY, SEARCH_FORMAT).await?;
                sqlx::query("DELETE FROM meta WHERE key = ?")
                    .bind(REFILL_KEY)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                break;
            };
            let messages_read = rows
                .iter()
                .map(|(rowid, data)| Ok((*rowid, serde_json::from_str::<Message>(data)?)))
                .collect::<Result<Vec<_>>>()?;
            let batch: Vec<(i64, &Message)> = messages_read.iter().map(|(r, m)| (*r, m)).collect();
            index_messages(&mut tx, &batch).await?;
            crate::apply::set_meta(&mut tx, REFILL_KEY, &last.to_string()).await?;
            tx.commit().await?;
            messages += rows.len();
            from = last;
        }
        tracing::info!(
            messages,
            ms = started.elapsed().as_millis() as u64,
            "search indexes filled for stemming and Arabizi"
        );
        Ok(true)
    }
}

/// What a contact's index holds: the name and the phone.
pub(crate) fn contact_text(c: &Contact) -> String {
    let mut body = c.name.clone();
    if let Some(phone) = &c.phone {
        body.push(' ');
        body.push_str(phone);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_in_the_original_spelling() {
        let s = snippet("أَهْلاً وسهلاً بكم في متجر الإلكترونيات", "اهلا الالكترونيات");
        assert_eq!(s.marked(), "[[أَهْلاً]] وسهلاً بكم في متجر [[الإلكترونيات]]");
        let s = snippet("Order ١٢٣٤٥ is READY", "12345 ready");
        assert_eq!(s.marked(), "Order [[١٢٣٤٥]] is [[READY]]");
        let s = snippet("nothing here", "zz");
        assert_eq!(s.marked(), "nothing here");
    }

    #[test]
    fn snippets_mark_stemmed_and_arabizi_matches() {
        assert_eq!(
            snippet("وين وصل بالطلب حقي؟", "طلب").marked(),
            "وين وصل [[بالطلب]] حقي؟"
        );
        assert_eq!(
            snippet("hala, 3ndi talab ma wosal", "طلب").marked(),
            "hala, 3ndi [[talab]] ma wosal"
        );
        assert_eq!(
            snippet("مرحبا، عندي سؤال", "mar7aba").marked(),
            "[[مرحبا]]، عندي سؤال"
        );
        assert_eq!(
            snippet("ابي اغير الsize", "size").marked(),
            "ابي اغير ال[[size]]"
        );
    }

    #[test]
    fn the_index_holds_stems_and_keys() {
        let i = indexed("وطلبي ما وصل، 3ndi so2al about the الsize");
        assert_eq!(i.body, "وطلبي ما وصل 3ndi so2al about the ال size");
        assert_eq!(i.stems, "طلب");
        assert!(i.sounds.split(' ').any(|k| k == "0tlb"), "{}", i.sounds);
        assert!(i.sounds.split(' ').any(|k| k == "1end"), "{}", i.sounds);
        // Latin words that cannot be Arabizi, or are too short, have no key.
        assert!(!i.sounds.split(' ').any(|k| k == "1z"), "{}", i.sounds);
    }

    #[test]
    fn queries_become_fts_expressions() {
        let p = Plan::parse("مَرْحَبًا Wor\"ld").unwrap();
        assert_eq!(
            p.fts(Matching::ExactOnly),
            "(body:\"مرحبا\"*) AND (body:\"wor\"*) AND (body:\"ld\"*)"
        );
        assert_eq!(Plan::parse("  ,. "), None);
        let p = Plan::parse("NEAR(a b) OR c*").unwrap();
        assert_eq!(
            p.fts(Matching::ExactOnly),
            "(body:\"near\"*) AND (body:\"a\"*) AND (body:\"b\"*) AND (body:\"or\"*) AND (body:\"c\"*)"
        );
        let p = Plan::parse("بالطلبات").unwrap();
        assert_eq!(
            p.fts(Matching::All),
            "(body:\"بالطلبات\"* OR body:\"طلب\" OR stems:\"طلب\" OR sounds:\"1tlb\")"
        );
        let p = Plan::parse("\"ما وصل\" orders").unwrap();
        assert_eq!(
            p.fts(Matching::All),
            "(body:\"orders\"* OR body:\"order\"*) AND body:\"ما وصل\""
        );
    }
}
