//! Outbound adapters against a local recorder on loopback: exact requests, retries and failures.

use crate::common;

use std::time::Duration;

use common::Harness;
use common::recorder::{Recorder, start_recorder};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::meta_signature;
use stepup_protocol::{Channel, EntityKind, Message, MessageStatus};
use tokio_tungstenite::tungstenite::Message as WsMsg;

/// Waits on the feed until the message reaches a final outbound state.
async fn settled(
    rx: &mut tokio::sync::broadcast::Receiver<stepup_protocol::Change>,
    id: &str,
) -> Message {
    loop {
        let c = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("no outcome within 10 s")
            .unwrap();
        if c.entity == EntityKind::Message && c.id == id {
            let m: Message = c.get().cloned().unwrap();
            if matches!(m.status, MessageStatus::Sent | MessageStatus::Failed) {
                return m;
            }
        }
    }
}

async fn harness() -> (Harness, Recorder, String) {
    let (url, rec) = start_recorder().await;
    let h = Harness::start_with(|c| c.outbound = stepup_cloud::OutboundConfig::all_at(&url)).await;
    let token = h.token("omar@a.test").await;
    (h, rec, token)
}

#[tokio::test]
async fn whatsapp_text_and_template_requests_then_statuses() {
    let (h, rec, token) = harness().await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971501234567",
            "wamid.in1",
            "عندكم شاحن ايفون؟",
        )
        .await;
    rec.script.lock().unwrap().extend([
        (200, json!({"messaging_product": "whatsapp", "contacts": [{"input": "971501234567", "wa_id": "971501234567"}], "messages": [{"id": "wamid.out1"}]})),
        (200, json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.out2"}]})),
    ]);
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    let (s, m) = h
        .send_text(&token, &conv, "k1", "نعم متوفر، السعر 89 درهم")
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(m["status"], "pending");
    let sent = settled(&mut rx, m["id"].as_str().unwrap()).await;
    assert_eq!(sent.status, MessageStatus::Sent);
    assert_eq!(sent.provider_message_id.as_deref(), Some("wamid.out1"));
    let (s, m2) = h.send_text(&token, &conv, "k2", "second").await;
    assert_eq!(s, StatusCode::CREATED);
    settled(&mut rx, m2["id"].as_str().unwrap()).await;

    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/v21.0/106540352242922/messages");
    assert_eq!(seen[0].headers["authorization"], "Bearer wa-token");
    assert_eq!(
        seen[0].body,
        json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "971501234567",
            "type": "text", "text": {"preview_url": false, "body": "نعم متوفر، السعر 89 درهم"}
        })
    );

    // Statuses arrive out of order (read before sent) and one skips delivered; one fails.
    let body = std::fs::read(format!(
        "{}/tests/fixtures/whatsapp_statuses.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    post_meta_webhook(&h, "whatsapp", body).await;
    let (_, page) = h
        .get(&token, &format!("/v1/conversations/{conv}/messages"))
        .await;
    let by_id = |id: &Value| {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == *id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id(&m["id"])["status"],
        "read",
        "a late `sent` never moves read back"
    );
    let failed = by_id(&m2["id"]);
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("131047"));
}

