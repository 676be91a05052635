//! Search relevance on `tests/fixtures/search-relevance.json`: Gulf-style customer messages in
//! Arabic, English, Arabizi and mixed, and queries labelled by meaning. A message is relevant
//! to a query when it holds all of the query's concepts. Recall and precision of the top 50
//! message hits, before (the normalized word as a prefix, as search was) and after (stems,
//! Arabizi, phrases), by kind of query; then the queries still missed.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::json;
use stepup_protocol::{Change, ChangeOp, EntityKind};
use stepup_store::{DbKey, Matching, SearchFilter, SearchKind, Store};

use crate::typed;

#[derive(Deserialize)]
pub struct Set {
    pub messages: Vec<Item>,
    pub queries: Vec<Query>,
}

#[derive(Deserialize)]
pub struct Item {
    pub id: String,
    pub channel: String,
    pub text: String,
    pub concepts: Vec<String>,
}

#[derive(Deserialize)]
pub struct Query {
    pub q: String,
    pub kind: String,
    pub concepts: Vec<String>,
}

pub fn load() -> Set {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/search-relevance.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("relevance set")).expect("json")
}

impl Set {
    /// The ids relevant to `query`.
    pub fn relevant(&self, query: &Query) -> HashSet<&str> {
        self.messages
            .iter()
            .filter(|m| query.concepts.iter().all(|c| m.concepts.contains(c)))
            .map(|m| m.id.as_str())
            .collect()
    }

    /// A cache holding the set's messages, one conversation per channel.
    pub async fn cache(&self, dir: &std::path::Path) -> Store {
        let store = Store::open(&dir.join("relevance.db"), &DbKey::from_bytes([4; 32]))
            .await
            .expect("open");
        let mut page = Vec::new();
        let mut seq = 0u64;
        let channels: Vec<&str> = {
            let mut c: Vec<&str> = self.messages.iter().map(|m| m.channel.as_str()).collect();
            c.sort_unstable();
            c.dedup();
            c
        };
        for channel in &channels {
            seq += 1;
            page.push(Change {
                seq,
                at: 0,
                entity: EntityKind::Conversation,
                id: format!("cnv_{channel}"),
                op: ChangeOp::Upsert,
                data: Some(typed(EntityKind::Conversation, json!({
                    "id": format!("cnv_{channel}"), "contact_id": format!("ctc_{channel}"), "channel": channel,
                    "status": "open", "labels": [], "priority": "normal", "created_at": 0,
                    "last_message_at": 0, "unread_count": 0,
                    "reply_window": { "free_text_until": null, "templates_allowed": false }
                }))),
            });
        }
        for (i, m) in self.messages.iter().enumerate() {
            seq += 1;
            page.push(Change {
                seq,
                at: 0,
                entity: EntityKind::Message,
                id: m.id.clone(),
                op: ChangeOp::Upsert,
                data: Some(typed(EntityKind::Message, json!({
                    "id": m.id, "conversation_id": format!("cnv_{}", m.channel), "direction": "inbound",
                    "content": { "type": "text", "text": m.text }, "status": "received",
                    "created_at": 1_760_000_000_000_i64 + i as i64 * 60_000
                }))),
            });
        }
        store
            .apply_page(&page, &seq.to_string(), true)
            .await
            .expect("apply");
        store
    }
}

/// The message ids `query` finds in the top 50.
pub async fn found(store: &Store, query: &str, matching: Matching) -> Vec<String> {
    let filter = SearchFilter {
        limit: 50,
        ..Default::default()
    };
    store
        .search_with(query, &filter, matching)
        .await
        .expect("search")
        .into_iter()
        .filter(|h| h.kind == SearchKind::Message)
        .map(|h| h.id)
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    queries: usize,
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, found: &[String], relevant: &HashSet<&str>) {
        let tp = found
            .iter()
            .filter(|id| relevant.contains(id.as_str()))
            .count();
        self.queries += 1;
        self.tp += tp;
        self.fp += found.len() - tp;
        self.fn_ += relevant.len() - tp;
    }

    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }

    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
}

