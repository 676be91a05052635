//! The change feed: `GET /v1/sync` (snapshot pages, then the raw log by cursor) and
//! `GET /v1/stream` (the WebSocket that pushes each committed change).

use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use stepup_protocol::{ChangeOp, EntityKind, ErrorCode, StreamEvent};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::AuthAgent;
use crate::error::{ApiError, ApiResult};
use crate::extract::Q;
use crate::state::AppState;
use crate::store::{self, StoredChange};

#[derive(Debug, Deserialize)]
pub(super) struct SyncQuery {
    after: Option<String>,
    limit: Option<u32>,
    /// How many bytes of documents a page should hold at most (a page holds at least one
    /// change). Clients start a bootstrap with a small first page, so the inbox shows early.
    bytes: Option<usize>,
}

/// Where a client is in the feed. The cursor is opaque to clients; its forms:
///
/// - `0` (or nothing): a new bootstrap, from the current head.
/// - `n{head}r{seq}`: bootstrapping as of `head`, the reference kinds after `seq`.
/// - `n{head}d{seq}`: bootstrapping as of `head`, the rest below `seq`, newest first (each
///   conversation with its contact).
/// - `n{head}c{seq}`: bootstrapping as of `head`, the contacts without a conversation after
///   `seq`.
/// - `n{head}s{seq}`: the end of a bootstrap as of `head`: what changed while it ran (after
///   `seq`), in order, tombstones included, each conversation with its contact.
/// - `s{seq}`: the compacted state after `seq`, in order (a bootstrap oldest first).
/// - `{seq}`: the raw log after `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Start,
    Reference { head: u64, after: u64 },
    Newest { head: u64, below: u64 },
    LoneContacts { head: u64, after: u64 },
    Changed { head: u64, after: u64 },
    Snapshot(u64),
    Log(u64),
}

impl Cursor {
    fn parse(s: Option<&str>) -> ApiResult<Cursor> {
        let bad = || ApiError::bad_request("cursor must be a number or a snapshot cursor");
        let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
        let s = s.map_or("", str::trim);
        if s.is_empty() || s == "0" {
            return Ok(Cursor::Start);
        }
        if let Some(rest) = s.strip_prefix('s') {
            return Ok(Cursor::Snapshot(num(rest)?));
        }
        if let Some(rest) = s.strip_prefix('n') {
            if let Some((head, after)) = rest.split_once('r') {
                return Ok(Cursor::Reference {
                    head: num(head)?,
                    after: num(after)?,
                });
            }
            if let Some((head, below)) = rest.split_once('d') {
                return Ok(Cursor::Newest {
                    head: num(head)?,
                    below: num(below)?,
                });
            }
            if let Some((head, after)) = rest.split_once('c') {
                return Ok(Cursor::LoneContacts {
                    head: num(head)?,
                    after: num(after)?,
                });
            }
            if let Some((head, after)) = rest.split_once('s') {
                return Ok(Cursor::Changed {
                    head: num(head)?,
                    after: num(after)?,
                });
            }
            return Err(bad());
        }
        Ok(Cursor::Log(num(s)?))
    }

    fn encode(self, head_now: u64) -> String {
        match self {
            Cursor::Start => "0".to_owned(),
            Cursor::Reference { head, after } => format!("n{head}r{after}"),
            Cursor::Newest { head, below } => format!("n{head}d{below}"),
            Cursor::LoneContacts { head, after } => format!("n{head}c{after}"),
            Cursor::Changed { after, .. } if after >= head_now => head_now.to_string(),
            Cursor::Changed { head, after } => format!("n{head}s{after}"),
            Cursor::Snapshot(after) if after >= head_now => head_now.to_string(),
            Cursor::Snapshot(after) => format!("s{after}"),
            Cursor::Log(after) => after.to_string(),
        }
    }
}

/// A page of `GET /v1/sync`: [`stepup_protocol::SyncResponse`] as it is written, with each
/// document as stored (the feed tests read every page back into that type).
#[derive(Debug, Serialize)]
struct Page {
    changes: Vec<StoredChange>,
    next_cursor: String,
    has_more: bool,
    snapshot: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages_since: Option<i64>,
}

