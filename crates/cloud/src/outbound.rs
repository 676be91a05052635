//! Outbound adapters, one per channel. Each builds the provider's real request against a
//! configurable base URL, retries transient failures and reports the result back on the message
//! (`sent` with the provider's id, or `failed` with the reason).

use serde_json::{Value, json};
use stepup_protocol::webchat::VisitorEvent;
use stepup_protocol::{
    AttachmentKind, AttachmentRef, Channel, EntityKind, Message, MessageContent, MessageStatus,
};

use crate::config::OutboundConfig;
use crate::ingest;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::{self, Placement};

/// A request ready to go out.
#[derive(Debug, Clone)]
pub struct ProviderRequest {
    pub url: String,
    /// `Authorization: Bearer …` or a provider-specific header.
    pub auth_header: Option<(&'static str, Secret)>,
    /// JSON body, or the text fields of a multipart body when `file` is set.
    pub body: Value,
    /// Multipart upload: `(field name, file)`.
    pub file: Option<(&'static str, MediaFile)>,
}

/// The bytes of an attachment being sent.
#[derive(Clone)]
pub struct MediaFile {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub filename: String,
}

impl std::fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFile")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

fn attachment_kind(content: &MessageContent) -> Option<AttachmentKind> {
    match content {
        MessageContent::Attachment { attachment, .. } => Some(attachment.kind),
        _ => None,
    }
}

/// The upload that must precede sending an attachment: WhatsApp's `/{phone}/media` and the
/// Messenger/Instagram Attachment Upload API. `None` for channels that take the file with the
/// message (Telegram) or have no credentials.
pub fn upload_request(
    cfg: &OutboundConfig,
    channel: Channel,
    kind: AttachmentKind,
    file: MediaFile,
) -> Option<ProviderRequest> {
    let graph = |path: &str| {
        format!(
            "{}/{}/{}",
            cfg.graph_base_url.trim_end_matches('/'),
            cfg.graph_api_version,
            path
        )
    };
    match channel {
        Channel::Whatsapp => Some(ProviderRequest {
            url: graph(&format!("{}/media", cfg.whatsapp_phone_number_id)),
            auth_header: Some(("authorization", cfg.whatsapp_access_token.clone()?)),
            body: json!({"messaging_product": "whatsapp", "type": file.content_type}),
            file: Some(("file", file)),
        }),
        Channel::Messenger | Channel::Instagram => {
            let token = if channel == Channel::Messenger {
                cfg.messenger_page_access_token.clone()?
            } else {
                cfg.instagram_access_token.clone()?
            };
            let t = match kind {
                AttachmentKind::Image | AttachmentKind::Sticker => "image",
                AttachmentKind::Video => "video",
                AttachmentKind::Audio | AttachmentKind::Voice => "audio",
                AttachmentKind::Document => "file",
            };
            Some(ProviderRequest {
                url: graph("me/message_attachments"),
                auth_header: Some(("authorization", token)),
                body: json!({"message": json!({"attachment": {"type": t, "payload": {"is_reusable": true}}}).to_string()}),
                file: Some(("filedata", file)),
            })
        }
        _ => None,
    }
}

/// Why a send failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Permanent(String),
    #[error("{0}")]
    Transient(String),
}

/// The text a channel is sent for a message it takes as text: the message's own words, or a
/// file's name when it has none.
pub(crate) fn text_of(content: &MessageContent) -> String {
    match (content.text(), content) {
        (Some(text), _) => text.to_owned(),
        (
            None,
            MessageContent::Attachment {
                attachment:
                    AttachmentRef {
                        filename: Some(name),
                        ..
                    },
                ..
            },
        ) => name.clone(),
        _ => String::new(),
    }
}

/// Builds the provider request for a message, or `None` when the channel is simulated (no
/// credentials configured) or delivered in-process (Web Chat).
pub fn build_request(
    cfg: &OutboundConfig,
    channel: Channel,
    recipient: &str,
    msg: &Message,
    human_agent_tag: bool,
    reply_to_provider_id: Option<&str>,
    file: Option<MediaFile>,
) -> Option<ProviderRequest> {
    let graph = |path: &str| {
        format!(
            "{}/{}/{}",
            cfg.graph_base_url.trim_end_matches('/'),
            cfg.graph_api_version,
            path
        )
    };
    match channel {
        Channel::Whatsapp => {
            let token = cfg.whatsapp_access_token.clone()?;
            let mut body = json!({
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": recipient,
            });
            match &msg.content {
                MessageContent::Template {
                    name,
                    language,
                    params,
                    ..
                } => {
                    let parameters: Vec<Value> = params
                        .iter()
                        .map(|p| json!({"type": "text", "text": p}))
                        .collect();
                    body["type"] = json!("template");
                    body["template"] = json!({
                        "name": name,
                        "language": {"code": language},
                        "components": [{"type": "body", "parameters": parameters}],
                    });
                }
                MessageContent::Attachment {
                    attachment,
                    caption,
                } => {
                    let kind = match attachment.kind {
                        AttachmentKind::Image => "image",
                        AttachmentKind::Video => "video",
                        AttachmentKind::Audio | AttachmentKind::Voice => "audio",
                        AttachmentKind::Document | AttachmentKind::Sticker => "document",
                    };
                    let mut media = json!({"id": attachment.provider_media_id.clone().or(attachment.attachment_id.clone())});
                    if let Some(c) = caption
                        && kind != "audio"
                    {
                        media["caption"] = json!(c);
                    }
                    body["type"] = json!(kind);
                    body[kind] = media;
                }
                other => {
                    body["type"] = json!("text");
                    body["text"] = json!({"preview_url": false, "body": text_of(other)});
                }
            }
            if let Some(r) = reply_to_provider_id {
                body["context"] = json!({"message_id": r});
            }
            Some(ProviderRequest {
                url: graph(&format!("{}/messages", cfg.whatsapp_phone_number_id)),
                auth_header: Some(("authorization", token)),
                body,
                file: None,
            })
        }
        Channel::Messenger | Channel::Instagram => {
            let token = if channel == Channel::Messenger {
                cfg.messenger_page_access_token.clone()?
            } else {
                cfg.instagram_access_token.clone()?
            };
            let message = match &msg.content {
                MessageContent::Attachment { attachment, .. } => json!({
                    "attachment": {
                        "type": match attachment.kind { AttachmentKind::Image => "image", AttachmentKind::Video => "video", AttachmentKind::Audio | AttachmentKind::Voice => "audio", AttachmentKind::Document | AttachmentKind::Sticker => "file" },
                        "payload": {"attachment_id": attachment.provider_media_id.clone().or(attachment.attachment_id.clone())}
                    }
                }),
                other => json!({"text": text_of(other)}),
            };
            let mut body = json!({"recipient": {"id": recipient}, "message": message});
            if human_agent_tag {
                body["messaging_type"] = json!("MESSAGE_TAG");
                body["tag"] = json!("HUMAN_AGENT");
            } else {
                body["messaging_type"] = json!("RESPONSE");
            }
            Some(ProviderRequest {
                url: graph("me/messages"),
                auth_header: Some(("authorization", token)),
                body,
                file: None,
            })
        }
        Channel::Telegram => {
            let token = cfg.telegram_bot_token.clone()?;
            let base = format!(
                "{}/bot{}",
                cfg.telegram_base_url.trim_end_matches('/'),
                token.expose()
            );
            let reply = reply_to_provider_id.and_then(|r| r.parse::<i64>().ok());
            if let (Some(kind), Some(f)) = (attachment_kind(&msg.content), file) {
                // Files go with the message itself, as multipart.
                let (method, field) = match kind {
                    AttachmentKind::Image => ("sendPhoto", "photo"),
                    AttachmentKind::Voice if f.content_type == "audio/ogg" => {
                        ("sendVoice", "voice")
                    }
                    AttachmentKind::Audio | AttachmentKind::Voice => ("sendAudio", "audio"),
                    AttachmentKind::Video => ("sendVideo", "video"),
                    AttachmentKind::Document | AttachmentKind::Sticker => {
                        ("sendDocument", "document")
                    }
                };
                let mut body = json!({"chat_id": recipient});
                if let MessageContent::Attachment {
                    caption: Some(c), ..
                } = &msg.content
                {
                    body["caption"] = json!(c);
                }
                if let Some(r) = reply {
                    body["reply_parameters"] = json!({"message_id": r}).to_string().into();
                }
                return Some(ProviderRequest {
                    url: format!("{base}/{method}"),
                    auth_header: None,
                    body,
                    file: Some((field, f)),
                });
            }
            let mut body = json!({"chat_id": recipient, "text": text_of(&msg.content)});
            if let Some(r) = reply {
                body["reply_parameters"] = json!({"message_id": r});
            }
            Some(ProviderRequest {
                url: format!("{base}/sendMessage"),
                auth_header: None,
                body,
                file: None,
            })
        }
        Channel::Tiktok => {
            let token = cfg.tiktok_access_token.clone()?;
            Some(ProviderRequest {
                url: format!(
                    "{}/open_api/v1.3/business/message/send/",
                    cfg.tiktok_base_url.trim_end_matches('/')
                ),
                auth_header: Some(("access-token", token)),
                body: json!({
                    "business_id": cfg.tiktok_business_id,
                    "recipient_type": "CONVERSATION",
                    "recipient": recipient,
                    "message_type": "TEXT",
                    "text": {"body": text_of(&msg.content)},
                }),
                file: None,
            })
        }
        Channel::Webchat => None,
    }
}

/// Reads the provider's message id from a success response.
pub fn provider_id(channel: Channel, v: &Value) -> Option<String> {
    match channel {
        Channel::Whatsapp => v["messages"][0]["id"].as_str().map(str::to_owned),
        Channel::Messenger | Channel::Instagram => v["message_id"].as_str().map(str::to_owned),
        Channel::Telegram => v["result"]["message_id"].as_i64().map(|i| i.to_string()),
        Channel::Tiktok => v["data"]["message_id"].as_str().map(str::to_owned),
        Channel::Webchat => None,
    }
}

/// Sends with retries: 5xx, 429 and network errors are retried with doubling backoff.
pub async fn send(
    state: &AppState,
    channel: Channel,
    req: &ProviderRequest,
) -> Result<Option<String>, SendError> {
    send_raw(state, channel, req)
        .await
        .map(|body| provider_id(channel, &body))
}

fn multipart(req: &ProviderRequest) -> Option<reqwest::multipart::Form> {
    let (field, f) = req.file.as_ref()?;
    let mut form = reqwest::multipart::Form::new();
    if let Some(obj) = req.body.as_object() {
        for (k, v) in obj {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            form = form.text(k.clone(), text);
        }
    }
    let part = reqwest::multipart::Part::bytes(f.bytes.clone())
        .file_name(f.filename.clone())
        .mime_str(&f.content_type)
        .ok()?;
    Some(form.part(*field, part))
}

/// Sends with retries and returns the provider's JSON answer.
pub async fn send_raw(
    state: &AppState,
    channel: Channel,
    req: &ProviderRequest,
) -> Result<Value, SendError> {
    let cfg = &state.config().outbound;
    let mut backoff = cfg.retry_backoff;
    let mut last = SendError::Transient("not attempted".into());
    for attempt in 1..=cfg.max_attempts.max(1) {
        let mut rb = state.http().post(&req.url);
        rb = match (&req.file, multipart(req)) {
            (Some(_), Some(form)) => rb.multipart(form),
            (Some(_), None) => {
                return Err(SendError::Permanent(
                    "attachment has an invalid type".into(),
                ));
            }
            (None, _) => rb.json(&req.body),
        };
        if let Some((name, secret)) = &req.auth_header {
            rb = if *name == "authorization" {
                rb.bearer_auth(secret.expose())
            } else {
                rb.header(*name, secret.expose())
            };
        }
        match rb.send().await {
            Ok(resp) => {
                let status = resp.status();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                if status.is_success()
                    && !(channel == Channel::Telegram && body["ok"] == json!(false))
                {
                    return Ok(body);
                }
                let reason = body["error"]["message"]
                    .as_str()
                    .or(body["description"].as_str())
                    .or(body["message"].as_str())
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("provider answered {status}"));
                if status.is_server_error() || status.as_u16() == 429 {
                    last = SendError::Transient(reason);
                } else {
                    return Err(SendError::Permanent(reason));
                }
            }
            Err(e) => last = SendError::Transient(format!("network error: {}", e.without_url())),
        }
        tracing::warn!(
            channel = channel.as_str(),
            attempt,
            "outbound send failed, retrying"
        );
        if attempt < cfg.max_attempts {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }
    Err(last)
}

/// Sends a stored outbound message in the background and records the outcome on it.
pub fn dispatch(
    state: AppState,
    workspace_id: String,
    channel: Channel,
    recipient: String,
    msg: Message,
    human_agent_tag: bool,
) {
    tokio::spawn(async move {
        let reply_to_provider = match &msg.reply_to_message_id {
            Some(id) => match state.pool().acquire().await {
                Ok(mut c) => {
                    crate::store::get::<Message>(&mut c, &workspace_id, EntityKind::Message, id)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|m| m.provider_message_id)
                }
                Err(_) => None,
            },
            None => None,
        };
        let result = if channel == Channel::Webchat {
            let _ = state.visitor_sender(&recipient).send(VisitorEvent::Reply {
                message_id: msg.id.clone(),
                text: text_of(&msg.content),
                at: msg.created_at,
            });
            Ok(Some(format!("wc.{}", msg.id)))
        } else {
            deliver(
                &state,
                &workspace_id,
                channel,
                &recipient,
                msg.clone(),
                human_agent_tag,
                reply_to_provider.as_deref(),
            )
            .await
        };
        if let Err(e) = record(&state, &workspace_id, channel, &msg.id, result).await {
            tracing::error!(error = %e, "recording outbound result failed");
        }
    });
}