pub async fn relevance() {
    let set = load();
    println!(
        "\n## relevance: {} messages, {} queries labelled by meaning (tests/fixtures/search-relevance.json), top 50 message hits",
        set.messages.len(),
        set.queries.len()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let store = set.cache(dir.path()).await;
    let mut by_kind: BTreeMap<&str, [Counts; 2]> = BTreeMap::new();
    let mut total = [Counts::default(); 2];
    let mut missed = Vec::new();
    for q in &set.queries {
        let relevant = set.relevant(q);
        let entry = by_kind.entry(q.kind.as_str()).or_default();
        for (i, matching) in [Matching::ExactOnly, Matching::All].into_iter().enumerate() {
            let found = found(&store, &q.q, matching).await;
            if std::env::var("STEPUP_DEBUG_QUERY").is_ok_and(|d| d == q.q) {
                println!("{:?}: found {found:?} relevant {relevant:?}", matching);
            }
            entry[i].add(&found, &relevant);
            total[i].add(&found, &relevant);
            if matching == Matching::All {
                let hits = found
                    .iter()
                    .filter(|id| relevant.contains(id.as_str()))
                    .count();
                if hits < relevant.len() || hits < found.len() {
                    missed.push((q, relevant.len() - hits, found.len() - hits, relevant.len()));
                }
            }
        }
    }
    println!(
        "  {:<18} {:>7}   {:>15}   {:>15}",
        "kind", "queries", "recall b → a", "precision b → a"
    );
    let line = |name: &str, c: &[Counts; 2]| {
        println!(
            "  {name:<18} {:>7}   {:>6.3} → {:>5.3}   {:>6.3} → {:>5.3}",
            c[0].queries,
            c[0].recall(),
            c[1].recall(),
            c[0].precision(),
            c[1].precision()
        );
    };
    for (kind, c) in &by_kind {
        line(kind, c);
    }
    line("all (micro)", &total);
    println!("  the hardest queries after: missed of relevant, and wrong hits");
    missed.sort_by_key(|m| std::cmp::Reverse(m.1 + m.2));
    for (q, miss, wrong, relevant) in missed.iter().take(25) {
        println!(
            "    {:<28} [{}] missed {miss} of {relevant}, {wrong} wrong",
            q.q, q.kind
        );
    }
    store.close().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the labelled set: every relevant message the search found before stemming and
    /// Arabizi is still found, and recall and precision stay where the benchmark measured them.
    #[tokio::test]
    async fn nothing_found_before_is_lost_and_recall_rises() {
        let set = load();
        assert!(set.queries.len() >= 200 && set.messages.len() >= 400);
        let dir = tempfile::tempdir().unwrap();
        let store = set.cache(dir.path()).await;
        let mut total = [Counts::default(); 2];
        let mut phrases = Counts::default();
        for q in &set.queries {
            let relevant = set.relevant(q);
            let before = found(&store, &q.q, Matching::ExactOnly).await;
            let after = found(&store, &q.q, Matching::All).await;
            for id in before.iter().filter(|id| relevant.contains(id.as_str())) {
                assert!(after.contains(id), "{}: {id} was found before", q.q);
            }
            total[0].add(&before, &relevant);
            total[1].add(&after, &relevant);
            if q.kind == "phrase" {
                phrases.add(&after, &relevant);
            }
        }
        assert!(total[0].recall() < 0.4, "before: {}", total[0].recall());
        assert!(total[1].recall() >= 0.72, "recall {}", total[1].recall());
        assert!(
            total[1].precision() >= 0.8,
            "precision {}",
            total[1].precision()
        );
        assert_eq!((phrases.recall(), phrases.precision()), (1.0, 1.0));
        store.close().await;
        // Its database threads gone before the process exits.
        assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
    }
}