/// The largest page a client may ask for, in bytes of documents (well under what a client
/// reads in one answer).
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;
const MIN_PAGE_BYTES: usize = 4 * 1024;

pub(super) async fn sync(
    State(state): State<AppState>,
    auth: AuthAgent,
    headers: HeaderMap,
    Q(q): Q<SyncQuery>,
) -> ApiResult<Response> {
    let mut budget = store::Budget {
        changes: q.limit.unwrap_or(500).clamp(1, 5000) as usize,
        bytes: q
            .bytes
            .unwrap_or(MAX_PAGE_BYTES)
            .clamp(MIN_PAGE_BYTES, MAX_PAGE_BYTES),
    };
    let mut cursor = Cursor::parse(q.after.as_deref())?;
    let ws = auth.workspace_id.as_str();
    // One read transaction: head, horizon and rows come from the same snapshot.
    let mut tx = state.pool().begin().await?;
    let (head, horizon) = store::feed_bounds(&mut tx, ws)
        .await?
        .ok_or_else(|| ApiError::not_found("workspace"))?;
    if let Cursor::Log(after) = cursor {
        if after < horizon || after > head {
            return Err(ApiError::new(
                StatusCode::GONE,
                ErrorCode::CursorExpired,
                "cursor is outside the kept history: sync again from 0",
            ));
        }
        let rows = store::log_page(&mut tx, ws, after, &mut budget).await?;
        tx.commit().await?;
        let next = rows.changes.last().map_or(after, |c| c.seq);
        let page = Page {
            changes: rows.changes,
            next_cursor: next.to_string(),
            has_more: rows.more,
            snapshot: false,
            snapshot_total: None,
            messages_since: None,
        };
        return super::negotiated_json(&headers, &page).await;
    }
    let window =
        i64::try_from(state.config().snapshot_message_window.as_millis()).unwrap_or(i64::MAX);
    let since = state.now().saturating_sub(window);
    let snapshot_total = if cursor == Cursor::Start {
        Some(store::snapshot_size(&mut tx, ws, since).await?)
    } else {
        None
    };
    // A bootstrap reads as of the head it started at: the reference kinds, then the rest
    // newest first (each conversation with its contact), then the contacts without a
    // conversation, then (`s{head}`) whatever changed meanwhile. An entity changed during the
    // bootstrap leaves the first parts (its seq moves past that head) and comes in the last,
    // so every entity arrives in its latest state, and tombstones only there. A contact with
    // conversations on several pages comes with each of them (the size announced on the first
    // page counts it once).
    let mut changes = Vec::new();
    let more = loop {
        if budget.spent() {
            break true;
        }
        match cursor {
            Cursor::Start => {
                cursor = Cursor::Reference { head, after: 0 };
            }
            Cursor::Reference { head: at, after } => {
                let rows = store::reference_page(&mut tx, ws, at, after, &mut budget).await?;
                if let Some(last) = rows.changes.last() {
                    cursor = Cursor::Reference {
                        head: at,
                        after: last.seq,
                    };
                }
                changes.extend(rows.changes);
                if rows.more {
                    break true;
                }
                cursor = Cursor::Newest {
                    head: at,
                    below: at.saturating_add(1),
                };
            }
            Cursor::Newest { head: at, below } => {
                let rows = store::newest_page(&mut tx, ws, below, since, &mut budget).await?;
                if let Some(last) = rows.changes.last() {
                    cursor = Cursor::Newest {
                        head: at,
                        below: last.seq,
                    };
                }
                with_contacts(&mut tx, ws, &mut changes, rows.changes, u64::MAX).await?;
                if rows.more {
                    break true;
                }
                cursor = Cursor::LoneContacts { head: at, after: 0 };
            }
            Cursor::LoneContacts { head: at, after } => {
                let rows = store::lone_contacts_page(&mut tx, ws, at, after, &mut budget).await?;
                if let Some(last) = rows.changes.last() {
                    cursor = Cursor::LoneContacts {
                        head: at,
                        after: last.seq,
                    };
                }
                changes.extend(rows.changes);
                if rows.more {
                    break true;
                }
                cursor = Cursor::Changed {
                    head: at,
                    after: at,
                };
            }
            Cursor::Changed { head: at, after } => {
                let rows = store::snapshot_page(&mut tx, ws, after, since, &mut budget).await?;
                if let Some(last) = rows.changes.last() {
                    cursor = Cursor::Changed {
                        head: at,
                        after: last.seq,
                    };
                }
                // Contacts changed meanwhile come in their own place.
                with_contacts(&mut tx, ws, &mut changes, rows.changes, at).await?;
                if rows.more {
                    break true;
                }
                cursor = Cursor::Snapshot(head);
                break false;
            }
            Cursor::Snapshot(after) => {
                let rows = store::snapshot_page(&mut tx, ws, after, since, &mut budget).await?;
                if let Some(last) = rows.changes.last() {
                    cursor = Cursor::Snapshot(last.seq);
                }
                changes.extend(rows.changes);
                if rows.more {
                    break true;
                }
                cursor = Cursor::Snapshot(head);
                break false;
            }
            Cursor::Log(_) => unreachable!("answered above"),
        }
    };
    tx.commit().await?;
    let page = Page {
        changes,
        next_cursor: cursor.encode(head),
        has_more: more,
        snapshot: true,
        snapshot_total,
        messages_since: Some(since),
    };
    super::negotiated_json(&headers, &page).await
}

