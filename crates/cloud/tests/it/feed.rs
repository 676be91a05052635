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
    // Snapshot from 0 in small pages: latest state per entity, each entity once.
    let (snap, cursor) = h.drain(&token, "0", 7).await;
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
