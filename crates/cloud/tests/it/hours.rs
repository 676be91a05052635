//! Business hours and SLA deadlines as the cloud applies them: the schedule an admin sets (and
//! the ones it refuses), one automatic reply per closure in the customer's language, and the
//! deadlines each customer request carries, counted in open time.

use crate::common;

use common::Harness;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_protocol::{Channel, Entity, MessageStatus};

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// The clock jumps days at a time: tokens that outlive the test.
async fn harness() -> Harness {
    Harness::start_with(|c| c.access_token_ttl = std::time::Duration::from_secs(365 * 24 * 3600))
        .await
}

async fn put(h: &Harness, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    h.send(Method::PUT, token, path, body).await
}

/// The bot's messages in a conversation, oldest first.
async fn bot_messages(h: &Harness, token: &str, conv: &str) -> Vec<Value> {
    let (_, page) = h
        .get(
            token,
            &format!("/v1/conversations/{conv}/messages?limit=100"),
        )
        .await;
    let mut out: Vec<Value> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["origin"] == "bot")
        .cloned()
        .collect();
    out.sort_by_key(|m| m["created_at"].as_i64());
    out
}

/// Dubai, Monday to Friday 09:00–17:00 (the UAE's starting week), switched on.
async fn open_weekdays(h: &Harness, token: &str) {
    let (s, hours) = h.get(token, "/v1/business-hours").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(hours["enabled"], false, "{hours}");
    let mut hours = hours;
    hours["enabled"] = json!(true);
    let (s, v) = put(h, token, "/v1/business-hours", hours).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn each_country_starts_with_its_own_week_and_bad_schedules_are_refused() {
    let h = Harness::start().await;
    let a = h.token("admin@a.test").await;
    let b = h.token("admin@b.test").await;
    let days = |v: &Value| -> Vec<String> {
        v["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["day"].as_str().unwrap().to_owned())
            .collect()
    };
    // Dubai works Monday to Friday, Riyadh Sunday to Thursday.
    let (_, dubai) = h.get(&a, "/v1/business-hours").await;
    assert_eq!(
        days(&dubai),
        ["monday", "tuesday", "wednesday", "thursday", "friday"]
    );
    let (_, riyadh) = h.get(&b, "/v1/business-hours").await;
    assert_eq!(
        days(&riyadh),
        ["sunday", "monday", "tuesday", "wednesday", "thursday"]
    );

    let with =
        |intervals: Value| json!({"enabled": true, "away_reply": true, "intervals": intervals});
    let (s, v) = put(
        &h,
        &a,
        "/v1/business-hours",
        with(json!([
            {"day": "sunday", "opens": "09:00", "closes": "17:00"},
            {"day": "sunday", "opens": "16:30", "closes": "22:00"}
        ])),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "bad_request");
    assert_eq!(
        v["message"],
        "sunday 09:00–17:00 overlaps sunday 16:30–22:00"
    );
    let (s, v) = put(
        &h,
        &a,
        "/v1/business-hours",
        with(json!([{"day": "monday", "opens": "9am", "closes": "17:00"}])),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("\"9am\""), "{v}");
    let (s, _) = put(
        &h,
        &a,
        "/v1/business-hours",
        with(json!([{"day": "someday", "opens": "09:00", "closes": "17:00"}])),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Agents may read the hours, not set them.
    let omar = h.token("omar@a.test").await;
    let (s, _) = put(&h, &omar, "/v1/business-hours", with(json!([]))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nothing refused was kept.
    assert_eq!(h.get(&a, "/v1/business-hours").await.1, dubai);

    // A Ramadan night shift past midnight is a valid schedule.
    let night = with(json!([{"day": "thursday", "opens": "21:00", "closes": "02:00"}]));
    let (s, v) = put(&h, &a, "/v1/business-hours", night.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(h.get(&a, "/v1/business-hours").await.1, night);
}

#[tokio::test]
async fn a_customer_who_writes_while_closed_is_answered_once_per_closure_in_their_language() {
    let h = harness().await;
    h.clock.set(at("2026-12-01T00:00:00Z"));
    let token = h.token("admin@a.test").await;
    open_weekdays(&h, &token).await;
    let mut feed = h.server.state.feed_sender(&h.ws_a).subscribe();

    // Friday 18:00 in Dubai: closed until Monday 09:00.
    h.clock.set(at("2026-12-04T14:00:00Z"));
    let conv = h
        .inbound(
            &h.ws_a,
            Channel::Webchat,
            "visitor-1",
            "wc.in.1",
            "مرحبا، هل المحل مفتوح؟",
        )
        .await;
    let away = bot_messages(&h, &token, &conv).await;
    assert_eq!(away.len(), 1, "{away:?}");
    assert_eq!(
        away[0]["content"]["text"],
        "شكراً لرسالتك. نحن خارج أوقات العمل الآن، وسنرد عليك عند عودتنا يوم الاثنين الساعة 09:00."
    );
    // It was handed to the channel after the commit (Web Chat: straight to the visitor).
    let id = away[0]["id"].as_str().unwrap().to_owned();
    loop {
        let change = feed.recv().await.unwrap();
        if let Some(Entity::Message(m)) = change.data
            && m.id == id
            && m.status == MessageStatus::Sent
        {
            break;
        }
    }
    // The customer still waits for a person: the preview stays theirs.
    let (_, c) = h.get(&token, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["preview"]["text"], "مرحبا، هل المحل مفتوح؟");

    // More messages the same night: no second answer.
    h.clock.advance_ms(10 * 60_000);
    h.inbound(&h.ws_a, Channel::Webchat, "visitor-1", "wc.in.2", "؟")
        .await;
    assert_eq!(bot_messages(&h, &token, &conv).await.len(), 1);

    // Monday 10:00, open: nothing automatic.
    h.clock.set(at("2026-12-07T06:00:00Z"));
    h.inbound(&h.ws_a, Channel::Webchat, "visitor-1", "wc.in.3", "hello?")
        .await;
    assert_eq!(bot_messages(&h, &token, &conv).await.len(), 1);

    // Monday 18:30, a new closure, in English this time: "tomorrow".
    h.clock.set(at("2026-12-07T14:30:00Z"));
    h.inbound(
        &h.ws_a,
        Channel::Webchat,
        "visitor-1",
        "wc.in.4",
        "Are you still there?",
    )
    .await;
    let away = bot_messages(&h, &token, &conv).await;
    assert_eq!(away.len(), 2);
    assert_eq!(
        away[1]["content"]["text"],
        "Thank you for your message. We are closed right now and will reply when we open tomorrow at 09:00."
    );

    // Switched off: silence.
    let (_, mut hours) = h.get(&token, "/v1/business-hours").await;
    hours["away_reply"] = json!(false);
    put(&h, &token, "/v1/business-hours", hours).await;
    h.clock.set(at("2026-12-08T20:00:00Z"));
    h.inbound(&h.ws_a, Channel::Webchat, "visitor-1", "wc.in.5", "?")
        .await;
    assert_eq!(bot_messages(&h, &token, &conv).await.len(), 2);
}

#[tokio::test]
async fn every_request_carries_its_deadlines_counted_in_business_hours() {
    let h = harness().await;
    h.clock.set(at("2026-12-01T00:00:00Z"));
    let token = h.token("admin@a.test").await;
    open_weekdays(&h, &token).await;
    // Without a policy nothing is clocked.
    h.clock.set(at("2026-12-03T12:00:00Z"));
    let before = h
        .inbound(&h.ws_a, Channel::Telegram, "111", "tg.0", "hi")
        .await;
    let (_, c) = h.get(&token, &format!("/v1/conversations/{before}")).await;
    assert!(c.get("sla").is_none(), "{c}");

    // Refused: a zero target, a target over 90 days, an agent setting it.
    for bad in [
        json!({"first_response_minutes": 0}),
        json!({"resolution_minutes": 129_601}),
    ] {
        let (s, _) = put(&h, &token, "/v1/sla", bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
    let omar = h.token("omar@a.test").await;
    let policy = json!({"first_response_minutes": 30, "resolution_minutes": 480, "business_hours_only": true});
    assert_eq!(
        put(&h, &omar, "/v1/sla", policy.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = put(&h, &token, "/v1/sla", policy.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(h.get(&omar, "/v1/sla").await.1, policy);

    // Thursday 16:45 in Dubai: 15 minutes today, the rest from Friday 09:00.
    let start = at("2026-12-03T12:45:00Z");
    h.clock.set(start);
    let conv = h
        .inbound(&h.ws_a, Channel::Telegram, "222", "tg.1", "وين طلبي؟")
        .await;
    let (_, c) = h.get(&token, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["sla"]["started_at"], start);
    assert_eq!(
        c["sla"]["first_response_due_at"],
        at("2026-12-04T05:15:00Z")
    );
    assert_eq!(c["sla"]["resolution_due_at"], at("2026-12-04T12:45:00Z"));
    assert!(c["sla"]["first_response_at"].is_null());

    // The agent's reply meets the first-response deadline; a second one changes nothing.
    h.clock.set(at("2026-12-04T05:00:00Z"));
    let (s, _) = h.send_text(&token, &conv, "k1", "أبشر، نتحقق الآن").await;
    assert_eq!(s, StatusCode::CREATED);
    h.clock.advance_ms(60_000);
    h.send_text(&token, &conv, "k2", "تم الشحن").await;
    let (_, c) = h.get(&token, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["sla"]["first_response_at"], at("2026-12-04T05:00:00Z"));

    // Resolved; the customer writes again: a new request with its own clock.
    h.send(
        Method::PATCH,
        &token,
        &format!("/v1/conversations/{conv}"),
        json!({"status": "resolved"}),
    )
    .await;
    let again = at("2026-12-07T06:00:00Z"); // Monday 10:00
    h.clock.set(again);
    h.inbound(&h.ws_a, Channel::Telegram, "222", "tg.2", "one more thing")
        .await;
    let (_, c) = h.get(&token, &format!("/v1/conversations/{conv}")).await;
    assert_eq!(c["status"], "open");
    assert_eq!(c["sla"]["started_at"], again);
    assert_eq!(c["sla"]["first_response_due_at"], again + 30 * 60_000);
    assert!(c["sla"]["first_response_at"].is_null());

    // An agent reopening a resolved conversation starts no clock.
    h.send(
        Method::PATCH,
        &token,
        &format!("/v1/conversations/{conv}"),
        json!({"status": "resolved"}),
    )
    .await;
    let (_, c) = h
        .send(
            Method::PATCH,
            &token,
            &format!("/v1/conversations/{conv}"),
            json!({"status": "open"}),
        )
        .await;
    assert!(c.get("sla").is_none(), "{c}");
}
