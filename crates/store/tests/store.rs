//! The encrypted cache on real SQLCipher files.

mod common;

use std::path::Path;

use common::{change, finish};
use serde_json::json;
use stepup_protocol::{Change, ChangeOp, EntityKind, SendMessageRequest};
use stepup_store::{
    ConversationFilter, DbKey, OutboxState, SearchFilter, SearchKind, Store, StoreError,
};

fn key(byte: u8) -> DbKey {
    DbKey::from_bytes([byte; 32])
}

fn conversation(
    id: &str,
    contact: &str,
    channel: &str,
    status: &str,
    assignee: Option<&str>,
    at: i64,
) -> serde_json::Value {
    json!({
        "id": id, "contact_id": contact, "channel": channel, "status": status,
        "assignee_agent_id": assignee, "labels": ["vip"], "priority": "normal",
        "created_at": at - 1000, "last_message_at": at, "unread_count": 1,
        "reply_window": { "free_text_until": null, "templates_allowed": false }
    })
}

fn message(id: &str, conv: &str, text: &str, at: i64) -> serde_json::Value {
    json!({
        "id": id, "conversation_id": conv, "direction": "inbound",
        "content": { "type": "text", "text": text }, "status": "received", "created_at": at
    })
}

fn contact(id: &str, name: &str) -> serde_json::Value {
    json!({ "id": id, "name": name, "phone": "+971501234567", "identities": [], "created_at": 1 })
}

fn page() -> Vec<Change> {
    vec![
        change(
            1,
            EntityKind::Contact,
            "ctc_1",
            contact("ctc_1", "فاطمة الزهراء"),
        ),
        change(
            2,
            EntityKind::Contact,
            "ctc_2",
            contact("ctc_2", "John Carter"),
        ),
        change(
            3,
            EntityKind::Conversation,
            "cnv_1",
            conversation("cnv_1", "ctc_1", "whatsapp", "open", Some("agt_1"), 3_000),
        ),
        change(
            4,
            EntityKind::Conversation,
            "cnv_2",
            conversation("cnv_2", "ctc_2", "instagram", "pending", None, 4_000),
        ),
        change(
            5,
            EntityKind::Message,
            "msg_1",
            message("msg_1", "cnv_1", "مَرْحَبًا، أُرِيدُ عِطْرَ العُود الفاخر", 2_000),
        ),
        change(
            6,
            EntityKind::Message,
            "msg_2",
            message(
                "msg_2",
                "cnv_2",
                "Hello, is the iPhone 16 in stock? طلب رقم ١٢٣٤٥",
                3_500,
            ),
        ),
        change(
            7,
            EntityKind::Note,
            "not_1",
            json!({
                "id": "not_1", "conversation_id": "cnv_1", "author_agent_id": "agt_1",
                "body": "Customer prefers delivery to Al Barsha", "mentions": [], "created_at": 2_500
            }),
        ),
        change(
            8,
            EntityKind::Label,
            "lbl_1",
            json!({ "id": "lbl_1", "name": "VIP", "color": "#f00" }),
        ),
    ]
}

async fn open(dir: &Path, k: &DbKey) -> Store {
    Store::open(&dir.join("cache.db"), k).await.unwrap()
}

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

