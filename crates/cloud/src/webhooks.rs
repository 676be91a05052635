//! Channel webhooks in the providers' documented formats: WhatsApp Cloud API, Messenger and
//! Instagram (Meta's `X-Hub-Signature-256`), Telegram (secret token header) and TikTok
//! (`TikTok-Signature: t=…,s=…`). Every delivery is verified before it is parsed, unknown fields
//! are ignored, a repeated delivery is stored once, and a malformed body is a 400 with a log line.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use stepup_protocol::{
    AttachmentKind, AttachmentRef, Channel, ErrorCode, MessageContent, MessageStatus, SharedContact,
};
use subtle::ConstantTimeEq;

use crate::connections::Route;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Q, RawBody};
use crate::ingest::{self, Inbound, StatusUpdate};
use crate::media::MediaJob;
use crate::routes::Routes;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::Writer;

pub(crate) fn register(r: Routes) -> Routes {
    r.get("/webhooks/whatsapp", meta_verify)
        .post("/webhooks/whatsapp", whatsapp)
        .get("/webhooks/messenger", meta_verify)
        .post("/webhooks/messenger", messenger)
        .get("/webhooks/instagram", meta_verify)
        .post("/webhooks/instagram", instagram)
        .post("/webhooks/telegram", telegram)
        .post("/webhooks/telegram/{connection}", telegram_connection)
        .post("/webhooks/tiktok", tiktok)
}

type HmacSha256 = Hmac<Sha256>;

fn hmac_hex(secret: &str, parts: &[&[u8]]) -> String {
    // HMAC accepts keys of any length, so this never fails in practice.
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    for p in parts {
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `sha256=<hex>` as Meta sends in `X-Hub-Signature-256`.
pub fn meta_signature(app_secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_hex(app_secret, &[body]))
}

/// `t=<unix seconds>,s=<hex>` as TikTok sends in `TikTok-Signature`.
pub fn tiktok_signature(client_secret: &str, t: i64, body: &[u8]) -> String {
    format!(
        "t={t},s={}",
        hmac_hex(client_secret, &[t.to_string().as_bytes(), b".", body])
    )
}

fn sig_error(status: StatusCode, message: &str) -> ApiError {
    ApiError::new(status, ErrorCode::InvalidSignature, message)
}

fn verify_hex_hmac(secret: &Secret, parts: &[&[u8]], given_hex: &str) -> ApiResult<()> {
    let given = hex::decode(given_hex.trim())
        .map_err(|_| sig_error(StatusCode::FORBIDDEN, "signature is not hex"))?;
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| sig_error(StatusCode::FORBIDDEN, "bad secret"))?;
    for p in parts {
        mac.update(p);
    }
    // verify_slice compares in constant time.
    mac.verify_slice(&given)
        .map_err(|_| sig_error(StatusCode::FORBIDDEN, "signature does not match"))
}

/// The hex digest of `X-Hub-Signature-256`, checked for shape before the body is read.
fn meta_signature_hex(headers: &HeaderMap) -> ApiResult<String> {
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| sig_error(StatusCode::UNAUTHORIZED, "missing X-Hub-Signature-256"))?;
    sig.strip_prefix("sha256=")
        .map(str::to_owned)
        .ok_or_else(|| sig_error(StatusCode::UNAUTHORIZED, "malformed X-Hub-Signature-256"))
}

/// Checks one delivery's signature for every workspace it reaches, before anything is written:
/// each connected account with its own secret, the single-shop routes with the process-wide
/// one. A delivery signed with one shop's secret cannot carry entries for another shop's
/// account. Entries for unknown accounts reach nobody and need no check.
fn verify_routes(
    routes: &[Route],
    global: Option<&Secret>,
    verify: impl Fn(&Secret) -> ApiResult<()>,
) -> ApiResult<()> {
    for route in routes {
        let own = match route {
            Route::Unknown => continue,
            Route::Connected(c) => c.credentials.signing_secret(),
            Route::Workspace(_) => None,
        };
        match (own, global) {
            (Some(secret), _) => verify(&secret)?,
            (None, Some(secret)) => verify(secret)?,
            (None, None) => {
                return Err(sig_error(
                    StatusCode::FORBIDDEN,
                    "no signing secret configured",
                ));
            }
        }
    }
    Ok(())
}