/// Adds `rows` to the page, each conversation preceded by its contact (its current state, when
/// its seq is at most `up_to`) when the page does not hold it yet: newest first, a conversation's contact may be far older,
/// and the inbox shows its name. Pages are applied in order, so a later copy (a contact
/// changed meanwhile) wins.
async fn with_contacts(
    tx: &mut sqlx::AnyConnection,
    ws: &str,
    page: &mut Vec<StoredChange>,
    rows: Vec<StoredChange>,
    up_to: u64,
) -> ApiResult<()> {
    let mut have: HashSet<String> = page
        .iter()
        .filter(|c| c.entity == EntityKind::Contact)
        .map(|c| c.id.clone())
        .collect();
    have.extend(
        rows.iter()
            .filter(|c| c.entity == EntityKind::Contact)
            .map(|c| c.id.clone()),
    );
    let wanted: Vec<&str> = rows
        .iter()
        .filter(|c| c.entity == EntityKind::Conversation && c.op == ChangeOp::Upsert)
        .filter_map(|c| c.parent_id.as_deref())
        .filter(|contact| !have.contains(*contact))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let contacts = store::contacts_now(tx, ws, &wanted).await?;
    page.extend(contacts.into_iter().filter(|c| c.seq <= up_to));
    page.extend(rows);
    Ok(())
}

/// Largest frame an agent's stream accepts.
const STREAM_FRAME_LIMIT: usize = 64 * 1024;

pub(super) async fn stream(
    State(state): State<AppState>,
    auth: AuthAgent,
    ws: WebSocketUpgrade,
) -> Response {
    // The app only sends small activity frames up this stream.
    ws.max_message_size(STREAM_FRAME_LIMIT)
        .max_frame_size(STREAM_FRAME_LIMIT)
        .on_upgrade(move |socket| run_stream(state, auth, socket))
}

async fn run_stream(state: AppState, auth: AuthAgent, mut socket: WebSocket) {
    let mut stopping = state.stopping();
    // Subscribe before reading the head so nothing committed after the hello is lost.
    let mut rx = state.feed_sender(&auth.workspace_id).subscribe();
    let mut activity = state.activity_sender(&auth.workspace_id).subscribe();
    let mut ended = state.ended_sessions();
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
            id = ended.recv() => {
                // Signed out or revoked: the stream ends with the session.
                if matches!(&id, Ok(id) if *id == auth.session_id) {
                    let _ = socket.send(WsMessage::Close(None)).await;
                    break;
                }
            }
            a = activity.recv() => {
                // Short-lived news: one missed under load is replaced by the next report.
                let Ok(a) = a else { continue };
                if a.agent_id == auth.agent_id { continue; }
                let Ok(frame) = send(&StreamEvent::Activity { activity: a }) else { break };
                if socket.send(frame).await.is_err() { break; }
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