/// Tells the provider the customer's message was read (WhatsApp `status: read`, Messenger and
/// Instagram `sender_action: mark_seen`), in the background; failures are only logged.
pub fn read_receipt(
    state: AppState,
    workspace_id: String,
    channel: Channel,
    recipient: String,
    provider_message_id: String,
) {
    tokio::spawn(async move {
        let cfg = match state.outbound_for(&workspace_id, channel, &recipient).await {
            Ok(cfg) => cfg.into_owned(),
            Err(e) => {
                tracing::warn!(error = %e, "read receipt: reading the channel connection failed");
                return;
            }
        };
        if let Some(req) = read_receipt_request(&cfg, channel, &recipient, provider_message_id)
            && let Err(e) = send_raw(&state, channel, &req).await
        {
            tracing::warn!(channel = channel.as_str(), error = %e, "read receipt failed");
        }
    });
}

fn read_receipt_request(
    cfg: &OutboundConfig,
    channel: Channel,
    recipient: &str,
    provider_message_id: String,
) -> Option<ProviderRequest> {
    let graph = format!(
        "{}/{}",
        cfg.graph_base_url.trim_end_matches('/'),
        cfg.graph_api_version
    );
    match channel {
        Channel::Whatsapp => cfg.whatsapp_access_token.clone().map(|t| ProviderRequest {
            url: format!("{graph}/{}/messages", cfg.whatsapp_phone_number_id),
            auth_header: Some(("authorization", t)),
            body: json!({"messaging_product": "whatsapp", "status": "read", "message_id": provider_message_id}),
            file: None,
        }),
        Channel::Messenger | Channel::Instagram => {
            let token = if channel == Channel::Messenger {
                cfg.messenger_page_access_token.clone()
            } else {
                cfg.instagram_access_token.clone()
            };
            token.map(|t| ProviderRequest {
                url: format!("{graph}/me/messages"),
                auth_header: Some(("authorization", t)),
                body: json!({"recipient": {"id": recipient}, "sender_action": "mark_seen"}),
                file: None,
            })
        }
        _ => None,
    }
}

