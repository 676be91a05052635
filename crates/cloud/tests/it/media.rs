//! Customers' photos and voice notes fetched from the providers' media APIs, stood in by a
//! loopback fake speaking their formats (WhatsApp's media URL then the bearer download,
//! Telegram's getFile then the file path), and what happens when the provider misbehaves.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::Harness;
use serde_json::json;
use sha2::{Digest, Sha256};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::media::{FetchError, MediaJob, fetch_now};
use stepup_cloud::webhooks::meta_signature;
use stepup_protocol::{Channel, EntityKind, MediaProblem, Message, MessageContent};

/// An Ogg voice note, as WhatsApp and Telegram deliver them.
fn voice_note() -> Vec<u8> {
    let mut b = b"OggS\x00\x02".to_vec();
    b.extend((0..3000u32).map(|i| (i % 251) as u8));
    b
}

#[derive(Clone, Default)]
struct Fake {
    base: Arc<Mutex<String>>,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn provider(State(f): State<Fake>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    f.seen.lock().unwrap().push(uri.to_string());
    let base = f.base.lock().unwrap().clone();
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    let voice = voice_note();
    let sha = hex::encode(Sha256::digest(&voice));
    match path.as_str() {
        p if p.starts_with("/v21.0/") => {
            if bearer != Some("Bearer wa-token") {
                return (StatusCode::UNAUTHORIZED, "{}").into_response();
            }
            let id = p.trim_start_matches("/v21.0/");
            let (file, sha) = match id {
                "MEDIA_VOICE" => ("voice", sha),
                "MEDIA_TAMPERED" => ("voice", "00".repeat(32)),
                "MEDIA_HUGE" => ("huge", String::new()),
                "MEDIA_BROKEN" => ("broken", String::new()),
                "MEDIA_SLOW" => ("slow", String::new()),
                _ => {
                    return (
                        StatusCode::NOT_FOUND,
                        r#"{"error":{"message":"no such media"}}"#,
                    )
                        .into_response();
                }
            };
            axum::Json(
                json!({"url": format!("{base}/files/{file}"), "mime_type": "audio/ogg; codecs=opus",
                              "sha256": sha, "file_size": 3006, "messaging_product": "whatsapp"}),
            )
            .into_response()
        }
        "/files/voice" if bearer == Some("Bearer wa-token") => {
            // The provider's type is not trusted; the cloud sniffs the bytes.
            ([("content-type", "application/octet-stream")], voice).into_response()
        }
        "/files/huge" => Body::from(vec![7u8; 200_000]).into_response(),
        "/files/broken" => StatusCode::BAD_GATEWAY.into_response(),
        // A provider that never finishes answering within the request timeout.
        "/files/slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            voice.into_response()
        }
        "/bot123456:bot-token/getFile" => axum::Json(
            json!({"ok": true, "result": {"file_id": "TG_VOICE", "file_path": "voice/file_7.oga"}}),
        )
        .into_response(),
        "/file/bot123456:bot-token/voice/file_7.oga" => voice.into_response(),
        // TikTok's download link wants the access token in `x-user`.
        "/tt/files/TT_IMAGE"
            if headers.get("x-user").and_then(|v| v.to_str().ok()) == Some("tt-token") =>
        {
            ([("content-type", "image/png")], photo()).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A small PNG, as a customer's photo.
fn photo() -> Vec<u8> {
    stepup_cloud::demo::png(3, 2, [10, 120, 90])
}

/// TikTok Business Messaging's `POST /open_api/v1.3/business/message/media/download/`: the
/// `Access-Token` header and a JSON body naming the business, conversation, message and media.
async fn tiktok_download(
    State(f): State<Fake>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> Response {
    f.seen
        .lock()
        .unwrap()
        .push(format!("tiktok-download {body}"));
    if headers.get("access-token").and_then(|v| v.to_str().ok()) != Some("tt-token") {
        return axum::Json(
            json!({"code": 40105, "message": "Access token is incorrect or has been revoked."}),
        )
        .into_response();
    }
    let base = f.base.lock().unwrap().clone();
    match body["media_id"].as_str() {
        Some("TT_IMAGE") => axum::Json(json!({"code": 0, "message": "OK", "request_id": "r1",
            "data": {"download_url": format!("{base}/tt/files/TT_IMAGE")}}))
        .into_response(),
        _ => axum::Json(
            json!({"code": 40002, "message": "media not found", "request_id": "r2", "data": {}}),
        )
        .into_response(),
    }
}

async fn start_fake() -> (String, Fake) {
    let fake = Fake::default();
    let app = Router::new()
        .route(
            "/open_api/v1.3/business/message/media/download/",
            axum::routing::post(tiktok_download),
        )
        .fallback(provider)
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    *fake.base.lock().unwrap() = url.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, fake)
}

async fn harness(allow_private: bool) -> (Harness, Fake) {
    let (url, fake) = start_fake().await;
    let h = Harness::start_with(|c| {
        c.outbound = stepup_cloud::OutboundConfig::all_at(&url);
        c.media_allow_private_hosts = allow_private;
        c.media_limit = 100_000;
        c.outbound.request_timeout = Duration::from_millis(400);
    })
    .await;
    (h, fake)
}

fn now_secs() -> String {
    (common::T0 / 1000).to_string()
}

async fn post_whatsapp_voice(h: &Harness, media_id: &str, wamid: &str) {
    let body = serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "w", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Fatima"}, "wa_id": "971507654321"}],
        "messages": [{"from": "971507654321", "id": wamid, "timestamp": now_secs(), "type": "audio",
                      "audio": {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": true}}]}}]}]}))
    .unwrap();
    let r = h
        .http
        .post(h.url("/webhooks/whatsapp"))
        .header(
            "x-hub-signature-256",
            meta_signature(demo_secrets::META_APP_SECRET, &body),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Waits on the workspace's feed until the message points at its fetched file.
async fn fetched(
    rx: &mut tokio::sync::broadcast::Receiver<stepup_protocol::Change>,
) -> (Message, String) {
    loop {
        let c = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the file was fetched within 10 s")
            .unwrap();
        if c.entity != EntityKind::Message {
            continue;
        }
        let m: Message = c.get().cloned().unwrap();
        if let MessageContent::Attachment { attachment, .. } = &m.content
            && let Some(id) = &attachment.attachment_id
        {
            let id = id.clone();
            return (m, id);
        }
    }
}

#[tokio::test]
async fn a_whatsapp_voice_note_and_a_telegram_one_become_files_the_app_can_play() {
    let (h, fake) = harness(true).await;
    let token = h.token("omar@a.test").await;
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    post_whatsapp_voice(&h, "MEDIA_VOICE", "wamid.voice.1").await;
    let (message, id) = fetched(&mut rx).await;
    let MessageContent::Attachment { attachment, .. } = &message.content else {
        unreachable!()
    };
    assert_eq!(
        attachment.content_type.as_deref(),
        Some("audio/ogg"),
        "sniffed from the bytes"
    );
    assert_eq!(attachment.provider_media_id.as_deref(), Some("MEDIA_VOICE"));
    let r = h
        .http
        .get(h.url(&format!("/v1/attachments/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/ogg");
    assert_eq!(r.bytes().await.unwrap().to_vec(), voice_note());
    assert!(
        fake.seen
            .lock()
            .unwrap()
            .iter()
            .any(|u| u == "/v21.0/MEDIA_VOICE")
    );

    let update = serde_json::to_vec(&json!({"update_id": 9001, "message": {"message_id": 41, "date": common::T0 / 1000,
        "chat": {"id": 5550001, "type": "private"}, "from": {"id": 5550001, "first_name": "Salem"},
        "voice": {"file_id": "TG_VOICE", "file_unique_id": "u1", "duration": 3, "mime_type": "audio/ogg", "file_size": 3006}}}))
    .unwrap();
    let r = h
        .http
        .post(h.url("/webhooks/telegram"))
        .header(
            "x-telegram-bot-api-secret-token",
            demo_secrets::TELEGRAM_SECRET_TOKEN,
        )
        .header("content-type", "application/json")
        .body(update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (message, _) = fetched(&mut rx).await;
    assert!(!message.conversation_id.is_empty());
    assert!(
        fake.seen
            .lock()
            .unwrap()
            .iter()
            .any(|u| u == "/bot123456:bot-token/getFile?file_id=TG_VOICE")
    );
}

async fn post_tiktok_image(h: &Harness, media_id: &str, message_id: &str) {
    let content = json!({"conversation_id": "conv-tt-1", "message_id": message_id, "type": "image",
        "image": {"media_id": media_id}, "from_user": {"id": "user-7", "display_name": "Alia"},
        "timestamp": common::T0});
    let body = serde_json::to_vec(&json!({"client_key": "awcn1jmkbtw9w0qk", "event": "im_receive_msg",
        "create_time": common::T0 / 1000, "user_openid": "-000bQnzWCWO5gxDq", "content": content.to_string()}))
    .unwrap();
    let r = h
        .http
        .post(h.url("/webhooks/tiktok"))
        .header(
            "TikTok-Signature",
            stepup_cloud::webhooks::tiktok_signature(
                demo_secrets::TIKTOK_CLIENT_SECRET,
                common::T0 / 1000,
                &body,
            ),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_tiktok_photo_is_fetched_through_business_messagings_download_endpoint() {
    let (h, fake) = harness(true).await;
    let token = h.token("omar@a.test").await;
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    post_tiktok_image(&h, "TT_IMAGE", "tt-msg-photo").await;
    let (message, id) = fetched(&mut rx).await;
    let MessageContent::Attachment { attachment, .. } = &message.content else {
        unreachable!()
    };
    assert_eq!(attachment.content_type.as_deref(), Some("image/png"));
    let r = h
        .http
        .get(h.url(&format!("/v1/attachments/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().to_vec(), photo());
    let asked = fake
        .seen
        .lock()
        .unwrap()
        .iter()
        .find_map(|u| u.strip_prefix("tiktok-download ").map(str::to_owned))
        .expect("the download endpoint was asked");
    let asked: serde_json::Value = serde_json::from_str(&asked).unwrap();
    assert_eq!(
        asked,
        json!({"business_id": "tt-business-1", "conversation_id": "conv-tt-1",
               "message_id": "tt-msg-photo", "media_id": "TT_IMAGE", "media_type": "IMAGE"})
    );

    // A file TikTok no longer has: the message stays and says so.
    post_tiktok_image(&h, "TT_GONE", "tt-msg-gone").await;
    let failed = loop {
        let c = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the failure was recorded")
            .unwrap();
        if let Some(m) = c.get::<Message>().cloned()
            && let MessageContent::Attachment { attachment, .. } = &m.content
            && attachment.fetch_failed.is_some()
        {
            break attachment.fetch_failed;
        }
    };
    assert_eq!(failed, Some(MediaProblem::Gone));
}

fn job(h: &Harness, channel: Channel, media: &str) -> MediaJob {
    MediaJob {
        workspace_id: h.ws_a.clone(),
        message_id: "msg_absent".into(),
        channel,
        customer: "971507654321".into(),
        media: media.into(),
        kind: stepup_protocol::AttachmentKind::Voice,
        provider_message_id: None,
    }
}

#[tokio::test]
async fn a_file_the_channel_no_longer_has_is_marked_on_its_message_which_is_kept() {
    let (h, _fake) = harness(true).await;
    let mut rx = h.server.state.feed_sender(&h.ws_a).subscribe();
    post_whatsapp_voice(&h, "MEDIA_GONE", "wamid.voice.gone").await;
    let failed = loop {
        let c = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the failure was recorded within 10 s")
            .unwrap();
        if c.entity != EntityKind::Message {
            continue;
        }
        let m: Message = c.get().cloned().unwrap();
        if let MessageContent::Attachment { attachment, .. } = &m.content
            && attachment.fetch_failed.is_some()
        {
            break m;
        }
    };
    let MessageContent::Attachment { attachment, .. } = &failed.content else {
        unreachable!()
    };
    assert_eq!(attachment.fetch_failed, Some(MediaProblem::Gone));
    assert_eq!(attachment.attachment_id, None);
    assert_eq!(
        failed.provider_message_id.as_deref(),
        Some("wamid.voice.gone"),
        "the message itself is kept"
    );
}

#[tokio::test]
async fn a_provider_that_misbehaves_gets_a_clear_reason_and_nothing_is_stored() {
    let (h, fake) = harness(true).await;
    let st = &h.server.state;
    let reason = |r: Result<(), FetchError>| match r {
        Err(FetchError::Permanent(why)) => format!("permanent: {why}"),
        Err(FetchError::Transient(why)) => format!("transient: {why}"),
        Err(FetchError::NotConfigured(why)) => format!("not configured: {why}"),
        Ok(()) => "ok".into(),
    };
    let cases = [
        (
            "MEDIA_TAMPERED",
            "permanent: the file does not match the provider's SHA-256",
        ),
        ("MEDIA_HUGE", "permanent: larger than 100000 bytes"),
        ("MEDIA_GONE", "permanent: provider answered 404 Not Found"),
        (
            "MEDIA_BROKEN",
            "transient: provider answered 502 Bad Gateway",
        ),
    ];
    let problems = [
        MediaProblem::Corrupt,
        MediaProblem::TooLarge,
        MediaProblem::Gone,
        MediaProblem::ProviderDown,
    ];
    for ((media, expected), problem) in cases.into_iter().zip(problems) {
        let r = fetch_now(st, &job(&h, Channel::Whatsapp, media)).await;
        assert_eq!(
            r.as_ref().err().map(FetchError::problem),
            Some(problem),
            "{media}"
        );
        assert_eq!(reason(r), expected, "{media}");
    }
    // A provider too slow to answer: each attempt times out, tried 3 times, then the channel
    // "kept failing".
    let slow = fetch_now(st, &job(&h, Channel::Whatsapp, "MEDIA_SLOW")).await;
    assert_eq!(
        slow.as_ref().err().map(FetchError::problem),
        Some(MediaProblem::ProviderDown)
    );
    assert!(reason(slow).starts_with("transient: network error"));
    // A 502 is tried again (3 attempts), a 404 is not.
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().filter(|u| *u == "/files/broken").count(), 3);
    assert_eq!(seen.iter().filter(|u| *u == "/v21.0/MEDIA_GONE").count(), 1);
    assert_eq!(seen.iter().filter(|u| *u == "/files/slow").count(), 3);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(st.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn links_to_private_or_loopback_addresses_are_never_followed() {
    let (h, fake) = harness(false).await;
    let st = &h.server.state;
    // A Messenger attachment whose link points into the server's own network.
    for link in [
        format!("{}/files/voice", fake.base.lock().unwrap()),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]:9/x".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        let r = fetch_now(st, &job(&h, Channel::Messenger, &link)).await;
        assert!(
            matches!(&r, Err(FetchError::Permanent(why)) if why.contains("private address") || why.contains("not a web link")),
            "{link}: {r:?}"
        );
    }
    assert!(
        fake.seen.lock().unwrap().is_empty(),
        "nothing was requested"
    );
}
