//! Broadcasts against a stand-in of the WhatsApp Cloud API on loopback: an audience by label,
//! opt-outs («إيقاف»), the workspace's time zone, template requests in WhatsApp's format, the
//! provider's statuses and a failure, a reply that lands as a linked conversation, cancelling,
//! and two workspaces kept apart.

use crate::common;

use common::Harness;
use common::recorder::start_recorder;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::meta_signature;
use stepup_protocol::{Broadcast, BroadcastState, Channel, Conversation, Message, MessageContent};

async fn statuses(h: &Harness, items: &[(&str, &str)]) {
    let statuses: Vec<Value> = items
        .iter()
        .map(|(id, status)| {
            let mut s =
                json!({"id": id, "status": status, "timestamp": "1772352000", "recipient_id": "x"});
            if *status == "failed" {
                s["errors"] = json!([{"code": 131026, "title": "Message undeliverable"}]);
            }
            s
        })
        .collect();
    let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "waba", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "971800000", "phone_number_id": "1065"},
        "statuses": statuses
    }}]}]}))
    .unwrap();
    let r = h
        .http
        .post(h.url("/webhooks/whatsapp"))
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

async fn broadcast(h: &Harness, token: &str, id: &str) -> Broadcast {
    let (s, v) = h.get(token, "/v1/broadcasts").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let all: Vec<Broadcast> = serde_json::from_value(v).unwrap();
    all.into_iter().find(|b| b.id == id).expect("the broadcast")
}

/// The cloud's settings for these tests: every channel's API at the stand-in `url`, the sender
/// run by the test, quick.
fn sending_to(url: &str) -> impl Fn(&mut stepup_cloud::Config) + '_ {
    move |c| {
        c.outbound = stepup_cloud::OutboundConfig::all_at(url);
        c.broadcast_tick = None;
        c.broadcast_rate = 500.0;
    }
}

