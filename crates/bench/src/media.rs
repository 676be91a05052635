//! A customer's voice note from the WhatsApp webhook to playable in the app: the cloud takes the
//! signed webhook, fetches the file from a loopback stand-in of WhatsApp's media API (media URL,
//! then the bearer download, SHA-256 checked), the app's engine gets the message over the live
//! stream, and the bytes land in its SQLCipher cache, ready for the player. Beside it, the same
//! path for a text message (no file), as the baseline.

use std::sync::Arc;
use std::time::{Duration, Instant};
use stepup_sync::Clock as _;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use stepup_cloud::config::demo_secrets;
use stepup_cloud::webhooks::meta_signature;
use stepup_cloud::{OutboundConfig, Server};
use stepup_protocol::MessageContent;
use stepup_store::{MemorySecrets, Secret};
use stepup_sync::{SyncEvent, SystemClock, account::Accounts, engine::Engine};

use crate::{EMAIL, Live, PASSWORD, bench_cloud_config, bench_config, bench_workspace};

/// A 12 kB Ogg "voice note" (about 3 s of Opus at 32 kbit/s).
fn voice_note() -> Arc<Vec<u8>> {
    let mut b = b"OggS\x00\x02".to_vec();
    b.extend((0..12_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    Arc::new(b)
}

#[derive(Clone)]
struct Fake {
    base: String,
    voice: Arc<Vec<u8>>,
}

/// WhatsApp's media API as documented: `GET /{version}/{media-id}` answers the URL, type,
/// SHA-256 and size; the URL answers the bytes to the same bearer token.
async fn provider(State(f): State<Fake>, uri: Uri, headers: HeaderMap) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer wa-token") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let path = uri.path();
    if path.starts_with("/files/") {
        return ([("content-type", "audio/ogg")], f.voice.as_ref().clone()).into_response();
    }
    let id = path.rsplit('/').next().unwrap_or_default();
    axum::Json(json!({
        "url": format!("{}/files/{id}", f.base),
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": hex::encode(Sha256::digest(f.voice.as_slice())),
        "file_size": f.voice.len(),
        "messaging_product": "whatsapp",
    }))
    .into_response()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn webhook(i: usize, voice: bool) -> Vec<u8> {
    let from = format!("97150{:07}", 1_000_000 + i);
    let now = stepup_sync::SystemClock.now_ms() / 1000;
    let message = if voice {
        json!({"from": from, "id": format!("wamid.bench.voice.{i}"), "timestamp": now.to_string(), "type": "audio",
               "audio": {"id": format!("MEDIA{i}"), "mime_type": "audio/ogg; codecs=opus", "voice": true}})
    } else {
        json!({"from": from, "id": format!("wamid.bench.text.{i}"), "timestamp": now.to_string(), "type": "text",
               "text": {"body": "السلام عليكم، وين طلبي؟ where is my order?"}})
    };
    serde_json::to_vec(&json!({"object": "whatsapp_business_account", "entry": [{"id": "waba", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": format!("Customer {i}")}, "wa_id": from}],
        "messages": [message]}}]}]}))
    .expect("json")
}

pub async fn media(n: usize) {
    println!(
        "\n## Media: {n} WhatsApp voice notes, webhook to playable in the app (bytes in its SQLCipher cache), one at a time; text messages beside them"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let fake = Fake {
        base: base.clone(),
        voice: voice_note(),
    };
    let app = Router::new().fallback(provider).with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("fake serves") });

    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = bench_cloud_config();
    config.data_dir = Some(dir.path().join("cloud"));
    config.outbound = OutboundConfig::all_at(&base);
    config.media_allow_private_hosts = true;
    let server = Server::start(config).await.expect("the cloud starts");
    bench_workspace(&server).await;

    let cache = tempfile::tempdir().expect("tempdir");
    let accounts = Accounts::new(
        cache.path().to_path_buf(),
        Arc::new(MemorySecrets::default()),
    );
    let session = accounts
        .sign_in(
            &server.url(),
            EMAIL,
            &Secret::new(PASSWORD.to_owned()),
            None,
        )
        .await
        .expect("sign in");
    let engine = Engine::new(&session, Arc::new(SystemClock), bench_config());
    // Live before the first webhook.
    let mut live = Live::start(&engine).await;

    let http = reqwest::Client::new();
    let url = format!("{}/webhooks/whatsapp", server.url());
    let mut voice_ms = Vec::with_capacity(n);
    let mut text_ms = Vec::with_capacity(n);
    for i in 0..n {
        for voice in [true, false] {
            let body = webhook(i, voice);
            let started = Instant::now();
            let r = http
                .post(&url)
                .header(
                    "x-hub-signature-256",
                    meta_signature(demo_secrets::META_APP_SECRET, &body),
                )
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("webhook");
            assert!(r.status().is_success(), "webhook: {}", r.status());
            let wamid = format!("wamid.bench.{}.{i}", if voice { "voice" } else { "text" });
            let ready = tokio::time::timeout(Duration::from_secs(30), async {
                loop {
                    let ev = live.events.recv().await.expect("events");
                    let ids = match ev {
                        SyncEvent::ConversationsChanged { ids } => ids,
                        SyncEvent::NewInbound { message } => vec![message.conversation_id.clone()],
                        _ => continue,
                    };
                    for cid in ids {
                        let messages = engine
                            .store()
                            .messages(&cid, None, 5)
                            .await
                            .expect("messages");
                        let Some(m) = messages
                            .iter()
                            .find(|m| m.provider_message_id.as_deref() == Some(wamid.as_str()))
                        else {
                            continue;
                        };
                        if !voice {
                            return;
                        }
                        if let MessageContent::Attachment { attachment, .. } = &m.content
                            && let Some(id) = &attachment.attachment_id
                        {
                            let file = engine.attachment(id).await.expect("the file downloads");
                            assert_eq!(file.bytes.len(), fake.voice.len());
                            return;
                        }
                    }
                }
            })
            .await;
            assert!(ready.is_ok(), "message {wamid} not ready within 30 s");
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if voice {
                voice_ms.push(ms);
            } else {
                text_ms.push(ms);
            }
        }
    }
    live.stop().await;
    session.store.close().await;
    server.shutdown().await;

    for v in [&mut voice_ms, &mut text_ms] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "voice note (fetched by the cloud, then cached)  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        percentile(&voice_ms, 0.5),
        percentile(&voice_ms, 0.99),
        voice_ms.last().copied().unwrap_or_default()
    );
    println!(
        "text message (baseline: no file)                p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        percentile(&text_ms, 0.5),
        percentile(&text_ms, 0.99),
        text_ms.last().copied().unwrap_or_default()
    );
}