#[tokio::test]
async fn data_is_encrypted_at_rest_including_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(7)).await;
    assert!(
        !store
            .cipher_version()
            .await
            .unwrap()
            .unwrap_or_default()
            .is_empty()
    );
    store.apply_page(&page(), "8", true).await.unwrap();
    // Look while the WAL still holds the pages, then after a checkpoint.
    for needle in [
        "مَرْحَبًا".as_bytes(),
        b"iPhone 16",
        "فاطمة".as_bytes(),
        b"John Carter",
        b"Al Barsha",
    ] {
        assert_eq!(
            files_contain(dir.path(), needle),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
    store.close().await;
    for needle in [
        "مرحبا".as_bytes(),
        b"iPhone",
        b"Carter",
        &[7u8; 32][..],
        b"0707070707070707",
    ] {
        assert_eq!(files_contain(dir.path(), needle), Vec::<String>::new());
    }
    // The plain-SQLite header is absent too.
    let head = std::fs::read(dir.path().join("cache.db")).unwrap();
    assert_ne!(&head[..15], b"SQLite format 3");
    assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_wrong_key_is_a_typed_error_and_leaves_the_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(1)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    store.close().await;
    let err = Store::open(&dir.path().join("cache.db"), &key(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert!(
        err.to_string()
            .contains("wipe the local cache and sync again")
    );
    let store = open(dir.path(), &key(1)).await;
    store.integrity_check().await.unwrap();
    assert_eq!(
        store
            .conversations(&ConversationFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
    finish(store).await;
}

#[tokio::test]
async fn a_garbage_file_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let err = Store::open(&path, &key(1)).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), vec![0x5a; 8192]);
    assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
}

#[tokio::test]
async fn pages_apply_atomically_with_their_cursor_and_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(3)).await;
    let cursor = store.sync_cursor().await.unwrap();
    assert_eq!((cursor.cursor.as_str(), cursor.bootstrapped), ("0", false));
    let applied = store.apply_page(&page(), "8", true).await.unwrap();
    assert_eq!(applied.new_messages.len(), 2);
    assert_eq!(
        applied.conversations,
        vec!["cnv_1".to_owned(), "cnv_2".to_owned()]
    );
    // Re-applying (as after a crash before the cursor moved) changes nothing.
    let again = store.apply_page(&page(), "8", true).await.unwrap();
    assert!(again.new_messages.is_empty());
    let counts: std::collections::HashMap<_, _> =
        store.counts().await.unwrap().into_iter().collect();
    assert_eq!(
        (
            counts["conversations"],
            counts["messages"],
            counts["contacts"],
            counts["notes"]
        ),
        (2, 2, 2, 1)
    );
    assert_eq!(store.sync_cursor().await.unwrap().cursor, "8");

    // A page the store cannot apply (malformed data is refused earlier, as the page is read;
    // an upsert without its data is what is left) rolls back whole: nothing of it, cursor
    // unchanged.
    let bad = vec![
        change(
            9,
            EntityKind::Message,
            "msg_3",
            message("msg_3", "cnv_1", "new", 5_000),
        ),
        Change {
            data: None,
            ..change(
                10,
                EntityKind::Label,
                "lbl_2",
                json!({ "id": "lbl_2", "name": "x", "color": "" }),
            )
        },
    ];
    assert!(matches!(
        store.apply_page(&bad, "10", true).await,
        Err(StoreError::Data(_))
    ));
    assert_eq!(store.sync_cursor().await.unwrap().cursor, "8");
    assert_eq!(store.messages("cnv_1", None, 50).await.unwrap().len(), 1);

    // Tombstones remove rows and their search entries.
    let delete = vec![Change {
        seq: 11,
        at: 0,
        entity: EntityKind::Message,
        id: "msg_1".into(),
        op: ChangeOp::Delete,
        data: None,
    }];
    store.apply_page(&delete, "11", true).await.unwrap();
    assert!(store.messages("cnv_1", None, 50).await.unwrap().is_empty());
    assert!(
        store
            .search("عطر", &SearchFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    finish(store).await;
}

#[tokio::test]
async fn conversation_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(4)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    let ids = |rows: Vec<stepup_store::ConversationRow>| {
        rows.into_iter()
            .map(|r| r.conversation.id)
            .collect::<Vec<_>>()
    };
    let all = store
        .conversations(&ConversationFilter::default())
        .await
        .unwrap();
    assert_eq!(all[0].contact_name.as_deref(), Some("John Carter"));
    assert_eq!(ids(all), ["cnv_2", "cnv_1"]);
    let f = |channel: Option<&str>,
             status: Option<&str>,
             assignee: Option<&str>,
             label: Option<&str>| ConversationFilter {
        channel: channel.map(|c| stepup_protocol::Channel::parse(c).unwrap()),
        status: status.map(|s| stepup_protocol::ConversationStatus::parse(s).unwrap()),
        assignee: assignee.map(|a| match a {
            "unassigned" => stepup_store::AssigneeFilter::Nobody,
            agent => stepup_store::AssigneeFilter::Agent(agent.into()),
        }),
        label: label.map(Into::into),
        ..Default::default()
    };
    assert_eq!(
        ids(store
            .conversations(&f(Some("whatsapp"), None, None, None))
            .await
            .unwrap()),
        ["cnv_1"]
    );
    assert_eq!(
        ids(store
            .conversations(&f(None, Some("pending"), None, None))
            .await
            .unwrap()),
        ["cnv_2"]
    );
    assert_eq!(
        ids(store
            .conversations(&f(None, None, Some("unassigned"), None))
            .await
            .unwrap()),
        ["cnv_2"]
    );
    assert_eq!(
        ids(store
            .conversations(&f(None, None, Some("agt_1"), Some("vip")))
            .await
            .unwrap()),
        ["cnv_1"]
    );
    assert!(
        store
            .conversations(&f(None, None, None, Some("nope")))
            .await
            .unwrap()
            .is_empty()
    );
    finish(store).await;
}

#[tokio::test]
async fn team_unread_and_waiting_longest_views() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(12)).await;
    let conv = |id: &str, team: &str, unread: u32, last_inbound: i64, last: i64| {
        let mut c = conversation(id, "ctc_1", "whatsapp", "open", None, last);
        c["assignee_team_id"] = json!(team);
        c["unread_count"] = json!(unread);
        c["last_inbound_at"] = json!(last_inbound);
        c
    };
    let changes = vec![
        change(1, EntityKind::Contact, "ctc_1", contact("ctc_1", "Aisha")),
        // Answered: the agent wrote last.
        change(
            2,
            EntityKind::Conversation,
            "cnv_a",
            conv("cnv_a", "tm_sales", 0, 1_000, 9_000),
        ),
        // Waiting since 5 000.
        change(
            3,
            EntityKind::Conversation,
            "cnv_b",
            conv("cnv_b", "tm_care", 2, 5_000, 5_000),
        ),
        // Waiting since 2 000: the longest.
        change(
            4,
            EntityKind::Conversation,
            "cnv_c",
            conv("cnv_c", "tm_sales", 1, 2_000, 2_000),
        ),
        change(
            5,
            EntityKind::Team,
            "tm_sales",
            json!({ "id": "tm_sales", "name": "المبيعات" }),
        ),
        change(
            6,
            EntityKind::Message,
            "msg_9",
            message("msg_9", "cnv_c", "hi", 2_000),
        ),
    ];
    store.apply_page(&changes, "6", true).await.unwrap();
    let ids = |f: ConversationFilter| {
        let store = &store;
        async move {
            store
                .conversations(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.conversation.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(ConversationFilter::default()).await,
        ["cnv_a", "cnv_b", "cnv_c"]
    );
    assert_eq!(
        ids(ConversationFilter {
            sort: stepup_store::ListSort::Waiting,
            ..Default::default()
        })
        .await,
        ["cnv_c", "cnv_b", "cnv_a"]
    );
    assert_eq!(
        ids(ConversationFilter {
            teams: vec!["tm_sales".into()],
            ..Default::default()
        })
        .await,
        ["cnv_a", "cnv_c"]
    );
    assert_eq!(
        ids(ConversationFilter {
            teams: vec!["tm_sales".into(), "tm_care".into()],
            unread_only: true,
            ..Default::default()
        })
        .await,
        ["cnv_b", "cnv_c"]
    );
    let teams: Vec<stepup_protocol::Team> = store.entities("team").await.unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].name, "المبيعات");
    let m = store.message("msg_9").await.unwrap().unwrap();
    assert_eq!(m.conversation_id, "cnv_c");
    assert!(store.message("msg_nope").await.unwrap().is_none());
    finish(store).await;
}