/// Puts `label` on conversation `conv`.
async fn label_conversation(h: &Harness, token: &str, conv: &str, label: &Value) {
    let (s, v) = h
        .send(
            Method::PATCH,
            token,
            &format!("/v1/conversations/{conv}"),
            json!({"labels": [label["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Marks `template` approved by WhatsApp, as the admin does once Meta has approved it.
async fn approve(h: &Harness, admin: &str, template: &str) {
    let (s, _) = h
        .send(
            Method::PATCH,
            admin,
            &format!("/v1/templates/{template}"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_broadcast_to_a_labelled_audience_at_the_shops_time_with_its_report() {
    let (url, wa) = start_recorder().await;
    let h = Harness::start_with(sending_to(&url)).await;
    let admin = h.token("admin@a.test").await;
    let mut sup = h.token("sara@a.test").await;
    let mut agent = h.token("omar@a.test").await;
    let (_, label) = h
        .post(
            &sup,
            "/v1/labels",
            json!({"name": "VIP", "color": "#b8860b"}),
        )
        .await;
    // Twelve WhatsApp customers labelled VIP, two more without the label, one on Telegram.
    let mut vip = Vec::new();
    for i in 0..14 {
        let wa_id = format!("9715010000{i:02}");
        let conv = h
            .inbound(
                &h.ws_a,
                Channel::Whatsapp,
                &wa_id,
                &format!("wamid.c{i}"),
                "مرحبا",
            )
            .await;
        if i < 12 {
            label_conversation(&h, &sup, &conv, &label).await;
            vip.push(wa_id);
        }
    }
    h.inbound(&h.ws_a, Channel::Telegram, "5550001", "tg.1", "hello")
        .await;
    // One VIP asks to receive no more, in Arabic.
    h.clock.advance_ms(1_000);
    h.inbound(&h.ws_a, Channel::Whatsapp, &vip[3], "wamid.stop", "إيقاف")
        .await;

    let (_, t) = h
        .post(
            &admin,
            "/v1/templates",
            json!({"channel": "whatsapp", "name": "eid_offer", "language": "ar", "category": "MARKETING",
                   "body": "مرحبا {{1}}، خصم {{2}} على العطور بمناسبة العيد"}),
        )
        .await;
    let template = t["id"].as_str().unwrap().to_owned();
    let new = |send_at: &str, params: Value| {
        json!({"name": "عرض العيد Eid offer", "template_id": template, "params": params,
               "audience": {"labels": [label["id"]]}, "send_at": send_at})
    };
    let params = json!([{"type": "contact_name"}, {"type": "text", "value": "20%"}]);
    // T0 is 12:00 in Dubai: 14:00 is two hours away.
    let (s, _) = h
        .post(
            &agent,
            "/v1/broadcasts",
            new("2026-03-01T14:00", params.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "agents do not broadcast");
    let (s, v) = h
        .post(
            &sup,
            "/v1/broadcasts",
            new("2026-03-01T14:00", params.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["message"].as_str().unwrap().contains("not approved"),
        "{v}"
    );
    approve(&h, &admin, &template).await;
    let (s, v) = h
        .post(
            &sup,
            "/v1/broadcasts",
            new("2026-03-01T14:00", json!([{"type": "contact_name"}])),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["message"].as_str().unwrap().contains("2 parameters"),
        "{v}"
    );
    let (s, v) = h
        .post(
            &sup,
            "/v1/broadcasts",
            new("2026-03-01T09:00", params.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "in the past: {v}");
    let (s, v) = h
        .post(
            &sup,
            "/v1/broadcasts",
            new("2026-03-01T14:00", params.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let b: Broadcast = serde_json::from_value(v).unwrap();
    assert_eq!(b.send_at, common::T0 + 2 * 3_600_000);
    assert_eq!(b.state, BroadcastState::Scheduled);
    assert_eq!(
        (b.report.total, b.report.opted_out, b.report.queued),
        (12, 1, 11)
    );

    // Not yet due: nothing is sent.
    stepup_cloud::broadcasts::tick(&h.server.state)
        .await
        .unwrap();
    assert!(wa.seen.lock().unwrap().is_empty());

    // Due: eleven template messages in WhatsApp's format; the provider refuses one.
    {
        let mut script = wa.script.lock().unwrap();
        script.push_back((400, json!({"error": {"message": "(#131026) Message undeliverable", "type": "OAuthException", "code": 131026}})));
        for i in 0..10 {
            script.push_back((200, json!({"messaging_product": "whatsapp", "contacts": [{"input": "x", "wa_id": "x"}], "messages": [{"id": format!("wamid.bc{i}")}]})));
        }
    }
    h.clock.advance_ms(2 * 3_600_000);
    // (Access tokens last 15 minutes.)
    sup = h.token("sara@a.test").await;
    agent = h.token("omar@a.test").await;
    stepup_cloud::broadcasts::tick(&h.server.state)
        .await
        .unwrap();
    let sent = wa.seen.lock().unwrap().clone();
    assert_eq!(
        sent.len(),
        11,
        "{:#?}",
        sent.iter()
            .map(|r| (r.path.clone(), r.body.clone()))
            .collect::<Vec<_>>()
    );
    let mut to: Vec<String> = sent
        .iter()
        .map(|r| r.body["to"].as_str().unwrap().to_owned())
        .collect();
    to.sort();
    let mut expected: Vec<String> = vip.iter().filter(|w| **w != vip[3]).cloned().collect();
    expected.sort();
    assert_eq!(to, expected, "the VIPs, not the one who opted out");
    for r in &sent {
        assert_eq!(r.body["type"], "template");
        assert_eq!(r.body["template"]["name"], "eid_offer");
        assert_eq!(r.body["template"]["language"]["code"], "ar");
        let p = &r.body["template"]["components"][0]["parameters"];
        assert_eq!(
            p[0]["text"],
            format!("Customer {}", r.body["to"].as_str().unwrap())
        );
        assert_eq!(p[1]["text"], "20%");
    }
    let b = broadcast(&h, &sup, &b.id).await;
    assert_eq!(b.state, BroadcastState::Done);
    assert_eq!(
        (b.report.sent, b.report.failed, b.report.queued),
        (10, 1, 0)
    );

    // The provider's statuses, and one failure after sending.
    statuses(
        &h,
        &[
            ("wamid.bc0", "delivered"),
            ("wamid.bc1", "delivered"),
            ("wamid.bc1", "read"),
            ("wamid.bc2", "read"),
            ("wamid.bc3", "failed"),
            ("wamid.bc2", "delivered"),
        ],
    )
    .await;
    stepup_cloud::broadcasts::tick(&h.server.state)
        .await
        .unwrap();
    let b = broadcast(&h, &agent, &b.id).await;
    let r = b.report;
    assert_eq!(
        (r.sent, r.delivered, r.read, r.failed, r.opted_out),
        (6, 1, 2, 2, 1)
    );
    assert_eq!(
        r.total,
        r.sent + r.delivered + r.read + r.failed + r.opted_out + r.queued
    );

    // A reply lands as the customer's conversation, linked to the broadcast, with the
    // broadcast's message before it.
    let (_, list) = h
        .get(
            &sup,
            &format!("/v1/broadcasts/{}/recipients?state=read", b.id),
        )
        .await;
    let replier = list[0]["wa_id"].as_str().unwrap().to_owned();
    h.clock.advance_ms(60_000);
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            &replier,
            "wamid.reply",
            "أبي أطلب العرض",
        )
        .await;
    let (_, c) = h.get(&sup, &format!("/v1/conversations/{conv}")).await;
    let c: Conversation = serde_json::from_value(c).unwrap();
    assert_eq!(c.broadcast_id.as_deref(), Some(b.id.as_str()));
    let (_, page) = h
        .get(&sup, &format!("/v1/conversations/{conv}/messages?limit=5"))
        .await;
    let ms: Vec<Message> = serde_json::from_value(page["messages"].clone()).unwrap();
    assert!(matches!(&ms[0].content, MessageContent::Text { text } if text == "أبي أطلب العرض"));
    match &ms[1].content {
        MessageContent::Template { rendered, .. } => {
            assert_eq!(
                rendered,
                &format!("مرحبا Customer {replier}، خصم 20% على العطور بمناسبة العيد")
            );
        }
        other => panic!("{other:?}"),
    }
    stepup_cloud::broadcasts::tick(&h.server.state)
        .await
        .unwrap();
    assert_eq!(broadcast(&h, &sup, &b.id).await.report.replied, 1);
    let (_, replied) = h
        .get(
            &sup,
            &format!("/v1/broadcasts/{}/recipients?state=read", b.id),
        )
        .await;
    assert!(
        replied
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["conversation_id"] == conv.as_str())
    );

    // The other workspace sees none of it.
    let other = h.token("admin@b.test").await;
    let (_, theirs) = h.get(&other, "/v1/broadcasts").await;
    assert_eq!(theirs, json!([]));
    let (s, _) = h
        .get(&other, &format!("/v1/broadcasts/{}/recipients", b.id))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A broadcast cancelled before its time is never sent.
    let (_, v) = h
        .post(&sup, "/v1/broadcasts", new("2026-03-02T10:00", params))
        .await;
    let later: Broadcast = serde_json::from_value(v).unwrap();
    let (s, v) = h
        .send(
            Method::POST,
            &sup,
            &format!("/v1/broadcasts/{}/cancel", later.id),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    h.clock.advance_ms(48 * 3_600_000);
    sup = h.token("sara@a.test").await;
    agent = h.token("omar@a.test").await;
    stepup_cloud::broadcasts::tick(&h.server.state)
        .await
        .unwrap();
    assert_eq!(wa.seen.lock().unwrap().len(), 11);
    assert_eq!(
        broadcast(&h, &sup, &later.id).await.state,
        BroadcastState::Cancelled
    );
    // Every agent's app gets the broadcasts through the feed.
    let (changes, _) = h.drain(&agent, "0", 500).await;
    assert!(
        changes
            .iter()
            .any(|c| c["entity"] == "broadcast" && c["id"] == b.id.as_str())
    );
}

#[tokio::test]
async fn two_nodes_sending_the_same_due_broadcast_send_each_recipient_once() {
    let (url, wa) = start_recorder().await;
    let h = Harness::start_with(sending_to(&url)).await;
    let other = h.another_node(sending_to(&url)).await;
    let admin = h.token("admin@a.test").await;
    let sup = h.token("sara@a.test").await;
    let (_, label) = h
        .post(
            &sup,
            "/v1/labels",
            json!({"name": "Regulars", "color": "#2e7d32"}),
        )
        .await;
    for i in 0..30 {
        let conv = h
            .inbound(
                &h.ws_a,
                Channel::Whatsapp,
                &format!("9715020000{i:02}"),
                &format!("wamid.n{i}"),
                "السلام عليكم",
            )
            .await;
        label_conversation(&h, &sup, &conv, &label).await;
    }
    let (_, t) = h
        .post(
            &admin,
            "/v1/templates",
            json!({"channel": "whatsapp", "name": "restock", "language": "ar", "category": "MARKETING",
                   "body": "وصل العود من جديد، {{1}}"}),
        )
        .await;
    let template = t["id"].as_str().unwrap().to_owned();
    approve(&h, &admin, &template).await;
    let (s, v) = h
        .post(
            &sup,
            "/v1/broadcasts",
            json!({"name": "Restock", "template_id": template,
                   "params": [{"type": "contact_name"}],
                   "audience": {"labels": [label["id"]]}, "send_at": "2026-03-01T14:00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    {
        let mut script = wa.script.lock().unwrap();
        for i in 0..30 {
            script.push_back((200, json!({"messaging_product": "whatsapp", "contacts": [{"input": "x", "wa_id": "x"}], "messages": [{"id": format!("wamid.rs{i}")}]})));
        }
    }
    h.clock.advance_ms(2 * 3_600_000);
    // Both nodes' senders find it due at once: one claims it and sends; the other leaves it.
    let (a, b) = tokio::join!(
        stepup_cloud::broadcasts::tick(&h.server.state),
        stepup_cloud::broadcasts::tick(&other)
    );
    a.unwrap();
    b.unwrap();
    let mut to: Vec<String> = wa
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.body["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to.len(), 30, "each recipient once: {to:?}");
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30);
    let sup = h.token("sara@a.test").await;
    let id = v["id"].as_str().unwrap();
    let done = broadcast(&h, &sup, id).await;
    assert_eq!(done.state, BroadcastState::Done);
    assert_eq!((done.report.sent, done.report.queued), (30, 0));
    other.pool().close().await;
}
