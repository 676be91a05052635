//! Messages: the history of a conversation, page by page, and sending (text, an approved
//! template or an attachment) with an `Idempotency-Key`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use stepup_protocol::{
    AttachmentRef, Channel, Contact, Conversation, Direction, EntityKind, ErrorCode, Message,
    MessageContent, MessageStatus, MessagesPage, Role, SendMessageRequest, Template,
    TemplateStatus,
};

use super::conversation;
use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Q, RawBody, parse_json};
use crate::state::AppState;
use crate::store;
use crate::window::{self, SendMode};
use crate::{outbound, sniff};

#[derive(Debug, Deserialize)]
pub(super) struct HistoryQuery {
    before: Option<String>,
    limit: Option<u32>,
}

pub(super) async fn history(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    Q(q): Q<HistoryQuery>,
) -> ApiResult<Json<MessagesPage>> {
    let ws = &auth.workspace_id;
    let mut conn = state.pool().acquire().await?;
    store::get::<Conversation>(&mut conn, ws, EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(mid) => {
            let (at, parent) = store::sort_key(&mut conn, ws, EntityKind::Message, mid)
                .await?
                .ok_or_else(|| ApiError::not_found("message"))?;
            if parent.as_deref() != Some(id.as_str()) {
                return Err(ApiError::bad_request(
                    "`before` is not a message of this conversation",
                ));
            }
            Some((at, mid.to_owned()))
        }
    };
    let mut messages: Vec<Message> = store::children(
        &mut conn,
        ws,
        EntityKind::Message,
        &id,
        before.as_ref().map(|(a, m)| (*a, m.as_str())),
        limit + 1,
    )
    .await?;
    let has_more = messages.len() > limit as usize;
    messages.truncate(limit as usize);
    Ok(Json(MessagesPage { messages, has_more }))
}