#[tokio::test]
async fn messenger_instagram_telegram_tiktok_requests() {
    let (h, rec, token) = harness().await;
    let ms = h
        .inbound(&h.ws_a, Channel::Messenger, "psid-77", "m.in", "hi")
        .await;
    let ig = h
        .inbound(&h.ws_a, Channel::Instagram, "igsid-88", "ig.in", "hi")
        .await;
    let tg = h
        .inbound(&h.ws_a, Channel::Telegram, "1111111", "1111111:5", "hi")
        .await;
    let tt = h
        .inbound(&h.ws_a, Channel::Tiktok, "conv-7f3a", "tt.in", "hi")
        .await;
    rec.script.lock().unwrap().extend([
        (200, json!({"recipient_id": "psid-77", "message_id": "m_out1"})),
        (200, json!({"recipient_id": "igsid-88", "message_id": "ig_out1"})),
        (200, json!({"ok": true, "result": {"message_id": 6, "chat": {"id": 1111111}, "date": 1772352000, "text": "hello"}})),
        (200, json!({"code": 0, "message": "OK", "data": {"message_id": "tt_out1"}})),
    ]);
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    let mut ids = Vec::new();
    for (conv, key) in [(&ms, "a"), (&ig, "b"), (&tg, "c"), (&tt, "d")] {
        let (s, m) = h.send_text(&token, conv, key, "hello").await;
        assert_eq!(s, StatusCode::CREATED);
        ids.push(settled(&mut rx, m["id"].as_str().unwrap()).await);
    }
    let pids: Vec<_> = ids
        .iter()
        .map(|m| m.provider_message_id.clone().unwrap())
        .collect();
    assert_eq!(pids, ["m_out1", "ig_out1", "6", "tt_out1"]);
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen[0].path, "/v21.0/me/messages");
    assert_eq!(seen[0].headers["authorization"], "Bearer page-token");
    assert_eq!(
        seen[0].body,
        json!({"recipient": {"id": "psid-77"}, "messaging_type": "RESPONSE", "message": {"text": "hello"}})
    );
    assert_eq!(seen[1].headers["authorization"], "Bearer ig-token");
    assert_eq!(seen[1].body["recipient"]["id"], "igsid-88");
    assert_eq!(seen[2].path, "/bot123456:bot-token/sendMessage");
    assert_eq!(seen[2].body, json!({"chat_id": "1111111", "text": "hello"}));
    assert_eq!(seen[3].path, "/open_api/v1.3/business/message/send/");
    assert_eq!(seen[3].headers["access-token"], "tt-token");
    assert_eq!(
        seen[3].body,
        json!({"business_id": "tt-business-1", "recipient_type": "CONVERSATION", "recipient": "conv-7f3a", "message_type": "TEXT", "text": {"body": "hello"}})
    );

    // Outside 24 h on Messenger: the HUMAN_AGENT tag goes out.
    h.clock.advance_ms(30 * 3_600_000);
    let token = h.token("omar@a.test").await;
    rec.script.lock().unwrap().push_back((
        200,
        json!({"recipient_id": "psid-77", "message_id": "m_out2"}),
    ));
    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{ms}/messages")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "e")
        .json(&json!({"type": "text", "text": "follow-up", "human_agent": true}))
        .send()
        .await
        .unwrap();
    let m: Value = r.json().await.unwrap();
    settled(&mut rx, m["id"].as_str().unwrap()).await;
    let last = rec.seen.lock().unwrap().last().unwrap().clone();
    assert_eq!(last.body["messaging_type"], "MESSAGE_TAG");
    assert_eq!(last.body["tag"], "HUMAN_AGENT");
}

