//! The `/v1` router and its handlers.

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::Row;
use stepup_protocol::{
    AddNoteRequest, Agent, Assignee, Attachment, AttachmentRef, CannedResponse, Channel, Contact,
    Conversation, ConversationStatus, Direction, EntityKind, ErrorCode, Label, MarkReadRequest,
    Message, MessageContent, MessageStatus, MessagesPage, NewCannedResponse, Note, Role,
    SendMessageRequest, SetPresenceRequest, StreamEvent, SuggestionSource, SuggestionsResponse,
    SyncResponse, Team, Template, TemplateStatus, UpdateConversationRequest,
};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::{self, AuthAgent};
use crate::error::{ApiError, ApiResult};
pub use crate::extract::{JsonBody, Q, RawBody, parse_json};
use crate::ranker::{self, Candidate};
pub use crate::routes::Routes;
use crate::store::{self, Placement};
use crate::window::{self, SendMode};
use crate::{AppState, outbound, sniff, webchat, webhooks};

fn build(body_limit: usize, attachment_limit: usize) -> Routes {
    let r = Routes::new()
        .get("/healthz", || async { "ok" })
        .post("/v1/auth/login", auth::login)
        .post("/v1/auth/refresh", auth::refresh)
        .post("/v1/auth/logout", auth::logout)
        .get("/v1/me", me)
        .get("/v1/sync", sync)
        .get("/v1/stream", stream)
        .get("/v1/conversations/{id}", get_conversation)
        .patch("/v1/conversations/{id}", update_conversation)
        .get("/v1/conversations/{id}/messages", history)
        .post("/v1/conversations/{id}/messages", send_message)
        .post("/v1/conversations/{id}/notes", add_note)
        .post("/v1/conversations/{id}/read", mark_read)
        .post("/v1/conversations/{id}/unread", mark_unread)
        .get("/v1/conversations/{id}/suggestions", suggestions)
        .add(
            "post",
            "/v1/attachments",
            post(upload_attachment).layer(DefaultBodyLimit::max(attachment_limit)),
        )
        .get("/v1/attachments/{id}", download_attachment)
        .get("/v1/canned-responses", list_canned)
        .post("/v1/canned-responses", create_canned)
        .delete("/v1/canned-responses/{id}", delete_canned)
        .get("/v1/templates", list_templates)
        .post("/v1/templates", create_template)
        .patch("/v1/templates/{id}", update_template)
        .post("/v1/labels", create_label)
        .put("/v1/presence", set_presence);
    let mut r = webchat::register(webhooks::register(r));
    r.router = r.router.layer(DefaultBodyLimit::max(body_limit));
    r
}

/// Every `(method, path)` the server answers, methods in lower case, paths in OpenAPI form.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    build(1, 1).list
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.config().body_limit;
    let attachment_limit = state.config().attachment_limit;
    build(body_limit, attachment_limit)
        .router
        .fallback(|| async { ApiError::not_found("route") })
        .layer(axum::middleware::from_fn(access_log))
        .with_state(state)
}

