use crate::common;

use common::{Harness, T0};
use reqwest::StatusCode;
use serde_json::Value;
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::{meta_signature, tiktok_signature};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn post_meta(
    h: &Harness,
    channel: &str,
    body: &[u8],
    sig: Option<String>,
) -> (StatusCode, Value) {
    let mut r = h
        .http
        .post(h.url(&format!("/webhooks/{channel}")))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sig {
        r = r.header("X-Hub-Signature-256", s);
    }
    let r = r.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn signed_meta(h: &Harness, channel: &str, body: &[u8]) -> (StatusCode, Value) {
    post_meta(
        h,
        channel,
        body,
        Some(meta_signature(demo_secrets::META_APP_SECRET, body)),
    )
    .await
}

async fn messages_of(h: &Harness, token: &str) -> Vec<Value> {
    let (all, _) = h.drain(token, "0", 500).await;
    let mut msgs: Vec<Value> = all
        .into_iter()
        .filter(|c| c["entity"] == "message")
        .map(|c| c["data"].clone())
        .collect();
    msgs.sort_by_key(|m| {
        (
            m["created_at"].as_i64(),
            m["provider_message_id"].as_str().map(str::to_owned),
        )
    });
    msgs
}

#[tokio::test]
async fn meta_get_verification() {
    let h = Harness::start().await;
    for ch in ["whatsapp", "messenger", "instagram"] {
        let ok = h
            .http
            .get(h.url(&format!(
                "/webhooks/{ch}?hub.mode=subscribe&hub.verify_token={}&hub.challenge=1158201444",
                demo_secrets::META_VERIFY_TOKEN
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.text().await.unwrap(), "1158201444");
        let bad = h
            .http
            .get(h.url(&format!(
                "/webhooks/{ch}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::FORBIDDEN);
        let bad = h
            .http
            .get(h.url(&format!(
                "/webhooks/{ch}?hub.mode=unsubscribe&hub.verify_token={}&hub.challenge=1",
                demo_secrets::META_VERIFY_TOKEN
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn whatsapp_text_valid_forged_duplicate_malformed() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let body = fixture("whatsapp_text.json");

    let (s, v) = post_meta(&h, "whatsapp", &body, None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_signature"))
    );
    let (s, _) = post_meta(
        &h,
        "whatsapp",
        &body,
        Some(meta_signature("not-the-secret", &body)),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let (s, _) = post_meta(
        &h,
        "whatsapp",
        &tampered,
        Some(meta_signature(demo_secrets::META_APP_SECRET, &body)),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = post_meta(&h, "whatsapp", &body, Some("sha256=zz".into())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        messages_of(&h, &token).await.is_empty(),
        "nothing stored from forged deliveries"
    );

    let (s, v) = signed_meta(&h, "whatsapp", &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["received"], 1);
    let (s, v) = signed_meta(&h, "whatsapp", &body).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["received"], 0, "a retried delivery is stored once");
    let msgs = messages_of(&h, &token).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        msgs[0]["content"],
        serde_json::json!({"type": "text", "text": "مرحبا، عندكم عطر العود؟"})
    );
    assert_eq!(msgs[0]["created_at"], T0);
    let (all, _) = h.drain(&token, "0", 500).await;
    let contact = all.iter().find(|c| c["entity"] == "contact").unwrap();
    assert_eq!(contact["data"]["name"], "Fatima Al Mansouri");
    assert_eq!(contact["data"]["phone"], "+971501234567");
    assert_eq!(
        contact["data"]["identities"][0]["external_id"],
        "971501234567"
    );

    for bad in [
        &b"{not json"[..],
        b"{\"object\":\"whatsapp_business_account\"}",
        b"[]",
    ] {
        let (s, v) = signed_meta(&h, "whatsapp", bad).await;
        assert_eq!(
            s,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(bad)
        );
        assert_eq!(v["code"], "bad_request");
    }
}

#[tokio::test]
async fn whatsapp_every_message_type() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let (s, v) = signed_meta(&h, "whatsapp", &fixture("whatsapp_types.json")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["received"], 14);
    let msgs = messages_of(&h, &token).await;
    let by_pmid = |id: &str| {
        msgs.iter()
            .find(|m| m["provider_message_id"] == id)
            .unwrap()
            .clone()
    };
    let img = by_pmid("wamid.img1");
    assert_eq!(img["content"]["type"], "attachment");
    assert_eq!(img["content"]["attachment"]["kind"], "image");
    assert_eq!(
        img["content"]["attachment"]["provider_media_id"],
        "1003383421387256"
    );
    assert_eq!(img["content"]["caption"], "هذا الموديل؟");
    assert_eq!(
        by_pmid("wamid.voice1")["content"]["attachment"]["kind"],
        "voice"
    );
    assert_eq!(
        by_pmid("wamid.audio1")["content"]["attachment"]["kind"],
        "audio"
    );
    assert_eq!(
        by_pmid("wamid.video1")["content"]["attachment"]["kind"],
        "video"
    );
    assert_eq!(
        by_pmid("wamid.doc1")["content"]["attachment"]["filename"],
        "invoice-1042.pdf"
    );
    assert_eq!(
        by_pmid("wamid.sticker1")["content"]["attachment"]["kind"],
        "sticker"
    );
    let loc = by_pmid("wamid.loc1");
    assert_eq!(loc["content"]["type"], "location");
    assert_eq!(loc["content"]["name"], "Dubai Mall");
    assert_eq!(loc["content"]["latitude"], 25.1972);
    let c = by_pmid("wamid.contacts1");
    assert_eq!(c["content"]["contacts"][0]["phones"][0], "+971 50 123 4567");
    let react = by_pmid("wamid.react1");
    assert_eq!(react["content"]["type"], "reaction");
    assert_eq!(react["content"]["emoji"], "👍");
    assert_eq!(
        react["content"]["target_message_id"], img["id"],
        "reaction points at the local message"
    );
    assert_eq!(
        by_pmid("wamid.unreact1")["content"]["emoji"],
        "",
        "reaction removed"
    );
    assert_eq!(
        by_pmid("wamid.button1")["content"],
        serde_json::json!({"type": "interactive_reply", "reply_id": "confirm-order", "title": "تأكيد الطلب"})
    );
    assert_eq!(by_pmid("wamid.list1")["content"]["reply_id"], "branch-dxb");
    assert_eq!(by_pmid("wamid.reply1")["reply_to_message_id"], img["id"]);
    assert_eq!(
        by_pmid("wamid.unsupported1")["content"]["type"],
        "unsupported"
    );
    // One conversation; reactions do not count as unread.
    let (all, _) = h.drain(&token, "0", 500).await;
    let convs: Vec<&Value> = all
        .iter()
        .filter(|c| c["entity"] == "conversation")
        .collect();
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["data"]["unread_count"], 12);
    assert_eq!(
        convs[0]["data"]["preview"],
        serde_json::json!({"kind": "unsupported", "text": ""})
    );
}

#[tokio::test]
async fn messenger_messages_echoes_and_watermarks() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let (s, v) = signed_meta(&h, "messenger", &fixture("messenger_messages.json")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = signed_meta(&h, "messenger", &fixture("messenger_messages.json")).await;
    assert_eq!(v["received"], 0, "duplicates ignored");
    let msgs = messages_of(&h, &token).await;
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[1]["content"]["attachment"]["kind"], "image");
    assert_eq!(msgs[2]["reply_to_message_id"], msgs[1]["id"]);
    assert_eq!(msgs[3]["direction"], "outbound");
    assert_eq!(msgs[3]["status"], "sent");
    assert_eq!(
        msgs[3]["content"]["text"],
        "Yes, delivery to Sharjah is free"
    );
    let (s, _) = signed_meta(&h, "messenger", &fixture("messenger_delivery_read.json")).await;
    assert_eq!(s, StatusCode::OK);
    let msgs = messages_of(&h, &token).await;
    assert_eq!(
        msgs[3]["status"], "read",
        "read watermark then a late delivery: stays read"
    );
    let (s, _) = post_meta(
        &h,
        "messenger",
        &fixture("messenger_messages.json"),
        Some(meta_signature("x", b"y")),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn instagram_story_replies_echoes_and_seen() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let (s, v) = signed_meta(&h, "instagram", &fixture("instagram_messages.json")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let msgs = messages_of(&h, &token).await;
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0]["content"]["type"], "story_reply");
    assert_eq!(
        msgs[0]["content"]["story_url"],
        "https://lookaside.example/story.mp4"
    );
    assert_eq!(msgs[1]["content"]["attachment"]["kind"], "video");
    assert_eq!(msgs[2]["direction"], "outbound");
    assert_eq!(msgs[2]["status"], "read", "seen marks the echo read");
    let (all, _) = h.drain(&token, "0", 500).await;
    let conv = all.iter().find(|c| c["entity"] == "conversation").unwrap();
    assert_eq!(conv["data"]["channel"], "instagram");
    assert_eq!(
        conv["data"]["reply_window"]["human_agent_until"],
        1772352001000i64 + 7 * 24 * 3_600_000
    );
}

async fn post_telegram(h: &Harness, body: &[u8], secret: Option<&str>) -> (StatusCode, Value) {
    let mut r = h
        .http
        .post(h.url("/webhooks/telegram"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = secret {
        r = r.header("X-Telegram-Bot-Api-Secret-Token", s);
    }
    let r = r.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_overlong_message_is_kept_cut_to_the_cap() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let update = serde_json::json!({
        "update_id": 20_000,
        "message": {
            "message_id": 1, "date": 1_772_352_000,
            "from": {"id": 42, "is_bot": false, "first_name": "ف".repeat(5_000)},
            "chat": {"id": 42, "type": "private", "first_name": "x"},
            "text": "طلب ".repeat(50_000),
        }
    });
    let (s, _) = post_telegram(
        &h,
        &serde_json::to_vec(&update).unwrap(),
        Some(demo_secrets::TELEGRAM_SECRET_TOKEN),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let msgs = messages_of(&h, &token).await;
    let text = msgs[0]["content"]["text"].as_str().unwrap();
    assert_eq!(
        text.chars().count(),
        stepup_protocol::MessageContent::MAX_TEXT_CHARS
    );
    assert!(text.starts_with("طلب طلب") && text.ends_with('…'));
    let (all, _) = h.drain(&token, "0", 500).await;
    let contact = all.iter().find(|c| c["entity"] == "contact").unwrap();
    assert_eq!(
        contact["data"]["name"].as_str().unwrap().chars().count(),
        stepup_protocol::Contact::MAX_NAME
    );
}

#[tokio::test]
async fn telegram_updates() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let body = fixture("telegram_message.json");
    assert_eq!(
        post_telegram(&h, &body, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_telegram(&h, &body, Some("wrong")).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = post_telegram(&h, &body, Some(demo_secrets::TELEGRAM_SECRET_TOKEN)).await;
    assert_eq!((s, &v["received"]), (StatusCode::OK, &Value::from(1)));
    let (_, v) = post_telegram(&h, &body, Some(demo_secrets::TELEGRAM_SECRET_TOKEN)).await;
    assert_eq!(v["received"], 0, "same update_id twice");
    let updates: Vec<Value> = serde_json::from_slice(&fixture("telegram_types.json")).unwrap();
    for u in &updates {
        let (s, v) = post_telegram(
            &h,
            &serde_json::to_vec(u).unwrap(),
            Some(demo_secrets::TELEGRAM_SECRET_TOKEN),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, _) = post_telegram(
        &h,
        b"{\"message\": {}}",
        Some(demo_secrets::TELEGRAM_SECRET_TOKEN),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let msgs = messages_of(&h, &token).await;
    assert_eq!(msgs.len(), 7);
    assert_eq!(msgs[0]["content"]["text"], "السلام عليكم، متى تفتحون؟");
    assert_eq!(
        msgs[1]["content"]["attachment"]["provider_media_id"],
        "AgAD-large"
    );
    assert_eq!(msgs[1]["content"]["caption"], "this one");
    assert_eq!(msgs[2]["content"]["attachment"]["kind"], "voice");
    assert_eq!(msgs[3]["content"]["attachment"]["filename"], "warranty.pdf");
    assert_eq!(msgs[4]["content"]["type"], "location");
    assert_eq!(msgs[5]["content"]["contacts"][0]["name"], "Salim Al Said");
    assert_eq!(msgs[6]["reply_to_message_id"], msgs[1]["id"]);
    assert_eq!(
        msgs[6]["content"]["text"], "the second one",
        "edited in place"
    );
    assert_eq!(msgs[6]["edited_at"], 1772352010000i64);
    let (all, _) = h.drain(&token, "0", 500).await;
    let contact = all.iter().find(|c| c["entity"] == "contact").unwrap();
    assert_eq!(contact["data"]["name"], "Ahmed Al Harthy");
}

#[tokio::test]
async fn tiktok_signature_tolerance_and_dedupe() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let body = fixture("tiktok_message.json");
    let now = T0 / 1000;
    let post = |sig: Option<String>| {
        let h = &h;
        let body = body.clone();
        async move {
            let mut r = h.http.post(h.url("/webhooks/tiktok")).body(body);
            if let Some(s) = sig {
                r = r.header("TikTok-Signature", s);
            }
            let r = r.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    assert_eq!(post(None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        post(Some(tiktok_signature("wrong", now, &body))).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(Some(tiktok_signature(
            demo_secrets::TIKTOK_CLIENT_SECRET,
            now - 301,
            &body
        )))
        .await
        .0,
        StatusCode::FORBIDDEN,
        "stale timestamp"
    );
    // A signature made for another timestamp does not verify.
    let sig = tiktok_signature(demo_secrets::TIKTOK_CLIENT_SECRET, now, &body);
    let replayed = sig.replace(&format!("t={now}"), &format!("t={}", now + 1));
    assert_eq!(post(Some(replayed)).await.0, StatusCode::FORBIDDEN);
    let (s, v) = post(Some(sig.clone())).await;
    assert_eq!(
        (s, &v["received"]),
        (StatusCode::OK, &Value::from(1)),
        "{v}"
    );
    let (_, v) = post(Some(sig)).await;
    assert_eq!(v["received"], 0);
    let msgs = messages_of(&h, &token).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        msgs[0]["content"]["text"],
        "Is this charger compatible with iPhone 16?"
    );
    let malformed = b"{\"event\":\"im_receive_msg\",\"content\":\"{broken\"}";
    let r = h
        .http
        .post(h.url("/webhooks/tiktok"))
        .header(
            "TikTok-Signature",
            tiktok_signature(demo_secrets::TIKTOK_CLIENT_SECRET, now, malformed),
        )
        .body(malformed.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn messenger_and_instagram_refuse_malformed_and_unsigned_bodies() {
    let h = Harness::start().await;
    for ch in ["messenger", "instagram"] {
        for bad in [
            &b"{\"object\":\"page\",\"entry\":"[..],
            b"{\"object\":\"page\"}",
            b"42",
        ] {
            let (s, v) = signed_meta(&h, ch, bad).await;
            assert_eq!(
                s,
                StatusCode::BAD_REQUEST,
                "{ch}: {}",
                String::from_utf8_lossy(bad)
            );
            assert_eq!(v["code"], "bad_request");
        }
        let body = fixture(&format!("{ch}_messages.json"));
        let (s, v) = post_meta(&h, ch, &body, None).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_signature"))
        );
        // Events of unknown kinds are ignored, not errors.
        let odd = br#"{"object":"page","entry":[{"id":"P","time":1,"messaging":[{"sender":{"id":"1"},"recipient":{"id":"P"},"timestamp":1,"optin":{"ref":"x"}}]}]}"#;
        let (s, v) = signed_meta(&h, ch, odd).await;
        assert_eq!((s, &v["received"]), (StatusCode::OK, &Value::from(0)));
    }
}

#[tokio::test]
async fn deliveries_are_routed_to_the_workspace_of_the_provider_account() {
    let h = Harness::start().await;
    let a = h.token("omar@a.test").await;
    let b = h.token("admin@b.test").await;
    let st = &h.server.state;
    st.route_channel_account(
        stepup_protocol::Channel::Whatsapp,
        "106540352242922",
        &h.ws_b,
    )
    .await
    .unwrap();
    st.route_channel_account(stepup_protocol::Channel::Messenger, "PAGE_ID", &h.ws_b)
        .await
        .unwrap();
    let (s, _) = signed_meta(&h, "whatsapp", &fixture("whatsapp_text.json")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = signed_meta(&h, "messenger", &fixture("messenger_messages.json")).await;
    assert_eq!(s, StatusCode::OK);
    // Instagram's account is not routed: it lands in the default workspace (A).
    let (s, _) = signed_meta(&h, "instagram", &fixture("instagram_messages.json")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        messages_of(&h, &b).await.len(),
        5,
        "1 WhatsApp + 4 Messenger in B"
    );
    let in_a = messages_of(&h, &a).await;
    assert_eq!(in_a.len(), 3, "only Instagram in A");
    assert!(in_a.iter().all(|m| {
        m["provider_message_id"]
            .as_str()
            .unwrap()
            .starts_with("aWdf")
    }));
}

/// A customer's burst, stamped by WhatsApp in one second, reads in the order it came in wherever
/// a timeline orders by time then id (the app's cache, the cloud's pages): in one delivery or in
/// several.
#[tokio::test]
async fn a_burst_in_one_second_keeps_its_order() {
    let h = Harness::start().await;
    let token = h.token("omar@a.test").await;
    let message = |n: u32| {
        serde_json::json!({
            "from": "971501234567",
            "id": format!("wamid.burst-{n}"),
            "timestamp": "1772352000",
            "text": { "body": format!("part {n}") },
            "type": "text",
        })
    };
    let delivery = |messages: Vec<Value>| {
        let mut v: Value = serde_json::from_slice(&fixture("whatsapp_text.json")).unwrap();
        v["entry"][0]["changes"][0]["value"]["messages"] = Value::Array(messages);
        serde_json::to_vec(&v).unwrap()
    };
    let (s, _) = signed_meta(&h, "whatsapp", &delivery((0..6).map(message).collect())).await;
    assert_eq!(s, StatusCode::OK);
    for n in 6..12 {
        let (s, _) = signed_meta(&h, "whatsapp", &delivery(vec![message(n)])).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (all, _) = h.drain(&token, "0", 500).await;
    let mut burst: Vec<Value> = all
        .into_iter()
        .filter(|c| c["entity"] == "message")
        .map(|c| c["data"].clone())
        .filter(|m| {
            m["provider_message_id"]
                .as_str()
                .is_some_and(|p| p.starts_with("wamid.burst-"))
        })
        .collect();
    burst.sort_by_key(|m| {
        (
            m["created_at"].as_i64(),
            m["id"].as_str().map(str::to_owned),
        )
    });
    let texts: Vec<&str> = burst
        .iter()
        .map(|m| m["content"]["text"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..12).map(|n| format!("part {n}")).collect();
    assert_eq!(texts, expected);
    assert!(
        burst
            .iter()
            .all(|m| m["created_at"] == burst[0]["created_at"])
    );
}