fn hash_request(conversation_id: &str, req: &SendMessageRequest) -> String {
    let mut h = Sha256::new();
    h.update(conversation_id.as_bytes());
    h.update([0]);
    h.update(serde_json::to_string(req).unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

/// `POST /v1/conversations/{id}/messages` with `Idempotency-Key`.
pub(super) async fn send_message(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let key = headers
        .get(stepup_protocol::IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError::bad_request("an Idempotency-Key header (1–200 characters) is required")
        })?
        .to_owned();
    let req: SendMessageRequest = parse_json(&body)?;
    let request_hash = hash_request(&id, &req);
    let ws = auth.workspace_id.clone();
    let mut w = state.write(&ws).await?;
    let prior = store::idempotency::find(w.conn(), &ws, &auth.agent_id, &key).await?;
    if let Some(row) = prior {
        if row.request_hash != request_hash {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request",
            ));
        }
        let status = StatusCode::from_u16(u16::try_from(row.status).unwrap_or(200))
            .unwrap_or(StatusCode::OK);
        let response = row.response;
        drop(w);
        return Ok((
            status,
            [(header::CONTENT_TYPE, "application/json")],
            response,
        )
            .into_response());
    }
    let now = w.now();
    let mut conv = conversation(&mut w, &id).await?;
    let mode = window::check_send(conv.channel, &conv.reply_window, &req, now)?;
    let (content, reply_to) = match &req {
        SendMessageRequest::Text {
            text,
            reply_to_message_id,
            ..
        } => {
            if text.trim().is_empty() || text.chars().count() > 4096 {
                return Err(ApiError::bad_request("text must be 1–4096 characters"));
            }
            if let Some(r) = reply_to_message_id {
                let m: Option<Message> = w.get(EntityKind::Message, r).await?;
                if m.is_none_or(|m| m.conversation_id != id) {
                    return Err(ApiError::not_found("message replied to"));
                }
            }
            (
                MessageContent::Text { text: text.clone() },
                reply_to_message_id.clone(),
            )
        }
        SendMessageRequest::Template {
            template_id,
            params,
        } => {
            let t: Template = w
                .get(EntityKind::Template, template_id)
                .await?
                .ok_or_else(|| ApiError::not_found("template"))?;
            if t.channel != conv.channel {
                return Err(ApiError::bad_request("template belongs to another channel"));
            }
            if t.status != TemplateStatus::Approved {
                return Err(ApiError::conflict("template is not approved"));
            }
            (
                MessageContent::Template {
                    rendered: crate::broadcasts_in::render(&t.body, params),
                    template_id: t.id,
                    name: t.name,
                    language: t.language,
                    params: params.clone(),
                },
                None,
            )
        }
        SendMessageRequest::Attachment {
            attachment_id,
            caption,
            ..
        } => {
            if conv.channel == Channel::Tiktok {
                return Err(ApiError::bad_request("TikTok replies are text only"));
            }
            let (ct, filename) = store::attachments::meta(w.conn(), &ws, attachment_id)
                .await?
                .ok_or_else(|| ApiError::not_found("attachment"))?;
            (
                MessageContent::Attachment {
                    attachment: AttachmentRef {
                        attachment_id: Some(attachment_id.clone()),
                        kind: sniff::kind_of(&ct),
                        content_type: Some(ct),
                        filename: Some(filename),
                        provider_media_id: None,
                        fetch_failed: None,
                    },
                    caption: caption.clone(),
                },
                None,
            )
        }
    };
    let msg = Message {
        id: state.message_id(),
        conversation_id: id.clone(),
        direction: Direction::Outbound,
        sender_agent_id: Some(auth.agent_id.clone()),
        origin: stepup_protocol::Origin::Human,
        content,
        reply_to_message_id: reply_to,
        status: MessageStatus::Pending,
        error: None,
        provider_message_id: None,
        created_at: now,
        edited_at: None,
    };
    w.put_message(&msg).await?;
    conv.last_message_at = now;
    conv.preview = Some(msg.content.preview());
    crate::hours::responded(&mut conv, now);
    crate::assistant::agent_replied(&state, &mut w, &mut conv, now).await?;
    w.put_conversation(&conv).await?;
    let response = serde_json::to_string(&msg)?;
    store::idempotency::record_created(
        w.conn(),
        &ws,
        &auth.agent_id,
        &key,
        &request_hash,
        &response,
        now,
    )
    .await?;
    let contact: Option<Contact> = w.get(EntityKind::Contact, &conv.contact_id).await?;
    state.commit(w).await?;
    let recipient = contact
        .and_then(|c| c.identities.into_iter().find(|i| i.channel == conv.channel))
        .map(|i| i.external_id)
        .unwrap_or_default();
    outbound::dispatch(
        state.clone(),
        ws,
        conv.channel,
        recipient,
        msg.clone(),
        mode == SendMode::HumanAgentTag,
    );
    Ok((StatusCode::CREATED, Json(msg)).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct RangeQuery {
    from: i64,
    to: Option<i64>,
    after: Option<String>,
    limit: Option<u32>,
}

/// The workspace's messages of a period, oldest first, for the caches of supervisors and
/// admins whose snapshot left them out (older than its message window).
pub(super) async fn workspace_history(
    State(state): State<AppState>,
    auth: AuthAgent,
    headers: axum::http::HeaderMap,
    Q(q): Q<RangeQuery>,
) -> ApiResult<axum::response::Response> {
    auth.require(&[Role::Admin, Role::Supervisor])?;
    let to = q.to.unwrap_or(i64::MAX);
    if q.from < 0 || to <= q.from {
        return Err(ApiError::bad_request("`from` must be before `to`"));
    }
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(cursor) => {
            let (at, id) = cursor
                .split_once(':')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_owned())))
                .ok_or_else(|| ApiError::bad_request("`after` is not a cursor of this endpoint"))?;
            Some((at, id))
        }
    };
    let limit = q.limit.unwrap_or(500).clamp(1, 2_000);
    let messages = store::messages::in_range(
        state.pool(),
        &auth.workspace_id,
        q.from,
        to,
        after.as_ref().map(|(a, i)| (*a, i.as_str())),
        limit,
    )
    .await?;
    let next = (messages.len() == limit as usize)
        .then(|| {
            messages
                .last()
                .map(|m| format!("{}:{}", m.created_at, m.id))
        })
        .flatten();
    super::negotiated_json(&headers, &stepup_protocol::HistoryPage { messages, next }).await
}