#[tokio::test]
async fn arabic_aware_search_with_filters_and_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(5)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    let any = SearchFilter::default();

    // No harakat in the query, another alef form, a prefix.
    let hits = store.search("مرحبا اريد العو", &any).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].kind, hits[0].id.as_str()),
        (SearchKind::Message, "msg_1")
    );
    assert_eq!(
        hits[0].snippet.marked(),
        "[[مَرْحَبًا]]، [[أُرِيدُ]] عِطْرَ [[العُود]] الفاخر"
    );

    // Arabic-Indic digits in the text, ASCII in the query; Latin case.
    let hits = store.search("12345 IPHONE", &any).await.unwrap();
    assert_eq!(
        hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        ["msg_2"]
    );

    // Contacts and notes.
    let hits = store.search("فاطمه", &any).await.unwrap();
    assert_eq!(
        (hits[0].kind, hits[0].conversation_id.as_deref()),
        (SearchKind::Contact, Some("cnv_1"))
    );
    let hits = store.search("barsha", &any).await.unwrap();
    assert_eq!(hits[0].kind, SearchKind::Note);

    // Filters.
    let wa = SearchFilter {
        channel: Some(stepup_protocol::Channel::Whatsapp),
        ..Default::default()
    };
    assert!(store.search("iphone", &wa).await.unwrap().is_empty());
    let dated = SearchFilter {
        from: Some(3_000),
        ..Default::default()
    };
    assert!(store.search("مرحبا", &dated).await.unwrap().is_empty());
    assert_eq!(store.search("iphone", &dated).await.unwrap().len(), 1);

    // Hostile queries are just words.
    for q in ["\"", "NEAR(", "* OR 1=1 --", "'); DROP TABLE messages; --"] {
        store.search(q, &any).await.unwrap();
    }
    assert_eq!(store.messages("cnv_2", None, 10).await.unwrap().len(), 1);
    finish(store).await;
}

