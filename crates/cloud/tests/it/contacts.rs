//! One customer across channels: a number a channel verified links a new identity to the contact
//! that has it (WhatsApp, then a Telegram customer sharing their own card), agents merge and split
//! contacts by hand and edit them, and every change reaches the feed.

use crate::common;

use common::Harness;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stepup_cloud::ingest::{Inbound, Outcome, ingest};
use stepup_protocol::Channel;

async fn whatsapp(h: &Harness, wa_id: &str, pmid: &str, text: &str) -> String {
    let out = ingest(
        &h.server.state,
        &h.ws_a,
        Inbound {
            phone: Some(format!("+{wa_id}")),
            ..Inbound::text(Channel::Whatsapp, wa_id, pmid, text, h.clock_now())
        },
    )
    .await
    .unwrap();
    match out {
        Outcome::Created {
            conversation_id, ..
        } => conversation_id,
        other => panic!("unexpected {other:?}"),
    }
}

async fn telegram(h: &Harness, update: Value) {
    let r = h
        .http
        .post(h.url("/webhooks/telegram"))
        .header(
            "X-Telegram-Bot-Api-Secret-Token",
            stepup_cloud::config::demo_secrets::TELEGRAM_SECRET_TOKEN,
        )
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

fn tg_message(id: i64, from: i64, extra: Value) -> Value {
    let mut m = json!({
        "message_id": id,
        "from": {"id": from, "is_bot": false, "first_name": "Ahmed", "language_code": "ar"},
        "chat": {"id": from, "first_name": "Ahmed", "type": "private"},
        "date": 1772352000,
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"update_id": 10_000 + id, "message": m})
}

async fn contact_of(h: &Harness, token: &str, conv: &str) -> String {
    let (_, c) = h.get(token, &format!("/v1/conversations/{conv}")).await;
    c["contact_id"].as_str().unwrap().to_owned()
}

async fn conversation_by_channel(h: &Harness, token: &str, channel: &str) -> String {
    let (all, _) = h.drain(token, "0", 1000).await;
    all.iter()
        .rev()
        .find(|c| c["entity"] == "conversation" && c["data"]["channel"] == channel)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn a_number_telegram_verified_makes_the_telegram_customer_the_whatsapp_one() {
    let h = Harness::start().await;
    let token = h.token("admin@a.test").await;
    let wa = whatsapp(&h, "971501234567", "wamid.1", "مرحبا، عندي طلب").await;
    telegram(&h, tg_message(1, 1111111, json!({"text": "السلام عليكم"}))).await;
    let tg = conversation_by_channel(&h, &token, "telegram").await;
    let (wa_contact, tg_contact) = (
        contact_of(&h, &token, &wa).await,
        contact_of(&h, &token, &tg).await,
    );
    assert_ne!(wa_contact, tg_contact);

    // Someone else's card with that number proves nothing.
    let (_, cursor) = h.drain(&token, "0", 1000).await;
    telegram(
        &h,
        tg_message(
            2,
            1111111,
            json!({"contact": {"phone_number": "971501234567", "first_name": "Friend", "user_id": 2222222}}),
        ),
    )
    .await;
    assert_eq!(contact_of(&h, &token, &tg).await, tg_contact);

    // Their own card: the same customer. The Telegram contact merges into the WhatsApp one.
    telegram(
        &h,
        tg_message(
            3,
            1111111,
            json!({"contact": {"phone_number": "+971 50 123 4567", "first_name": "Ahmed", "user_id": 1111111}}),
        ),
    )
    .await;
    assert_eq!(contact_of(&h, &token, &tg).await, wa_contact);
    assert_eq!(contact_of(&h, &token, &wa).await, wa_contact);
    let (changes, _) = h.drain(&token, &cursor, 1000).await;
    let merged = changes
        .iter()
        .rev()
        .find(|c| c["entity"] == "contact" && c["id"] == wa_contact.as_str())
        .unwrap();
    let identities: Vec<&str> = merged["data"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["channel"].as_str().unwrap())
        .collect();
    assert_eq!(identities, ["whatsapp", "telegram"]);
    assert!(
        changes.iter().any(|c| c["entity"] == "contact"
            && c["id"] == tg_contact.as_str()
            && c["op"] == "delete"),
        "the merged contact's deletion is in the feed"
    );

    // The customer's next Telegram message stays with them.
    telegram(&h, tg_message(4, 1111111, json!({"text": "شكراً"}))).await;
    assert_eq!(contact_of(&h, &token, &tg).await, wa_contact);
}

#[tokio::test]
async fn agents_merge_split_and_edit_customers() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let ig = h
        .inbound(
            &h.ws_a,
            Channel::Instagram,
            "ig-1",
            "ig.m1",
            "hi, is this in stock?",
        )
        .await;
    let web = h
        .inbound(
            &h.ws_a,
            Channel::Webchat,
            "visitor-9",
            "wc.m1",
            "same person here",
        )
        .await;
    let (ig_contact, web_contact) = (
        contact_of(&h, &token, &ig).await,
        contact_of(&h, &token, &web).await,
    );
    let other_ws = h
        .inbound(&h.ws_b, Channel::Telegram, "555", "tg.b1", "hello")
        .await;
    let admin_b = h.token("admin@b.test").await;
    let other_contact = contact_of(&h, &admin_b, &other_ws).await;

    let merge = |into: String, from: String| {
        let h = &h;
        let token = token.clone();
        async move {
            h.post(
                &token,
                &format!("/v1/contacts/{into}/merge"),
                json!({"from_contact_id": from}),
            )
            .await
        }
    };
    // Into itself, or another workspace's customer: refused, nothing changes.
    let (s, v) = merge(ig_contact.clone(), ig_contact.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, _) = merge(ig_contact.clone(), other_contact.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(contact_of(&h, &admin_b, &other_ws).await, other_contact);

    let (s, merged) = merge(ig_contact.clone(), web_contact.clone()).await;
    assert_eq!(s, StatusCode::OK, "{merged}");
    assert_eq!(merged["identities"].as_array().unwrap().len(), 2);
    assert_eq!(contact_of(&h, &token, &web).await, ig_contact);
    // The merged contact is gone.
    let (s, _) = merge(ig_contact.clone(), web_contact.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Split the Web Chat visitor off again: a contact of its own, with its conversation.
    let (s, split) = h
        .post(
            &token,
            &format!("/v1/contacts/{ig_contact}/split"),
            json!({"channel": "webchat", "external_id": "visitor-9"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{split}");
    let new_id = split["id"].as_str().unwrap();
    assert_ne!(new_id, ig_contact);
    assert_eq!(contact_of(&h, &token, &web).await, new_id);
    assert_eq!(contact_of(&h, &token, &ig).await, ig_contact);
    let (s, v) = h
        .post(
            &token,
            &format!("/v1/contacts/{new_id}/split"),
            json!({"channel": "webchat", "external_id": "visitor-9"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        v["message"],
        "a contact's only identity cannot be split off"
    );

    // Edits: name, language, attributes; a null removes one.
    let patch = |body: Value| {
        let h = &h;
        let token = token.clone();
        let id = ig_contact.clone();
        async move {
            h.send(Method::PATCH, &token, &format!("/v1/contacts/{id}"), body)
                .await
        }
    };
    let (s, c) = patch(json!({
        "name": "  مريم الكعبي ",
        "language": "ar",
        "attributes": {"city": "العين", "VIP": "yes"}
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["name"], "مريم الكعبي");
    assert_eq!(c["attributes"], json!({"VIP": "yes", "city": "العين"}));
    let (_, c) = patch(json!({"attributes": {"VIP": null}})).await;
    assert_eq!(c["attributes"], json!({"city": "العين"}));
    for bad in [
        json!({"language": "fr"}),
        json!({"name": "   "}),
        json!({"email": "not-an-address"}),
        json!({"attributes": {"note": "x".repeat(501)}}),
        json!({"attributes": (0..51).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
    ] {
        let (s, v) = patch(bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} → {v}");
    }
    // Nothing refused was kept.
    let (_, c) = patch(json!({})).await;
    assert_eq!(c["attributes"], json!({"city": "العين"}));
    assert_eq!(c["language"], "ar");
}