/// After ingesting a connected account's message: replies to this customer leave through it.
async fn remember(
    w: &mut Writer,
    route: &Route,
    channel: Channel,
    customer: &str,
) -> ApiResult<()> {
    if let Route::Connected(c) = route {
        AppState::remember_customer_connection(w, channel, customer, &c.connection.id).await?;
    }
    Ok(())
}

fn malformed(channel: &str, why: impl std::fmt::Display) -> ApiError {
    tracing::warn!(channel, reason = %why, "malformed webhook body");
    ApiError::bad_request(format!("malformed {channel} webhook: {why}"))
}

fn parse_body(channel: &str, body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|e| malformed(channel, e))
}

/// One write transaction per run of deliveries for the same workspace.
struct Batch {
    state: AppState,
    current: Option<Writer>,
}

impl Batch {
    fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
            current: None,
        }
    }

    async fn writer(&mut self, ws: &str) -> ApiResult<&mut Writer> {
        if let Some(w) = self.current.take() {
            if w.workspace_id() == ws {
                return Ok(self.current.insert(w));
            }
            self.state.commit(w).await?;
        }
        Ok(self.current.insert(self.state.write(ws).await?))
    }

    async fn finish(self) -> ApiResult<()> {
        if let Some(w) = self.current {
            self.state.commit(w).await?;
        }
        Ok(())
    }
}

fn ok_response(count: usize) -> Response {
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({"received": count})),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Meta GET verification