#[tokio::test]
async fn outbox_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(6)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    let req = SendMessageRequest::Text {
        text: "أهلاً Fatima, order #4471 ships today".into(),
        reply_to_message_id: None,
        human_agent: false,
    };
    store
        .enqueue("loc_1", "idem_1", "cnv_1", &req, 10_000)
        .await
        .unwrap();
    store
        .enqueue("loc_2", "idem_2", "cnv_1", &req, 10_001)
        .await
        .unwrap();
    assert!(
        store
            .enqueue("loc_3", "idem_1", "cnv_1", &req, 10_002)
            .await
            .is_err(),
        "keys are unique"
    );
    assert_eq!(store.outbox_due(10_000).await.unwrap().len(), 1);
    assert_eq!(store.outbox_due(20_000).await.unwrap().len(), 2);

    store
        .outbox_retry_later("loc_1", 15_000, "server unavailable")
        .await
        .unwrap();
    assert_eq!(store.outbox_next_due().await.unwrap(), Some(10_001));
    store
        .outbox_failed("loc_2", "reply_window_closed")
        .await
        .unwrap();
    let due: Vec<_> = store
        .outbox_due(20_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.local_id)
        .collect();
    assert_eq!(due, ["loc_1"]);
    let failed = store.outbox_entry("loc_2").await.unwrap().unwrap();
    assert_eq!(
        (failed.state, failed.error.as_deref()),
        (OutboxState::Failed, Some("reply_window_closed"))
    );

    // Accepted: the cloud's message replaces the entry in one step.
    let sent: stepup_protocol::Message = serde_json::from_value(json!({
        "id": "msg_9", "conversation_id": "cnv_1", "direction": "outbound", "sender_agent_id": "agt_1",
        "content": { "type": "text", "text": "أهلاً Fatima, order #4471 ships today" }, "status": "sent", "created_at": 16_000
    })).unwrap();
    store.outbox_accepted("loc_1", &sent).await.unwrap();
    assert!(store.outbox_entry("loc_1").await.unwrap().is_none());
    assert_eq!(
        store
            .messages("cnv_1", None, 10)
            .await
            .unwrap()
            .last()
            .unwrap()
            .id,
        "msg_9"
    );

    // The feed told of the next reply before the POST answered: its status stands.
    store
        .enqueue("loc_4", "idem_4", "cnv_1", &req, 17_000)
        .await
        .unwrap();
    let mut answered: stepup_protocol::Message = serde_json::from_value(json!({
        "id": "msg_10", "conversation_id": "cnv_1", "direction": "outbound", "sender_agent_id": "agt_1",
        "content": { "type": "text", "text": "تم ✅" }, "status": "delivered", "created_at": 17_000
    })).unwrap();
    store
        .put_messages(std::slice::from_ref(&answered))
        .await
        .unwrap();
    answered.status = stepup_protocol::MessageStatus::Pending;
    store.outbox_accepted("loc_4", &answered).await.unwrap();
    assert!(store.outbox_entry("loc_4").await.unwrap().is_none());
    let last = store.messages("cnv_1", None, 10).await.unwrap();
    assert_eq!(
        (
            last.last().unwrap().id.as_str(),
            last.last().unwrap().status
        ),
        ("msg_10", stepup_protocol::MessageStatus::Delivered),
        "the POST's older copy does not overwrite the feed's"
    );

    assert!(store.outbox_retry_now("loc_2", 30_000).await.unwrap());
    assert_eq!(store.outbox_due(30_000).await.unwrap().len(), 1);
    assert!(store.outbox_discard("loc_2").await.unwrap());
    assert!(store.outbox().await.unwrap().is_empty());
    finish(store).await;
}