/// One log line per request: method, path (never the query, which may carry a token), status
/// and duration.
async fn access_log(req: Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_millis();
    if status >= 500 {
        tracing::error!(%method, %path, status, ms, "request failed");
    } else {
        tracing::debug!(%method, %path, status, ms, "request");
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// Helpers

async fn load<T: DeserializeOwned>(
    state: &AppState,
    ws: &str,
    kind: EntityKind,
    id: &str,
) -> ApiResult<T> {
    let mut conn = state.pool().acquire().await?;
    store::get(&mut conn, ws, kind, id)
        .await?
        .ok_or_else(|| ApiError::not_found(kind.as_str()))
}

async fn me(State(state): State<AppState>, auth: AuthAgent) -> ApiResult<Json<Agent>> {
    Ok(Json(
        load(
            &state,
            &auth.workspace_id,
            EntityKind::Agent,
            &auth.agent_id,
        )
        .await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Change feed

#[derive(Debug, Deserialize)]
struct SyncQuery {
    after: Option<String>,
    limit: Option<u32>,
}

enum Cursor {
    Snapshot(u64),
    Log(u64),
}

fn parse_cursor(s: Option<&str>) -> ApiResult<Cursor> {
    let bad = || ApiError::bad_request("cursor must be a number or a snapshot cursor");
    match s.map(str::trim) {
        None | Some("") | Some("0") => Ok(Cursor::Snapshot(0)),
        Some(s) => match s.strip_prefix('s') {
            Some(rest) => rest.parse().map(Cursor::Snapshot).map_err(|_| bad()),
            None => s.parse().map(Cursor::Log).map_err(|_| bad()),
        },
    }
}

async fn sync(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<SyncQuery>,
) -> ApiResult<Json<SyncResponse>> {
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let cursor = parse_cursor(q.after.as_deref())?;
    // One read transaction: head, horizon and rows come from the same snapshot.
    let mut tx = state.pool().begin().await?;
    let (head, horizon) = store::feed_bounds(&mut tx, &auth.workspace_id)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    let resp = match cursor {
        Cursor::Log(after) => {
            if after < horizon || after > head {
                return Err(ApiError::new(
                    StatusCode::GONE,
                    ErrorCode::CursorExpired,
                    "cursor is outside the kept history: sync again from 0",
                ));
            }
            let mut changes =
                store::changes_after(&mut tx, &auth.workspace_id, after, limit + 1).await?;
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next = changes.last().map_or(after, |c| c.seq);
            SyncResponse {
                changes,
                next_cursor: next.to_string(),
                has_more,
                snapshot: false,
                snapshot_total: None,
            }
        }
        Cursor::Snapshot(after) => {
            let window = i64::try_from(state.config().snapshot_message_window.as_millis())
                .unwrap_or(i64::MAX);
            let since = state.now().saturating_sub(window);
            let snapshot_total = if after == 0 {
                Some(store::snapshot_size(&mut tx, &auth.workspace_id, since).await?)
            } else {
                None
            };
            let mut changes =
                store::snapshot_after(&mut tx, &auth.workspace_id, after, limit + 1, since).await?;
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next_cursor = if has_more {
                format!("s{}", changes.last().map_or(after, |c| c.seq))
            } else {
                head.to_string()
            };
            SyncResponse {
                changes,
                next_cursor,
                has_more,
                snapshot: true,
                snapshot_total,
            }
        }
    };
    tx.commit().await?;
    Ok(Json(resp))
}

async fn stream(State(state): State<AppState>, auth: AuthAgent, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run_stream(state, auth, socket))
}

async fn run_stream(state: AppState, auth: AuthAgent, mut socket: WebSocket) {
    let mut stopping = state.stopping();
    // Subscribe before reading the head so nothing committed after the hello is lost.
    let mut rx = state.feed_sender(&auth.workspace_id).subscribe();
    let head = match state.pool().acquire().await {
        Ok(mut c) => store::feed_bounds(&mut c, &auth.workspace_id)
            .await
            .ok()
            .flatten()
            .map_or(0, |b| b.0),
        Err(_) => 0,
    };
    let send = |ev: &StreamEvent| serde_json::to_string(ev).map(|s| WsMessage::Text(s.into()));
    let Ok(hello) = send(&StreamEvent::Hello { head }) else {
        return;
    };
    if socket.send(hello).await.is_err() {
        return;
    }
    let mut last = head;
    let mut beat = tokio::time::interval(state.config().heartbeat_interval);
    beat.tick().await;
    loop {
        tokio::select! {
            () = async {
                let _ = stopping.wait_for(|stop| *stop).await;
            } => {
                let _ = socket.send(WsMessage::Close(None)).await;
                break;
            }
            msg = rx.recv() => {
                let ev = match msg {
                    Ok(change) => {
                        if change.seq <= head { continue; }
                        last = change.seq;
                        StreamEvent::Change { change: Box::new(change) }
                    }
                    Err(RecvError::Lagged(_)) => StreamEvent::Lagged,
                    Err(RecvError::Closed) => break,
                };
                let lagged = matches!(ev, StreamEvent::Lagged);
                let Ok(frame) = send(&ev) else { break };
                if socket.send(frame).await.is_err() || lagged { break; }
            }
            _ = beat.tick() => {
                let Ok(frame) = send(&StreamEvent::Heartbeat { at: state.now(), head: last }) else { break };
                if socket.send(frame).await.is_err() { break; }
            }
            incoming = socket.recv() => {
                match incoming {
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Conversations

async fn get_conversation(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(
        load(&state, &auth.workspace_id, EntityKind::Conversation, &id).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    before: Option<String>,
    limit: Option<u32>,
}

async fn history(
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

async fn update_conversation(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateConversationRequest>,
) -> ApiResult<Json<Conversation>> {
    let now = state.now();
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let before = conv.clone();
    if let Some(status) = req.status {
        if status == ConversationStatus::Resolved {
            if conv.status != ConversationStatus::Resolved {
                conv.resolved_at = Some(now);
            }
        } else {
            conv.resolved_at = None;
        }
        conv.status = status;
        conv.snoozed_until = None;
        if status == ConversationStatus::Snoozed {
            match req.snoozed_until {
                Some(t) if t > now => conv.snoozed_until = Some(t),
                _ => {
                    return Err(ApiError::bad_request(
                        "snoozed needs `snoozed_until` in the future",
                    ));
                }
            }
        }
    }
    if let Some(assignee) = req.assignee {
        match assignee {
            Assignee::Nobody => {
                conv.assignee_agent_id = None;
                conv.assignee_team_id = None;
            }
            Assignee::Agent { id: agent_id } => {
                if auth.role == Role::Agent && agent_id != auth.agent_id {
                    return Err(ApiError::forbidden(
                        "agents may only assign conversations to themselves",
                    ));
                }
                w.get::<Agent>(EntityKind::Agent, &agent_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("agent"))?;
                conv.assignee_agent_id = Some(agent_id);
            }
            Assignee::Team { id: team_id } => {
                w.get::<Team>(EntityKind::Team, &team_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("team"))?;
                conv.assignee_team_id = Some(team_id);
                conv.assignee_agent_id = None;
            }
        }
    }
    if let Some(labels) = req.labels {
        let mut out = Vec::new();
        for l in labels {
            w.get::<Label>(EntityKind::Label, &l)
                .await?
                .ok_or_else(|| ApiError::not_found("label"))?;
            if !out.contains(&l) {
                out.push(l);
            }
        }
        conv.labels = out;
    }
    if let Some(p) = req.priority {
        conv.priority = p;
    }
    // The timeline records status and assignment changes as system events. They are not
    // messages anyone sent: the conversation's last activity, preview and unread stay.
    for event in timeline_events(&before, &conv, &auth.agent_id) {
        let msg = Message {
            id: state.ids().make("msg"),
            conversation_id: id.clone(),
            direction: Direction::Outbound,
            sender_agent_id: None,
            origin: stepup_protocol::Origin::System,
            content: MessageContent::Event { event },
            reply_to_message_id: None,
            status: MessageStatus::Sent,
            error: None,
            provider_message_id: None,
            created_at: now,
            edited_at: None,
        };
        w.put_message(&msg).await?;
    }
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    Ok(Json(conv))
}

/// The timeline events that take a conversation from `before` to `after`, done by `actor`.
pub fn timeline_events(
    before: &Conversation,
    after: &Conversation,
    actor: &str,
) -> Vec<stepup_protocol::ConversationEvent> {
    use stepup_protocol::{ConversationEvent, ConversationEventKind as Kind};
    let event = |kind, agent_id: Option<&String>, team_id: Option<&String>| ConversationEvent {
        kind,
        actor_agent_id: Some(actor.to_owned()),
        agent_id: agent_id.cloned(),
        team_id: team_id.cloned(),
    };
    let mut out = Vec::new();
    if before.assignee_agent_id != after.assignee_agent_id
        || before.assignee_team_id != after.assignee_team_id
    {
        if after.assignee_agent_id.is_none() && after.assignee_team_id.is_none() {
            out.push(event(Kind::Unassigned, None, None));
        } else {
            out.push(event(
                Kind::Assigned,
                after.assignee_agent_id.as_ref(),
                after.assignee_team_id.as_ref(),
            ));
        }
    }
    if before.status != after.status {
        let kind = match after.status {
            ConversationStatus::Resolved => Some(Kind::Resolved),
            ConversationStatus::Snoozed => Some(Kind::Snoozed),
            _ if before.status == ConversationStatus::Resolved => Some(Kind::Reopened),
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(event(kind, None, None));
        }
    }
    out
}

fn hash_request(conversation_id: &str, req: &SendMessageRequest) -> String {
    let mut h = Sha256::new();
    h.update(conversation_id.as_bytes());
    h.update([0]);
    h.update(serde_json::to_string(req).unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

fn render_template(body: &str, params: &[String]) -> String {
    let mut out = body.to_owned();
    for (i, p) in params.iter().enumerate() {
        out = out.replace(&format!("{{{{{}}}}}", i + 1), p);
    }
    out
}

/// `POST /v1/conversations/{id}/messages` with `Idempotency-Key`.
async fn send_message(
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
    let prior = sqlx::query("SELECT request_hash, status, response FROM idempotency WHERE workspace_id = ? AND agent_id = ? AND key = ?")
        .bind(&ws)
        .bind(&auth.agent_id)
        .bind(&key)
        .fetch_optional(w.conn())
        .await?;
    if let Some(row) = prior {
        if row.get::<String, _>(0) != request_hash {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request",
            ));
        }
        let status = StatusCode::from_u16(u16::try_from(row.get::<i64, _>(1)).unwrap_or(200))
            .unwrap_or(StatusCode::OK);
        let response: String = row.get(2);
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
                    rendered: render_template(&t.body, params),
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
            let row = sqlx::query(
                "SELECT content_type, filename FROM attachments WHERE workspace_id = ? AND id = ?",
            )
            .bind(&ws)
            .bind(attachment_id)
            .fetch_optional(w.conn())
            .await?
            .ok_or_else(|| ApiError::not_found("attachment"))?;
            let ct: String = row.get(0);
            (
                MessageContent::Attachment {
                    attachment: AttachmentRef {
                        attachment_id: Some(attachment_id.clone()),
                        kind: sniff::kind_of(&ct),
                        content_type: Some(ct),
                        filename: Some(row.get(1)),
                        provider_media_id: None,
                    },
                    caption: caption.clone(),
                },
                None,
            )
        }
    };
    let msg = Message {
        id: state.ids().make("msg"),
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
    w.put_conversation(&conv).await?;
    let response = serde_json::to_string(&msg)?;
    sqlx::query("INSERT INTO idempotency (workspace_id, agent_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, 201, ?, ?)")
        .bind(&ws)
        .bind(&auth.agent_id)
        .bind(&key)
        .bind(&request_hash)
        .bind(&response)
        .bind(now)
        .execute(w.conn())
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

async fn add_note(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AddNoteRequest>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    if req.body.trim().is_empty() || req.body.chars().count() > 10_000 {
        return Err(ApiError::bad_request("note must be 1–10000 characters"));
    }
    let mut w = state.write(&auth.workspace_id).await?;
    w.get::<Conversation>(EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let mut mentions = Vec::new();
    for word in req.body.split_whitespace() {
        let Some(handle) = word.strip_prefix('@') else {
            continue;
        };
        let handle = handle.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        let by_email: Option<String> = sqlx::query_scalar(
            "SELECT agent_id FROM credentials WHERE workspace_id = ? AND (agent_id = ? OR email = ?)",
        )
        .bind(&auth.workspace_id)
        .bind(handle)
        .bind(handle.to_lowercase())
        .fetch_optional(w.conn())
        .await?;
        if let Some(a) = by_email
            && !mentions.contains(&a)
        {
            mentions.push(a);
        }
    }
    let note = Note {
        id: state.ids().make("note"),
        conversation_id: id.clone(),
        author_agent_id: auth.agent_id.clone(),
        body: req.body,
        mentions,
        created_at: w.now(),
    };
    w.put(
        EntityKind::Note,
        &note.id,
        Placement {
            parent_id: Some(&id),
            sort_at: note.created_at,
        },
        &note,
    )
    .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

async fn mark_read(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<MarkReadRequest>,
) -> ApiResult<Json<Conversation>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let m: Message = w
        .get(EntityKind::Message, &req.message_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    if m.conversation_id != id {
        return Err(ApiError::bad_request("message is not in this conversation"));
    }
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM entities WHERE workspace_id = ? AND kind = 'message' AND parent_id = ? AND deleted = 0
           AND (sort_at > ? OR (sort_at = ? AND id > ?)) AND json_extract(data, '$.direction') = 'inbound'",
    )
    .bind(&auth.workspace_id)
    .bind(&id)
    .bind(m.created_at)
    .bind(m.created_at)
    .bind(&m.id)
    .fetch_one(w.conn())
    .await?;
    let receipt = match (&m.direction, &m.provider_message_id) {
        (Direction::Inbound, Some(pid)) => {
            let contact: Option<Contact> = w.get(EntityKind::Contact, &conv.contact_id).await?;
            contact
                .and_then(|c| c.identities.into_iter().find(|i| i.channel == conv.channel))
                .map(|i| (i.external_id, pid.clone()))
        }
        _ => None,
    };
    conv.read_up_to = Some(m.id);
    conv.unread_count = u32::try_from(unread).unwrap_or(0);
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    if let Some((recipient, pid)) = receipt {
        outbound::read_receipt(state.clone(), conv.channel, recipient, pid);
    }
    Ok(Json(conv))
}

/// The conversation `id` of the writer's workspace, or a 404.
async fn conversation(w: &mut store::Writer, id: &str) -> ApiResult<Conversation> {
    w.get(EntityKind::Conversation, id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// Marks the conversation unread from its latest customer message: an agent puts it back for
/// later (or for a colleague). Read receipts already sent to the customer stay sent.
async fn mark_unread(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut conv = conversation(&mut w, &id).await?;
    let last_inbound: Option<(String, i64)> = sqlx::query_as(
        "SELECT id, sort_at FROM entities WHERE workspace_id = ? AND kind = 'message' AND parent_id = ? AND deleted = 0
           AND json_extract(data, '$.direction') = 'inbound' ORDER BY sort_at DESC, id DESC LIMIT 1",
    )
    .bind(&auth.workspace_id)
    .bind(&id)
    .fetch_optional(w.conn())
    .await?;
    let Some((last_id, last_at)) = last_inbound else {
        return Err(ApiError::bad_request(
            "the customer has not written in this conversation",
        ));
    };
    let before: Option<String> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE workspace_id = ? AND kind = 'message' AND parent_id = ? AND deleted = 0
           AND (sort_at < ? OR (sort_at = ? AND id < ?)) ORDER BY sort_at DESC, id DESC LIMIT 1",
    )
    .bind(&auth.workspace_id)
    .bind(&id)
    .bind(last_at)
    .bind(last_at)
    .bind(&last_id)
    .fetch_optional(w.conn())
    .await?;
    conv.read_up_to = before;
    conv.unread_count = conv.unread_count.max(1);
    w.put_conversation(&conv).await?;
    state.commit(w).await?;
    Ok(Json(conv))
}

async fn suggestions(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionsResponse>> {
    let ws = &auth.workspace_id;
    let mut conn = state.pool().acquire().await?;
    store::get::<Conversation>(&mut conn, ws, EntityKind::Conversation, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let recent: Vec<Message> =
        store::children(&mut conn, ws, EntityKind::Message, &id, None, 20).await?;
    let customer_text: Vec<String> = recent
        .iter()
        .filter(|m| m.direction == Direction::Inbound)
        .take(3)
        .filter_map(|m| match &m.content {
            MessageContent::Text { text } | MessageContent::StoryReply { text, .. } => {
                Some(text.clone())
            }
            _ => None,
        })
        .collect();
    let text = customer_text.join(" ");
    let language = ranker::detect_language(&text);
    let canned: Vec<CannedResponse> =
        store::list(&mut conn, ws, EntityKind::CannedResponse).await?;
    let mut candidates = ranker::canned_candidates(&canned);
    // Past agent replies in this workspace (most recent first, bounded).
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT json_extract(data, '$.content.text') FROM entities WHERE workspace_id = ? AND kind = 'message' AND deleted = 0
           AND json_extract(data, '$.direction') = 'outbound' AND json_extract(data, '$.content.type') = 'text'
         ORDER BY sort_at DESC, id DESC LIMIT 500",
    )
    .bind(ws)
    .fetch_all(&mut *conn)
    .await?;
    for t in rows {
        candidates.push(Candidate {
            language: ranker::detect_language(&t).to_owned(),
            text: t,
            source: SuggestionSource::PastReply,
            canned_response_id: None,
        });
    }
    let r = state.config().ranker.clone();
    Ok(Json(SuggestionsResponse {
        suggestions: r.rank(&text, language, &candidates, 3),
        model: r.name().to_owned(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Attachments

#[derive(Debug, Deserialize)]
struct UploadQuery {
    filename: Option<String>,
}

fn clean_filename(name: Option<String>) -> String {
    let n: String = name
        .unwrap_or_else(|| "attachment".into())
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"' | ';'))
        .take(120)
        .collect();
    if n.trim().is_empty() {
        "attachment".into()
    } else {
        n
    }
}

async fn upload_attachment(
    State(state): State<AppState>,
    auth: AuthAgent,
    Q(q): Q<UploadQuery>,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    if body.is_empty() {
        return Err(ApiError::bad_request("empty upload"));
    }
    let a = Attachment {
        id: state.ids().make("att"),
        content_type: sniff::stored_type(&body).to_owned(),
        size: body.len() as u64,
        filename: clean_filename(q.filename),
        sha256: hex::encode(Sha256::digest(&body)),
        created_at: state.now(),
    };
    sqlx::query("INSERT INTO attachments (workspace_id, id, content_type, filename, size, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(&auth.workspace_id)
        .bind(&a.id)
        .bind(&a.content_type)
        .bind(&a.filename)
        .bind(a.size as i64)
        .bind(&a.sha256)
        .bind(body.as_ref())
        .bind(a.created_at)
        .execute(state.pool())
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

async fn download_attachment(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let row = sqlx::query(
        "SELECT content_type, filename, bytes FROM attachments WHERE workspace_id = ? AND id = ?",
    )
    .bind(&auth.workspace_id)
    .bind(&id)
    .fetch_optional(state.pool())
    .await?
    .ok_or_else(|| ApiError::not_found("attachment"))?;
    let ct: String = row.get(0);
    let filename: String = row.get(1);
    let bytes: Vec<u8> = row.get(2);
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Canned responses, templates, labels, presence

async fn list_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<CannedResponse>>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        store::list(&mut conn, &auth.workspace_id, EntityKind::CannedResponse).await?,
    ))
}

async fn create_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewCannedResponse>,
) -> ApiResult<(StatusCode, Json<CannedResponse>)> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    if !matches!(req.language.as_str(), "ar" | "en") {
        return Err(ApiError::bad_request("language must be ar or en"));
    }
    if req.body.trim().is_empty() || req.shortcut.trim().is_empty() {
        return Err(ApiError::bad_request("shortcut and body are required"));
    }
    let c = CannedResponse {
        id: state.ids().make("can"),
        shortcut: req.shortcut,
        language: req.language,
        title: req.title,
        body: req.body,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::CannedResponse, &c.id, Placement::default(), &c)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

async fn delete_canned(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    let mut w = state.write(&auth.workspace_id).await?;
    if !w.delete(EntityKind::CannedResponse, &id).await? {
        return Err(ApiError::not_found("canned response"));
    }
    state.commit(w).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_templates(
    State(state): State<AppState>,
    auth: AuthAgent,
) -> ApiResult<Json<Vec<Template>>> {
    let mut conn = state.pool().acquire().await?;
    Ok(Json(
        store::list(&mut conn, &auth.workspace_id, EntityKind::Template).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct NewTemplate {
    channel: Channel,
    name: String,
    language: String,
    category: String,
    body: String,
}

/// `POST /v1/templates` (admin): a new template starts `pending` until the provider decides.
async fn create_template(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewTemplate>,
) -> ApiResult<(StatusCode, Json<Template>)> {
    auth.require(&[Role::Admin])?;
    if req.channel != Channel::Whatsapp {
        return Err(ApiError::bad_request(
            "only WhatsApp uses message templates",
        ));
    }
    let valid_name = !req.name.is_empty()
        && req
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name || req.body.trim().is_empty() {
        return Err(ApiError::bad_request(
            "name must be lower-case letters, digits and underscores; body is required",
        ));
    }
    let t = Template {
        id: state.ids().make("tpl"),
        channel: req.channel,
        name: req.name,
        language: req.language,
        category: req.category,
        body: req.body,
        status: TemplateStatus::Pending,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::Template, &t.id, Placement::default(), &t)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[derive(Debug, Deserialize)]
struct TemplateDecision {
    status: TemplateStatus,
}

/// `PATCH /v1/templates/{id}` (admin): records the provider's decision on a template.
async fn update_template(
    State(state): State<AppState>,
    auth: AuthAgent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TemplateDecision>,
) -> ApiResult<Json<Template>> {
    auth.require(&[Role::Admin])?;
    let mut w = state.write(&auth.workspace_id).await?;
    let mut t: Template = w
        .get(EntityKind::Template, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("template"))?;
    t.status = req.status;
    w.put(EntityKind::Template, &t.id, Placement::default(), &t)
        .await?;
    state.commit(w).await?;
    Ok(Json(t))
}

#[derive(Debug, Deserialize)]
struct NewLabel {
    name: String,
    color: String,
}

async fn create_label(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<NewLabel>,
) -> ApiResult<(StatusCode, Json<Label>)> {
    auth.require(&[Role::Supervisor, Role::Admin])?;
    let l = Label {
        id: state.ids().make("lbl"),
        name: req.name,
        color: req.color,
    };
    let mut w = state.write(&auth.workspace_id).await?;
    w.put(EntityKind::Label, &l.id, Placement::default(), &l)
        .await?;
    state.commit(w).await?;
    Ok((StatusCode::CREATED, Json(l)))
}

async fn set_presence(
    State(state): State<AppState>,
    auth: AuthAgent,
    JsonBody(req): JsonBody<SetPresenceRequest>,
) -> ApiResult<Json<Agent>> {
    let mut w = state.write(&auth.workspace_id).await?;
    let mut agent: Agent = w
        .get(EntityKind::Agent, &auth.agent_id)
        .await?
        .ok_or_else(|| ApiError::not_found("agent"))?;
    if agent.presence != req.presence {
        agent.presence = req.presence;
        w.put(EntityKind::Agent, &agent.id, Placement::default(), &agent)
            .await?;
    }
    state.commit(w).await?;
    Ok(Json(agent))
}

/// Used by ingest and tests: the channel of a conversation id, scoped to a workspace.
pub async fn conversation_channel(state: &AppState, ws: &str, id: &str) -> ApiResult<Channel> {
    Ok(
        load::<Conversation>(state, ws, EntityKind::Conversation, id)
            .await?
            .channel,
    )
}
