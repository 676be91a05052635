//! The live generator: new inbound messages through the real webhook paths (signed as the
//! providers sign them) and the Web Chat visitor API, and the delivery statuses of the agents'
//! replies.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use stepup_protocol::Channel;
use tokio::task::JoinHandle;

use super::{FIRST, LAST, OPENERS, RETURNING_CUSTOMERS, returning_customer_id};
use crate::state::AppState;
use crate::store;

/// One signed webhook request, ready to post.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Builds one signed webhook delivery for a channel. `None` when the channel's secret is not
/// configured (or for Web Chat, which has its own API).
pub fn webhook_delivery(
    state: &AppState,
    rng: &mut StdRng,
    channel: Channel,
    serial: u64,
) -> Option<WebhookDelivery> {
    let secrets = &state.config().secrets;
    let now = state.now();
    let (_, _, text) = OPENERS[rng.random_range(0..OPENERS.len())];
    let name = format!(
        "{} {}",
        FIRST[rng.random_range(0..FIRST.len())],
        LAST[rng.random_range(0..LAST.len())]
    );
    // A small pool of returning customers per channel.
    let who = rng.random_range(0..RETURNING_CUSTOMERS);
    match channel {
        Channel::Whatsapp | Channel::Messenger | Channel::Instagram => {
            let secret = secrets.meta_app_secret.as_ref()?;
            let body = if channel == Channel::Whatsapp {
                let wa = format!("97155{:07}", who);
                json!({"object": "whatsapp_business_account", "entry": [{"id": "demo-waba", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "971800666", "phone_number_id": "demo-phone"},
                    "contacts": [{"profile": {"name": name}, "wa_id": wa}],
                    "messages": [{"from": wa, "id": format!("wamid.live.{serial:x}.{:08x}", rng.random::<u32>()), "timestamp": (now / 1000).to_string(), "type": "text", "text": {"body": text}}]
                }}]}]})
            } else {
                let (object, prefix) = if channel == Channel::Messenger {
                    ("page", "m_")
                } else {
                    ("instagram", "aWdf")
                };
                json!({"object": object, "entry": [{"id": "demo-page", "time": now, "messaging": [{
                    "sender": {"id": returning_customer_id(who)}, "recipient": {"id": "demo-page"}, "timestamp": now,
                    "message": {"mid": format!("{prefix}live{serial:x}{:08x}", rng.random::<u32>()), "text": text}
                }]}]})
            };
            let bytes = serde_json::to_vec(&body).ok()?;
            let sig = crate::webhooks::meta_signature(secret.expose(), &bytes);
            Some(WebhookDelivery {
                path: format!("/webhooks/{}", channel.as_str()),
                headers: vec![("x-hub-signature-256", sig)],
                body: bytes,
            })
        }
        Channel::Telegram => {
            let secret = secrets.telegram_secret_token.as_ref()?;
            let chat = 500_000_000 + who;
            let body = json!({"update_id": 900_000_000u64 + serial * 1000 + rng.random_range(0..1000u64), "message": {
                "message_id": serial + 1, "from": {"id": chat, "is_bot": false, "first_name": name},
                "chat": {"id": chat, "type": "private"}, "date": now / 1000, "text": text}});
            let bytes = serde_json::to_vec(&body).ok()?;
            Some(WebhookDelivery {
                path: "/webhooks/telegram".into(),
                headers: vec![(
                    "x-telegram-bot-api-secret-token",
                    secret.expose().to_owned(),
                )],
                body: bytes,
            })
        }
        Channel::Tiktok => {
            let secret = secrets.tiktok_client_secret.as_ref()?;
            let content = json!({"conversation_id": format!("conv-live-{who}"), "message_id": format!("tt-live-{serial:x}-{:08x}", rng.random::<u32>()),
                "type": "text", "text": {"body": text}, "from_user": {"id": format!("user-{who}"), "display_name": name}, "timestamp": now});
            let body = json!({"client_key": "demo", "event": "im_receive_msg", "create_time": now / 1000, "user_openid": format!("demo-{who}"), "content": content.to_string()});
            let bytes = serde_json::to_vec(&body).ok()?;
            let sig = crate::webhooks::tiktok_signature(secret.expose(), now / 1000, &bytes);
            Some(WebhookDelivery {
                path: "/webhooks/tiktok".into(),
                headers: vec![("tiktok-signature", sig)],
                body: bytes,
            })
        }
        Channel::Webchat => None,
    }
}