#[tokio::test]
async fn export_holds_everything_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(8)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    store
        .save_view("عاجل واتساب", r#"{"channel":"whatsapp","unread":true}"#, 7)
        .await
        .unwrap();
    let mut out = Vec::new();
    let n = store.export_json(&mut out, 42).await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(n, 9);
    assert_eq!(
        v["saved_views"],
        json!([{ "name": "عاجل واتساب", "query": { "channel": "whatsapp", "unread": true }, "saved_at": 7 }])
    );
    assert_eq!(v["format"], "stepup-export/1");
    assert_eq!(v["conversations"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["messages"][0]["content"]["text"],
        "مَرْحَبًا، أُرِيدُ عِطْرَ العُود الفاخر"
    );
    assert_eq!(v["reference"][0]["kind"], "label");
    assert_eq!(
        v["notes"][0]["body"],
        "Customer prefers delivery to Al Barsha"
    );
    finish(store).await;
}

#[tokio::test]
async fn conversations_by_id_latest_first_in_chunks_without_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(11)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    // More ids than one statement binds: unknown ones, and one known id twice.
    let mut ids: Vec<String> = (0..1_200).map(|i| format!("cnv_x{i}")).collect();
    ids.insert(3, "cnv_1".into());
    ids.push("cnv_2".into());
    ids.push("cnv_1".into());
    let rows = store.conversations_by_id(&ids).await.unwrap();
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.conversation.id.as_str(), r.contact_name.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("cnv_2", Some("John Carter")),
            ("cnv_1", Some("فاطمة الزهراء"))
        ]
    );
    finish(store).await;
}

