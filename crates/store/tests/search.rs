//! Search as customers and agents write: light stemming, Arabizi, quoted phrases, filters,
//! on real SQLCipher files.

mod common;

use common::{change, finish};
use serde_json::json;
use stepup_protocol::{Channel, ConversationStatus, EntityKind};
use stepup_store::{ConversationFilter, DbKey, Matched, Matching, SearchFilter, SearchKind, Store};

/// A cache holding `texts`, message `m<i>` in conversation `c<i % 3>` (WhatsApp open,
/// Instagram pending, Telegram resolved) at time `i * 1000`, and the contacts given.
async fn cache(dir: &std::path::Path, texts: &[&str], contacts: &[&str]) -> Store {
    let store = Store::open(&dir.join("cache.db"), &DbKey::from_bytes([3; 32]))
        .await
        .unwrap();
    let mut page = Vec::new();
    let mut seq = 0;
    let mut next = || {
        seq += 1;
        seq
    };
    for (i, (channel, status)) in [
        ("whatsapp", "open"),
        ("instagram", "pending"),
        ("telegram", "resolved"),
    ]
    .into_iter()
    .enumerate()
    {
        page.push(change(next(), EntityKind::Conversation, &format!("c{i}"), json!({
            "id": format!("c{i}"), "contact_id": format!("p{i}"), "channel": channel, "status": status,
            "assignee_agent_id": null, "labels": [], "priority": "normal", "created_at": 0,
            "last_message_at": 0, "unread_count": 0,
            "reply_window": { "free_text_until": null, "templates_allowed": false }
        })));
    }
    for (i, name) in contacts.iter().enumerate() {
        page.push(change(
            next(),
            EntityKind::Contact,
            &format!("p{i}"),
            json!({
                "id": format!("p{i}"), "name": name, "identities": [], "created_at": 1
            }),
        ));
    }
    for (i, text) in texts.iter().enumerate() {
        page.push(change(next(), EntityKind::Message, &format!("m{i}"), json!({
            "id": format!("m{i}"), "conversation_id": format!("c{}", i % 3), "direction": "inbound",
            "content": { "type": "text", "text": text }, "status": "received",
            "created_at": i as i64 * 1000
        })));
    }
    store
        .apply_page(&page, &seq.to_string(), true)
        .await
        .unwrap();
    store
}

async fn ids(store: &Store, query: &str) -> Vec<String> {
    ids_in(store, query, &SearchFilter::default()).await
}

async fn ids_in(store: &Store, query: &str, filter: &SearchFilter) -> Vec<String> {
    let mut out: Vec<String> = store
        .search(query, filter)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.kind == SearchKind::Message)
        .map(|h| h.id)
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_word_is_found_with_its_article_conjunctions_and_endings_exact_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = cache(
        dir.path(),
        &[
            "وين الطلب؟",             // m0
            "وطلبي ما وصل لين الحين", // m1
            "بخصوص بالطلب رقم 4821",  // m2
            "كم طلبات عندكم اليوم",   // m3
            "ابي طلب جديد",           // m4 exact
            "الطالب يسأل عن الدوام",  // m5 a student, not an order
            "ابي اغير المقاس",        // m6
        ],
        &[],
    )
    .await;
    // Before stemming, only the bare word (and words it begins) was found.
    let exact: Vec<String> = {
        let mut v: Vec<String> = store
            .search_with("طلب", &SearchFilter::default(), Matching::ExactOnly)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(exact, ["m3", "m4"]);
    assert_eq!(ids(&store, "طلب").await, ["m0", "m1", "m2", "m3", "m4"]);
    // A query with its own clitics and endings finds the same.
    assert_eq!(
        ids(&store, "بالطلبات").await,
        ["m0", "m1", "m2", "m3", "m4"]
    );
    // The exact form first, then the stemmed ones.
    let hits = store.search("طلب", &SearchFilter::default()).await.unwrap();
    assert_eq!(hits[0].matched, Matched::Exact);
    assert!(["m3", "m4"].contains(&hits[0].id.as_str()));
    assert_eq!(hits.last().unwrap().matched, Matched::Stem);
    // Short words survive: «ابي» is not «اب», the size is found as «مقاس».
    assert_eq!(ids(&store, "ابي").await, ["m4", "m6"]);
    assert_eq!(ids(&store, "مقاس").await, ["m6"]);
    finish(store).await;
}

#[tokio::test]
async fn arabizi_and_arabic_find_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = cache(
        dir.path(),
        &[
            "مرحبا، عندي سؤال عن طلبي",        // m0
            "hala, 3ndi talab ma wosal",       // m1
            "mar7aba 7abibi, shlonk?",         // m2
            "Hello, my order has not arrived", // m3
            "شكرا على التوصيل",                // m4
            "shukran ya 7elw",                 // m5
        ],
        &["محمد العلي", "Mohammed Saeed"],
    )
    .await;
    assert_eq!(ids(&store, "mar7aba").await, ["m0", "m2"]);
    assert_eq!(ids(&store, "marhaba").await, ["m0", "m2"]);
    assert_eq!(ids(&store, "مرحبا").await, ["m0", "m2"]);
    assert_eq!(ids(&store, "عندي").await, ["m0", "m1"]);
    assert_eq!(ids(&store, "3ndi").await, ["m0", "m1"]);
    assert_eq!(ids(&store, "talab").await, ["m0", "m1"]);
    assert_eq!(ids(&store, "shukran").await, ["m4", "m5"]);
    // English is not Arabizi of another English word.
    assert_eq!(ids(&store, "order").await, ["m3"]);
    // The Arabic spelling is first; the Arabizi one is marked in its snippet.
    let hits = store
        .search("مرحبا", &SearchFilter::default())
        .await
        .unwrap();
    assert_eq!(
        (hits[0].id.as_str(), hits[0].matched),
        ("m0", Matched::Exact)
    );
    assert_eq!(hits[1].matched, Matched::Sound);
    assert_eq!(hits[1].snippet.marked(), "[[mar7aba]] 7abibi, shlonk?");
    // Customers' names too.
    let names: Vec<String> = store
        .search("mohammed", &SearchFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.kind == SearchKind::Contact)
        .map(|h| h.snippet.marked())
        .collect();
    assert_eq!(names, ["[[Mohammed]] Saeed", "[[محمد]] العلي"]);
    finish(store).await;
}