#[tokio::test]
async fn retries_then_reports_failure() {
    let (h, rec, token) = harness().await;
    let conv = h
        .inbound(&h.ws_a, Channel::Telegram, "1111111", "1111111:1", "hi")
        .await;
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    // Two 5xx then success: sent after three attempts.
    rec.script.lock().unwrap().extend([
        (502, json!({})),
        (503, json!({})),
        (200, json!({"ok": true, "result": {"message_id": 9}})),
    ]);
    let (_, m) = h.send_text(&token, &conv, "r1", "one").await;
    let out = settled(&mut rx, m["id"].as_str().unwrap()).await;
    assert_eq!(out.status, MessageStatus::Sent);
    assert_eq!(rec.seen.lock().unwrap().len(), 3);
    // Permanent 4xx: one attempt, failed with the provider's reason.
    rec.script.lock().unwrap().push_back((
        400,
        json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}),
    ));
    let (_, m) = h.send_text(&token, &conv, "r2", "two").await;
    let out = settled(&mut rx, m["id"].as_str().unwrap()).await;
    assert_eq!(out.status, MessageStatus::Failed);
    assert_eq!(out.error.as_deref(), Some("Bad Request: chat not found"));
    assert_eq!(rec.seen.lock().unwrap().len(), 4);
    // Always 5xx: gives up after max_attempts.
    let (_, m) = h.send_text(&token, &conv, "r3", "three").await;
    let out = settled(&mut rx, m["id"].as_str().unwrap()).await;
    assert_eq!(out.status, MessageStatus::Failed);
    assert_eq!(rec.seen.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn webchat_visitor_round_trip() {
    let h = Harness::start_with(|c| c.webchat_limits.messages_per_visitor_per_minute = 5).await;
    let token = h.token("omar@a.test").await;
    let r = h
        .http
        .post(h.url("/webchat/v1/sessions"))
        .json(&json!({"name": "Visitor", "language": "ar"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let vt = s["visitor_token"].as_str().unwrap().to_owned();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/webchat/v1/stream?visitor_token={vt}",
        h.server.addr
    ))
    .await
    .unwrap();

    let send = |cid: &'static str, text: &'static str| {
        let h = &h;
        let vt = vt.clone();
        async move {
            let r = h
                .http
                .post(h.url("/webchat/v1/messages"))
                .bearer_auth(vt)
                .json(&json!({"client_message_id": cid, "text": text}))
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap())
        }
    };
    let (s, first) = send("c1", "مرحبا Hello").await;
    assert_eq!(
        (s, &first["duplicate"]),
        (StatusCode::OK, &Value::Bool(false))
    );
    let (_, again) = send("c1", "مرحبا Hello").await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message_id"], first["message_id"]);
    let r = h
        .http
        .post(h.url("/webchat/v1/messages"))
        .bearer_auth("svt_forged")
        .json(&json!({"client_message_id": "x", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The agent replies; the visitor's socket gets it.
    let (all, _) = h.drain(&token, "0", 200).await;
    let conv = all
        .iter()
        .find(|c| c["entity"] == "conversation" && c["data"]["channel"] == "webchat")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = h
        .send_text(&token, &conv, "w1", "أهلاً! كيف نقدر نساعدك؟")
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let WsMsg::Text(t) = frame else {
        panic!("expected text")
    };
    let ev: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(ev["type"], "reply");
    assert_eq!(ev["text"], "أهلاً! كيف نقدر نساعدك؟");
    ws.send(WsMsg::Close(None)).await.unwrap();

    // Rate limit: 5 per minute (two used above, the duplicate counts too).
    let mut statuses = Vec::new();
    for cid in ["c2", "c3", "c4", "c5"] {
        statuses.push(send(cid, "spam").await.0);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    h.clock.advance_ms(60_000);
    assert_eq!(send("c6", "after a minute").await.0, StatusCode::OK);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn attachments_are_uploaded_then_sent() {
    let (h, rec, token) = harness().await;
    let png = stepup_cloud::demo::png(4, 4, [200, 30, 30]);
    let r = h
        .http
        .post(h.url("/v1/attachments?filename=receipt.png"))
        .bearer_auth(&token)
        .body(png.clone())
        .send()
        .await
        .unwrap();
    let att: Value = r.json().await.unwrap();
    let att = att["id"].as_str().unwrap().to_owned();
    let wa = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971501234567",
            "wamid.a",
            "send me the receipt",
        )
        .await;
    let tg = h
        .inbound(
            &h.ws_a,
            Channel::Telegram,
            "1111111",
            "1111111:7",
            "receipt please",
        )
        .await;
    let ms = h
        .inbound(&h.ws_a, Channel::Messenger, "psid-9", "m.a", "receipt?")
        .await;
    let tt = h
        .inbound(&h.ws_a, Channel::Tiktok, "conv-1", "tt.a", "receipt?")
        .await;
    rec.script.lock().unwrap().extend([
        (200, json!({"id": "wa-media-1"})),
        (
            200,
            json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.att"}]}),
        ),
        (200, json!({"ok": true, "result": {"message_id": 77}})),
        (200, json!({"attachment_id": "fb-att-1"})),
        (
            200,
            json!({"recipient_id": "psid-9", "message_id": "m_att"}),
        ),
    ]);
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    let send = |conv: String, key: &'static str| {
        let h = &h;
        let token = token.clone();
        let att = att.clone();
        async move {
            let r = h
                .http
                .post(h.url(&format!("/v1/conversations/{conv}/messages")))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&json!({"type": "attachment", "attachment_id": att, "caption": "الفاتورة"}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    for (conv, key) in [(wa.clone(), "w"), (tg.clone(), "t"), (ms.clone(), "m")] {
        let (s, m) = send(conv, key).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let out = settled(&mut rx, m["id"].as_str().unwrap()).await;
        assert_eq!(out.status, MessageStatus::Sent, "{:?}", out.error);
    }
    let (s, _) = send(tt, "x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "TikTok is text only");

    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5);
    // WhatsApp: upload to /media, then send by media id.
    assert_eq!(seen[0].path, "/v21.0/106540352242922/media");
    assert!(
        seen[0].headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("multipart/form-data")
    );
    assert!(contains(&seen[0].raw, b"name=\"messaging_product\""));
    assert!(contains(&seen[0].raw, b"filename=\"receipt.png\""));
    assert!(contains(&seen[0].raw, &png));
    assert_eq!(seen[1].body["type"], "image");
    assert_eq!(
        seen[1].body["image"],
        json!({"id": "wa-media-1", "caption": "الفاتورة"})
    );
    // Telegram: the photo goes with sendPhoto.
    assert_eq!(seen[2].path, "/bot123456:bot-token/sendPhoto");
    assert!(contains(&seen[2].raw, b"name=\"photo\""));
    assert!(contains(&seen[2].raw, b"1111111"));
    assert!(contains(&seen[2].raw, &png));
    // Messenger: Attachment Upload API, then the Send API with the attachment id.
    assert_eq!(seen[3].path, "/v21.0/me/message_attachments");
    assert!(contains(&seen[3].raw, b"name=\"filedata\""));
    assert_eq!(
        seen[4].body["message"]["attachment"],
        json!({"type": "image", "payload": {"attachment_id": "fb-att-1"}})
    );
}

#[tokio::test]
async fn mark_read_sends_read_receipts() {
    let (h, rec, token) = harness().await;
    let wa = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971501234567",
            "wamid.rr",
            "hello",
        )
        .await;
    let ms = h
        .inbound(&h.ws_a, Channel::Messenger, "psid-5", "m.rr", "hello")
        .await;
    let tg = h
        .inbound(&h.ws_a, Channel::Telegram, "1111111", "1111111:9", "hello")
        .await;
    rec.script.lock().unwrap().extend([
        (200, json!({"success": true})),
        (200, json!({"recipient_id": "psid-5"})),
    ]);
    for conv in [&wa, &ms, &tg] {
        let (_, page) = h
            .get(&token, &format!("/v1/conversations/{conv}/messages"))
            .await;
        let mid = page["messages"][0]["id"].clone();
        let (s, _) = h
            .post(
                &token,
                &format!("/v1/conversations/{conv}/read"),
                json!({"message_id": mid}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        if conv != &tg {
            // Wait for the receipt to reach the recorder before the next one.
            let want = if conv == &wa { 1 } else { 2 };
            tokio::time::timeout(Duration::from_secs(10), rec.wait_for(want))
                .await
                .expect("receipt never arrived");
        }
    }
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "Telegram has no read receipts");
    assert_eq!(seen[0].path, "/v21.0/106540352242922/messages");
    assert_eq!(
        seen[0].body,
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.rr"})
    );
    assert_eq!(seen[1].path, "/v21.0/me/messages");
    assert_eq!(
        seen[1].body,
        json!({"recipient": {"id": "psid-5"}, "sender_action": "mark_seen"})
    );
}

/// A Messenger or Instagram message event as Meta posts it, signed.
async fn post_meta_message(h: &Harness, channel: Channel, sender: &str, mid: &str) {
    let object = if channel == Channel::Messenger {
        "page"
    } else {
        "instagram"
    };
    let now = h.clock_now();
    let body = serde_json::to_vec(
        &json!({"object": object, "entry": [{"id": "page-1", "time": now, "messaging": [{
            "sender": {"id": sender}, "recipient": {"id": "page-1"}, "timestamp": now,
            "message": {"mid": mid, "text": "مرحبا، عندي سؤال"}
        }]}]}),
    )
    .unwrap();
    post_meta_webhook(h, channel.as_str(), body).await;
}

/// Posts `body` to a Meta webhook (`whatsapp`, `messenger`, `instagram`), signed; it must be
/// taken.
async fn post_meta_webhook(h: &Harness, channel: &str, body: Vec<u8>) {
    let r = h
        .http
        .post(h.url(&format!("/webhooks/{channel}")))
        .header(
            "X-Hub-Signature-256",
            meta_signature(demo_secrets::META_APP_SECRET, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Waits on the feed until a contact is named `name`.
async fn named(rx: &mut tokio::sync::broadcast::Receiver<stepup_protocol::Change>, name: &str) {
    loop {
        let c = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no contact named {name:?} within 10 s"))
            .unwrap();
        if c.entity == EntityKind::Contact {
            let contact: stepup_protocol::Contact = c.get().cloned().unwrap();
            if contact.name == name {
                return;
            }
        }
    }
}

#[tokio::test]
async fn new_messenger_and_instagram_customers_are_named_from_their_profiles() {
    let (h, rec, _token) = harness().await;
    rec.script.lock().unwrap().extend([
        (
            200,
            json!({"first_name": "Layla", "last_name": "Haddad", "id": "psid-501"}),
        ),
        (
            200,
            json!({"name": "", "username": "noor.uae", "id": "igsid-502"}),
        ),
        (
            400,
            json!({"error": {"message": "(#100) No profile available for that user", "code": 100}}),
        ),
    ]);
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    post_meta_message(&h, Channel::Messenger, "psid-501", "m_in501").await;
    named(&mut rx, "Layla Haddad").await;
    post_meta_message(&h, Channel::Instagram, "igsid-502", "ig_in502").await;
    named(&mut rx, "@noor.uae").await;

    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].path,
        "/v21.0/psid-501?fields=first_name%2Clast_name"
    );
    assert_eq!(seen[0].headers["authorization"], "Bearer page-token");
    assert_eq!(seen[1].path, "/v21.0/igsid-502?fields=name%2Cusername");
    assert_eq!(seen[1].headers["authorization"], "Bearer ig-token");

    // A customer already named is not asked for again; a profile the Graph API refuses
    // leaves the customer under their id, and the message is in.
    post_meta_message(&h, Channel::Messenger, "psid-501", "m_in501b").await;
    post_meta_message(&h, Channel::Instagram, "igsid-503", "ig_in503").await;
    named(&mut rx, "igsid-503").await;
    rec.wait_for(3).await;
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].path, "/v21.0/igsid-503?fields=name%2Cusername");
}
