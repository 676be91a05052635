use crate::common;

use common::Harness;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::store::Placement;
use stepup_protocol::{Channel, EntityKind, Template, TemplateStatus};

const HOUR: i64 = 3_600_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_send_under_retries() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Telegram,
            "555",
            "tg.1",
            "Hi, is the oud perfume in stock?",
        )
        .await;

    let (s, first) = h.send_text(&token, &conv, "key-1", "Yes, we have it").await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    // Concurrent retries with the same key: all get the first result.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = h.http.clone();
        let url = h.url(&format!("/v1/conversations/{conv}/messages"));
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "key-1")
                .json(&json!({"type": "text", "text": "Yes, we have it"}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    for t in tasks {
        let (s, v) = t.await.unwrap();
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(v["id"], first["id"]);
    }
    let (_, page) = h
        .get(&token, &format!("/v1/conversations/{conv}/messages"))
        .await;
    let outbound = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .count();
    assert_eq!(outbound, 1, "retries never create a second message");

    let (s, v) = h
        .send_text(&token, &conv, "key-1", "a different body")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "idempotency_key_reused");

    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{conv}/messages")))
        .bearer_auth(&token)
        .json(&json!({"type": "text", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "key is required");
    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{conv}/messages")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "k2")
        .body("{\"type\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn add_template(h: &Harness, name: &str, status: TemplateStatus) -> String {
    let t = Template {
        id: h.server.state.ids().make("tpl"),
        channel: Channel::Whatsapp,
        name: name.into(),
        language: "ar".into(),
        category: "UTILITY".into(),
        body: "مرحباً {{1}}، طلبك رقم {{2}} جاهز للاستلام.".into(),
        status,
    };
    let mut w = h.server.state.write(&h.ws_a).await.unwrap();
    w.put(EntityKind::Template, &t.id, Placement::default(), &t)
        .await
        .unwrap();
    h.server.state.commit(w).await.unwrap();
    t.id
}

#[tokio::test]
async fn reply_windows_are_enforced() {
    let h = Harness::start_with(|c| {
        c.access_token_ttl = std::time::Duration::from_secs(90 * 24 * 3600)
    })
    .await;
    let token = h.token("omar@a.test").await;
    let wa = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971501234567",
            "wamid.1",
            "مرحبا",
        )
        .await;
    let ms = h
        .inbound(&h.ws_a, Channel::Messenger, "psid-1", "m.1", "hello")
        .await;
    let tt = h
        .inbound(&h.ws_a, Channel::Tiktok, "tt-1", "tt.1", "hey")
        .await;
    let tg = h
        .inbound(&h.ws_a, Channel::Telegram, "42", "tg.1", "salam")
        .await;

    let (_, c) = h.get(&token, &format!("/v1/conversations/{wa}")).await;
    assert_eq!(
        c["reply_window"]["free_text_until"].as_i64().unwrap(),
        h.clock_now() + 24 * HOUR
    );
    assert_eq!(c["reply_window"]["templates_allowed"], true);

    h.clock.advance_ms(25 * HOUR);
    let (s, v) = h.send_text(&token, &wa, "w1", "late reply").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["code"], "reply_window_closed");
    // Templates still go out on WhatsApp; pending ones do not.
    let approved = add_template(&h, "order_ready", TemplateStatus::Approved).await;
    let pending = add_template(&h, "promo", TemplateStatus::Pending).await;
    let send_tpl = |id: String, key: &'static str| {
        let h = &h;
        let token = token.clone();
        let wa = wa.clone();
        async move {
            let r = h
                .http
                .post(h.url(&format!("/v1/conversations/{wa}/messages")))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(
                    &json!({"type": "template", "template_id": id, "params": ["Fatima", "A-1042"]}),
                )
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = send_tpl(approved, "t1").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["content"]["rendered"],
        "مرحباً Fatima، طلبك رقم A-1042 جاهز للاستلام."
    );
    let (s, _) = send_tpl(pending, "t2").await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Messenger: 24 h passed, HUMAN_AGENT tag allowed until 7 days.
    let (s, _) = h.send_text(&token, &ms, "m1", "sorry for the wait").await;
    assert_eq!(s, StatusCode::CONFLICT);
    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{ms}/messages")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "m2")
        .json(&json!({"type": "text", "text": "sorry for the wait", "human_agent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // TikTok: 48 h.
    let (s, _) = h.send_text(&token, &tt, "tt1", "still here").await;
    assert_eq!(s, StatusCode::CREATED);
    h.clock.advance_ms(24 * HOUR);
    let (s, _) = h.send_text(&token, &tt, "tt2", "too late").await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Telegram: no window.
    h.clock.advance_ms(30 * 24 * HOUR);
    let (s, _) = h.send_text(&token, &tg, "tg1", "any time").await;
    assert_eq!(s, StatusCode::CREATED);
    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{ms}/messages")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "m3")
        .json(&json!({"type": "text", "text": "a month later", "human_agent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn conversation_updates_notes_read_and_history() {
    let h = Harness::start().await;
    let sup = h.token("sara@a.test").await;
    let agent = h.login("omar@a.test").await;
    let conv = h
        .inbound(&h.ws_a, Channel::Instagram, "ig-7", "mid.0", "first")
        .await;
    for i in 1..25 {
        h.clock.advance_ms(1000);
        h.inbound(
            &h.ws_a,
            Channel::Instagram,
            "ig-7",
            &format!("mid.{i}"),
            &format!("message {i}"),
        )
        .await;
    }
    let (s, label) = h
        .post(
            &sup,
            "/v1/labels",
            json!({"name": "VIP", "color": "#b8860b"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, before) = h.get(&sup, &format!("/v1/conversations/{conv}")).await;
    let (_, sup_me) = h.get(&sup, "/v1/me").await;
    h.clock.advance_ms(500);
    let until = h.clock_now() + 2 * HOUR;
    let (s, c) = h.send(Method::PATCH, &sup, &format!("/v1/conversations/{conv}"), json!({
        "status": "snoozed", "snoozed_until": until, "assignee": {"type": "agent", "id": agent.agent.id},
        "labels": [label["id"]], "priority": "high"
    })).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "snoozed");
    assert_eq!(c["snoozed_until"].as_i64(), Some(until));
    assert_eq!(c["assignee_agent_id"], agent.agent.id.as_str());
    assert_eq!(c["priority"], "high");
    // The timeline records the assignment and the snooze as system events, which are not
    // activity: the last message time, the preview and the unread count stay.
    assert_eq!(c["last_message_at"], before["last_message_at"]);
    assert_eq!(c["preview"], before["preview"]);
    assert!(c["preview"]["kind"].is_string());
    assert_eq!(c["unread_count"], before["unread_count"]);
    let (_, page) = h
        .get(&sup, &format!("/v1/conversations/{conv}/messages?limit=2"))
        .await;
    let mut kinds: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["origin"], "system");
            assert_eq!(m["direction"], "outbound");
            assert_eq!(m["content"]["type"], "event");
            assert_eq!(m["content"]["event"]["actor_agent_id"], sup_me["id"]);
            m["content"]["event"]["kind"].as_str().unwrap()
        })
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["assigned", "snoozed"]);
    assert!(
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["content"]["event"]["agent_id"] == c["assignee_agent_id"])
    );
    let (s, v) = h
        .send(
            Method::PATCH,
            &sup,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "snoozed"}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, _) = h
        .send(
            Method::PATCH,
            &sup,
            &format!("/v1/conversations/{conv}"),
            json!({"labels": ["lbl_missing"]}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // An agent may not hand a conversation to someone else.
    let (_, me_sup) = h.get(&sup, "/v1/me").await;
    let (s, _) = h
        .send(
            Method::PATCH,
            &agent.access_token,
            &format!("/v1/conversations/{conv}"),
            json!({"assignee": {"type": "agent", "id": me_sup["id"]}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A new inbound message reopens a snoozed conversation.
    h.clock.advance_ms(1000);
    h.inbound(
        &h.ws_a,
        Channel::Instagram,
        "ig-7",
        "mid.99",
        "are you there?",
    )
    .await;
    let (_, c) = h.get(&sup, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["status"], "open");
    assert_eq!(c["unread_count"], 26);

    let (s, note) = h
        .post(
            &sup,
            &format!("/v1/conversations/{conv}/notes"),
            json!({"body": "@omar@a.test please call her back, and @nobody"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(note["mentions"], json!([agent.agent.id]));

    // History pages backwards without overlap.
    let (_, p1) = h
        .get(&sup, &format!("/v1/conversations/{conv}/messages?limit=10"))
        .await;
    assert_eq!(p1["has_more"], true);
    let p1m = p1["messages"].as_array().unwrap();
    assert_eq!(p1m[0]["content"]["text"], "are you there?");
    let last = p1m.last().unwrap()["id"].as_str().unwrap();
    let (_, p2) = h
        .get(
            &sup,
            &format!("/v1/conversations/{conv}/messages?limit=10&before={last}"),
        )
        .await;
    let p2m = p2["messages"].as_array().unwrap();
    assert_eq!(p2m.len(), 10);
    assert!(
        p2m.iter()
            .all(|m| m["created_at"].as_i64() < p1m.last().unwrap()["created_at"].as_i64())
    );
    let (_, p3) = h
        .get(
            &sup,
            &format!(
                "/v1/conversations/{conv}/messages?limit=10&before={}",
                p2m.last().unwrap()["id"].as_str().unwrap()
            ),
        )
        .await;
    // 26 customer messages and the two timeline events.
    assert_eq!(p3["messages"].as_array().unwrap().len(), 8);
    assert_eq!(p3["has_more"], false);

    // Mark read up to the seventh-newest message (newer: two events and four customer
    // messages): the four inbound ones stay unread.
    let (s, c) = h
        .post(
            &sup,
            &format!("/v1/conversations/{conv}/read"),
            json!({"message_id": p1m[6]["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["unread_count"], 4);
    assert_eq!(c["read_up_to"], p1m[6]["id"]);

    // Read to the newest, then unread again: the latest customer message counts as unread and
    // the read marker sits just before it.
    let (_, c) = h
        .post(
            &sup,
            &format!("/v1/conversations/{conv}/read"),
            json!({"message_id": p1m[0]["id"]}),
        )
        .await;
    assert_eq!(c["unread_count"], 0);
    assert_eq!(p1m[0]["direction"], "inbound");
    let (s, c) = h
        .post(&sup, &format!("/v1/conversations/{conv}/unread"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["unread_count"], 1);
    assert_eq!(c["read_up_to"], p1m[1]["id"]);
    let (s, _) = h
        .post(&sup, "/v1/conversations/cnv_nope/unread", json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, c) = h
        .post(
            &sup,
            &format!("/v1/conversations/{conv}/read"),
            json!({"message_id": p1m[6]["id"]}),
        )
        .await;
    assert_eq!(c["unread_count"], 4);
    // Resolving and reopening are events too; resolving sets `resolved_at`, reopening clears it.
    let (_, c) = h
        .send(
            Method::PATCH,
            &sup,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(c["resolved_at"].as_i64(), Some(h.clock_now()));
    h.clock.advance_ms(1000);
    let (_, c) = h
        .send(
            Method::PATCH,
            &sup,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "open", "assignee": {"type": "nobody"}}),
        )
        .await;
    assert!(c["resolved_at"].is_null());
    // The three newest timeline events (a message written at the same
    // millisecond may sort among them).
    let (_, page) = h
        .get(&sup, &format!("/v1/conversations/{conv}/messages?limit=10"))
        .await;
    let mut kinds: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"]["event"]["kind"].as_str())
        .take(3)
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["reopened", "resolved", "unassigned"]);
}

#[tokio::test]
async fn attachments_are_sniffed_limited_and_never_inline() {
    let h = Harness::start_with(|c| c.attachment_limit = 64 * 1024).await;
    let token = h.token("omar@a.test").await;
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 100]].concat();
    let r = h
        .http
        .post(h.url("/v1/attachments?filename=receipt.png"))
        .bearer_auth(&token)
        .header("content-type", "text/html")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["size"], 108);
    let r = h
        .http
        .get(h.url(&format!("/v1/attachments/{}", a["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());

    let r = h
        .http
        .post(h.url("/v1/attachments?filename=x.html"))
        .bearer_auth(&token)
        .body("<html><script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["content_type"], "application/octet-stream");
    let r = h
        .http
        .get(h.url(&format!("/v1/attachments/{}", a["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/octet-stream");

    let r = h
        .http
        .post(h.url("/v1/attachments"))
        .bearer_auth(&token)
        .body(vec![1u8; 65 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Attachments can be sent; a workspace B token cannot read A's attachment.
    let conv = h
        .inbound(&h.ws_a, Channel::Webchat, "visitor-1", "wc.1", "hello")
        .await;
    let att = a["id"].as_str().unwrap();
    let r = h
        .http
        .post(h.url(&format!("/v1/conversations/{conv}/messages")))
        .bearer_auth(&token)
        .header("Idempotency-Key", "a1")
        .json(&json!({"type": "attachment", "attachment_id": att, "caption": "الفاتورة"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let other = h.token("admin@b.test").await;
    let (s, _) = h.get(&other, &format!("/v1/attachments/{att}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn suggestions_and_presence() {
    let h = Harness::start().await;
    let sup = h.token("sara@a.test").await;
    for (lang, body) in [
        ("ar", "أهلاً! العطر متوفر في فرع دبي مول"),
        ("ar", "طلبك في الطريق وبيوصلك خلال يومين"),
        (
            "en",
            "Yes, the perfume is in stock at our Dubai Mall branch",
        ),
    ] {
        let (s, _) = h
            .post(
                &sup,
                "/v1/canned-responses",
                json!({"shortcut": "x", "language": lang, "title": "t", "body": body}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "97155",
            "wamid.s",
            "هل العطر متوفر؟",
        )
        .await;
    let (s, v) = h
        .get(&sup, &format!("/v1/conversations/{conv}/suggestions"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["model"], "lexical-v1");
    let list = v["suggestions"].as_array().unwrap();
    assert_eq!(list[0]["text"], "أهلاً! العطر متوفر في فرع دبي مول");
    assert!(
        list.iter()
            .all(|s| s["ai_suggestion"] == true && s["language"] == "ar")
    );
    let (_, again) = h
        .get(&sup, &format!("/v1/conversations/{conv}/suggestions"))
        .await;
    assert_eq!(again, v, "deterministic");

    let (s, a) = h
        .send(
            Method::PUT,
            &sup,
            "/v1/presence",
            json!({"presence": "online"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["presence"], "online");
    let (changes, _) = h.drain(&sup, "0", 100).await;
    assert!(
        changes
            .iter()
            .any(|c| c["entity"] == "agent" && c["data"]["presence"] == "online")
    );
}

/// Every workspace-scoped endpoint, called with workspace B's token on workspace A's ids.
#[tokio::test]
async fn tenant_isolation_on_every_endpoint() {
    let h = Harness::start().await;
    let a = h.token("sara@a.test").await;
    let b = h.token("admin@b.test").await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "971509999999",
            "wamid.t",
            "secret order",
        )
        .await;
    let (_, page) = h
        .get(&a, &format!("/v1/conversations/{conv}/messages"))
        .await;
    let msg = page["messages"][0]["id"].as_str().unwrap().to_owned();
    let (_, canned) = h
        .post(
            &a,
            "/v1/canned-responses",
            json!({"shortcut": "x", "language": "en", "title": "t", "body": "b"}),
        )
        .await;
    let (_, label) = h
        .post(&a, "/v1/labels", json!({"name": "VIP", "color": "#000"}))
        .await;

    let p = format!("/v1/conversations/{conv}");
    for (m, path, body) in [
        (Method::GET, p.clone(), Value::Null),
        (Method::PATCH, p.clone(), json!({"priority": "urgent"})),
        (
            Method::PATCH,
            "/v1/conversations/x".into(),
            json!({"labels": [label["id"]]}),
        ),
        (Method::GET, format!("{p}/messages"), Value::Null),
        (Method::POST, format!("{p}/notes"), json!({"body": "hi"})),
        (
            Method::POST,
            format!("{p}/read"),
            json!({"message_id": msg}),
        ),
        (Method::GET, format!("{p}/suggestions"), Value::Null),
        (
            Method::DELETE,
            format!("/v1/canned-responses/{}", canned["id"].as_str().unwrap()),
            Value::Null,
        ),
    ] {
        let (s, v) = h.send(m.clone(), &b, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {path}: {v}");
    }
    let r = h
        .http
        .post(h.url(&format!("{p}/messages")))
        .bearer_auth(&b)
        .header("Idempotency-Key", "x")
        .json(&json!({"type": "text", "text": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // B's lists and feed hold none of A's data.
    let (_, list) = h.get(&b, "/v1/canned-responses").await;
    assert!(list.as_array().unwrap().is_empty());
    let (_, tpl) = h.get(&b, "/v1/templates").await;
    assert!(tpl.as_array().unwrap().is_empty());
    let (feed, _) = h.drain(&b, "0", 50).await;
    let text = serde_json::to_string(&feed).unwrap();
    assert!(!text.contains(&conv) && !text.contains("secret order") && !text.contains(&h.ws_a));
    let (log, _) = h.drain(&b, "1", 50).await;
    assert!(!serde_json::to_string(&log).unwrap().contains(&h.ws_a));
    // A's own data is unchanged.
    let (_, c) = h.get(&a, &p).await;
    assert_eq!(c["priority"], "normal");
}

#[tokio::test]
async fn snoozed_conversations_wake_up() {
    let h = Harness::start_with(|c| c.access_token_ttl = std::time::Duration::from_secs(24 * 3600))
        .await;
    let sup = h.token("sara@a.test").await;
    let conv = h
        .inbound(&h.ws_a, Channel::Telegram, "9", "9:1", "remind me tomorrow")
        .await;
    let until = h.clock_now() + 3 * HOUR;
    let (s, _) = h
        .send(
            Method::PATCH,
            &sup,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "snoozed", "snoozed_until": until}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        h.server.state.wake_snoozed().await.unwrap(),
        0,
        "not due yet"
    );
    h.clock.advance_ms(3 * HOUR);
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    assert_eq!(h.server.state.wake_snoozed().await.unwrap(), 1);
    // The wake's change is the newest this node's streams have. (On PostgreSQL the snooze's own
    // notification can reach this node's relay after the subscription above, and hand the
    // streams the snooze's changes first; they come before the wake's, never after.)
    let mut change = rx.try_recv().unwrap();
    while let Ok(next) = rx.try_recv() {
        change = next;
    }
    assert_eq!(change.id, conv);
    let (_, c) = h.get(&sup, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["status"], "open");
    assert_eq!(c["snoozed_until"], Value::Null);
    assert_eq!(h.server.state.wake_snoozed().await.unwrap(), 0);
}

#[tokio::test]
async fn templates_are_created_pending_and_approved_by_admins() {
    let h = Harness::start().await;
    let admin = h.token("admin@a.test").await;
    let agent = h.token("omar@a.test").await;
    let body = json!({"channel": "whatsapp", "name": "order_shipped", "language": "en", "category": "UTILITY",
        "body": "Hi {{1}}, order {{2}} has shipped."});
    let (s, _) = h.post(&agent, "/v1/templates", body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h.post(&admin, "/v1/templates", json!({"channel": "telegram", "name": "x", "language": "en", "category": "UTILITY", "body": "x"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = h.post(&admin, "/v1/templates", json!({"channel": "whatsapp", "name": "Bad Name", "language": "en", "category": "UTILITY", "body": "x"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, t) = h.post(&admin, "/v1/templates", body).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t["status"], "pending");
    let id = t["id"].as_str().unwrap().to_owned();

    let conv = h
        .inbound(&h.ws_a, Channel::Whatsapp, "971500000001", "wamid.t1", "hi")
        .await;
    let send = |key: &'static str| {
        let h = &h;
        let agent = agent.clone();
        let conv = conv.clone();
        let id = id.clone();
        async move {
            h.http
                .post(h.url(&format!("/v1/conversations/{conv}/messages")))
                .bearer_auth(agent)
                .header("Idempotency-Key", key)
                .json(&json!({"type": "template", "template_id": id, "params": ["Huda", "A-7"]}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(send("p1").await, StatusCode::CONFLICT);
    let (s, _) = h
        .send(
            Method::PATCH,
            &agent,
            &format!("/v1/templates/{id}"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, t) = h
        .send(
            Method::PATCH,
            &admin,
            &format!("/v1/templates/{id}"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(
        (s, t["status"].as_str()),
        (StatusCode::OK, Some("approved"))
    );
    assert_eq!(send("p2").await, StatusCode::CREATED);
    let other = h.token("admin@b.test").await;
    let (s, _) = h
        .send(
            Method::PATCH,
            &other,
            &format!("/v1/templates/{id}"),
            json!({"status": "rejected"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another workspace's admin");
}

#[tokio::test]
async fn oversized_text_and_notes_are_refused() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let conv = h
        .inbound(&h.ws_a, Channel::Telegram, "5", "5:1", "hi")
        .await;
    let (s, v) = h.send_text(&token, &conv, "big", &"ب".repeat(4097)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, _) = h.send_text(&token, &conv, "ok", &"ب".repeat(4096)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = h
        .post(
            &token,
            &format!("/v1/conversations/{conv}/notes"),
            json!({"body": "x".repeat(10_001)}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// The ranker is a seam: a model-backed one replaces the lexical ranker through the config.
#[derive(Debug)]
struct FixedRanker;

impl stepup_cloud::ranker::Ranker for FixedRanker {
    fn name(&self) -> &'static str {
        "fixed-test-model"
    }

    fn rank(
        &self,
        _customer_text: &str,
        language: &str,
        candidates: &[stepup_cloud::ranker::Candidate],
        _limit: usize,
    ) -> Vec<stepup_protocol::Suggestion> {
        vec![stepup_protocol::Suggestion {
            text: format!("{} candidates in {language}", candidates.len()),
            language: language.to_owned(),
            source: stepup_protocol::SuggestionSource::PastReply,
            canned_response_id: None,
            score: 1.0,
            ai_suggestion: true,
        }]
    }
}

#[tokio::test]
async fn a_custom_ranker_plugs_in() {
    let h = Harness::start_with(|c| c.ranker = std::sync::Arc::new(FixedRanker)).await;
    let token = h.token("omar@a.test").await;
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Whatsapp,
            "97150",
            "wamid.r",
            "7abibi 3ndi so2al",
        )
        .await;
    let (s, v) = h
        .get(&token, &format!("/v1/conversations/{conv}/suggestions"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["model"], "fixed-test-model");
    assert_eq!(v["suggestions"][0]["text"], "0 candidates in ar");
}