/// Uploads the attachment first where the provider needs that, then sends the message.
async fn deliver(
    state: &AppState,
    ws: &str,
    channel: Channel,
    recipient: &str,
    mut msg: Message,
    human_agent_tag: bool,
    reply_to_provider: Option<&str>,
) -> Result<Option<String>, SendError> {
    // The credentials of the connection this customer wrote to.
    let cfg = state
        .outbound_for(ws, channel, recipient)
        .await
        .map_err(|e| SendError::Transient(format!("reading the channel connection: {e}")))?;
    let cfg = cfg.as_ref();
    let mut file = None;
    if let MessageContent::Attachment { attachment, .. } = &mut msg.content
        && let Some(att_id) = attachment.attachment_id.clone()
        && attachment.provider_media_id.is_none()
    {
        let stored = store::attachments::file(state.pool(), ws, &att_id)
            .await
            .map_err(|e| SendError::Transient(format!("reading the attachment: {e}")))?
            .ok_or_else(|| SendError::Permanent("attachment no longer exists".into()))?;
        let media = MediaFile {
            bytes: stored.bytes,
            content_type: stored.content_type,
            filename: stored.filename,
        };
        if let Some(up) = upload_request(cfg, channel, attachment.kind, media.clone()) {
            let answer = send_raw(state, channel, &up).await?;
            let id = answer["id"]
                .as_str()
                .or(answer["attachment_id"].as_str())
                .ok_or_else(|| SendError::Permanent("media upload returned no id".into()))?;
            attachment.provider_media_id = Some(id.to_owned());
        } else {
            file = Some(media);
        }
    }
    match build_request(
        cfg,
        channel,
        recipient,
        &msg,
        human_agent_tag,
        reply_to_provider,
        file,
    ) {
        Some(req) => send(state, channel, &req).await,
        None => Ok(Some(format!("sim.{}", msg.id))),
    }
}

async fn record(
    state: &AppState,
    ws: &str,
    channel: Channel,
    message_id: &str,
    result: Result<Option<String>, SendError>,
) -> Result<(), sqlx::Error> {
    let mut w = state.write(ws).await?;
    let Some(mut msg) = w.get::<Message>(EntityKind::Message, message_id).await? else {
        return Ok(());
    };
    match result {
        Ok(pid) => {
            if let Some(p) = &pid {
                ingest::remember_provider_id(&mut w, channel, p, &msg.id).await?;
            }
            msg.provider_message_id = pid;
            if msg.status < MessageStatus::Sent {
                msg.status = MessageStatus::Sent;
            }
        }
        Err(e) => {
            tracing::warn!(
                channel = channel.as_str(),
                message_id,
                "outbound message failed"
            );
            msg.status = MessageStatus::Failed;
            msg.error = Some(e.to_string());
        }
    }
    w.put(
        EntityKind::Message,
        &msg.id,
        Placement {
            parent_id: Some(&msg.conversation_id),
            sort_at: msg.created_at,
        },
        &msg,
    )
    .await?;
    state.commit(w).await
}