#[tokio::test]
async fn saved_views_keep_their_place_take_new_filters_and_outlive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(10)).await;
    store
        .save_view("VIP", r#"{"label":"vip"}"#, 1)
        .await
        .unwrap();
    store
        .save_view("غير مقروءة", r#"{"unread":true}"#, 2)
        .await
        .unwrap();
    // Saving under a name that exists replaces its filters and keeps its place.
    store
        .save_view("VIP", r#"{"label":"vip","unread":true}"#, 3)
        .await
        .unwrap();
    // Not JSON: refused by the table, nothing changes.
    assert!(store.save_view("broken", "{not json", 4).await.is_err());
    assert!(!store.delete_view("broken").await.unwrap());
    finish(store).await;

    let store = open(dir.path(), &key(10)).await;
    let views = store.saved_views().await.unwrap();
    let names: Vec<_> = views
        .iter()
        .map(|v| (v.name.as_str(), v.query.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("VIP", r#"{"label":"vip","unread":true}"#),
            ("غير مقروءة", r#"{"unread":true}"#)
        ]
    );
    assert!(store.delete_view("VIP").await.unwrap());
    assert_eq!(store.saved_views().await.unwrap().len(), 1);
    finish(store).await;
}

#[tokio::test]
async fn attachments_are_encrypted_and_evicted_least_recently_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(9)).await;
    let marker = b"%PDF-1.7 invoice for Fatima AL-MARKER-BYTES";
    let blob = |n: u8| [marker.as_slice(), &vec![n; 1000]].concat();
    assert!(
        store
            .cache_attachment("att_1", "application/pdf", &blob(1), 1, 3_000)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .cache_attachment("att_2", "image/png", &blob(2), 2, 3_000)
            .await
            .unwrap()
            .is_empty()
    );
    // att_1 is used again, so att_2 is now the least recently used.
    assert_eq!(
        store.attachment("att_1", 3).await.unwrap().unwrap().bytes,
        blob(1)
    );
    let evicted = store
        .cache_attachment("att_3", "audio/ogg", &blob(3), 4, 3_000)
        .await
        .unwrap();
    assert_eq!(evicted, ["att_2"]);
    assert!(store.attachment("att_2", 5).await.unwrap().is_none());
    assert!(store.attachment_cache_size().await.unwrap() <= 3_000);
    assert_eq!(
        files_contain(dir.path(), b"AL-MARKER-BYTES"),
        Vec::<String>::new()
    );
    store.close().await;
    assert_eq!(
        files_contain(dir.path(), b"AL-MARKER-BYTES"),
        Vec::<String>::new()
    );
    assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
}

#[tokio::test]
async fn retention_drops_old_messages_and_their_search_entries() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(10)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    assert_eq!(store.prune_messages_before(3_000).await.unwrap(), 1);
    assert!(store.messages("cnv_1", None, 10).await.unwrap().is_empty());
    assert!(
        store
            .search("عطر", &SearchFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .search("iphone", &SearchFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    // Older history fetched on demand is cached again.
    let old: stepup_protocol::Message = serde_json::from_value(message(
        "msg_1",
        "cnv_1",
        "مَرْحَبًا، أُرِيدُ عِطْرَ العُود الفاخر",
        2_000,
    ))
    .unwrap();
    assert!(store.put_message(&old).await.unwrap());
    assert_eq!(
        store
            .search("عطر", &SearchFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    finish(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(11)).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let changes = vec![change(
                    100 + i,
                    EntityKind::Message,
                    &format!("msg_c{i}"),
                    message(&format!("msg_c{i}"), "cnv_1", "x", 9_000 + i as i64),
                )];
                store
                    .apply_page(&changes, &(100 + i).to_string(), true)
                    .await
                    .map(|_| ())
            } else {
                store
                    .set_meta("auth.refresh_token", &format!("srt_{i}"))
                    .await
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.messages("cnv_1", None, 100).await.unwrap().len(), 21);
    // Closed before the process exits (a database thread still closing at exit can crash it).
    finish(store).await;
}

/// Runs SQL on the cache file directly, as an older version of the app would have left it.
async fn raw_sql(path: &Path, byte: u8, statements: &[&str]) {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .pragma(
            "key",
            format!("\"x'{}'\"", format!("{byte:02x}").repeat(32)),
        )
        .pragma("cipher_page_size", "16384")
        .pragma("cipher_hmac_algorithm", "HMAC_SHA256")
        .connect()
        .await
        .unwrap();
    for sql in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    sqlx::Connection::close(conn).await.unwrap();
}

#[tokio::test]
async fn a_cache_of_an_older_format_syncs_again_and_keeps_its_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(7);
    let store = open(dir.path(), &k).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    let send = SendMessageRequest::Text {
        text: "طلبك في الطريق".into(),
        reply_to_message_id: None,
        human_agent: false,
    };
    store
        .enqueue("loc_1", "idem_1", "cnv_1", &send, 10)
        .await
        .unwrap();
    assert_eq!(
        store.meta("cache.format").await.unwrap().as_deref(),
        Some(stepup_store::CACHE_FORMAT)
    );
    finish(store).await;

    // Reopened unchanged: nothing is synced again.
    let store = open(dir.path(), &k).await;
    assert_eq!(store.sync_cursor().await.unwrap().cursor, "8");
    finish(store).await;

    // The first format recorded none, and kept previews as strings.
    raw_sql(
        &dir.path().join("cache.db"),
        7,
        &[
            "DELETE FROM meta WHERE key = 'cache.format'",
            "UPDATE conversations SET data = json_set(data, '$.last_message_preview', '[image]')",
        ],
    )
    .await;
    let store = open(dir.path(), &k).await;
    let cursor = store.sync_cursor().await.unwrap();
    assert_eq!((cursor.cursor.as_str(), cursor.bootstrapped), ("0", false));
    let all = ConversationFilter {
        limit: 100,
        ..Default::default()
    };
    assert!(store.conversations(&all).await.unwrap().is_empty());
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].request, send);
    assert_eq!(
        store.meta("cache.format").await.unwrap().as_deref(),
        Some(stepup_store::CACHE_FORMAT)
    );
    // The feed read again fills it.
    store.apply_page(&page(), "8", true).await.unwrap();
    assert_eq!(store.conversations(&all).await.unwrap().len(), 2);
    finish(store).await;
}

/// A cache whose search indexes were built another way (emptied by migration 0009) fills
/// them again from its rows when it opens, and searches as before.
#[tokio::test]
async fn search_indexes_of_an_older_format_are_filled_again_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(8);
    let store = open(dir.path(), &k).await;
    store.apply_page(&page(), "8", true).await.unwrap();
    assert_eq!(
        store.meta("search.format").await.unwrap().as_deref(),
        Some("2")
    );
    finish(store).await;
    raw_sql(
        &dir.path().join("cache.db"),
        8,
        &[
            "INSERT INTO search_messages (search_messages) VALUES ('delete-all')",
            "INSERT INTO search_contacts (search_contacts) VALUES ('delete-all')",
            "INSERT INTO search_notes (search_notes) VALUES ('delete-all')",
            "DELETE FROM meta WHERE key = 'search.format'",
        ],
    )
    .await;
    let store = open(dir.path(), &k).await;
    let any = SearchFilter::default();
    let found = |hits: Vec<stepup_store::SearchHit>| {
        hits.into_iter().map(|h| (h.kind, h.id)).collect::<Vec<_>>()
    };
    assert_eq!(
        found(store.search("العود", &any).await.unwrap()),
        [(SearchKind::Message, "msg_1".to_owned())]
    );
    assert_eq!(
        found(store.search("barsha", &any).await.unwrap()),
        [(SearchKind::Note, "not_1".to_owned())]
    );
    assert_eq!(
        found(store.search("فاطمه", &any).await.unwrap()),
        [(SearchKind::Contact, "ctc_1".to_owned())]
    );
    // The Arabizi key of the customer's Arabic message is there too.
    assert_eq!(
        found(store.search("3od", &any).await.unwrap()),
        [(SearchKind::Message, "msg_1".to_owned())]
    );
    assert_eq!(
        store.meta("search.format").await.unwrap().as_deref(),
        Some("2")
    );
    assert_eq!(store.meta("search.refilled_to").await.unwrap(), None);
    store.integrity_check().await.unwrap();
    finish(store).await;
}

/// What the retention window and a wipe delete leaves nothing readable in the file, even to
/// someone holding the key: the same cache code on a plain SQLite file (the benchmark's
/// baseline mode), so its bytes can be searched.
#[tokio::test]
async fn expired_and_wiped_data_leaves_nothing_readable_in_freed_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let plain = stepup_store::OpenOptions {
        encrypted: false,
        ..Default::default()
    };
    let store = Store::open_with(&path, None, &plain).await.unwrap();
    assert!(store.secure_delete().await.unwrap());
    let old_text = "zqxoldsecret invoice for the villa in Jumeirah";
    let photo = |n: u8| {
        let mut bytes = b"\x89PNG zqxoldphoto ".to_vec();
        bytes.extend(std::iter::repeat_n(n, 40_000));
        bytes
    };
    let mut changes = page();
    changes.push(change(
        9,
        EntityKind::Message,
        "msg_old",
        message("msg_old", "cnv_1", old_text, 1_000),
    ));
    changes.push(change(
        10,
        EntityKind::Message,
        "msg_photo",
        json!({
            "id": "msg_photo", "conversation_id": "cnv_1", "direction": "inbound",
            "content": { "type": "attachment", "caption": "zqxcaption",
                "attachment": { "attachment_id": "att_old", "kind": "image", "filename": "villa.png",
                    "content_type": "image/png", "size": 40_017 } },
            "status": "received", "created_at": 1_500
        }),
    ));
    store.apply_page(&changes, "10", true).await.unwrap();
    store
        .cache_attachment("att_old", "image/png", &photo(1), 1, u64::MAX)
        .await
        .unwrap();
    store
        .cache_attachment("att_new", "image/png", &photo(2), 2, u64::MAX)
        .await
        .unwrap();
    // Before: the words and the photo are in the (plain) file.
    store.close().await;
    assert!(!files_contain(dir.path(), b"zqxoldsecret").is_empty());
    let store = Store::open_with(&path, None, &plain).await.unwrap();

    // The retention window drops the two old messages and the old message's cached photo.
    assert_eq!(store.prune_messages_before(1_800).await.unwrap(), 2);
    assert!(store.attachment("att_old", 3).await.unwrap().is_none());
    assert!(store.attachment("att_new", 3).await.unwrap().is_some());
    store.close().await;
    // (The index keeps words lower-cased, prefix-compressed: "zqx" + "oldsecret".)
    for word in [&b"oldsecret"[..], b"Jumeirah", b"jumeirah", b"zqxcaption"] {
        assert_eq!(
            files_contain(dir.path(), word),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(word)
        );
    }
    assert_eq!(
        files_contain(dir.path(), &photo(1)[..64]),
        Vec::<String>::new()
    );
    assert!(!files_contain(dir.path(), &photo(2)[..64]).is_empty());

    // A wipe of the local cache: nothing synced and no cached file is left; the outbox stays.
    let store = Store::open_with(&path, None, &plain).await.unwrap();
    store
        .enqueue(
            "loc_1",
            "idem_1",
            "cnv_1",
            &SendMessageRequest::Text {
                text: "zqxunsent reply".into(),
                reply_to_message_id: None,
                human_agent: false,
            },
            5,
        )
        .await
        .unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    store.wipe_synced().await.unwrap();
    assert!(store.attachment("att_new", 6).await.unwrap().is_none());
    assert_eq!(store.outbox().await.unwrap().len(), 1);
    assert_eq!(store.sync_cursor().await.unwrap().cursor, "0");
    store.close().await;
    assert!(std::fs::metadata(&path).unwrap().len() < before);
    for word in [
        &b"iPhone"[..],
        b"iphone",
        b"Al Barsha",
        b"barsha",
        "فاطمة".as_bytes(),
        &photo(2)[..64],
    ] {
        assert_eq!(
            files_contain(dir.path(), word),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(word)
        );
    }
    assert!(!files_contain(dir.path(), b"zqxunsent").is_empty());
    assert!(stepup_store::wait_for_database_threads(std::time::Duration::from_secs(5)).await);
}