/// Posts new inbound messages through the real webhook paths (and the Web Chat visitor API) of
/// the server at `base_url`, `per_minute` times a minute, until the task is aborted.
pub fn spawn_generator(
    state: AppState,
    base_url: String,
    seed: u64,
    per_minute: f64,
) -> Option<JoinHandle<()>> {
    if per_minute <= 0.0 || !per_minute.is_finite() {
        return None;
    }
    let every = Duration::from_secs_f64((60.0 / per_minute).max(0.01));
    Some(tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_11fe);
        let http = reqwest::Client::new();
        let mut visitor: Option<String> = None;
        let mut tick = tokio::time::interval(every);
        for serial in 0u64.. {
            tick.tick().await;
            // Replies the agents sent move on to delivered and read, as the providers report.
            for d in status_deliveries(&state).await {
                let mut req = http
                    .post(format!("{base_url}{}", d.path))
                    .header("content-type", "application/json")
                    .body(d.body);
                for (k, v) in d.headers {
                    req = req.header(k, v);
                }
                if let Err(e) = req.send().await {
                    tracing::warn!(error = %e.without_url(), "demo status delivery failed");
                }
            }
            let channel = Channel::ALL[rng.random_range(0..6)];
            let result = if channel == Channel::Webchat {
                webchat_message(&http, &base_url, &mut visitor, &mut rng, serial).await
            } else {
                match webhook_delivery(&state, &mut rng, channel, serial) {
                    Some(WebhookDelivery {
                        path,
                        headers,
                        body,
                    }) => {
                        let mut req = http
                            .post(format!("{base_url}{path}"))
                            .header("content-type", "application/json")
                            .body(body);
                        for (k, v) in headers {
                            req = req.header(k, v);
                        }
                        req.send().await.map(|r| r.status().as_u16())
                    }
                    None => continue,
                }
            };
            match result {
                Ok(s) if s < 300 => {
                    tracing::debug!(channel = channel.as_str(), "demo message posted")
                }
                Ok(s) => tracing::warn!(
                    channel = channel.as_str(),
                    status = s,
                    "demo webhook refused"
                ),
                Err(e) => {
                    tracing::warn!(error = %e.without_url(), "demo generator could not reach the server")
                }
            }
        }
    }))
}

/// Status webhooks that move recent outbound WhatsApp messages one step (sent → delivered →
/// read) and mark Messenger/Instagram ones delivered.
async fn status_deliveries(state: &AppState) -> Vec<WebhookDelivery> {
    let Some(secret) = state.config().secrets.meta_app_secret.clone() else {
        return Vec::new();
    };
    let Ok(Some(ws)) = state.webhook_workspace().await else {
        return Vec::new();
    };
    let since = state.now() - 6 * 3_600_000;
    let rows = match store::messages::awaiting_status(state.pool(), &ws, since).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "demo status query failed");
            return Vec::new();
        }
    };
    let now = state.now();
    rows.into_iter()
        .filter_map(|(pid, status, channel)| {
            let (path, body) = if channel == "whatsapp" {
                let next = if status == "sent" { "delivered" } else { "read" };
                (
                    "/webhooks/whatsapp",
                    json!({"object": "whatsapp_business_account", "entry": [{"id": "demo-waba", "changes": [{"field": "messages", "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "971800666", "phone_number_id": "demo-phone"},
                        "statuses": [{"id": pid, "status": next, "timestamp": (now / 1000).to_string()}]
                    }}]}]}),
                )
            } else {
                let (path, object) = if channel == "messenger" {
                    ("/webhooks/messenger", "page")
                } else {
                    ("/webhooks/instagram", "instagram")
                };
                (
                    path,
                    json!({"object": object, "entry": [{"id": "demo-page", "time": now, "messaging": [{
                        "sender": {"id": "demo-customer"}, "recipient": {"id": "demo-page"}, "timestamp": now,
                        "delivery": {"mids": [pid]}
                    }]}]}),
                )
            };
            let bytes = serde_json::to_vec(&body).ok()?;
            Some(WebhookDelivery {
                path: path.to_owned(),
                headers: vec![(
                    "x-hub-signature-256",
                    crate::webhooks::meta_signature(secret.expose(), &bytes),
                )],
                body: bytes,
            })
        })
        .collect()
}

async fn webchat_message(
    http: &reqwest::Client,
    base: &str,
    visitor: &mut Option<String>,
    rng: &mut StdRng,
    serial: u64,
) -> Result<u16, reqwest::Error> {
    if visitor.is_none() || rng.random_bool(0.2) {
        let r: serde_json::Value = http
            .post(format!("{base}/webchat/v1/sessions"))
            .json(&json!({"name": FIRST[rng.random_range(0..FIRST.len())]}))
            .send()
            .await?
            .json()
            .await?;
        *visitor = r["visitor_token"].as_str().map(str::to_owned);
    }
    let (_, _, text) = OPENERS[rng.random_range(0..OPENERS.len())];
    let r = http
        .post(format!("{base}/webchat/v1/messages"))
        .bearer_auth(visitor.as_deref().unwrap_or_default())
        .json(&json!({"client_message_id": format!("live-{serial}"), "text": text}))
        .send()
        .await?;
    Ok(r.status().as_u16())
}
