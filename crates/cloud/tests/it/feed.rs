use crate::common;

use std::collections::HashMap;

use common::Harness;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;
use stepup_protocol::{Channel, StreamEvent};
use tokio_tungstenite::tungstenite::Message as WsMsg;

fn seqs(changes: &[Value]) -> Vec<u64> {
    changes.iter().map(|c| c["seq"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn snapshot_then_log_pagination() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    for i in 0..30 {
        h.inbound(
            &h.ws_a,
            Channel::Whatsapp,
            &format!("97150000{i:02}"),
            &format!("wamid.{i}"),
            "مرحبا Hello",
        )
        .await;
    }
    // The snapshot oldest first (`s0`) in small pages: latest state per entity, each entity
    // once, in the feed's order.
    let (snap, cursor) = h.drain(&token, "s0", 7).await;
    let mut seen = HashMap::new();
    for c in &snap {
        let key = (
            c["entity"].as_str().unwrap().to_owned(),
            c["id"].as_str().unwrap().to_owned(),
        );
        assert!(
            seen.insert(key, c["seq"].as_u64().unwrap()).is_none(),
            "entity twice in snapshot"
        );
        assert_eq!(c["op"], "upsert");
    }
    let count = |kind: &str| snap.iter().filter(|c| c["entity"] == kind).count();
    assert_eq!(count("conversation"), 30);
    assert_eq!(count("message"), 30);
    assert_eq!(count("contact"), 30);
    assert_eq!(count("agent"), 3, "only workspace A's agents");
    let s = seqs(&snap);
    assert!(s.windows(2).all(|w| w[0] < w[1]));
    let head: u64 = cursor.parse().unwrap();
    assert_eq!(
        head,
        1 + 3 + 30 * 4,
        "workspace + agents + (contact, conv, message, conv update) x 30"
    );

    // Nothing after the head yet.
    let (s, v) = h.get(&token, &format!("/v1/sync?after={head}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["changes"].as_array().unwrap().len(), 0);
    assert_eq!(v["has_more"], false);

    // The raw log is gapless.
    let (log, end) = h.drain(&token, "1", 9).await;
    assert_eq!(seqs(&log), (2..=head).collect::<Vec<_>>());
    assert_eq!(end, head.to_string());
}

#[tokio::test]
async fn expired_cursor_is_410_and_rebootstrap_works() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    for i in 0..10 {
        h.inbound(&h.ws_a, Channel::Telegram, "42", &format!("tg.{i}"), "hi")
            .await;
    }
    let horizon = h.server.state.compact_feed(&h.ws_a, 5).await.unwrap();
    assert!(horizon > 5);
    let (s, v) = h.get(&token, "/v1/sync?after=3").await;
    assert_eq!(s, StatusCode::GONE);
    assert_eq!(v["code"], "cursor_expired");
    let (s, v) = h.get(&token, "/v1/sync?after=999999").await;
    assert_eq!(s, StatusCode::GONE, "{v}");
    let (s, _) = h.get(&token, &format!("/v1/sync?after={horizon}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = h.get(&token, "/v1/sync?after=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "bad_request");
    // Re-bootstrap from 0 still yields every message.
    let (snap, _) = h.drain(&token, "0", 4).await;
    assert_eq!(snap.iter().filter(|c| c["entity"] == "message").count(), 10);
}

/// Inbound traffic keeps arriving while a client pages the feed; the client must end up with
/// every change exactly once, in order (checked against a final full read).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_inbound_while_paging_loses_and_repeats_nothing() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    for round in 0..3u64 {
        let state = h.server.state.clone();
        let ws = h.ws_a.clone();
        let writers: Vec<_> = (0..4u64)
            .map(|w| {
                let state = state.clone();
                let ws = ws.clone();
                tokio::spawn(async move {
                    // A small deterministic pseudo-random mix of customers and channels.
                    let mut x = round * 1000 + w * 7 + 1;
                    for i in 0..25u64 {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let ch = Channel::ALL[(x >> 33) as usize % 5];
                        stepup_cloud::ingest::ingest(
                            &state,
                            &ws,
                            stepup_cloud::ingest::Inbound {
                                channel: ch,
                                external_user_id: format!("u{}", (x >> 40) % 6),
                                user_name: None,
                                phone: None,
                                provider_message_id: format!("r{round}w{w}i{i}"),
                                content: stepup_protocol::MessageContent::Text {
                                    text: "7abibi 3ndi so2al".into(),
                                },
                                reply_to_provider_id: None,
                                at: common::T0 + i as i64,
                                edit: false,
                                echo: false,
                            },
                        )
                        .await
                        .unwrap();
                        if i % 5 == 0 {
                            tokio::task::yield_now().await;
                        }
                    }
                })
            })
            .collect();
        // Page the raw log from seq 1 concurrently with the writers.
        let mut cursor = "1".to_owned();
        let mut got: Vec<u64> = Vec::new();
        let started = std::time::Instant::now();
        loop {
            let (s, v) = h
                .get(
                    &token,
                    &format!("/v1/sync?after={cursor}&limit={}", 3 + round),
                )
                .await;
            assert_eq!(s, StatusCode::OK);
            got.extend(seqs(v["changes"].as_array().unwrap()));
            cursor = v["next_cursor"].as_str().unwrap().to_owned();
            let done = writers.iter().all(|w| w.is_finished());
            if !v["has_more"].as_bool().unwrap() && done {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "paging never caught up"
            );
        }
        for w in writers {
            w.await.unwrap();
        }
        let (_, v) = h.get(&token, &format!("/v1/sync?after={cursor}")).await;
        got.extend(seqs(v["changes"].as_array().unwrap()));
        let head: u64 = h.drain(&token, &cursor, 100).await.1.parse().unwrap();
        assert_eq!(
            got,
            (2..=head).collect::<Vec<_>>(),
            "round {round}: gap or repeat"
        );
    }
}

async fn next_event(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> StreamEvent {
    loop {
        let m = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("no frame within 10 s")
            .expect("stream ended")
            .unwrap();
        if let WsMsg::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

#[tokio::test]
async fn stream_pushes_changes_and_resume_misses_nothing() {
    let h =
        Harness::start_with(|c| c.heartbeat_interval = std::time::Duration::from_millis(50)).await;
    let token = h.token("omar@a.test").await;
    let other = h.token("admin@b.test").await;
    let (_, head_cursor) = h.drain(&token, "0", 100).await;
    let head: u64 = head_cursor.parse().unwrap();

    let (mut ws, _) =
        tokio_tungstenite::connect_async(h.ws_url(&format!("/v1/stream?access_token={token}")))
            .await
            .unwrap();
    let (mut ws_b, _) =
        tokio_tungstenite::connect_async(h.ws_url(&format!("/v1/stream?access_token={other}")))
            .await
            .unwrap();
    assert_eq!(next_event(&mut ws).await, StreamEvent::Hello { head });
    assert!(matches!(
        next_event(&mut ws_b).await,
        StreamEvent::Hello { .. }
    ));

    h.inbound(
        &h.ws_a,
        Channel::Whatsapp,
        "971501234567",
        "wamid.A",
        "السلام عليكم",
    )
    .await;
    let mut cursor = head;
    let mut received = Vec::new();
    while received.len() < 4 {
        match next_event(&mut ws).await {
            StreamEvent::Change { change } => {
                assert_eq!(change.seq, cursor + 1, "pushed in order without gaps");
                cursor = change.seq;
                received.push(*change);
            }
            StreamEvent::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        received
            .iter()
            .any(|c| c.entity == stepup_protocol::EntityKind::Message)
    );
    // Workspace B's stream sees heartbeats only.
    for _ in 0..2 {
        assert!(matches!(
            next_event(&mut ws_b).await,
            StreamEvent::Heartbeat { .. }
        ));
    }

    // Disconnect, more traffic, resume from the cursor with /v1/sync.
    ws.close(None).await.unwrap();
    for i in 0..5 {
        h.inbound(
            &h.ws_a,
            Channel::Instagram,
            "ig-1",
            &format!("mid.{i}"),
            "hello",
        )
        .await;
    }
    let (rest, _) = h.drain(&token, &cursor.to_string(), 3).await;
    let s = seqs(&rest);
    assert_eq!(s.first().copied(), Some(cursor + 1));
    assert!(s.windows(2).all(|w| w[1] == w[0] + 1));
    assert_eq!(rest.iter().filter(|c| c["entity"] == "message").count(), 5);

    // A forged token cannot open a stream.
    let bad =
        tokio_tungstenite::connect_async(h.ws_url("/v1/stream?access_token=sat_forged")).await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn shutdown_closes_open_streams() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(h.ws_url(&format!("/v1/stream?access_token={token}")))
            .await
            .unwrap();
    assert!(matches!(
        next_event(&mut ws).await,
        StreamEvent::Hello { .. }
    ));
    let Harness { server, .. } = h;
    tokio::time::timeout(std::time::Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown waited on an open stream");
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    assert!(
        matches!(end, None | Some(Ok(WsMsg::Close(_))) | Some(Err(_))),
        "{end:?}"
    );
}

/// Applies changes in order, as a cache does: the latest state of each entity.
fn fold(changes: &[Value]) -> std::collections::BTreeMap<(String, String), Value> {
    let mut state = std::collections::BTreeMap::new();
    for c in changes {
        let key = (
            c["entity"].as_str().unwrap().to_owned(),
            c["id"].as_str().unwrap().to_owned(),
        );
        if c["op"] == "delete" {
            state.remove(&key);
        } else {
            state.insert(key, c["data"].clone());
        }
    }
    state
}

#[tokio::test]
async fn a_bootstrap_sends_the_newest_conversations_first_and_ends_equal_to_the_workspace() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    for i in 0..30 {
        h.inbound(
            &h.ws_a,
            Channel::Whatsapp,
            &format!("97150000{i:02}"),
            &format!("wamid.{i}"),
            "مرحبا Hello",
        )
        .await;
    }
    // The first customer writes again: theirs is now the most recent conversation.
    let first_conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "9715000000",
            "wamid.again",
            "again",
        )
        .await;

    let (boot, end) = h.drain(&token, "0", 7).await;
    let (_, head) = h.drain(&token, "s0", 1000).await;
    assert_eq!(end, head, "it ends at the head, where the log goes on");

    // The reference kinds first: the workspace and its agents.
    let kinds: Vec<&str> = boot.iter().map(|c| c["entity"].as_str().unwrap()).collect();
    assert_eq!(kinds[..4], ["workspace", "agent", "agent", "agent"]);
    // Then the most recent conversation, its contact just before it.
    let convs: Vec<&Value> = boot
        .iter()
        .filter(|c| c["entity"] == "conversation")
        .collect();
    assert_eq!(convs[0]["id"], first_conv.as_str());
    // Newest first: conversations and messages in falling feed order, and every conversation's
    // contact before it.
    let bulk: Vec<u64> = boot
        .iter()
        .filter(|c| c["entity"] == "conversation" || c["entity"] == "message")
        .map(|c| c["seq"].as_u64().unwrap())
        .collect();
    assert!(bulk.windows(2).all(|w| w[0] > w[1]), "{bulk:?}");
    for (i, c) in boot.iter().enumerate() {
        if c["entity"] == "conversation" {
            let contact = &c["data"]["contact_id"];
            assert!(
                boot[..i]
                    .iter()
                    .any(|p| p["entity"] == "contact" && &p["id"] == contact),
                "conversation {} before its contact",
                c["id"]
            );
        }
    }
    // Each entity once (no contact has two conversations here), all of them.
    let (oldest_first, _) = h.drain(&token, "s0", 1000).await;
    assert_eq!(boot.len(), oldest_first.len());
    assert_eq!(fold(&boot), fold(&oldest_first));
}

#[tokio::test]
async fn a_bootstrap_interrupted_by_new_traffic_resumes_and_ends_equal_to_the_workspace() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let mut convs = Vec::new();
    for i in 0..20 {
        convs.push(
            h.inbound(
                &h.ws_a,
                Channel::Telegram,
                &format!("{}", 7000 + i),
                &format!("tg.{i}"),
                "السلام عليكم",
            )
            .await,
        );
    }
    // Two pages of a bootstrap, then the device stops (its cursor saved with the pages).
    let mut got = Vec::new();
    let mut cursor = "0".to_owned();
    for _ in 0..2 {
        let (s, v) = h
            .get(&token, &format!("/v1/sync?after={cursor}&limit=8"))
            .await;
        assert_eq!(s, StatusCode::OK);
        got.extend(v["changes"].as_array().unwrap().iter().cloned());
        cursor = v["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(v["has_more"], true);
    }
    assert!(cursor.starts_with('n'), "{cursor}");
    // Meanwhile: the oldest conversation (not sent yet) gets a message, a new customer writes,
    // and one of the conversations already sent is resolved.
    h.inbound(&h.ws_a, Channel::Telegram, "7000", "tg.late", "late")
        .await;
    h.inbound(&h.ws_a, Channel::Telegram, "7999", "tg.new", "new")
        .await;
    let sent = got.iter().find(|c| c["entity"] == "conversation").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = h.token("admin@a.test").await;
    let r = h
        .http
        .patch(h.url(&format!("/v1/conversations/{sent}")))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let (rest, end) = h.drain(&token, &cursor, 8).await;
    got.extend(rest);
    let (now, head) = h.drain(&token, "s0", 1000).await;
    assert_eq!(end, head);
    assert_eq!(
        fold(&got),
        fold(&now),
        "the resumed bootstrap ends equal to the workspace"
    );
    let resolved = fold(&got)[&("conversation".to_owned(), sent.clone())]["status"].clone();
    assert_eq!(resolved, "resolved");
}

#[tokio::test]
async fn pages_are_sized_by_bytes_and_compressed_when_the_client_accepts_gzip() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    for i in 0..40 {
        h.inbound(
            &h.ws_a,
            Channel::Whatsapp,
            &format!("97155000{i:02}"),
            &format!("wamid.b{i}"),
            &"مرحبا، هل عطر العود متوفر؟ Is the oud in stock? ".repeat(4),
        )
        .await;
    }
    // Small pages by bytes: each page stops once its documents reach the budget.
    let budget = 4096;
    let mut cursor = "0".to_owned();
    let mut pages = 0;
    loop {
        let (s, v) = h
            .get(
                &token,
                &format!("/v1/sync?after={cursor}&limit=5000&bytes={budget}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let sizes: Vec<usize> = v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["entity"] != "contact")
            .map(|c| serde_json::to_string(&c["data"]).unwrap().len())
            .collect();
        let before_last: usize = sizes[..sizes.len().saturating_sub(1)].iter().sum();
        assert!(
            before_last < budget + 256,
            "{before_last} bytes before the last change"
        );
        pages += 1;
        cursor = v["next_cursor"].as_str().unwrap().to_owned();
        if v["has_more"] == false {
            break;
        }
    }
    assert!(pages > 5, "{pages} pages");

    // Compressed when asked for, the same JSON once inflated; plain otherwise.
    let url = h.url("/v1/sync?after=0&limit=5000");
    let plain = h.http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain: Value = plain.json().await.unwrap();
    let zipped = h
        .http
        .get(&url)
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "accept-encoding");
    let bytes = zipped.bytes().await.unwrap();
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut json).unwrap();
    let inflated: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(inflated, plain);
    assert!(
        bytes.len() * 4 < json.len(),
        "{} bytes compressed from {}",
        bytes.len(),
        json.len()
    );
    // `q=0` refuses it.
    let refused = h
        .http
        .get(&url)
        .bearer_auth(&token)
        .header("accept-encoding", "gzip;q=0, identity")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
}