#[tokio::test]
async fn what_the_assistant_wrote_goes_with_its_conversation_its_age_and_a_wipe() {
    use stepup_store::AssistKind;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &key(11)).await;
    store.apply_page(&page(), "10", true).await.unwrap();
    let summary = r#"{"text":"يسأل العميل عن موعد التوصيل"}"#;
    for (conv, kind, locale, at) in [
        ("cnv_1", AssistKind::Summary, "ar", 5_000),
        ("cnv_2", AssistKind::Summary, "ar", 2_000),
        ("cnv_2", AssistKind::Suggestions, "", 9_000),
    ] {
        store
            .keep_assist(conv, kind, locale, summary, at)
            .await
            .unwrap();
    }
    // Kept per conversation, kind and language; a newer one replaces it.
    assert!(
        store
            .assist("cnv_1", AssistKind::Summary, "en")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .assist("cnv_1", AssistKind::Summary, "ar")
            .await
            .unwrap()
            .as_deref(),
        Some(summary)
    );
    assert!(
        store
            .keep_assist("cnv_1", AssistKind::Summary, "ar", "{not json", 6_000)
            .await
            .is_err()
    );
    // Encrypted at rest like the messages it quotes.
    assert!(files_contain(dir.path(), "موعد التوصيل".as_bytes()).is_empty());
    // Aged out with the messages.
    store.prune_messages_before(3_000).await.unwrap();
    assert!(
        store
            .assist("cnv_2", AssistKind::Summary, "ar")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .assist("cnv_2", AssistKind::Suggestions, "")
            .await
            .unwrap()
            .is_some()
    );
    // Gone with its conversation.
    let delete = vec![Change {
        seq: 11,
        at: 0,
        entity: EntityKind::Conversation,
        id: "cnv_1".into(),
        op: ChangeOp::Delete,
        data: None,
    }];
    store.apply_page(&delete, "11", true).await.unwrap();
    assert!(
        store
            .assist("cnv_1", AssistKind::Summary, "ar")
            .await
            .unwrap()
            .is_none()
    );
    // And with a wipe.
    store.wipe_synced().await.unwrap();
    assert!(
        store
            .assist("cnv_2", AssistKind::Suggestions, "")
            .await
            .unwrap()
            .is_none()
    );
    finish(store).await;
}