#[tokio::test]
async fn a_quoted_phrase_finds_exactly_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let store = cache(
        dir.path(),
        &[
            "الطلب ما وصل",  // m0
            "وصل ما طلبت",   // m1: the words, another order
            "طلبي ما وصلني", // m2: another form
            "ما وَصَل الطلب",  // m3: harakat do not count
        ],
        &[],
    )
    .await;
    assert_eq!(ids(&store, "\"ما وصل\"").await, ["m0", "m3"]);
    assert_eq!(ids(&store, "ما وصل").await, ["m0", "m1", "m2", "m3"]);
    // A phrase and a word: both must be there.
    assert_eq!(ids(&store, "\"ما وصل\" طلب").await, ["m0", "m3"]);
    let hits = store
        .search("\"ما وصل\"", &SearchFilter::default())
        .await
        .unwrap();
    let m3 = hits.iter().find(|h| h.id == "m3").unwrap();
    assert_eq!(m3.snippet.marked(), "[[ما وَصَل]] الطلب");
    finish(store).await;
}

#[tokio::test]
async fn filters_dates_and_the_lists_view_narrow_every_kind_of_match() {
    let dir = tempfile::tempdir().unwrap();
    let texts: Vec<String> = (0..30)
        .map(|i| match i % 2 {
            0 => format!("الطلب رقم {i}"),
            _ => format!("6alabi number {i}"),
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let store = cache(dir.path(), &refs, &[]).await;
    let all = ids(&store, "طلب").await;
    assert_eq!(all.len(), 30);
    let wa = SearchFilter {
        channel: Some(Channel::Whatsapp),
        ..Default::default()
    };
    let found = ids_in(&store, "طلب", &wa).await;
    assert_eq!(found.len(), 10);
    assert!(
        found
            .iter()
            .all(|id| id[1..].parse::<usize>().unwrap() % 3 == 0)
    );
    let pending = SearchFilter {
        status: Some(ConversationStatus::Pending),
        from: Some(10_000),
        to: Some(20_000),
        ..Default::default()
    };
    assert_eq!(
        ids_in(&store, "طلب", &pending).await,
        ["m10", "m13", "m16", "m19"]
    );
    // A label (only the Instagram conversation carries it), alone and with a status.
    store
        .apply_page(
            &[change(99, EntityKind::Conversation, "c1", json!({
                "id": "c1", "contact_id": "p1", "channel": "instagram", "status": "pending",
                "assignee_agent_id": null, "labels": ["vip"], "priority": "normal", "created_at": 0,
                "last_message_at": 0, "unread_count": 0,
                "reply_window": { "free_text_until": null, "templates_allowed": false }
            }))],
            "99",
            true,
        )
        .await
        .unwrap();
    let vip = SearchFilter {
        label: Some("vip".into()),
        ..Default::default()
    };
    let found = ids_in(&store, "طلب", &vip).await;
    assert_eq!(found.len(), 10);
    assert!(
        found
            .iter()
            .all(|id| id[1..].parse::<usize>().unwrap() % 3 == 1)
    );
    let vip_open = SearchFilter {
        label: Some("vip".into()),
        status: Some(ConversationStatus::Open),
        ..Default::default()
    };
    assert!(ids_in(&store, "طلب", &vip_open).await.is_empty());
    // Within the list's view (here: Telegram conversations).
    let within = SearchFilter {
        within: Some(ConversationFilter {
            channel: Some(Channel::Telegram),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(ids_in(&store, "6alab", &within).await.len(), 10);
    // How far back a timeline must reach to show a result: c0 holds m0, m3, …, m27.
    assert_eq!(store.messages_from("c0", "m27").await.unwrap(), Some(1));
    assert_eq!(store.messages_from("c0", "m0").await.unwrap(), Some(10));
    assert_eq!(store.messages_from("c1", "m0").await.unwrap(), None);
    finish(store).await;
}

#[tokio::test]
async fn any_script_or_symbol_is_searched_without_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        "नमस्ते दुनिया",
        "สวัสดีครับ",
        "שָׁלוֹם עֲלֵיכֶם",
        "안녕하세요 주문",
        "x² ﬁle e\u{301}te",
        "😀 شكرا 👍🏽",
        "ﷺ ﷽ ﻻ",
        "C++ & a_b-c",
    ];
    let store = cache(dir.path(), &texts, &[]).await;
    for text in texts {
        for word in text.split(' ') {
            let found = store.search(word, &SearchFilter::default()).await;
            assert!(found.is_ok(), "{word}: {found:?}");
        }
    }
    assert_eq!(ids(&store, "नमस्ते").await, ["m0"]);
    assert_eq!(ids(&store, "주문").await, ["m3"]);
    assert_eq!(ids(&store, "شكرا").await, ["m5"]);
    finish(store).await;
}
