//! The Web Chat widget on many shops' websites: each shop's widget key leads its visitors to
//! that shop only; a visitor reads back their own conversation (never the agents' notes); the
//! cloud serves the widget's loader and chat page in Arabic and English, with strings that cannot
//! break out of the page.

use crate::common;

use common::Harness;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stepup_cloud::connections::{Credentials, NewConnection};
use stepup_cloud::vault::ServerKey;
use stepup_protocol::Channel;

const KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

async fn harness() -> Harness {
    Harness::start_with(|c| c.server_key = Some(ServerKey::from_hex(KEY).unwrap())).await
}

async fn widget(h: &Harness, ws: &str, name: &str) -> String {
    let c = h
        .server
        .state
        .connect(
            ws,
            NewConnection {
                channel: Channel::Webchat,
                account_id: String::new(),
                name: name.into(),
                credentials: Credentials::default(),
            },
        )
        .await
        .unwrap();
    assert!(c.account_id.starts_with("wk_"), "{}", c.account_id);
    c.account_id
}

async fn start(h: &Harness, body: Value) -> (StatusCode, Value) {
    let r = h
        .http
        .post(h.url("/webchat/v1/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn visitor(h: &Harness, key: &str) -> String {
    let (s, v) = start(h, json!({"widget_key": key, "language": "ar"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["visitor_token"].as_str().unwrap().to_owned()
}

async fn say(h: &Harness, token: &str, cid: &str, text: &str) -> String {
    let r = h
        .http
        .post(h.url("/webchat/v1/messages"))
        .bearer_auth(token)
        .json(&json!({"client_message_id": cid, "text": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn history(h: &Harness, token: &str) -> (StatusCode, Value) {
    let r = h
        .http
        .get(h.url("/webchat/v1/messages"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The Web Chat conversations an agent's workspace sees: `(id, preview text)`.
async fn webchat_conversations(h: &Harness, agent: &str) -> Vec<(String, String)> {
    let token = h.token(agent).await;
    let (all, _) = h.drain(&token, "0", 500).await;
    all.iter()
        .filter(|c| c["entity"] == "conversation" && c["data"]["channel"] == "webchat")
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["data"]["preview"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_shops_widget_key_leads_its_visitors_to_that_shop_only() {
    let h = harness().await;
    let key_a = widget(&h, &h.ws_a, "Souq Al Noor سوق النور").await;
    let key_b = widget(&h, &h.ws_b, "Other Co").await;
    assert_ne!(key_a, key_b);

    // Once shops have widgets, a session without a key has nowhere to go; a key no shop has is
    // not found.
    let (s, e) = start(&h, json!({"language": "en"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["message"].as_str().unwrap().contains("data-key"), "{e}");
    let (s, _) = start(&h, json!({"widget_key": "wk_nobodys000000"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let va = visitor(&h, &key_a).await;
    let vb = visitor(&h, &key_b).await;
    say(&h, &va, "a1", "السلام عليكم، عندكم عود كمبودي؟").await;
    say(&h, &vb, "b1", "Do you ship to Muscat?").await;

    let a = webchat_conversations(&h, "admin@a.test").await;
    let b = webchat_conversations(&h, "admin@b.test").await;
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].1, "السلام عليكم، عندكم عود كمبودي؟");
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b[0].1, "Do you ship to Muscat?");

    // Shop A answers and leaves a private note: the visitor reads back both sides of the
    // conversation, in order, and never the note; the other shop's visitor sees only their own.
    let admin_a = h.token("admin@a.test").await;
    h.clock.advance_ms(30_000);
    let (s, _) = h
        .send_text(&admin_a, &a[0].0, "r1", "وعليكم السلام! yes, 250 AED")
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = h
        .post(
            &admin_a,
            &format!("/v1/conversations/{}/notes", a[0].0),
            json!({"body": "VIP customer, internal only"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, ha) = history(&h, &va).await;
    assert_eq!(s, StatusCode::OK);
    let seen: Vec<(&str, &str)> = ha["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("visitor", "السلام عليكم، عندكم عود كمبودي؟"),
            ("agent", "وعليكم السلام! yes, 250 AED"),
        ]
    );
    let (_, hb) = history(&h, &vb).await;
    assert_eq!(hb["messages"].as_array().unwrap().len(), 1, "{hb}");
    assert_eq!(hb["messages"][0]["text"], "Do you ship to Muscat?");

    // A new visitor has no history yet; a forged token gets none at all.
    let fresh = visitor(&h, &key_a).await;
    let (s, hf) = history(&h, &fresh).await;
    assert_eq!((s, hf), (StatusCode::OK, json!({"messages": []})));
    let (s, _) = history(&h, "svt_forged").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_single_shop_cloud_takes_visitors_without_a_key() {
    let h = Harness::start().await;
    let (s, v) = start(&h, json!({"language": "ar"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = v["visitor_token"].as_str().unwrap();
    say(&h, token, "c1", "مرحبا").await;
    assert_eq!(webchat_conversations(&h, "admin@a.test").await.len(), 1);
}

#[tokio::test]
async fn widget_keys_are_checked_when_connected() {
    let h = harness().await;
    let st = &h.server.state;
    let chosen = st
        .connect(
            &h.ws_a,
            NewConnection {
                channel: Channel::Webchat,
                account_id: "noor-main-site".into(),
                name: "Main site".into(),
                credentials: Credentials::default(),
            },
        )
        .await
        .unwrap();
    assert_eq!(chosen.account_id, "noor-main-site");
    for bad in ["short", "has space in it", "<script>alert(1)</script>"] {
        let r = st
            .connect(
                &h.ws_a,
                NewConnection {
                    channel: Channel::Webchat,
                    account_id: bad.into(),
                    name: "x".into(),
                    credentials: Credentials::default(),
                },
            )
            .await;
        assert!(r.is_err(), "{bad} accepted");
    }
    // One key, one shop.
    let again = st
        .connect(
            &h.ws_b,
            NewConnection {
                channel: Channel::Webchat,
                account_id: "noor-main-site".into(),
                name: "Stolen".into(),
                credentials: Credentials::default(),
            },
        )
        .await;
    assert!(again.is_err());
}

async fn get(h: &Harness, path: &str) -> reqwest::Response {
    h.http.get(h.url(path)).send().await.unwrap()
}

#[tokio::test]
async fn the_cloud_serves_the_widget_in_arabic_and_english_and_nothing_breaks_out() {
    let h = harness().await;
    // A shop whose name tries to close the page's script element.
    let key = widget(&h, &h.ws_a, "Noor </script><script>alert(1)</script> & Co").await;

    let r = get(&h, "/webchat/widget.js").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = r.text().await.unwrap();
    assert!(!js.contains("__STEPUP_STRINGS__"));
    assert!(js.contains("تحدّث معنا") && js.contains("Chat with us"));

    let r = get(&h, &format!("/webchat/frame?key={key}&lang=ar")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors *",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(!html.contains("</script><script>alert"), "{html}");
    let config = html
        .split(r#"<script type="application/json" id="stepup-webchat">"#)
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let config: Value = serde_json::from_str(config).unwrap();
    assert_eq!(
        config["shop"],
        "Noor </script><script>alert(1)</script> & Co"
    );
    assert_eq!(config["available"], true);
    assert_eq!(config["key"], key.as_str());
    assert_eq!(config["strings"]["webchat-send"], "إرسال");

    let r = get(&h, &format!("/webchat/frame?key={key}&lang=en-GB")).await;
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains(r#""webchat-send":"Send""#));

    // A key no shop has: the page says the chat is not available (and is a 404).
    let r = get(&h, "/webchat/frame?key=wk_nobodys000000&lang=ar").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#""available":false"#));

    for (path, ty) in [
        ("/webchat/frame.js", "text/javascript"),
        ("/webchat/frame.css", "text/css"),
    ] {
        let r = get(&h, path).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ty)
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }
}

async fn start_from(h: &Harness, key: &str, ip: &str) -> reqwest::Response {
    h.http
        .post(h.url("/webchat/v1/sessions"))
        .header("x-forwarded-for", ip)
        .json(&json!({ "widget_key": key, "language": "ar" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_client_cannot_use_up_a_shops_new_chats_nor_hold_many_streams() {
    let h = Harness::start_with(|c| {
        c.server_key = Some(ServerKey::from_hex(KEY).unwrap());
        c.trusted_proxy = Some([127, 0, 0, 1].into());
        c.webchat_limits.sessions_per_widget_per_minute = 15;
        c.webchat_limits.max_streams = 5;
        c.webchat_limits.max_streams_per_visitor = 2;
    })
    .await;
    let key_a = widget(&h, &h.ws_a, "Souq Al Noor").await;
    let key_b = widget(&h, &h.ws_b, "Other Co").await;

    // One address: 10 new chats a minute, then a 429 that says when to come back.
    for _ in 0..10 {
        assert_eq!(
            start_from(&h, &key_a, "203.0.113.9").await.status(),
            StatusCode::CREATED
        );
    }
    let r = start_from(&h, &key_a, "203.0.113.9").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // Other visitors of the same shop still get in.
    assert_eq!(
        start_from(&h, &key_a, "198.51.100.1").await.status(),
        StatusCode::CREATED
    );
    // Many addresses together (a botnet) meet the shop's own budget, not the other shop's.
    for i in 0..4 {
        assert_eq!(
            start_from(&h, &key_a, &format!("192.0.2.{i}"))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    assert_eq!(
        start_from(&h, &key_a, "192.0.2.200").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "shop A's 15 a minute are used"
    );
    let r = start_from(&h, &key_b, "192.0.2.201").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let visitor_b: Value = r.json().await.unwrap();
    h.clock.advance_ms(60_000);
    assert_eq!(
        start_from(&h, &key_a, "203.0.113.9").await.status(),
        StatusCode::CREATED
    );

    // Streams: two per visitor, five on the server.
    let token_b = visitor_b["visitor_token"].as_str().unwrap().to_owned();
    let open = |t: &str| {
        let url = h.ws_url(&format!("/webchat/v1/stream?visitor_token={t}"));
        async move { tokio_tungstenite::connect_async(url).await }
    };
    let s1 = open(&token_b).await.expect("first tab");
    let s2 = open(&token_b).await.expect("second tab");
    match open(&token_b).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS)
        }
        other => panic!("a third stream of one visitor: {:?}", other.map(|_| ())),
    }
    let mut others = Vec::new();
    for _ in 0..3 {
        let v = visitor(&h, &key_b).await;
        others.push(open(&v).await.expect("another visitor"));
    }
    let extra = visitor(&h, &key_b).await;
    assert!(open(&extra).await.is_err(), "five streams on the server");

    drop(s1);

    // A frame larger than a widget ever sends ends the stream.
    use futures_util::{SinkExt, StreamExt};
    let (mut s2, _) = s2;
    s2.send(tokio_tungstenite::tungstenite::Message::text(
        "x".repeat(64 * 1024),
    ))
    .await
    .ok();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(m) = s2.next().await {
            if matches!(
                m,
                Ok(tokio_tungstenite::tungstenite::Message::Close(_)) | Err(_)
            ) {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the oversized frame closed the stream");
    drop(others);
}