#[derive(Debug, Deserialize)]
struct HubQuery {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn meta_verify(State(state): State<AppState>, Q(q): Q<HubQuery>) -> Response {
    let expected = state.config().secrets.meta_verify_token.as_ref();
    let ok = q.mode.as_deref() == Some("subscribe")
        && match (expected, q.verify_token.as_deref()) {
            (Some(e), Some(given)) => bool::from(e.expose().as_bytes().ct_eq(given.as_bytes())),
            _ => false,
        };
    match (ok, q.challenge) {
        (true, Some(c)) => (StatusCode::OK, c).into_response(),
        _ => ApiError::forbidden("verification failed").into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// WhatsApp Cloud API

fn secs_to_ms(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
    .map(|s| s.saturating_mul(1000))
}

fn str_of(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn media(kind: AttachmentKind, v: &Value) -> MessageContent {
    MessageContent::Attachment {
        attachment: AttachmentRef {
            attachment_id: None,
            kind,
            content_type: str_of(&v["mime_type"]),
            filename: str_of(&v["filename"]),
            provider_media_id: str_of(&v["id"]),
            fetch_failed: None,
        },
        caption: str_of(&v["caption"]),
    }
}

/// Content of one WhatsApp message object.
pub fn whatsapp_content(m: &Value) -> MessageContent {
    let t = m["type"].as_str().unwrap_or("unknown");
    match t {
        "text" => MessageContent::Text {
            text: str_of(&m["text"]["body"]).unwrap_or_default(),
        },
        "image" => media(AttachmentKind::Image, &m[t]),
        "video" => media(AttachmentKind::Video, &m[t]),
        "document" => media(AttachmentKind::Document, &m[t]),
        "sticker" => media(AttachmentKind::Sticker, &m[t]),
        "audio" => media(
            if m["audio"]["voice"].as_bool() == Some(true) {
                AttachmentKind::Voice
            } else {
                AttachmentKind::Audio
            },
            &m["audio"],
        ),
        "location" => MessageContent::Location {
            latitude: m["location"]["latitude"].as_f64().unwrap_or(0.0),
            longitude: m["location"]["longitude"].as_f64().unwrap_or(0.0),
            name: str_of(&m["location"]["name"]),
            address: str_of(&m["location"]["address"]),
        },
        "contacts" => MessageContent::Contacts {
            contacts: m["contacts"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| SharedContact {
                            name: str_of(&c["name"]["formatted_name"]).unwrap_or_default(),
                            phones: c["phones"]
                                .as_array()
                                .map(|ps| ps.iter().filter_map(|p| str_of(&p["phone"])).collect())
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        "reaction" => MessageContent::Reaction {
            target_message_id: str_of(&m["reaction"]["message_id"]).unwrap_or_default(),
            emoji: str_of(&m["reaction"]["emoji"]).unwrap_or_default(),
        },
        "interactive" => {
            let kind = m["interactive"]["type"].as_str().unwrap_or("");
            let r = &m["interactive"][kind];
            MessageContent::InteractiveReply {
                reply_id: str_of(&r["id"]).unwrap_or_default(),
                title: str_of(&r["title"]).unwrap_or_default(),
            }
        }
        "button" => MessageContent::InteractiveReply {
            reply_id: str_of(&m["button"]["payload"]).unwrap_or_default(),
            title: str_of(&m["button"]["text"]).unwrap_or_default(),
        },
        other => MessageContent::Unsupported {
            provider_type: other.to_owned(),
        },
    }
}

fn whatsapp_status(s: &str) -> Option<MessageStatus> {
    match s {
        "sent" => Some(MessageStatus::Sent),
        "delivered" => Some(MessageStatus::Delivered),
        "read" => Some(MessageStatus::Read),
        "failed" => Some(MessageStatus::Failed),
        _ => None,
    }
}

async fn whatsapp(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let sig = meta_signature_hex(&headers)?;
    let v = parse_body("whatsapp", &body)?;
    let entries = v["entry"]
        .as_array()
        .ok_or_else(|| malformed("whatsapp", "no entry array"))?;
    let now = state.now();
    let mut batch = Batch::new(&state);
    let mut n = 0;
    let changes: Vec<Value> = entries
        .iter()
        .filter_map(|e| e["changes"].as_array())
        .flatten()
        .cloned()
        .collect();
    let mut media = Vec::new();
    let mut routes = Vec::with_capacity(changes.len());
    for change in &changes {
        let account = change["value"]["metadata"]["phone_number_id"].as_str();
        routes.push(state.route(Channel::Whatsapp, account).await?);
    }
    let global = state.config().secrets.meta_app_secret.as_ref();
    verify_routes(&routes, global, |s| verify_hex_hmac(s, &[&body], &sig))?;
    for (change, route) in changes.iter().zip(&routes) {
        let value = &change["value"];
        let Some(ws) = route.workspace() else {
            continue;
        };
        let w = batch.writer(ws).await?;
        let messages: Vec<Value> = value["messages"].as_array().cloned().unwrap_or_default();
        let statuses: Vec<Value> = value["statuses"].as_array().cloned().unwrap_or_default();
        let names: Vec<(String, String)> = value["contacts"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        Some((
                            str_of(&c["wa_id"])?,
                            str_of(&c["profile"]["name"]).unwrap_or_default(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for m in &messages {
            let (Some(from), Some(id)) = (str_of(&m["from"]), str_of(&m["id"])) else {
                continue;
            };
            let name = names
                .iter()
                .find(|(wa, _)| *wa == from)
                .map(|(_, n)| n.clone());
            remember(w, route, Channel::Whatsapp, &from).await?;
            let content = whatsapp_content(m);
            let inbound = Inbound {
                channel: Channel::Whatsapp,
                phone: Some(format!("+{from}")),
                user_name: name,
                external_user_id: from.clone(),
                provider_message_id: id,
                content: content.clone(),
                reply_to_provider_id: str_of(&m["context"]["id"]),
                at: secs_to_ms(&m["timestamp"]).unwrap_or(now),
                edit: false,
                echo: false,
            };
            if let ingest::Outcome::Created { message_id, .. } =
                ingest::ingest_in(&state, w, inbound).await?
            {
                n += 1;
                media.extend(MediaJob::for_message(
                    ws,
                    &message_id,
                    Channel::Whatsapp,
                    &from,
                    &content,
                ));
            }
        }
        for s in &statuses {
            let (Some(id), Some(status)) = (
                str_of(&s["id"]),
                s["status"].as_str().and_then(whatsapp_status),
            ) else {
                continue;
            };
            let error = s["errors"][0].as_object().map(|e| {
                let code = e.get("code").map(|c| c.to_string()).unwrap_or_default();
                let title = e.get("title").and_then(Value::as_str).unwrap_or("failed");
                let details = e
                    .get("error_data")
                    .and_then(|d| d["details"].as_str())
                    .unwrap_or("");
                format!(
                    "{code} {title}{}{details}",
                    if details.is_empty() { "" } else { ": " }
                )
            });
            ingest::status_in(
                w,
                StatusUpdate {
                    channel: Channel::Whatsapp,
                    provider_message_id: id,
                    status,
                    error,
                },
            )
            .await?;
            n += 1;
        }
    }
    batch.finish().await?;
    for job in media {
        crate::media::fetch_later(state.clone(), job);
    }
    Ok(ok_response(n))
}

// ---------------------------------------------------------------------------------------------
// Messenger and Instagram

fn messaging_content(channel: Channel, message: &Value) -> MessageContent {
    if let Some(story) = message["reply_to"]["story"].as_object() {
        return MessageContent::StoryReply {
            text: str_of(&message["text"]).unwrap_or_default(),
            story_url: story.get("url").and_then(Value::as_str).map(str::to_owned),
        };
    }
    if let Some(text) = message["text"].as_str() {
        return MessageContent::Text {
            text: text.to_owned(),
        };
    }
    if let Some(a) = message["attachments"].as_array().and_then(|a| a.first()) {
        let t = a["type"].as_str().unwrap_or("file");
        let kind = match t {
            "image" => AttachmentKind::Image,
            "video" => AttachmentKind::Video,
            "audio" => AttachmentKind::Audio,
            "file" => AttachmentKind::Document,
            "sticker" => AttachmentKind::Sticker,
            "location" => {
                let c = &a["payload"]["coordinates"];
                return MessageContent::Location {
                    latitude: c["lat"].as_f64().unwrap_or(0.0),
                    longitude: c["long"].as_f64().unwrap_or(0.0),
                    name: str_of(&a["title"]),
                    address: None,
                };
            }
            other => {
                return MessageContent::Unsupported {
                    provider_type: format!("{}:{other}", channel.as_str()),
                };
            }
        };
        return MessageContent::Attachment {
            attachment: AttachmentRef {
                attachment_id: None,
                kind,
                content_type: None,
                filename: None,
                provider_media_id: str_of(&a["payload"]["url"]),
                fetch_failed: None,
            },
            caption: None,
        };
    }
    MessageContent::Unsupported {
        provider_type: "empty".into(),
    }
}

async fn meta_messaging(
    state: AppState,
    channel: Channel,
    headers: HeaderMap,
    body: &[u8],
) -> ApiResult<Response> {
    let sig = meta_signature_hex(&headers)?;
    let name = channel.as_str();
    let v = parse_body(name, body)?;
    let entries = v["entry"]
        .as_array()
        .ok_or_else(|| malformed(name, "no entry array"))?;
    let now = state.now();
    let mut batch = Batch::new(&state);
    let mut n = 0;
    let events: Vec<(Option<String>, Value)> = entries
        .iter()
        .flat_map(|e| {
            let account = str_of(&e["id"]);
            e["messaging"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |m| (account.clone(), m))
        })
        .collect();
    // Customers who wrote (workspace, id): named from their profiles afterwards.
    let mut routes = Vec::with_capacity(events.len());
    for (account, _) in &events {
        routes.push(state.route(channel, account.as_deref()).await?);
    }
    let global = state.config().secrets.meta_app_secret.as_ref();
    verify_routes(&routes, global, |s| verify_hex_hmac(s, &[body], &sig))?;
    let mut customers: Vec<(String, String)> = Vec::new();
    let mut media = Vec::new();
    for ((_, ev), route) in events.iter().zip(&routes) {
        let Some(ws) = route.workspace().map(str::to_owned) else {
            continue;
        };
        let w = batch.writer(&ws).await?;
        let sender = str_of(&ev["sender"]["id"]).unwrap_or_default();
        let recipient = str_of(&ev["recipient"]["id"]).unwrap_or_default();
        let at = ev["timestamp"].as_i64().unwrap_or(now);
        let message = &ev["message"];
        if message.is_object() {
            let Some(mid) = str_of(&message["mid"]) else {
                continue;
            };
            let echo = message["is_echo"].as_bool() == Some(true);
            let customer = if echo { recipient } else { sender };
            if customer.is_empty() {
                continue;
            }
            if !echo && !customers.iter().any(|(w, c)| w == &ws && c == &customer) {
                customers.push((ws.clone(), customer.clone()));
            }
            remember(w, route, channel, &customer).await?;
            let content = messaging_content(channel, message);
            let inbound = Inbound {
                channel,
                external_user_id: customer.clone(),
                user_name: None,
                phone: None,
                provider_message_id: mid,
                content: content.clone(),
                reply_to_provider_id: str_of(&message["reply_to"]["mid"]),
                at,
                edit: false,
                echo,
            };
            if let ingest::Outcome::Created { message_id, .. } =
                ingest::ingest_in(&state, w, inbound).await?
            {
                n += 1;
                media.extend(MediaJob::for_message(
                    &ws,
                    &message_id,
                    channel,
                    &customer,
                    &content,
                ));
            }
        } else if let Some(r) = ev["reaction"].as_object() {
            let mid = r.get("mid").and_then(Value::as_str).unwrap_or_default();
            let emoji = if r.get("action").and_then(Value::as_str) == Some("unreact") {
                String::new()
            } else {
                r.get("emoji")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let inbound = Inbound {
                channel,
                external_user_id: sender,
                user_name: None,
                phone: None,
                provider_message_id: format!("reaction:{mid}:{at}"),
                content: MessageContent::Reaction {
                    target_message_id: mid.to_owned(),
                    emoji,
                },
                reply_to_provider_id: None,
                at,
                edit: false,
                echo: false,
            };
            ingest::ingest_in(&state, w, inbound).await?;
            n += 1;
        } else if let Some(d) = ev["delivery"].as_object() {
            let mids: Vec<String> = d
                .get("mids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(str_of).collect())
                .unwrap_or_default();
            for mid in mids {
                ingest::status_in(
                    w,
                    StatusUpdate {
                        channel,
                        provider_message_id: mid,
                        status: MessageStatus::Delivered,
                        error: None,
                    },
                )
                .await?;
            }
            if let Some(wm) = d.get("watermark").and_then(Value::as_i64) {
                ingest::watermark_in(w, channel, &sender, wm, MessageStatus::Delivered).await?;
            }
            n += 1;
        } else if let Some(r) = ev["read"].as_object() {
            // Messenger sends a watermark; Instagram's "seen" names the last message read.
            let wm = match r.get("watermark").and_then(Value::as_i64) {
                Some(wm) => Some(wm),
                None => match r.get("mid").and_then(Value::as_str) {
                    Some(mid) => ingest::provider_message_time(w, channel, mid).await?,
                    None => None,
                },
            };
            if let Some(wm) = wm {
                ingest::watermark_in(w, channel, &sender, wm, MessageStatus::Read).await?;
            }
            n += 1;
        }
    }
    batch.finish().await?;
    for job in media {
        crate::media::fetch_later(state.clone(), job);
    }
    if crate::profiles::looks_up(channel) && !customers.is_empty() {
        tokio::spawn(crate::profiles::name_customers(
            state.clone(),
            channel,
            customers,
        ));
    }
    Ok(ok_response(n))
}

async fn messenger(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    meta_messaging(state, Channel::Messenger, headers, &body).await
}

async fn instagram(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    meta_messaging(state, Channel::Instagram, headers, &body).await
}

// ---------------------------------------------------------------------------------------------
// Telegram

fn telegram_content(m: &Value) -> MessageContent {
    let caption = str_of(&m["caption"]);
    let file = |kind: AttachmentKind, f: &Value| MessageContent::Attachment {
        attachment: AttachmentRef {
            attachment_id: None,
            kind,
            content_type: str_of(&f["mime_type"]),
            filename: str_of(&f["file_name"]),
            provider_media_id: str_of(&f["file_id"]),
            fetch_failed: None,
        },
        caption: caption.clone(),
    };
    if let Some(t) = m["text"].as_str() {
        MessageContent::Text { text: t.to_owned() }
    } else if let Some(sizes) = m["photo"].as_array() {
        // Sizes come smallest first; keep the largest.
        file(AttachmentKind::Image, sizes.last().unwrap_or(&Value::Null))
    } else if m["voice"].is_object() {
        file(AttachmentKind::Voice, &m["voice"])
    } else if m["audio"].is_object() {
        file(AttachmentKind::Audio, &m["audio"])
    } else if m["video"].is_object() {
        file(AttachmentKind::Video, &m["video"])
    } else if m["document"].is_object() {
        file(AttachmentKind::Document, &m["document"])
    } else if m["sticker"].is_object() {
        file(AttachmentKind::Sticker, &m["sticker"])
    } else if m["location"].is_object() {
        MessageContent::Location {
            latitude: m["location"]["latitude"].as_f64().unwrap_or(0.0),
            longitude: m["location"]["longitude"].as_f64().unwrap_or(0.0),
            name: None,
            address: None,
        }
    } else if m["contact"].is_object() {
        let c = &m["contact"];
        let name = [c["first_name"].as_str(), c["last_name"].as_str()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        MessageContent::Contacts {
            contacts: vec![SharedContact {
                name,
                phones: str_of(&c["phone_number"]).into_iter().collect(),
            }],
        }
    } else {
        MessageContent::Unsupported {
            provider_type: "telegram".into(),
        }
    }
}

fn telegram_token_matches(headers: &HeaderMap, expected: Option<&Secret>) -> ApiResult<()> {
    let expected =
        expected.ok_or_else(|| sig_error(StatusCode::FORBIDDEN, "no secret token configured"))?;
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            sig_error(
                StatusCode::UNAUTHORIZED,
                "missing X-Telegram-Bot-Api-Secret-Token",
            )
        })?;
    if !bool::from(expected.expose().as_bytes().ct_eq(given.as_bytes())) {
        return Err(sig_error(
            StatusCode::FORBIDDEN,
            "secret token does not match",
        ));
    }
    Ok(())
}

/// The single-shop door: the process-wide secret token, deliveries to the first workspace.
async fn telegram(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    telegram_token_matches(
        &headers,
        state.config().secrets.telegram_secret_token.as_ref(),
    )?;
    let route = state.route(Channel::Telegram, None).await?;
    telegram_update(state, route, &body).await
}

/// A connected bot's own door (`setWebhook` points each bot here, with its own secret token).
async fn telegram_connection(
    State(state): State<AppState>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let connected = state
        .connection_by_id(&connection_id)
        .await?
        .filter(|c| c.connection.channel == Channel::Telegram)
        .ok_or_else(|| ApiError::not_found("Telegram connection"))?;
    let secret = crate::connections::Credentials::secret_of(&connected.credentials.webhook_secret);
    telegram_token_matches(&headers, secret.as_ref())?;
    telegram_update(state, Route::Connected(Box::new(connected)), &body).await
}

async fn telegram_update(state: AppState, route: Route, body: &[u8]) -> ApiResult<Response> {
    let v = parse_body("telegram", body)?;
    let update_id = v["update_id"]
        .as_i64()
        .ok_or_else(|| malformed("telegram", "no update_id"))?;
    let Some(ws) = route.workspace() else {
        return Ok(ok_response(0));
    };
    let mut w = state.write(ws).await?;
    if !w.first_delivery("telegram", &update_id.to_string()).await? {
        return Ok(ok_response(0));
    }
    let (m, edit) = if v["message"].is_object() {
        (&v["message"], false)
    } else if v["edited_message"].is_object() {
        (&v["edited_message"], true)
    } else {
        state.commit(w).await?;
        return Ok(ok_response(0));
    };
    let chat = m["chat"]["id"]
        .as_i64()
        .ok_or_else(|| malformed("telegram", "no chat id"))?;
    let message_id = m["message_id"]
        .as_i64()
        .ok_or_else(|| malformed("telegram", "no message_id"))?;
    let from = &m["from"];
    let name = [from["first_name"].as_str(), from["last_name"].as_str()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let at = if edit {
        m["edit_date"].as_i64().or(m["date"].as_i64())
    } else {
        m["date"].as_i64()
    }
    .map_or(state.now(), |s| s.saturating_mul(1000));
    remember(&mut w, &route, Channel::Telegram, &chat.to_string()).await?;
    let content = telegram_content(m);
    let inbound = Inbound {
        channel: Channel::Telegram,
        external_user_id: chat.to_string(),
        user_name: if name.is_empty() {
            str_of(&from["username"])
        } else {
            Some(name)
        },
        // A customer sharing their own contact card (its user_id is theirs): Telegram verified
        // that number for them.
        phone: (m["contact"]["user_id"].as_i64().is_some()
            && m["contact"]["user_id"].as_i64() == from["id"].as_i64())
        .then(|| str_of(&m["contact"]["phone_number"]))
        .flatten(),
        // Message ids are unique within a chat.
        provider_message_id: format!("{chat}:{message_id}"),
        content: content.clone(),
        reply_to_provider_id: m["reply_to_message"]["message_id"]
            .as_i64()
            .map(|r| format!("{chat}:{r}")),
        at,
        edit,
        echo: false,
    };
    let out = ingest::ingest_in(&state, &mut w, inbound).await?;
    state.commit(w).await?;
    if let ingest::Outcome::Created { message_id, .. } = out
        && let Some(job) = MediaJob::for_message(
            ws,
            &message_id,
            Channel::Telegram,
            &chat.to_string(),
            &content,
        )
    {
        crate::media::fetch_later(state.clone(), job);
    }
    Ok(ok_response(1))
}

// ---------------------------------------------------------------------------------------------
// TikTok

fn parse_tiktok_header(h: &str) -> Option<(i64, String)> {
    let mut t = None;
    let mut s = None;
    for part in h.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse().ok(),
            Some(("s", v)) => s = Some(v.to_owned()),
            _ => {}
        }
    }
    Some((t?, s?))
}

async fn tiktok(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let header = headers
        .get("tiktok-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| sig_error(StatusCode::UNAUTHORIZED, "missing TikTok-Signature"))?;
    let (t, s) = parse_tiktok_header(header)
        .ok_or_else(|| sig_error(StatusCode::UNAUTHORIZED, "malformed TikTok-Signature"))?;
    let tolerance = i64::try_from(state.config().tiktok_tolerance.as_secs()).unwrap_or(300);
    if (state.now() / 1000).saturating_sub(t).saturating_abs() > tolerance {
        return Err(sig_error(
            StatusCode::FORBIDDEN,
            "signature timestamp outside tolerance",
        ));
    }
    let v = parse_body("tiktok", &body)?;
    let route = state
        .route(Channel::Tiktok, v["user_openid"].as_str())
        .await?;
    let global = state.config().secrets.tiktok_client_secret.as_ref();
    verify_routes(std::slice::from_ref(&route), global, |secret| {
        verify_hex_hmac(secret, &[t.to_string().as_bytes(), b".", &body], &s)
    })?;
    let event = v["event"]
        .as_str()
        .ok_or_else(|| malformed("tiktok", "no event"))?;
    // `content` is a JSON document serialised as a string.
    let content: Value = match &v["content"] {
        Value::String(s) => serde_json::from_str(s).map_err(|e| malformed("tiktok", e))?,
        Value::Object(_) => v["content"].clone(),
        _ => return Err(malformed("tiktok", "no content")),
    };
    if event != "im_receive_msg" {
        return Ok(ok_response(0));
    }
    let (Some(conversation), Some(message_id)) = (
        str_of(&content["conversation_id"]),
        str_of(&content["message_id"]),
    ) else {
        return Err(malformed(
            "tiktok",
            "message without conversation_id or message_id",
        ));
    };
    let Some(ws) = route.workspace() else {
        return Ok(ok_response(0));
    };
    let mut w = state.write(ws).await?;
    remember(&mut w, &route, Channel::Tiktok, &conversation).await?;
    let msg_type = content["type"].as_str().unwrap_or("text");
    let body_content = match msg_type {
        "text" => MessageContent::Text {
            text: str_of(&content["text"]["body"]).unwrap_or_default(),
        },
        // Business Messaging names a file by `media_id` (fetched later through its download
        // endpoint).
        "image" | "video" => {
            let kind = if msg_type == "video" {
                AttachmentKind::Video
            } else {
                AttachmentKind::Image
            };
            let mut file = content[msg_type].clone();
            if file["id"].is_null() {
                file["id"] = file["media_id"].clone();
            }
            media(kind, &file)
        }
        other => MessageContent::Unsupported {
            provider_type: format!("tiktok:{other}"),
        },
    };
    let job_for = |stored: &str| {
        MediaJob::for_message(ws, stored, Channel::Tiktok, &conversation, &body_content)
            .map(|j| j.with_provider_message(&message_id))
    };
    let inbound = Inbound {
        channel: Channel::Tiktok,
        external_user_id: conversation.clone(),
        user_name: str_of(&content["from_user"]["display_name"]),
        phone: None,
        provider_message_id: message_id.clone(),
        content: body_content.clone(),
        reply_to_provider_id: None,
        at: content["timestamp"]
            .as_i64()
            .unwrap_or_else(|| v["create_time"].as_i64().unwrap_or(0) * 1000),
        edit: false,
        echo: false,
    };
    let out = ingest::ingest_in(&state, &mut w, inbound).await?;
    state.commit(w).await?;
    let created = match out {
        ingest::Outcome::Created { message_id, .. } => {
            if let Some(job) = job_for(&message_id) {
                crate::media::fetch_later(state.clone(), job);
            }
            true
        }
        _ => false,
    };
    Ok(ok_response(usize::from(created)))
}
